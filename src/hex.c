/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "hex.h"

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

void hex_encode_buf(const void *data, size_t size, char *out) {
        static const char digits[] = "0123456789abcdef";
        const uint8_t *p = data;

        for (size_t i = 0; i < size; i++) {
                out[2 * i] = digits[p[i] >> 4];
                out[2 * i + 1] = digits[p[i] & 0xf];
        }
        out[2 * size] = '\0';
}

char *hex_encode(const void *data, size_t size) {
        char *s = malloc(2 * size + 1);

        if (!s)
                return NULL;
        hex_encode_buf(data, size, s);
        return s;
}

/* Decodes len characters into out (len/2 bytes); out may be NULL to validate only. */
static int decode_into(const char *s, size_t len, uint8_t *out) {
        if (len == 0 || len % 2 != 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i += 2) {
                int hi = unhex(s[i]), lo = unhex(s[i + 1]);

                if (hi < 0 || lo < 0)
                        return -EINVAL;
                if (out)
                        out[i / 2] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

int hex_decode(const char *s, uint8_t **ret_data, size_t *ret_size) {
        _cleanup_(freep) uint8_t *buf = NULL;
        size_t len = strlen(s);
        int r = decode_into(s, len, NULL);

        if (r < 0)
                return r;
        buf = malloc(len / 2);
        if (!buf)
                return -ENOMEM;
        decode_into(s, len, buf);
        *ret_data = TAKE(buf);
        *ret_size = len / 2;
        return 0;
}

int hex_decode_exact(const char *s, void *out, size_t size) {
        size_t len = strlen(s);
        int r = decode_into(s, len, NULL);

        if (r < 0)
                return r;
        if (len != 2 * size)
                return -ERANGE;
        decode_into(s, len, out);
        return 0;
}
