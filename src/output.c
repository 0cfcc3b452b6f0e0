/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "hex.h"
#include "output.h"

int output_add_obj(struct json_object *obj, const char *key, struct json_object *child) {
        if (!child)
                return -ENOMEM;
        if (json_object_object_add(obj, key, child) < 0) {
                json_object_put(child);
                return -ENOMEM;
        }
        return 0;
}

int output_add_str(struct json_object *obj, const char *key, const char *value) {
        if (!value)     /* json-c represents null as a NULL member */
                return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
        return output_add_obj(obj, key, json_object_new_string(value));
}

int output_add_hex(struct json_object *obj, const char *key, const void *data, size_t size) {
        _cleanup_(freep) char *s = hex_encode(data, size);

        if (!s)
                return -ENOMEM;
        return output_add_str(obj, key, s);
}

int output_add_u64(struct json_object *obj, const char *key, uint64_t value) {
        return output_add_obj(obj, key, json_object_new_uint64(value));
}

int output_add_int(struct json_object *obj, const char *key, int64_t value) {
        return output_add_obj(obj, key, json_object_new_int64(value));
}

int output_add_bool(struct json_object *obj, const char *key, bool value) {
        return output_add_obj(obj, key, json_object_new_boolean(value));
}

static bool escape_plain(uint8_t c) {
        return c >= 0x20 && c <= 0x7e && c != '\\';
}

char *output_escape(const void *text, size_t size, char *buf, size_t bsize) {
        static const char digits[] = "0123456789abcdef";
        const uint8_t *t = text;
        size_t n = 0, total = 0, keep, i;

        if (bsize < 5) {                /* a programming error: still a terminated string */
                if (bsize)
                        buf[0] = '\0';
                return buf;
        }
        for (i = 0; i < size && total < bsize; i++)
                total += escape_plain(t[i]) ? 1 : 4;
        keep = total < bsize ? 0 : 3;   /* room for "..." when the text is cut */
        for (i = 0; i < size; i++) {
                if (n + (escape_plain(t[i]) ? 1 : 4) + keep >= bsize)
                        break;
                if (escape_plain(t[i]))
                        buf[n++] = (char) t[i];
                else {
                        buf[n++] = '\\';
                        buf[n++] = 'x';
                        buf[n++] = digits[t[i] >> 4];
                        buf[n++] = digits[t[i] & 15];
                }
        }
        if (i < size) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = '\0';
        return buf;
}

char *output_escape_str(const char *s, char *buf, size_t bsize) {
        if (!s)
                s = "(null)";
        return output_escape(s, strlen(s), buf, bsize);
}

int output_print_json(struct json_object *obj) {
        const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_SPACED |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE);

        if (!s)
                return -ENOMEM;
        if (puts(s) < 0 || fflush(stdout) != 0)
                return -EIO;
        return 0;
}
