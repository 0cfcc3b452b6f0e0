/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenSSL door (see crypto.h), in the header's order: secrets in memory, hashes, random,
 * keys and SEV signatures, X25519/HKDF/AES-GCM; certificates are in crypto-cert.c, what both
 * share in crypto-private.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cleanup.h"
#include "crypto.h"
#include "crypto-private.h"
#include "fileio.h"
#include "log.h"

/* ---- Secrets in memory ---- */

void crypto_wipe(void *p, size_t size) {
        if (p)
                OPENSSL_cleanse(p, size);
}

void crypto_wipe_free(void *p, size_t size) {
        crypto_wipe(p, size);
        free(p);
}

bool crypto_memeq(const void *a, const void *b, size_t size) {
        return CRYPTO_memcmp(a, b, size) == 0;
}

/* ---- Hashes ---- */

static const EVP_MD *hash_md(enum crypto_hash alg) {
        return alg == CRYPTO_HASH_SHA384 ? EVP_sha384() : EVP_sha256();
}

static int digest(const EVP_MD *md, const void *data, size_t size, uint8_t *out) {
        if (EVP_Digest(data, size, out, NULL, md, NULL) != 1)
                return openssl_error("EVP_Digest");
        return 0;
}

int crypto_sha256(const void *data, size_t size, uint8_t out[CRYPTO_SHA256_SIZE]) {
        return digest(EVP_sha256(), data, size, out);
}

int crypto_sha384(const void *data, size_t size, uint8_t out[CRYPTO_SHA384_SIZE]) {
        return digest(EVP_sha384(), data, size, out);
}

int crypto_sha512(const void *data, size_t size, uint8_t out[CRYPTO_SHA512_SIZE]) {
        return digest(EVP_sha512(), data, size, out);
}

struct crypto_hash_ctx {
        EVP_MD_CTX *md;
};

void crypto_hash_free(struct crypto_hash_ctx *ctx) {
        if (!ctx)
                return;
        EVP_MD_CTX_free(ctx->md);
        free(ctx);
}

struct crypto_hash_ctx *crypto_hash_new(enum crypto_hash alg) {
        _cleanup_(crypto_hash_freep) struct crypto_hash_ctx *ctx = calloc(1, sizeof(*ctx));

        if (!ctx)
                return NULL;
        ctx->md = EVP_MD_CTX_new();
        if (!ctx->md || EVP_DigestInit_ex(ctx->md, hash_md(alg), NULL) != 1) {
                (void) openssl_error("EVP_DigestInit_ex");
                return NULL;
        }
        return TAKE(ctx);
}

int crypto_hash_update(struct crypto_hash_ctx *ctx, const void *data, size_t size) {
        if (EVP_DigestUpdate(ctx->md, data, size) != 1)
                return openssl_error("EVP_DigestUpdate");
        return 0;
}

int crypto_hash_final(struct crypto_hash_ctx *ctx, uint8_t *out) {
        if (EVP_DigestFinal_ex(ctx->md, out, NULL) != 1)
                return openssl_error("EVP_DigestFinal_ex");
        return 0;
}

int crypto_hash_reset(struct crypto_hash_ctx *ctx) {
        if (EVP_DigestInit_ex(ctx->md, NULL, NULL) != 1)
                return openssl_error("EVP_DigestInit_ex");
        return 0;
}

/* ---- Random ---- */

int crypto_random(void *buf, size_t size) {
        if (size > INT32_MAX)
                return -EINVAL;
        if (RAND_priv_bytes(buf, (int) size) != 1)
                return openssl_error("RAND_priv_bytes");
        return 0;
}

/* ---- Keys and SEV signatures ---- */

#define P384_SIZE 48            /* bytes of a P-384 coordinate or scalar */
#define PASS_MAX 1024           /* longest pass phrase read from file: or env: */

struct crypto_key {
        EVP_PKEY *pkey;
        bool private;
};

void crypto_key_free(struct crypto_key *key) {
        if (!key)
                return;
        EVP_PKEY_free(key->pkey);
        free(key);
}

static int key_new(EVP_PKEY *pkey, bool private, struct crypto_key **ret_key) {
        struct crypto_key *key = calloc(1, sizeof(*key));

        if (!key)
                return -ENOMEM;
        key->pkey = pkey;
        key->private = private;
        *ret_key = key;
        return 0;
}

/* What the PEM pass phrase callback was asked and what it found. */
struct pass_ctx {
        const char *spec;       /* NULL: prompt on the terminal */
        const char *path;       /* the key file, for the prompt */
        bool asked;             /* the key is encrypted */
        int error;              /* reading the pass phrase failed: a negative errno */
};

/* OpenSSL's pass phrase forms (openssl-passphrase-options(1)): "file:" gives the first line of a
 * file, "env:" a variable. "pass:" is not offered: it would put the secret in argv. */
static int pass_from_spec(const char *spec, char *buf, size_t size) {
        size_t n;

        if (strncmp(spec, "env:", 4) == 0) {
                const char *v = getenv(spec + 4);

                if (!v)
                        return -ENOENT;
                n = strlen(v);
                if (n >= size)
                        return -E2BIG;
                memcpy(buf, v, n + 1);
                return (int) n;
        }
        if (strncmp(spec, "file:", 5) == 0) {
                uint8_t *data = NULL;
                size_t len;
                int r = fileio_read_secret(spec + 5, PASS_MAX * 4, &data, &len);

                if (r < 0)
                        return r;
                for (n = 0; n < len && data[n] != '\n' && data[n] != '\r'; n++)
                        ;
                if (n >= size) {
                        crypto_wipe_free(data, len);
                        return -E2BIG;
                }
                memcpy(buf, data, n);
                buf[n] = '\0';
                crypto_wipe_free(data, len);
                return (int) n;
        }
        return -EINVAL;
}

static int pass_cb(char *buf, int size, int rwflag, void *userdata) {
        struct pass_ctx *ctx = userdata;
        _cleanup_(freep) char *prompt = NULL;
        int fd, r;

        (void) rwflag;
        ctx->asked = true;
        if (size <= 1)
                return -1;
        if (ctx->spec) {
                r = pass_from_spec(ctx->spec, buf, (size_t) size);
                if (r < 0) {
                        ctx->error = r;
                        return -1;
                }
                return r;
        }
        /* No pass phrase given: ask on the controlling terminal, never on a redirected stdin. */
        fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                ctx->error = -ENOKEY;
                return -1;
        }
        close(fd);
        if (asprintf(&prompt, "Pass phrase for '%s': ", ctx->path) < 0) {
                prompt = NULL;
                ctx->error = -ENOMEM;
                return -1;
        }
        if (EVP_read_pw_string_min(buf, 0, size - 1, prompt, 0) != 0) {
                crypto_wipe(buf, (size_t) size);
                (void) openssl_error("EVP_read_pw_string_min");
                ctx->error = -ENOKEY;
                return -1;
        }
        return (int) strnlen(buf, (size_t) size - 1);
}

int crypto_key_load_pem(const char *path, const char *pass, struct crypto_key **ret_key) {
        struct pass_ctx ctx = { .spec = pass, .path = path };
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;
        _cleanup_(BIO_freep) BIO *bio = NULL;
        uint8_t *data = NULL;
        size_t size;
        bool private = true;
        int r;

        if (pass && strncmp(pass, "file:", 5) != 0 && strncmp(pass, "env:", 4) != 0)
                return -EINVAL;
        r = fileio_read_secret(path, 1024 * 1024, &data, &size);
        if (r < 0)
                return r;

        bio = BIO_new_mem_buf(data, (int) size);
        if (!bio) {
                r = openssl_error("BIO_new_mem_buf");
                goto out;
        }
        pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, pass_cb, &ctx, NULL, NULL);
        if (!pkey) {
                (void) openssl_error("PEM_read_bio_PrivateKey_ex");
                if (ctx.error < 0) {
                        r = ctx.error;
                        goto out;
                }
                if (ctx.asked) {
                        r = -EKEYREJECTED;      /* encrypted, and the pass phrase does not fit */
                        goto out;
                }
                /* Not a private key: a public one is reported as such by the caller. */
                BIO_free(bio);
                bio = BIO_new_mem_buf(data, (int) size);
                if (!bio) {
                        r = openssl_error("BIO_new_mem_buf");
                        goto out;
                }
                pkey = PEM_read_bio_PUBKEY_ex(bio, NULL, NULL, NULL, NULL, NULL);
                if (!pkey) {
                        (void) openssl_error("PEM_read_bio_PUBKEY_ex");
                        r = -EBADMSG;
                        goto out;
                }
                private = false;
        }
        r = key_new(pkey, private, ret_key);
        if (r >= 0)
                pkey = NULL;    /* owned by *ret_key now */
out:
        crypto_wipe_free(data, size);
        return r;
}

bool crypto_key_is_p384_private(const struct crypto_key *key) {
        return key->private && pkey_is_p384(key->pkey);
}

const char *crypto_key_describe(const struct crypto_key *key, char *buf, size_t size) {
        const char *kind = key->private ? "private" : "public";
        const char *type = EVP_PKEY_get0_type_name(key->pkey);
        int id = EVP_PKEY_get_base_id(key->pkey);
        char group[64];
        size_t len;

        if (id == EVP_PKEY_EC) {
                if (EVP_PKEY_get_group_name(key->pkey, group, sizeof(group), &len) == 1)
                        snprintf(buf, size, "an EC %s key on curve %s", kind, group);
                else {
                        (void) openssl_error("EVP_PKEY_get_group_name");
                        snprintf(buf, size, "an EC %s key with explicit curve parameters", kind);
                }
        } else if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS || id == EVP_PKEY_DSA)
                snprintf(buf, size, "a%s %s %d-bit %s key", id == EVP_PKEY_DSA ? "" : "n",
                         type ? type : "RSA", EVP_PKEY_get_bits(key->pkey), kind);
        else
                snprintf(buf, size, "a %s key of type %s", kind, type ? type : "unknown");
        return buf;
}

int crypto_key_generate_p384(struct crypto_key **ret_key) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = EVP_EC_gen("P-384");
        int r;

        if (!pkey)
                return openssl_error("EVP_EC_gen");
        r = key_new(pkey, true, ret_key);
        if (r >= 0)
                pkey = NULL;    /* owned by *ret_key now */
        return r;
}

int crypto_key_to_pkcs8_pem(const struct crypto_key *key, const char *pass, char **ret_pem,
                            size_t *ret_size) {
        _cleanup_(BIO_freep) BIO *bio = NULL;   /* secure memory, cleared when freed */
        char phrase[PASS_MAX + 1];
        char *data, *pem;
        bool written;
        long n;
        int len = 0;

        if (!key->private)
                return -EINVAL;
        if (pass) {
                len = pass_from_spec(pass, phrase, sizeof(phrase));
                if (len < 0)
                        return len;
                if (len == 0)
                        return -EINVAL;         /* an empty pass phrase protects nothing */
        }
        bio = BIO_new(BIO_s_secmem());
        written = bio && PEM_write_bio_PKCS8PrivateKey(bio, key->pkey,
                                                       pass ? EVP_aes_256_cbc() : NULL,
                                                       pass ? phrase : NULL, len, NULL, NULL) == 1;
        crypto_wipe(phrase, sizeof(phrase));
        if (!written)
                return openssl_error("PEM_write_bio_PKCS8PrivateKey");
        n = BIO_get_mem_data(bio, &data);
        if (n <= 0)
                return openssl_error("BIO_get_mem_data");
        pem = malloc((size_t) n + 1);
        if (!pem)
                return -ENOMEM;
        memcpy(pem, data, (size_t) n);
        pem[n] = '\0';
        *ret_pem = pem;
        *ret_size = (size_t) n;
        return 0;
}

/* Two big-endian BIGNUMs (r and s, or x and y) as 72-byte little-endian zero-padded SEV fields,
 * written only when both fit P-384. */
static int bn_pair_to_sev(const BIGNUM *a, const BIGNUM *b, uint8_t ret_a[CRYPTO_SEV_FIELD_SIZE],
                          uint8_t ret_b[CRYPTO_SEV_FIELD_SIZE]) {
        uint8_t fa[CRYPTO_SEV_FIELD_SIZE], fb[CRYPTO_SEV_FIELD_SIZE];

        if (BN_num_bytes(a) > P384_SIZE || BN_num_bytes(b) > P384_SIZE)
                return -EINVAL;
        if (BN_bn2lebinpad(a, fa, sizeof(fa)) != sizeof(fa) ||
            BN_bn2lebinpad(b, fb, sizeof(fb)) != sizeof(fb))
                return openssl_error("BN_bn2lebinpad");
        memcpy(ret_a, fa, sizeof(fa));
        memcpy(ret_b, fb, sizeof(fb));
        return 0;
}

/* The public point of a P-384 key (the caller checked pkey_is_p384()) in SEV form. */
static int pkey_sev_point(const EVP_PKEY *pkey, uint8_t ret_qx[CRYPTO_SEV_FIELD_SIZE],
                          uint8_t ret_qy[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(BN_freep) BIGNUM *x = NULL;
        _cleanup_(BN_freep) BIGNUM *y = NULL;

        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
                return openssl_error("EVP_PKEY_get_bn_param");
        return bn_pair_to_sev(x, y, ret_qx, ret_qy);
}

int crypto_key_sev_point(const struct crypto_key *key, uint8_t ret_qx[CRYPTO_SEV_FIELD_SIZE],
                         uint8_t ret_qy[CRYPTO_SEV_FIELD_SIZE]) {
        if (!pkey_is_p384(key->pkey))
                return -EINVAL;
        return pkey_sev_point(key->pkey, ret_qx, ret_qy);
}

int crypto_sev_sign(const struct crypto_key *key, const void *data, size_t size,
                    uint8_t ret_r[CRYPTO_SEV_FIELD_SIZE], uint8_t ret_s[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = NULL;
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = NULL;
        _cleanup_(OPENSSL_freep) unsigned char *der = NULL;
        const unsigned char *p;
        const BIGNUM *r_bn, *s_bn;
        size_t len = 0;

        if (!crypto_key_is_p384_private(key))
                return -EINVAL;
        md = EVP_MD_CTX_new();
        if (!md)
                return openssl_error("EVP_MD_CTX_new");
        if (EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key->pkey) != 1 ||
            EVP_DigestSign(md, NULL, &len, data, size) != 1)
                return openssl_error("EVP_DigestSign");
        der = OPENSSL_malloc(len);
        if (!der)
                return -ENOMEM;
        if (EVP_DigestSign(md, der, &len, data, size) != 1)
                return openssl_error("EVP_DigestSign");
        p = der;
        sig = d2i_ECDSA_SIG(NULL, &p, (long) len);
        if (!sig)
                return openssl_error("d2i_ECDSA_SIG");
        ECDSA_SIG_get0(sig, &r_bn, &s_bn);
        return bn_pair_to_sev(r_bn, s_bn, ret_r, ret_s);
}

/* A SEV field holds a P-384 value only when its bytes past the 48th are zero. */
static bool sev_field_canonical(const uint8_t f[CRYPTO_SEV_FIELD_SIZE]) {
        for (size_t i = P384_SIZE; i < CRYPTO_SEV_FIELD_SIZE; i++)
                if (f[i] != 0)
                        return false;
        return true;
}

/* The SEV point (qx, qy) as an OpenSSL public key; -EBADMSG when it is not a point of P-384. */
static int p384_public_key(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                           const uint8_t qy[CRYPTO_SEV_FIELD_SIZE], EVP_PKEY **ret_pkey) {
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *check = NULL;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *pkey = NULL;
        uint8_t point[1 + 2 * P384_SIZE];
        char group[] = "secp384r1";
        OSSL_PARAM params[3];

        point[0] = 0x04;        /* SEC 1 uncompressed point: 04 || X || Y, big-endian */
        for (size_t i = 0; i < P384_SIZE; i++) {
                point[1 + i] = qx[P384_SIZE - 1 - i];
                point[1 + P384_SIZE + i] = qy[P384_SIZE - 1 - i];
        }
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
        params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point,
                                                      sizeof(point));
        params[2] = OSSL_PARAM_construct_end();

        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (!ctx)
                return openssl_error("EVP_PKEY_CTX_new_from_name");
        if (EVP_PKEY_fromdata_init(ctx) != 1)
                return openssl_error("EVP_PKEY_fromdata_init");
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
                (void) openssl_error("EVP_PKEY_fromdata");
                return -EBADMSG;        /* not a point on the curve */
        }
        check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        if (!check)
                return openssl_error("EVP_PKEY_CTX_new_from_pkey");
        if (EVP_PKEY_public_check(check) != 1) {
                (void) openssl_error("EVP_PKEY_public_check");
                return -EBADMSG;
        }
        *ret_pkey = TAKE(pkey);
        return 0;
}

struct crypto_sev_pubkey {
        EVP_PKEY *pkey;         /* checked once (p384_public_key); only read afterwards */
        EVP_MD *sha384;         /* fetched once, not per signature */
};

void crypto_sev_pubkey_free(struct crypto_sev_pubkey *key) {
        if (!key)
                return;
        EVP_PKEY_free(key->pkey);
        EVP_MD_free(key->sha384);
        free(key);
}

int crypto_sev_pubkey_new(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                          const uint8_t qy[CRYPTO_SEV_FIELD_SIZE],
                          struct crypto_sev_pubkey **ret) {
        _cleanup_(crypto_sev_pubkey_freep) struct crypto_sev_pubkey *key = NULL;
        int k;

        if (!sev_field_canonical(qx) || !sev_field_canonical(qy)) {
                log_debug("SEV field with bytes set past the 48 of P-384");
                return -EBADMSG;
        }
        key = calloc(1, sizeof(*key));
        if (!key)
                return -ENOMEM;
        k = p384_public_key(qx, qy, &key->pkey);
        if (k < 0)
                return k;
        key->sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
        if (!key->sha384)
                return openssl_error("EVP_MD_fetch");
        *ret = TAKE(key);
        return 0;
}

int crypto_sev_pubkey_from_cert(const struct crypto_cert *cert, struct crypto_sev_pubkey **ret) {
        uint8_t qx[CRYPTO_SEV_FIELD_SIZE], qy[CRYPTO_SEV_FIELD_SIZE];
        const EVP_PKEY *pkey = cert_key(cert);
        int k;

        if (!pkey_is_p384(pkey)) {
                log_debug("certificate key is not ECDSA P-384");
                return -EBADMSG;
        }
        k = pkey_sev_point(pkey, qx, qy);
        if (k < 0)
                return k;
        return crypto_sev_pubkey_new(qx, qy, ret);
}

/* SNP ABI (AMD 56860), "ECDSA Signature Format": r and s over SHA-384 of the signed bytes.
 * key is only read (an EVP_PKEY_CTX of this call's own is made from it), so threads may share
 * one. */
int crypto_sev_pubkey_verify(const struct crypto_sev_pubkey *key, const void *data, size_t size,
                             const uint8_t r[CRYPTO_SEV_FIELD_SIZE],
                             const uint8_t s[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = NULL;
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = NULL;
        _cleanup_(OPENSSL_freep) unsigned char *der = NULL;
        _cleanup_(BN_freep) BIGNUM *r_bn = NULL;
        _cleanup_(BN_freep) BIGNUM *s_bn = NULL;
        int len, k;

        if (!sev_field_canonical(r) || !sev_field_canonical(s)) {
                log_debug("SEV field with bytes set past the 48 of P-384");
                return -EBADMSG;
        }
        sig = ECDSA_SIG_new();
        r_bn = BN_lebin2bn(r, P384_SIZE, NULL);
        s_bn = BN_lebin2bn(s, P384_SIZE, NULL);
        if (!sig || !r_bn || !s_bn)
                return openssl_error("ECDSA_SIG_new");
        if (ECDSA_SIG_set0(sig, r_bn, s_bn) != 1)
                return openssl_error("ECDSA_SIG_set0");
        r_bn = s_bn = NULL;     /* owned by sig now */
        len = i2d_ECDSA_SIG(sig, &der);
        if (len <= 0)
                return openssl_error("i2d_ECDSA_SIG");

        md = EVP_MD_CTX_new();
        if (!md || EVP_DigestVerifyInit(md, NULL, key->sha384, NULL, key->pkey) != 1)
                return openssl_error("EVP_DigestVerifyInit");
        k = EVP_DigestVerify(md, der, (size_t) len, data, size);
        if (k == 1)
                return 0;
        (void) openssl_error("EVP_DigestVerify");
        return k == 0 ? -EKEYREJECTED : -EIO;   /* 0: a bad signature; -1: OpenSSL failed */
}

int crypto_sev_verify(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                      const uint8_t qy[CRYPTO_SEV_FIELD_SIZE], const void *data, size_t size,
                      const uint8_t r[CRYPTO_SEV_FIELD_SIZE], const uint8_t s[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(crypto_sev_pubkey_freep) struct crypto_sev_pubkey *key = NULL;
        int k;

        if (!sev_field_canonical(r) || !sev_field_canonical(s)) {
                log_debug("SEV field with bytes set past the 48 of P-384");
                return -EBADMSG;
        }
        k = crypto_sev_pubkey_new(qx, qy, &key);
        if (k < 0)
                return k;
        return crypto_sev_pubkey_verify(key, data, size, r, s);
}

/* The same check for a certificate's key: its point goes through crypto_sev_pubkey_new(), so
 * that a report and an ID block are verified by one piece of code. */
int crypto_sev_verify_cert(const struct crypto_cert *cert, const void *data, size_t size,
                           const uint8_t r[CRYPTO_SEV_FIELD_SIZE],
                           const uint8_t s[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(crypto_sev_pubkey_freep) struct crypto_sev_pubkey *key = NULL;
        int k;

        k = crypto_sev_pubkey_from_cert(cert, &key);
        if (k < 0)
                return k;
        return crypto_sev_pubkey_verify(key, data, size, r, s);
}

/* ---- X25519, HKDF, AES-GCM ---- */

struct crypto_x25519 {
        EVP_PKEY *pkey;
};

static int x25519_wrap(EVP_PKEY *pkey, struct crypto_x25519 **ret,
                       uint8_t pub[CRYPTO_X25519_SIZE]) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = pkey;
        struct crypto_x25519 *x;
        size_t n = CRYPTO_X25519_SIZE;

        if (EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 || n != CRYPTO_X25519_SIZE)
                return openssl_error("EVP_PKEY_get_raw_public_key");
        x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        x->pkey = TAKE(k);
        *ret = x;
        return 0;
}

int crypto_x25519_new(struct crypto_x25519 **ret, uint8_t ret_pub[CRYPTO_X25519_SIZE]) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");

        if (!k)
                return openssl_error("EVP_PKEY_Q_keygen(X25519)");
        return x25519_wrap(k, ret, ret_pub);
}

int crypto_x25519_from_private(const uint8_t priv[CRYPTO_X25519_SIZE], struct crypto_x25519 **ret,
                               uint8_t ret_pub[CRYPTO_X25519_SIZE]) {
        EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
                                                   CRYPTO_X25519_SIZE);

        if (!k)
                return openssl_error("EVP_PKEY_new_raw_private_key(X25519)");
        return x25519_wrap(k, ret, ret_pub);
}

void crypto_x25519_free(struct crypto_x25519 *key) {
        if (!key)
                return;
        EVP_PKEY_free(key->pkey);
        free(key);
}

int crypto_x25519_derive(const struct crypto_x25519 *key, const uint8_t peer[CRYPTO_X25519_SIZE],
                         uint8_t ret_shared[CRYPTO_X25519_SIZE]) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *p = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        uint8_t acc = 0;
        size_t n = CRYPTO_X25519_SIZE;

        p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, CRYPTO_X25519_SIZE);
        if (!p)
                return openssl_error("EVP_PKEY_new_raw_public_key(X25519)");
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
        if (!ctx || EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, p) != 1)
                return openssl_error("EVP_PKEY_derive_init(X25519)");
        /* RFC 7748 section 6.1: OpenSSL refuses an all-zero result (a low-order peer point). */
        if (EVP_PKEY_derive(ctx, ret_shared, &n) != 1 || n != CRYPTO_X25519_SIZE) {
                (void) openssl_error("EVP_PKEY_derive(X25519)");
                crypto_wipe(ret_shared, CRYPTO_X25519_SIZE);
                return -EKEYREJECTED;
        }
        for (size_t i = 0; i < n; i++)
                acc |= ret_shared[i];
        if (!acc)
                return -EKEYREJECTED;
        return 0;
}

int crypto_hkdf_sha256(const void *ikm, size_t ikm_size, const void *salt, size_t salt_size,
                       const void *info, size_t info_size, uint8_t *out, size_t out_size) {
        _cleanup_(EVP_KDF_freep) EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
        _cleanup_(EVP_KDF_CTX_freep) EVP_KDF_CTX *ctx = NULL;
        OSSL_PARAM params[5], *p = params;

        if (out_size == 0 || out_size > 255 * 32)
                return -EINVAL;
        if (!kdf)
                return openssl_error("EVP_KDF_fetch(HKDF)");
        ctx = EVP_KDF_CTX_new(kdf);
        if (!ctx)
                return openssl_error("EVP_KDF_CTX_new");
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0);
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *) ikm, ikm_size);
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *) salt, salt_size);
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *) info, info_size);
        *p = OSSL_PARAM_construct_end();
        if (EVP_KDF_derive(ctx, out, out_size, params) != 1)
                return openssl_error("EVP_KDF_derive(HKDF)");
        return 0;
}

/* A cipher context for AES-256-GCM with a 12-byte IV, the AAD already fed in. */
static int gcm_init(bool enc, const uint8_t *key, const uint8_t *iv, const void *aad,
                    size_t aad_size, size_t size, EVP_CIPHER_CTX **ret_ctx) {
        _cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *ctx = NULL;
        int n;

        if (aad_size > INT32_MAX || size > INT32_MAX)
                return -EINVAL;
        ctx = EVP_CIPHER_CTX_new();
        if (!ctx)
                return openssl_error("EVP_CIPHER_CTX_new");
        if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CRYPTO_GCM_IV_SIZE, NULL) != 1 ||
            EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
                return openssl_error("EVP_CipherInit_ex(AES-256-GCM)");
        if (aad_size && EVP_CipherUpdate(ctx, NULL, &n, aad, (int) aad_size) != 1)
                return openssl_error("EVP_CipherUpdate(AAD)");
        *ret_ctx = TAKE(ctx);
        return 0;
}

int crypto_aes256gcm_seal(const uint8_t key[CRYPTO_AES256_KEY_SIZE],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_size,
                          const void *in, size_t size, uint8_t *out,
                          uint8_t tag[CRYPTO_GCM_TAG_SIZE]) {
        _cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *ctx = NULL;
        int n = 0, r = gcm_init(true, key, iv, aad, aad_size, size, &ctx);

        if (r < 0)
                return r;
        if (size && EVP_EncryptUpdate(ctx, out, &n, in, (int) size) != 1)
                return openssl_error("EVP_EncryptUpdate");
        if (EVP_EncryptFinal_ex(ctx, out + n, &n) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_SIZE, tag) != 1)
                return openssl_error("EVP_EncryptFinal_ex");
        return 0;
}

int crypto_aes256gcm_open(const uint8_t key[CRYPTO_AES256_KEY_SIZE],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_size,
                          const void *in, size_t size, const uint8_t tag[CRYPTO_GCM_TAG_SIZE],
                          uint8_t *out) {
        _cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *ctx = NULL;
        uint8_t t[CRYPTO_GCM_TAG_SIZE];
        int n = 0, m = 0, r = gcm_init(false, key, iv, aad, aad_size, size, &ctx);

        if (r < 0)
                return r;
        if (size && EVP_DecryptUpdate(ctx, out, &n, in, (int) size) != 1) {
                crypto_wipe(out, size);
                return openssl_error("EVP_DecryptUpdate");
        }
        memcpy(t, tag, sizeof(t));
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_SIZE, t) != 1) {
                crypto_wipe(out, size);
                return openssl_error("EVP_CTRL_GCM_SET_TAG");
        }
        if (EVP_DecryptFinal_ex(ctx, out + n, &m) != 1) {
                ERR_clear_error();
                crypto_wipe(out, size);
                return -EBADMSG;
        }
        return 0;
}
