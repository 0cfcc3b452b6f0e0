/* SPDX-License-Identifier: Apache-2.0 */
/* A structural scan of JSON text (RFC 8259) that json-c has already parsed: strings, objects and
 * arrays are tracked, everything else is skipped. Keys are compared decoded ("a" and "\u0061" are
 * one key, as json-c stores them). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-keys.h"

#define DEPTH_MAX 64                    /* json-c's own default limit is 32 */

struct key {
        char *s;                        /* decoded */
        size_t len;
        size_t line;
        size_t order;                   /* position among the object's keys */
};

struct frame {
        bool object;
        bool want_key;
        struct key *keys;
        size_t n, allocated;
};

static void frame_clear(struct frame *f) {
        for (size_t i = 0; i < f->n; i++)
                free(f->keys[i].s);
        free(f->keys);
        *f = (struct frame) { 0 };
}

static int hex4(const char *p, const char *end, uint32_t *ret) {
        uint32_t v = 0;

        if (end - p < 4)
                return -EINVAL;
        for (int i = 0; i < 4; i++) {
                char c = p[i];

                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t) (c - 'A' + 10);
                else
                        return -EINVAL;
        }
        *ret = v;
        return 0;
}

static size_t put_utf8(uint32_t cp, char *out) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xc0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xe0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

/* The string starting after the opening quote at *pp; leaves *pp after the closing quote. With
 * ret (may be NULL), its decoded bytes in a new buffer. An escape never decodes to more bytes
 * than it takes, so the text's length bounds the buffer. */
static int read_string(const char **pp, const char *end, char **ret, size_t *ret_len) {
        const char *p = *pp;
        _cleanup_(freep) char *out = NULL;
        size_t n = 0;

        if (ret) {
                const char *q = p;

                while (q < end && *q != '"')
                        q += *q == '\\' && q + 1 < end ? 2 : 1;
                out = malloc((size_t) (q - p) + 1);
                if (!out)
                        return -ENOMEM;
        }
        while (p < end && *p != '"') {
                char c = *p++;
                uint32_t cp, lo;

                if (c != '\\') {
                        if (out)
                                out[n++] = c;
                        continue;
                }
                if (p >= end)
                        return -EINVAL;
                c = *p++;
                switch (c) {
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'n': c = '\n'; break;
                case 'r': c = '\r'; break;
                case 't': c = '\t'; break;
                case '"': case '\\': case '/': break;
                case 'u':
                        if (hex4(p, end, &cp) < 0)
                                return -EINVAL;
                        p += 4;
                        /* A surrogate pair is one code point (6 + 6 bytes give 4). */
                        if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' &&
                            p[1] == 'u' && hex4(p + 2, end, &lo) == 0 && lo >= 0xdc00 &&
                            lo < 0xe000) {
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                p += 6;
                        }
                        if (out)
                                n += put_utf8(cp, out + n);
                        continue;
                default:
                        return -EINVAL;
                }
                if (out)
                        out[n++] = c;
        }
        if (p >= end)
                return -EINVAL;
        *pp = p + 1;
        if (ret) {
                out[n] = '\0';
                *ret = TAKE(out);
                *ret_len = n;
        }
        return 0;
}

static int cmp_key(const void *a, const void *b) {
        const struct key *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->s, y->s, n);

        if (c != 0)
                return c;
        if (x->len != y->len)
                return x->len < y->len ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* 1 and *ret when the closed object f has two equal keys. */
static int check_object(struct frame *f, struct json_duplicate *ret) {
        if (f->n < 2)
                return 0;       /* also: qsort() must not see the NULL of no keys */
        qsort(f->keys, f->n, sizeof(*f->keys), cmp_key);
        for (size_t i = 1; i < f->n; i++) {
                const struct key *a = &f->keys[i - 1], *b = &f->keys[i];
                size_t shown = a->len < JSON_KEY_SHOWN ? a->len : JSON_KEY_SHOWN;

                if (a->len != b->len || memcmp(a->s, b->s, a->len) != 0)
                        continue;
                memcpy(ret->key, a->s, shown);
                ret->key[shown] = '\0';
                ret->first_line = a->line;
                ret->second_line = b->line;
                return 1;
        }
        return 0;
}

int json_find_duplicate_key(const char *text, size_t len, struct json_duplicate *ret) {
        struct frame stack[DEPTH_MAX] = { 0 };
        const char *p = text, *end = text + len;
        size_t depth = 0, line = 1;
        int r = 0;

        while (p < end && r == 0) {
                char c = *p++;
                struct frame *top = depth ? &stack[depth - 1] : NULL;

                switch (c) {
                case '\n':
                        line++;
                        break;
                case '{':
                case '[':
                        if (depth == DEPTH_MAX) {
                                r = -EINVAL;
                                break;
                        }
                        stack[depth++] = (struct frame) { .object = c == '{', .want_key = c == '{' };
                        break;
                case '}':
                case ']':
                        if (!top || top->object != (c == '}')) {
                                r = -EINVAL;
                                break;
                        }
                        if (top->object)
                                r = check_object(top, ret);
                        frame_clear(top);
                        depth--;
                        break;
                case ',':
                        if (top && top->object)
                                top->want_key = true;
                        break;
                case '"':
                        if (top && top->object && top->want_key) {
                                struct key k = { .line = line, .order = top->n };

                                if (top->n == top->allocated) {
                                        size_t a = top->allocated ? 2 * top->allocated : 8;
                                        struct key *keys = reallocarray(top->keys, a,
                                                                        sizeof(*keys));

                                        if (!keys) {
                                                r = -ENOMEM;
                                                break;
                                        }
                                        top->keys = keys;
                                        top->allocated = a;
                                }
                                r = read_string(&p, end, &k.s, &k.len);
                                if (r == 0) {
                                        top->keys[top->n++] = k;
                                        top->want_key = false;
                                }
                        } else
                                r = read_string(&p, end, NULL, NULL);
                        break;
                default:
                        break;
                }
        }
        if (r == 0 && depth != 0)
                r = -EINVAL;
        for (size_t i = 0; i < depth; i++)
                frame_clear(&stack[i]);
        return r;
}
