/* SPDX-License-Identifier: Apache-2.0 */
/* The only door to OpenSSL (like cryptsetup's crypto backend): hashing, signatures, keys and
 * certificates behind a negative-errno interface. On an OpenSSL failure the whole error queue
 * goes to the debug log and -EIO is returned. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_SIZE 32
#define CRYPTO_SHA384_SIZE 48

enum crypto_hash {
        CRYPTO_HASH_SHA256,
        CRYPTO_HASH_SHA384,
};

/* Wipes size bytes at p in a way the compiler cannot elide. */
void crypto_wipe(void *p, size_t size);

/* Wipes and frees a buffer of size bytes; NULL is fine. */
void crypto_wipe_free(void *p, size_t size);

/* Constant-time comparison: true when equal. */
bool crypto_memeq(const void *a, const void *b, size_t size);

/* One-shot digests; out holds CRYPTO_SHA256_SIZE / CRYPTO_SHA384_SIZE bytes. 0 or -EIO. */
int crypto_sha256(const void *data, size_t size, uint8_t out[CRYPTO_SHA256_SIZE]);
int crypto_sha384(const void *data, size_t size, uint8_t out[CRYPTO_SHA384_SIZE]);

/* Incremental digest. crypto_hash_new() returns NULL when out of memory or on an OpenSSL
 * failure; crypto_hash_final() writes the digest (crypto_hash_size() bytes) and may be called
 * once; crypto_hash_free() accepts NULL. */
struct crypto_hash_ctx;
struct crypto_hash_ctx *crypto_hash_new(enum crypto_hash alg);
int crypto_hash_update(struct crypto_hash_ctx *ctx, const void *data, size_t size);
int crypto_hash_final(struct crypto_hash_ctx *ctx, uint8_t *out);
size_t crypto_hash_size(enum crypto_hash alg);
void crypto_hash_free(struct crypto_hash_ctx *ctx);
static inline void crypto_hash_freep(struct crypto_hash_ctx **p) {
        crypto_hash_free(*p);
}
