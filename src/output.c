/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>

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
