/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto.h"
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
