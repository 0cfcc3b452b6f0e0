/* SPDX-License-Identifier: Apache-2.0 */
/* Machine-readable output with json-c: stdout carries only data. Helpers add typed members to an
 * object and return 0 or -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

static inline void json_object_putp(struct json_object **p) {
        if (*p)
                json_object_put(*p);
}

/* A NULL value adds a JSON null. */
int output_add_str(struct json_object *obj, const char *key, const char *value);
int output_add_hex(struct json_object *obj, const char *key, const void *data, size_t size);
int output_add_u64(struct json_object *obj, const char *key, uint64_t value);
int output_add_int(struct json_object *obj, const char *key, int64_t value);
int output_add_bool(struct json_object *obj, const char *key, bool value);
/* Adds child under key, taking ownership of it in all cases. */
int output_add_obj(struct json_object *obj, const char *key, struct json_object *child);

/* Host-supplied text (certificate names and extensions, an agent's answer) made inert for any
 * output, human or JSON: the size bytes at text are copied into buf (bsize >= 5) with every byte
 * outside 0x20..0x7e, and the backslash, written as \xNN, so it can add no line and no terminal
 * escape. An escape is never cut: when the text does not fit, it ends in "..." within bsize.
 * Returns buf, always NUL-terminated. */
char *output_escape(const void *text, size_t size, char *buf, size_t bsize);
/* output_escape() of a NUL-terminated string; NULL is written as "(null)". */
char *output_escape_str(const char *s, char *buf, size_t bsize);

/* Prints obj pretty-printed with a trailing newline to stdout. 0, or -EIO when stdout fails. */
int output_print_json(struct json_object *obj);
