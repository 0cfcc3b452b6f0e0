/* SPDX-License-Identifier: Apache-2.0 */
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
#include <openssl/pem.h>

#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"
#include "log.h"

struct crypto_hash_ctx {
        EVP_MD_CTX *md;
};

/* Drains the whole OpenSSL error queue to the debug log (not only the first error). */
static int openssl_error(const char *what) {
        unsigned long e;
        char buf[256];

        while ((e = ERR_get_error()) != 0) {
                ERR_error_string_n(e, buf, sizeof(buf));
                log_debug("%s: %s", what, buf);
        }
        return -EIO;
}

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

static const EVP_MD *hash_md(enum crypto_hash alg) {
        return alg == CRYPTO_HASH_SHA384 ? EVP_sha384() : EVP_sha256();
}

size_t crypto_hash_size(enum crypto_hash alg) {
        return alg == CRYPTO_HASH_SHA384 ? CRYPTO_SHA384_SIZE : CRYPTO_SHA256_SIZE;
}

static int digest(enum crypto_hash alg, const void *data, size_t size, uint8_t *out) {
        if (EVP_Digest(data, size, out, NULL, hash_md(alg), NULL) != 1)
                return openssl_error("EVP_Digest");
        return 0;
}

int crypto_sha256(const void *data, size_t size, uint8_t out[CRYPTO_SHA256_SIZE]) {
        return digest(CRYPTO_HASH_SHA256, data, size, out);
}

int crypto_sha384(const void *data, size_t size, uint8_t out[CRYPTO_SHA384_SIZE]) {
        return digest(CRYPTO_HASH_SHA384, data, size, out);
}

struct crypto_hash_ctx *crypto_hash_new(enum crypto_hash alg) {
        struct crypto_hash_ctx *ctx = calloc(1, sizeof(*ctx));

        if (!ctx)
                return NULL;
        ctx->md = EVP_MD_CTX_new();
        if (!ctx->md || EVP_DigestInit_ex(ctx->md, hash_md(alg), NULL) != 1) {
                (void) openssl_error("EVP_DigestInit_ex");
                crypto_hash_free(ctx);
                return NULL;
        }
        return ctx;
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

void crypto_hash_free(struct crypto_hash_ctx *ctx) {
        if (!ctx)
                return;
        EVP_MD_CTX_free(ctx->md);
        free(ctx);
}

/* ---- ECDSA P-384 keys and SEV-form signatures (idblock branch) ---- */

#define P384_SIZE 48            /* bytes of a P-384 coordinate or scalar */
#define PASS_MAX 1024           /* longest pass phrase read from file: or env: */

struct crypto_key {
        EVP_PKEY *pkey;
        bool private;
};

/* Cleanup helpers of this block. The certificate block (attest branch) defines BIO_freep and
 * others with DEFINE_FREEP; these carry their own names so that the two blocks merge as they are
 * (to be unified). */
static inline void key_pkey_freep(EVP_PKEY **p) {
        EVP_PKEY_free(*p);
}
static inline void key_pkey_ctx_freep(EVP_PKEY_CTX **p) {
        EVP_PKEY_CTX_free(*p);
}
static inline void key_bio_freep(BIO **p) {
        BIO_free(*p);
}
static inline void key_md_ctx_freep(EVP_MD_CTX **p) {
        EVP_MD_CTX_free(*p);
}
static inline void key_bn_freep(BIGNUM **p) {
        BN_free(*p);
}
static inline void key_sig_freep(ECDSA_SIG **p) {
        ECDSA_SIG_free(*p);
}
static inline void key_openssl_freep(unsigned char **p) {
        OPENSSL_free(*p);
}

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
        _cleanup_(key_pkey_freep) EVP_PKEY *pkey = NULL;
        _cleanup_(key_bio_freep) BIO *bio = NULL;
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
                pkey = NULL;
out:
        crypto_wipe_free(data, size);
        return r;
}

static bool key_is_p384(const struct crypto_key *key) {
        char group[64];
        size_t len;

        if (EVP_PKEY_get_base_id(key->pkey) != EVP_PKEY_EC)
                return false;
        if (EVP_PKEY_get_group_name(key->pkey, group, sizeof(group), &len) != 1) {
                (void) openssl_error("EVP_PKEY_get_group_name");
                return false;           /* explicit curve parameters: not accepted */
        }
        return strcasecmp(group, "secp384r1") == 0 || strcasecmp(group, "P-384") == 0;
}

bool crypto_key_is_p384_private(const struct crypto_key *key) {
        return key->private && key_is_p384(key);
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
        _cleanup_(key_pkey_freep) EVP_PKEY *pkey = EVP_EC_gen("P-384");
        int r;

        if (!pkey)
                return openssl_error("EVP_EC_gen");
        r = key_new(pkey, true, ret_key);
        if (r < 0)
                return r;
        pkey = NULL;
        return 0;
}

int crypto_key_to_pkcs8_pem(const struct crypto_key *key, const char *pass, char **ret_pem,
                            size_t *ret_size) {
        _cleanup_(key_bio_freep) BIO *bio = NULL;   /* secure memory, cleared when freed */
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

/* A big-endian BIGNUM as a 72-byte little-endian zero-padded SEV field. */
static int bn_to_sev(const BIGNUM *bn, uint8_t out[CRYPTO_SEV_FIELD_SIZE]) {
        if (BN_num_bytes(bn) > P384_SIZE)
                return -EINVAL;
        if (BN_bn2lebinpad(bn, out, CRYPTO_SEV_FIELD_SIZE) != CRYPTO_SEV_FIELD_SIZE)
                return openssl_error("BN_bn2lebinpad");
        return 0;
}

int crypto_key_sev_point(const struct crypto_key *key, uint8_t ret_qx[CRYPTO_SEV_FIELD_SIZE],
                         uint8_t ret_qy[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(key_bn_freep) BIGNUM *x = NULL;
        _cleanup_(key_bn_freep) BIGNUM *y = NULL;
        uint8_t qx[CRYPTO_SEV_FIELD_SIZE], qy[CRYPTO_SEV_FIELD_SIZE];
        int r;

        if (!key_is_p384(key))
                return -EINVAL;
        if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
            EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
                return openssl_error("EVP_PKEY_get_bn_param");
        r = bn_to_sev(x, qx);
        if (r < 0)
                return r;
        r = bn_to_sev(y, qy);
        if (r < 0)
                return r;
        memcpy(ret_qx, qx, sizeof(qx));
        memcpy(ret_qy, qy, sizeof(qy));
        return 0;
}

int crypto_sev_sign(const struct crypto_key *key, const void *data, size_t size,
                    uint8_t ret_r[CRYPTO_SEV_FIELD_SIZE], uint8_t ret_s[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(key_md_ctx_freep) EVP_MD_CTX *md = NULL;
        _cleanup_(key_sig_freep) ECDSA_SIG *sig = NULL;
        _cleanup_(key_openssl_freep) unsigned char *der = NULL;
        uint8_t r_le[CRYPTO_SEV_FIELD_SIZE], s_le[CRYPTO_SEV_FIELD_SIZE];
        const unsigned char *p;
        const BIGNUM *r_bn, *s_bn;
        size_t len = 0;
        int r;

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
        r = bn_to_sev(r_bn, r_le);
        if (r < 0)
                return r;
        r = bn_to_sev(s_bn, s_le);
        if (r < 0)
                return r;
        memcpy(ret_r, r_le, sizeof(r_le));
        memcpy(ret_s, s_le, sizeof(s_le));
        return 0;
}

/* A SEV field holds a P-384 value only when its bytes past the 48th are zero. */
static bool sev_field_canonical(const uint8_t f[CRYPTO_SEV_FIELD_SIZE]) {
        for (size_t i = P384_SIZE; i < CRYPTO_SEV_FIELD_SIZE; i++)
                if (f[i] != 0)
                        return false;
        return true;
}

static int p384_public_key(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                           const uint8_t qy[CRYPTO_SEV_FIELD_SIZE], EVP_PKEY **ret_pkey) {
        _cleanup_(key_pkey_ctx_freep) EVP_PKEY_CTX *ctx = NULL;
        _cleanup_(key_pkey_ctx_freep) EVP_PKEY_CTX *check = NULL;
        _cleanup_(key_pkey_freep) EVP_PKEY *pkey = NULL;
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

int crypto_sev_verify(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE], const uint8_t qy[CRYPTO_SEV_FIELD_SIZE],
                      const void *data, size_t size, const uint8_t r[CRYPTO_SEV_FIELD_SIZE],
                      const uint8_t s[CRYPTO_SEV_FIELD_SIZE]) {
        _cleanup_(key_pkey_freep) EVP_PKEY *pkey = NULL;
        _cleanup_(key_md_ctx_freep) EVP_MD_CTX *md = NULL;
        _cleanup_(key_sig_freep) ECDSA_SIG *sig = NULL;
        _cleanup_(key_openssl_freep) unsigned char *der = NULL;
        _cleanup_(key_bn_freep) BIGNUM *r_bn = NULL;
        _cleanup_(key_bn_freep) BIGNUM *s_bn = NULL;
        int len, k;

        if (!sev_field_canonical(qx) || !sev_field_canonical(qy) ||
            !sev_field_canonical(r) || !sev_field_canonical(s))
                return -EBADMSG;
        k = p384_public_key(qx, qy, &pkey);
        if (k < 0)
                return k;

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
        if (!md)
                return openssl_error("EVP_MD_CTX_new");
        if (EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pkey) != 1)
                return openssl_error("EVP_DigestVerifyInit");
        k = EVP_DigestVerify(md, der, (size_t) len, data, size);
        if (k == 1)
                return 0;
        (void) openssl_error("EVP_DigestVerify");
        return -EKEYREJECTED;
}
/* ---- end of the idblock block ---- */
