/* SPDX-License-Identifier: Apache-2.0 */
/* The only door to OpenSSL (like cryptsetup's crypto backend): secrets in memory, hashes,
 * randomness, certificates, ECDSA P-384 keys and SEV signatures, and the handshake's X25519, HKDF
 * and AES-GCM, behind a negative-errno interface. On an OpenSSL failure the whole error queue goes
 * to the debug log and -EIO is returned; whatever allocates may also return -ENOMEM. OpenSSL
 * objects stay inside the opaque structs below. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

#define CRYPTO_SHA256_SIZE 32
#define CRYPTO_SHA384_SIZE 48
#define CRYPTO_SHA512_SIZE 64
#define CRYPTO_SEV_FIELD_SIZE 72
#define CRYPTO_X25519_SIZE 32
#define CRYPTO_AES256_KEY_SIZE 32
#define CRYPTO_GCM_IV_SIZE 12
#define CRYPTO_GCM_TAG_SIZE 16

/* ---- Secrets in memory ---- */

/* Wipes size bytes at p (OPENSSL_cleanse(), which the compiler cannot elide); NULL is fine. */
void crypto_wipe(void *p, size_t size);

/* Wipes and frees a buffer of size bytes; NULL is fine. */
void crypto_wipe_free(void *p, size_t size);

/* Constant-time comparison of size bytes: true when equal. */
bool crypto_memeq(const void *a, const void *b, size_t size);

/* ---- Hashes ---- */

enum crypto_hash {
        CRYPTO_HASH_SHA256,
        CRYPTO_HASH_SHA384,
};

/* One-shot digests of size bytes at data into out. 0 or -EIO. */
int crypto_sha256(const void *data, size_t size, uint8_t out[CRYPTO_SHA256_SIZE]);
int crypto_sha384(const void *data, size_t size, uint8_t out[CRYPTO_SHA384_SIZE]);
int crypto_sha512(const void *data, size_t size, uint8_t out[CRYPTO_SHA512_SIZE]);

/* Incremental SHA-256 or SHA-384. crypto_hash_new() returns NULL when out of memory or on an
 * OpenSSL failure; update and final return 0 or -EIO; final writes CRYPTO_SHA256_SIZE or
 * CRYPTO_SHA384_SIZE bytes and is called once. crypto_hash_free() accepts NULL. */
struct crypto_hash_ctx;
struct crypto_hash_ctx *crypto_hash_new(enum crypto_hash alg);
int crypto_hash_update(struct crypto_hash_ctx *ctx, const void *data, size_t size);
int crypto_hash_final(struct crypto_hash_ctx *ctx, uint8_t *out);
void crypto_hash_free(struct crypto_hash_ctx *ctx);
/* Starts a new digest of the same algorithm on ctx (after final, or to drop what was hashed), so
 * that a loop of many small digests reuses one context. 0 or -EIO. */
int crypto_hash_reset(struct crypto_hash_ctx *ctx);
DEFINE_FREEP(struct crypto_hash_ctx, crypto_hash_free);

/* ---- Random ---- */

/* Fills buf with size bytes from OpenSSL's private DRBG. 0; -EINVAL when size exceeds INT32_MAX;
 * -EIO. */
int crypto_random(void *buf, size_t size);

/* ---- Certificates ---- */

/* An X.509 certificate. */
struct crypto_cert;

/* Loads one certificate from a PEM (exactly one CERTIFICATE block) or DER file, or from memory;
 * the caller frees *ret with crypto_cert_free() (NULL is fine). -errno of reading; -EBADMSG when
 * the bytes are not exactly one certificate. */
int crypto_cert_load(const char *path, struct crypto_cert **ret);
int crypto_cert_from_mem(const void *data, size_t size, struct crypto_cert **ret);
void crypto_cert_free(struct crypto_cert *cert);
DEFINE_FREEP(struct crypto_cert, crypto_cert_free);

/* SHA-256 of the certificate's SubjectPublicKeyInfo (the fingerprint pinned for AMD's roots).
 * 0 or -EIO. */
int crypto_cert_pubkey_sha256(const struct crypto_cert *cert, uint8_t out[CRYPTO_SHA256_SIZE]);

/* Copies the subject commonName, NUL-terminated, into buf. -ENOENT when there is none,
 * -ENAMETOOLONG when it does not fit in size bytes, -EBADMSG when it holds a NUL. */
int crypto_cert_subject_cn(const struct crypto_cert *cert, char *buf, size_t size);

/* Predicate: 1 when cert's issuer name equals issuer's subject name, else 0. */
int crypto_cert_issued_by(const struct crypto_cert *cert, const struct crypto_cert *issuer);

/* Verifies that issuer's RSA key signed cert with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt length
 * 48 (AMD KDS spec 57230), the only algorithm AMD's chain uses. 0 when it did; -EKEYREJECTED for
 * a bad signature, another algorithm or other parameters. */
int crypto_cert_verify_amd_pss(const struct crypto_cert *cert, const struct crypto_cert *issuer);

/* For the modules that use OpenSSL's X.509 API themselves (crl.c): the certificate inside cert
 * (owned by it), and whether a signature algorithm is AMD's RSASSA-PSS as above. */
struct x509_st;
struct X509_algor_st;
const struct x509_st *crypto_cert_x509(const struct crypto_cert *cert);
bool crypto_algor_is_amd_pss(const struct X509_algor_st *alg);

/* Predicate: 1 when the certificate's key is ECDSA on P-384, 0 otherwise. */
int crypto_cert_key_is_p384(const struct crypto_cert *cert);

/* The value of the extension with the dotted oid: the raw extnValue bytes (new buffer), a DER
 * INTEGER that fits in 64 bits, or a DER IA5String (new NUL-terminated string); the caller frees
 * the buffers. -ENOENT when the certificate lacks it; -EBADMSG when it appears twice or the value
 * is not of that type. */
int crypto_cert_ext_raw(const struct crypto_cert *cert, const char *oid, uint8_t **ret_data,
                        size_t *ret_size);
int crypto_cert_ext_uint(const struct crypto_cert *cert, const char *oid, uint64_t *ret);
int crypto_cert_ext_ia5(const struct crypto_cert *cert, const char *oid, char **ret);

/* The certificate's notAfter as Unix time. -EBADMSG when it cannot be read. */
int crypto_cert_not_after(const struct crypto_cert *cert, int64_t *ret);

/* The certificate in PEM, a new NUL-terminated string of *ret_size bytes. -EIO, -ENOMEM. */
int crypto_cert_to_pem(const struct crypto_cert *cert, char **ret_pem, size_t *ret_size);

/* Every CERTIFICATE block of PEM text (KDS's cert_chain: ASK/ASVK, then ARK) into ret[0..*ret_n),
 * at most n; the caller frees each. -EBADMSG when the text holds none or more than n, -ENOMEM. */
int crypto_certs_from_pem(const void *data, size_t size, struct crypto_cert **ret, size_t n,
                          size_t *ret_n);

/* The nextUpdate of a CRL (DER, or one PEM block) as Unix time; nothing is verified here.
 * -EBADMSG when the bytes are not one CRL, -ENOENT when it has no nextUpdate. */
int crypto_crl_next_update(const void *data, size_t size, int64_t *ret);

/* ---- Keys and SEV signatures ----
 * SEV structures store r, s and the public point's x and y as 72-byte little-endian, zero-padded
 * fields (SNP ABI, AMD 56860, "ECDSA Signature Format" and "ECDSA Public Key Format"); the
 * conversion from and to OpenSSL's forms happens here and nowhere else. */

/* A key held by OpenSSL: a private key, or only a public one. */
struct crypto_key;

void crypto_key_free(struct crypto_key *key);
DEFINE_FREEP(struct crypto_key, crypto_key_free);

/* Loads the first key in the PEM file at path: a private key OpenSSL decodes (PKCS#8 or SEC1,
 * plain or encrypted), else a public one. pass: NULL (ask on the terminal), "file:PATH" (first
 * line) or "env:VAR"; secrets read are wiped. -EBADMSG: no key; -EKEYREJECTED: wrong pass phrase;
 * -ENOKEY: encrypted, no terminal; -EINVAL: bad pass form; -ENOENT: env: unset; -errno reading. */
int crypto_key_load_pem(const char *path, const char *pass, struct crypto_key **ret_key);

/* True when key is an ECDSA private key on P-384 (secp384r1). */
bool crypto_key_is_p384_private(const struct crypto_key *key);

/* Describes key in words for messages ("an RSA 2048-bit private key", "an EC private key on curve
 * prime256v1"); writes at most size bytes to buf and returns buf. */
const char *crypto_key_describe(const struct crypto_key *key, char *buf, size_t size);

/* Generates a new P-384 key pair. 0, -ENOMEM or -EIO. */
int crypto_key_generate_p384(struct crypto_key **ret_key);

/* The private key as PKCS#8 PEM in a new NUL-terminated buffer of *ret_size bytes (without the
 * NUL); the caller frees it with crypto_wipe_free(). pass: NULL (unencrypted), "file:PATH" or
 * "env:VAR" (AES-256-CBC under PBKDF2). -EINVAL: a public key, a bad form or an empty pass phrase;
 * -ENOENT, -E2BIG or -errno of reading the pass phrase. */
int crypto_key_to_pkcs8_pem(const struct crypto_key *key, const char *pass, char **ret_pem,
                            size_t *ret_size);

/* The public point of a P-384 key in SEV form. -EINVAL when key is not a P-384 EC key. */
int crypto_key_sev_point(const struct crypto_key *key, uint8_t ret_qx[CRYPTO_SEV_FIELD_SIZE],
                         uint8_t ret_qy[CRYPTO_SEV_FIELD_SIZE]);

/* Signs data with ECDSA over its SHA-384 digest using a P-384 private key; r and s in SEV form.
 * -EINVAL when key is not a P-384 private key. */
int crypto_sev_sign(const struct crypto_key *key, const void *data, size_t size,
                    uint8_t ret_r[CRYPTO_SEV_FIELD_SIZE], uint8_t ret_s[CRYPTO_SEV_FIELD_SIZE]);

/* Verifies an ECDSA P-384 signature (r, s) over SHA-384(data) by the public point (qx, qy), all
 * in SEV form; _cert() takes the point from cert's key (a VCEK or VLEK). 0: it verifies.
 * -EKEYREJECTED: it does not. -EBADMSG: the key is not a P-384 point (or cert's key is not ECDSA
 * P-384), or a field has a byte set past its 48th. -EIO: OpenSSL failed. */
int crypto_sev_verify(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                      const uint8_t qy[CRYPTO_SEV_FIELD_SIZE], const void *data, size_t size,
                      const uint8_t r[CRYPTO_SEV_FIELD_SIZE], const uint8_t s[CRYPTO_SEV_FIELD_SIZE]);
int crypto_sev_verify_cert(const struct crypto_cert *cert, const void *data, size_t size,
                           const uint8_t r[CRYPTO_SEV_FIELD_SIZE],
                           const uint8_t s[CRYPTO_SEV_FIELD_SIZE]);

/* A P-384 public key in SEV form, checked once (a point of the curve, of the right order) for
 * many signatures: _new() takes (qx, qy), _from_cert() cert's key (a VCEK or VLEK); the errors of
 * crypto_sev_verify(). _verify() answers as crypto_sev_verify() for the signature; it only reads
 * key, so threads may share one key (each call makes its own OpenSSL contexts). */
struct crypto_sev_pubkey;
int crypto_sev_pubkey_new(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                          const uint8_t qy[CRYPTO_SEV_FIELD_SIZE],
                          struct crypto_sev_pubkey **ret);
int crypto_sev_pubkey_from_cert(const struct crypto_cert *cert, struct crypto_sev_pubkey **ret);
int crypto_sev_pubkey_verify(const struct crypto_sev_pubkey *key, const void *data, size_t size,
                             const uint8_t r[CRYPTO_SEV_FIELD_SIZE],
                             const uint8_t s[CRYPTO_SEV_FIELD_SIZE]);
void crypto_sev_pubkey_free(struct crypto_sev_pubkey *key);
DEFINE_FREEP(struct crypto_sev_pubkey, crypto_sev_pubkey_free);

/* ---- X25519, HKDF, AES-GCM (the disk-key handshake) ----
 * Private keys stay inside struct crypto_x25519; symmetric secrets are the caller's buffers and
 * are wiped by the caller (crypto_wipe). */

/* An X25519 key pair (RFC 7748). crypto_x25519_new() makes a fresh one; _from_private() loads a
 * known private key (tests). Both write the 32-byte public key. 0, -ENOMEM or -EIO. */
struct crypto_x25519;
int crypto_x25519_new(struct crypto_x25519 **ret, uint8_t ret_pub[CRYPTO_X25519_SIZE]);
int crypto_x25519_from_private(const uint8_t priv[CRYPTO_X25519_SIZE], struct crypto_x25519 **ret,
                               uint8_t ret_pub[CRYPTO_X25519_SIZE]);
void crypto_x25519_free(struct crypto_x25519 *key);
DEFINE_FREEP(struct crypto_x25519, crypto_x25519_free);

/* The X25519 shared secret of key and the peer's public key. -EKEYREJECTED when the peer key is
 * a low-order point (all-zero result); -EIO. The caller wipes ret_shared. */
int crypto_x25519_derive(const struct crypto_x25519 *key, const uint8_t peer[CRYPTO_X25519_SIZE],
                         uint8_t ret_shared[CRYPTO_X25519_SIZE]);

/* HKDF-SHA-256 (RFC 5869), extract and expand, out_size bytes (1 to 255*32, else -EINVAL).
 * 0 or -EIO. */
int crypto_hkdf_sha256(const void *ikm, size_t ikm_size, const void *salt, size_t salt_size,
                       const void *info, size_t info_size, uint8_t *out, size_t out_size);

/* AES-256-GCM with a 12-byte IV and a 16-byte tag. seal: ciphertext (same size as plaintext) to
 * out and the tag to tag. open: -EBADMSG when the tag does not verify (out is then wiped). Either
 * may be given size 0; -EINVAL when a size exceeds INT32_MAX. 0 or -EIO. */
int crypto_aes256gcm_seal(const uint8_t key[CRYPTO_AES256_KEY_SIZE],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_size,
                          const void *in, size_t size, uint8_t *out,
                          uint8_t tag[CRYPTO_GCM_TAG_SIZE]);
int crypto_aes256gcm_open(const uint8_t key[CRYPTO_AES256_KEY_SIZE],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_size,
                          const void *in, size_t size, const uint8_t tag[CRYPTO_GCM_TAG_SIZE],
                          uint8_t *out);
