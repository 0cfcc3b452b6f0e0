/* SPDX-License-Identifier: Apache-2.0 */
/* Editing one field of a config file in place (snpctl disk verity --config writes the verity
 * arguments into kernel_cmdline, disk encrypt --config the luks_binding): the user's file keeps
 * its other members, their order, relative paths and placeholders as written, which
 * config_format() (every field, paths resolved) would not. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "config.h"
#include "config-private.h"
#include "fileio.h"
#include "output.h"

#define CONFIG_EDIT_MAX_SIZE (1 << 20)          /* as config_load() */

/* The file's JSON object, and its real path and mode. */
static int read_object(const char *path, char **ret_real, mode_t *ret_mode,
                       struct json_object **ret) {
        _cleanup_(freep) char *real = realpath(path, NULL);
        _cleanup_(freep) uint8_t *text = NULL;
        enum json_tokener_error jerr = json_tokener_success;
        struct json_object *root;
        struct stat st;
        size_t size;
        int r;

        if (!real)
                return -errno;
        if (stat(real, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        r = fileio_read_full(real, CONFIG_EDIT_MAX_SIZE, &text, &size);
        if (r < 0)
                return r;
        if (strlen((const char *) text) != size)
                return -EINVAL;                 /* a NUL byte: not a config */
        root = json_tokener_parse_verbose((const char *) text, &jerr);
        if (!root || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return -EINVAL;
        }
        *ret_real = TAKE(real);
        *ret_mode = st.st_mode & 07777;
        *ret = root;
        return 0;
}

int config_read_string(const char *path, const char *key, char **ret) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        _cleanup_(freep) char *real = NULL;
        struct json_object *v;
        mode_t mode;
        char *s = NULL;
        int r = read_object(path, &real, &mode, &root);

        if (r < 0)
                return r;
        if (json_object_object_get_ex(root, key, &v) && v) {
                if (!json_object_is_type(v, json_type_string))
                        return -EINVAL;
                s = strdup(json_object_get_string(v));
                if (!s)
                        return -ENOMEM;
        }
        *ret = s;
        return 0;
}

int config_edit_string(const char *path, const char *key, const char *value, bool write,
                       unsigned flags, struct config_problems *problems, struct vm_config **ret) {
        _cleanup_(freep) char *real = NULL, *dir = NULL, *text = NULL;
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct json_object *v;
        const char *s;
        mode_t mode;
        int r;

        r = read_object(path, &real, &mode, &root);
        if (r < 0)
                return r;
        v = value ? json_object_new_string(value) : NULL;
        if (value && !v)
                return -ENOMEM;
        /* json-c replaces an existing member's value in its place. */
        if (json_object_object_add(root, key, v) < 0)
                return -ENOMEM;
        s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || asprintf(&text, "%s\n", s) < 0) {
                text = NULL;
                return -ENOMEM;
        }
        /* Relative paths resolve against the folder of path as given, as config_load() does
         * (for a symbolic link: the link's folder). */
        r = config_folder_of(path, &dir);
        if (r < 0)
                return r;
        /* The edited config must load as the old one did: checked before it replaces it. */
        r = config_load_string(text, path, dir, flags, problems, &c);
        if (r < 0)
                return r;
        if (write) {
                r = fileio_write_atomic(real, text, strlen(text), mode, FILEIO_FORCE);
                if (r < 0)
                        return r;
        }
        if (ret)
                *ret = TAKE(c);
        return 0;
}
