/* SPDX-License-Identifier: Apache-2.0 */
/* Hexadecimal encoding. Decoding is strict: an even number of [0-9a-fA-F] characters, no prefix,
 * no whitespace, nothing else. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Writes 2*size lowercase hex digits and a NUL to out (2*size+1 bytes). */
void hex_encode_buf(const void *data, size_t size, char *out);

/* Returns a newly allocated lowercase hex string, or NULL when out of memory. */
char *hex_encode(const void *data, size_t size);

/* Decodes s into a new buffer. -EINVAL on an odd length, an empty string or a non-hex character;
 * -ENOMEM. On error nothing is returned. */
int hex_decode(const char *s, uint8_t **ret_data, size_t *ret_size);

/* Decodes s into exactly size bytes at out: -EINVAL on bad characters, -ERANGE when s does not
 * encode exactly size bytes. out is left untouched on error. */
int hex_decode_exact(const char *s, void *out, size_t size);
