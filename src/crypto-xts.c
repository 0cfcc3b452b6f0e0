/* SPDX-License-Identifier: Apache-2.0 */
/* AES-256-XTS by sector, as dm-crypt's aes-xts-plain64 (the crypto module's other file: OpenSSL
 * EVP only here and in src/crypto.c). IEEE 1619 XTS; plain64: the IV is the sector number,
 * 64-bit little-endian, zero-padded to the 16-byte tweak (cryptsetup's FAQ and dm-crypt's
 * crypt_iv_plain64_gen()). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto.h"
#include "crypto-private.h"
#include "crypto-xts.h"
#include "le.h"
#include "log.h"

struct crypto_xts {
        EVP_CIPHER_CTX *ctx;
        bool encrypt;
};

void crypto_xts_free(struct crypto_xts *x) {
        if (!x)
                return;
        EVP_CIPHER_CTX_free(x->ctx);            /* wipes the key schedule */
        free(x);
}

int crypto_xts_new(const uint8_t key[CRYPTO_XTS_KEY_SIZE], bool encrypt, struct crypto_xts **ret) {
        _cleanup_(crypto_xts_freep) struct crypto_xts *x = NULL;
        EVP_CIPHER *cipher = NULL;
        int ok;

        if (crypto_memeq(key, key + CRYPTO_XTS_KEY_SIZE / 2, CRYPTO_XTS_KEY_SIZE / 2))
                return -EINVAL;
        x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        x->encrypt = encrypt;
        x->ctx = EVP_CIPHER_CTX_new();
        if (!x->ctx)
                return -ENOMEM;
        cipher = EVP_CIPHER_fetch(NULL, "AES-256-XTS", NULL);
        if (!cipher)
                return openssl_error("EVP_CIPHER_fetch AES-256-XTS");
        ok = EVP_CipherInit_ex2(x->ctx, cipher, key, NULL, encrypt ? 1 : 0, NULL);
        EVP_CIPHER_free(cipher);
        if (ok != 1)
                return openssl_error("EVP_CipherInit_ex2");
        *ret = TAKE(x);
        return 0;
}

int crypto_xts_sectors(struct crypto_xts *x, uint64_t first_iv, size_t sector_size,
                       const uint8_t *in, uint8_t *out, size_t size) {
        size_t step;

        if (sector_size < 512 || sector_size > 4096 || (sector_size & (sector_size - 1)) ||
            size % sector_size != 0 || sector_size > INT32_MAX)
                return -EINVAL;
        step = sector_size / 512;
        for (size_t off = 0; off < size; off += sector_size) {
                uint8_t iv[16] = { 0 };
                int n = 0;

                le64_put(iv, first_iv + (off / sector_size) * step);
                if (EVP_CipherInit_ex2(x->ctx, NULL, NULL, iv, x->encrypt ? 1 : 0, NULL) != 1 ||
                    EVP_CipherUpdate(x->ctx, out + off, &n, in + off, (int) sector_size) != 1 ||
                    (size_t) n != sector_size)
                        return openssl_error("AES-XTS sector");
        }
        return 0;
}
