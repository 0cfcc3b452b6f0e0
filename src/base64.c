/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "fileio.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int unb64(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -EINVAL;
}

char *base64_encode(const void *data, size_t size) {
        const uint8_t *p = data;
        size_t n = 4 * ((size + 2) / 3);
        char *out = malloc(n + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16;
                size_t left = size - i;

                if (left > 1)
                        v |= (uint32_t) p[i + 1] << 8;
                if (left > 2)
                        v |= p[i + 2];
                *o++ = alphabet[v >> 18 & 63];
                *o++ = alphabet[v >> 12 & 63];
                *o++ = left > 1 ? alphabet[v >> 6 & 63] : '=';
                *o++ = left > 2 ? alphabet[v & 63] : '=';
        }
        *o = '\0';
        return out;
}

int base64_decode(const char *s, size_t len, uint8_t **ret_data, size_t *ret_size) {
        _cleanup_(freep) uint8_t *buf = NULL;
        size_t pad = 0, n = 0;

        if (len % 4 != 0)
                return -EINVAL;
        if (len > 0 && s[len - 1] == '=')
                pad = len > 1 && s[len - 2] == '=' ? 2 : 1;

        buf = malloc(len / 4 * 3 + 1);
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < len; i += 4) {
                bool last = i + 4 == len;
                int d[4];
                uint32_t v = 0;

                for (size_t j = 0; j < 4; j++) {
                        if (last && j >= 4 - pad) {
                                d[j] = 0;
                                continue;
                        }
                        d[j] = unb64(s[i + j]);
                        if (d[j] < 0)
                                return -EINVAL;
                        v |= (uint32_t) d[j] << (18 - 6 * j);
                }
                buf[n++] = (uint8_t) (v >> 16);
                if (last && pad == 2) {
                        if (v & 0xffff)         /* non-canonical: unused bits set */
                                return -EINVAL;
                        break;
                }
                buf[n++] = (uint8_t) (v >> 8);
                if (last && pad == 1) {
                        if (v & 0xff)
                                return -EINVAL;
                        break;
                }
                buf[n++] = (uint8_t) v;
        }
        *ret_data = TAKE(buf);
        *ret_size = n;
        return 0;
}

int base64_read_structure(const char *path, size_t raw_size, uint8_t **ret_data, size_t *ret_size) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t n;
        /* base64 takes 4 characters per 3 bytes; room for line ends and a little more. */
        int r = fileio_read_full(path, raw_size / 3 * 4 + 64, &data, &n);

        if (r == -EFBIG)
                return -EBADMSG;        /* too long for either form */
        if (r < 0)
                return r;
        /* The base64 of raw_size bytes is longer than raw_size: an exact size is the raw form. */
        if (n == raw_size) {
                *ret_data = TAKE(data);
                *ret_size = n;
                return 0;
        }
        /* strchr() also finds the terminating NUL: a NUL byte is not white space. */
        while (n > 0 && data[n - 1] != '\0' && strchr(" \t\r\n", data[n - 1]))
                n--;
        r = base64_decode((const char *) data, n, ret_data, ret_size);
        return r == -EINVAL ? -EBADMSG : r;
}
