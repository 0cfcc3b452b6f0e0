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

/* Prints obj pretty-printed with a trailing newline to stdout. 0, or -EIO when stdout fails. */
int output_print_json(struct json_object *obj);
