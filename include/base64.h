/* SPDX-License-Identifier: Apache-2.0 */
/* Standard base64 (RFC 4648 section 4, with '=' padding), as QEMU's id-block= and id-auth= take
 * it. Decoding is strict: length a multiple of 4, only alphabet characters, padding only at the
 * end, and unused bits of the last group zero (so every input has one encoding). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Returns a newly allocated NUL-terminated encoding, or NULL when out of memory. */
char *base64_encode(const void *data, size_t size);

/* Decodes len characters of s. -EINVAL on any deviation from the canonical form; -ENOMEM. An
 * empty input decodes to zero bytes (ret_data is then a valid one-byte allocation). */
int base64_decode(const char *s, size_t len, uint8_t **ret_data, size_t *ret_size);

/* Reads a firmware structure of raw_size bytes (an ID block, ID auth info) from path, in either
 * form: the raw bytes when the file holds exactly raw_size bytes, else the base64 text that
 * idblock writes (trailing white space allowed). The decoded size is not checked (*ret_size
 * tells it). -EBADMSG when the file is neither (or too long for both); -errno from reading;
 * -ENOMEM. */
int base64_read_structure(const char *path, size_t raw_size, uint8_t **ret_data, size_t *ret_size);
