/* SPDX-License-Identifier: Apache-2.0 */
/* AES-256-XTS on disk sectors, as dm-crypt's aes-xts-plain64 (src/crypto-xts.c, part of the
 * crypto module: the only other file that calls OpenSSL). snpctl disk encrypt writes a LUKS2 data
 * segment with it, offline, without device-mapper. Errors as crypto.h: -EIO (queue drained to
 * the debug log), -ENOMEM, -EINVAL. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

#define CRYPTO_XTS_KEY_SIZE 64                  /* two AES-256 keys: 512 bits */

struct crypto_xts;

/* A context holding key (copied into OpenSSL, which wipes it on free); encrypt selects the
 * direction. -EINVAL when the two halves of key are equal (XTS needs two keys). */
int crypto_xts_new(const uint8_t key[CRYPTO_XTS_KEY_SIZE], bool encrypt, struct crypto_xts **ret);
void crypto_xts_free(struct crypto_xts *x);
DEFINE_FREEP(struct crypto_xts, crypto_xts_free);

/* Encrypts (or decrypts) size bytes, size a multiple of sector_size (512 to 4096, a power of
 * two), sector by sector: the sector at byte i*sector_size has IV = plain64 of first_iv + i *
 * (sector_size / 512), the 64-bit sector number in little-endian, zero-padded to 16 bytes
 * (dm-crypt counts IVs in 512-byte units unless iv_large_sectors). in and out may be equal. */
int crypto_xts_sectors(struct crypto_xts *x, uint64_t first_iv, size_t sector_size,
                       const uint8_t *in, uint8_t *out, size_t size);
