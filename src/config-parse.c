/* SPDX-License-Identifier: Apache-2.0 */
/* The config parser: strict JSON value readers, the field table and the walk over the object,
 * each problem collected with its field. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "config.h"
#include "config-private.h"
#include "hex.h"
#include "luks.h"
#include "parse.h"

/* ---- JSON value readers -------------------------------------------------------------------- */

const char *config_json_type_name(struct json_object *v) {
        switch (json_object_get_type(v)) {
        case json_type_null:    return "null";
        case json_type_boolean: return "a boolean";
        case json_type_double:  return "a fractional number";
        case json_type_int:     return "an integer";
        case json_type_object:  return "an object";
        case json_type_array:   return "an array";
        case json_type_string:  return "a string";
        }
        return "unknown";
}

static bool is_placeholder(struct json_object *v) {
        const char *s;
        size_t n;

        if (!json_object_is_type(v, json_type_string))
                return false;
        s = json_object_get_string(v);
        n = strlen(s);
        return n >= 2 && s[0] == '<' && s[n - 1] == '>';
}

/* An unsigned integer: a JSON integer, or a string holding a decimal or 0x-hex number. */
static bool read_u64(struct checker *k, const char *field, struct json_object *v, uint64_t min,
                     uint64_t max, uint64_t *ret) {
        uint64_t u;

        if (json_object_is_type(v, json_type_int)) {
                if (json_object_get_int64(v) < 0) {
                        config_problem(k, false, field, "must not be negative (%" PRId64 ")",
                                       json_object_get_int64(v));
                        return false;
                }
                u = json_object_get_uint64(v);
        } else if (json_object_is_type(v, json_type_string)) {
                int r = parse_u64(json_object_get_string(v), &u);

                if (r < 0) {
                        config_problem(k, false, field, "'%s' is not a number (decimal or "
                                       "0x-hex)%s", json_object_get_string(v),
                                       r == -ERANGE ? ": too large" : "");
                        return false;
                }
        } else {
                config_problem(k, false, field, "must be a number, not %s",
                               config_json_type_name(v));
                return false;
        }
        if (u < min || u > max) {
                config_problem(k, false, field, "%" PRIu64 " is out of range %" PRIu64 "..%" PRIu64,
                               u, min, max);
                return false;
        }
        *ret = u;
        return true;
}

static bool read_string(struct checker *k, const char *field, struct json_object *v,
                        bool allow_empty, const char **ret) {
        if (!json_object_is_type(v, json_type_string)) {
                config_problem(k, false, field, "must be a string, not %s",
                               config_json_type_name(v));
                return false;
        }
        if (!allow_empty && json_object_get_string_len(v) == 0) {
                config_problem(k, false, field, "must not be empty");
                return false;
        }
        if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v)) {
                config_problem(k, false, field, "must not contain a NUL character");
                return false;
        }
        *ret = json_object_get_string(v);
        return true;
}

static bool read_bool(struct checker *k, const char *field, struct json_object *v, bool *ret) {
        if (!json_object_is_type(v, json_type_boolean)) {
                config_problem(k, false, field, "must be true or false, not %s",
                               config_json_type_name(v));
                return false;
        }
        *ret = json_object_get_boolean(v);
        return true;
}

static bool read_enum(struct checker *k, const char *field, struct json_object *v,
                      const char *const *names, int *ret) {
        _cleanup_(freep) char *list = NULL;
        const char *s;
        size_t len = 0;
        int i;

        if (!read_string(k, field, v, false, &s))
                return false;
        i = config_name_index(names, s);
        if (i >= 0) {
                *ret = i;
                return true;
        }
        for (size_t j = 0; names[j]; j++)
                len += strlen(names[j]) + 2;
        list = calloc(1, len + 1);
        if (!list) {
                config_oom(k);
                return false;
        }
        for (size_t j = 0; names[j]; j++) {
                if (!*names[j])
                        continue;
                if (*list)
                        strcat(list, ", ");
                strcat(list, names[j]);
        }
        config_problem(k, false, field, "unknown value '%s' (expected one of: %s)", s, list);
        return false;
}

/* Exactly size bytes as hex digits (an optional 0x prefix is accepted). */
static bool read_hex(struct checker *k, const char *field, struct json_object *v, void *out,
                     size_t size) {
        const char *s;
        int r;

        if (!read_string(k, field, v, false, &s))
                return false;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        r = hex_decode_exact(s, out, size);
        if (r == -ERANGE || (r == -EINVAL && strlen(s) % 2 == 1 && strlen(s) != 2 * size)) {
                config_problem(k, false, field, "must be %zu bytes (%zu hex digits), got %zu "
                               "digits", size, 2 * size, strlen(s));
                return false;
        }
        if (r < 0) {
                config_problem(k, false, field, "'%s' is not hexadecimal", s);
                return false;
        }
        return true;
}

/* Edit distance, for "did you mean" on unknown keys (typos are the usual cause). */
static size_t distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

        if (la >= 63 || lb >= 63)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

                        cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
                memcpy(prev, cur, (lb + 1) * sizeof(size_t));
        }
        return prev[lb];
}

static void unknown_key(struct checker *k, const char *prefix, const char *key,
                        const char *const *known) {
        const char *best = NULL;
        size_t best_d = 3;
        _cleanup_(freep) char *field = NULL;

        for (size_t i = 0; known[i]; i++) {
                size_t d = distance(key, known[i]);

                if (d < best_d && 3 * d <= strlen(key)) {
                        best_d = d;
                        best = known[i];
                }
        }
        if (asprintf(&field, "%s%s", prefix, key) < 0) {
                field = NULL;
                config_oom(k);
                return;
        }
        if (best)
                config_problem(k, false, field, "unknown key (did you mean '%s'?)", best);
        else
                config_problem(k, false, field, "unknown key");
}


static void set_path(struct parser *p, const char *field, struct json_object *v, char **out,
                     bool nullable) {
        const char *s;

        if (!v) {
                if (!nullable)
                        config_problem(&p->k, false, field, "must not be null");
                else
                        free(TAKE(*out));
                return;
        }
        if (!read_string(&p->k, field, v, false, &s))
                return;
        free(*out);
        *out = config_resolve_path(p->dir, s);
        if (!*out)
                config_oom(&p->k);
}

/* The "FIELD." prefix for the members of v (a new string), when v is an object; else a problem
 * naming the shape expected ("{file, format, bus, readonly}"), or out of memory: NULL. */
static char *member_prefix(struct parser *p, const char *field, struct json_object *v,
                           const char *shape) {
        char *prefix;

        if (!json_object_is_type(v, json_type_object)) {
                config_problem(&p->k, false, field, "must be an object %s, not %s", shape,
                               config_json_type_name(v));
                return NULL;
        }
        if (asprintf(&prefix, "%s.", field) < 0) {
                config_oom(&p->k);
                return NULL;
        }
        return prefix;
}

/* SNPGuard's configs carry the TCB_VERSION reserved bytes as "_reserved": [0, 0, 0, 0]. */
static void check_tcb_reserved(struct parser *p, const char *prefix, struct json_object *v) {
        _cleanup_(freep) char *field = NULL;
        bool zero = json_object_is_type(v, json_type_array);

        for (size_t i = 0; zero && i < json_object_array_length(v); i++) {
                struct json_object *e = json_object_array_get_idx(v, i);

                zero = json_object_is_type(e, json_type_int) && json_object_get_int64(e) == 0;
        }
        if (zero)
                return;
        if (asprintf(&field, "%s_reserved", prefix) < 0) {
                field = NULL;
                config_oom(&p->k);
                return;
        }
        config_problem(&p->k, false, field, "must be an array of zeros (reserved bytes)");
}

static void parse_luks_binding(struct parser *p, const char *field, struct json_object *v) {
        struct luks_binding b;
        const char *s;

        if (!v) {
                free(TAKE(p->c->luks_binding));
                return;
        }
        if (!read_string(&p->k, field, v, false, &s))
                return;
        if (luks_binding_parse(s, &b) < 0) {
                config_problem(&p->k, false, field, "'%s' is not UUID:HEX (the 36-character volume "
                               "UUID and 64 hex digits, as snpctl disk bind prints it)", s);
                return;
        }
        if (config_set_string(&p->c->luks_binding, s) < 0)
                config_oom(&p->k);
}

static void parse_tcb(struct parser *p, const char *field, struct json_object *v) {
        static const char *const keys[] = { "bootloader", "tee", "snp", "microcode", "fmc", NULL };
        struct snp_tcb *t = &p->c->min_committed_tcb;
        uint8_t *slots[] = { &t->bootloader, &t->tee, &t->snp, &t->microcode, &t->fmc };
        _cleanup_(freep) char *prefix = NULL;

        if (p->tcb_seen) {
                config_problem(&p->k, false, field, "given twice (min_committed_tcb and "
                               "min_commited_tcb)");
                return;
        }
        p->tcb_seen = true;
        if (!v) {               /* null: no TCB floor, on purpose (attest-verify warns) */
                p->c->has_min_committed_tcb = false;
                *t = (struct snp_tcb) {};
                return;
        }
        p->c->has_min_committed_tcb = true;
        prefix = member_prefix(p, field, v, "{bootloader, tee, snp, microcode, fmc}");
        if (!prefix)
                return;
        json_object_object_foreach(v, key, val) {
                _cleanup_(freep) char *sub = NULL;
                size_t i;
                uint64_t u;

                if (strcmp(key, "_reserved") == 0) {
                        check_tcb_reserved(p, prefix, val);
                        continue;
                }
                for (i = 0; keys[i] && strcmp(keys[i], key) != 0; i++)
                        ;
                if (!keys[i]) {
                        unknown_key(&p->k, prefix, key, keys);
                        continue;
                }
                if (asprintf(&sub, "%s%s", prefix, key) < 0) {
                        sub = NULL;
                        config_oom(&p->k);
                        return;
                }
                if (read_u64(&p->k, sub, val, 0, 255, &u))
                        *slots[i] = (uint8_t) u;
        }
}

static void parse_disk(struct parser *p, const char *field, struct json_object *v, void *item) {
        struct config_disk *d = item;
        static const char *const keys[] = { "file", "format", "bus", "readonly", NULL };
        _cleanup_(freep) char *prefix = NULL;
        bool format_given = false;

        prefix = member_prefix(p, field, v, "{file, format, bus, readonly}");
        if (!prefix)
                return;
        json_object_object_foreach(v, key, val) {
                _cleanup_(freep) char *sub = NULL;
                int e;

                if (asprintf(&sub, "%s%s", prefix, key) < 0) {
                        sub = NULL;
                        config_oom(&p->k);
                        return;
                }
                if (is_placeholder(val) && !(p->k.flags & CONFIG_ALLOW_PLACEHOLDERS)) {
                        config_problem(&p->k, false, sub, "placeholder not filled in: %s",
                                       json_object_get_string(val));
                        continue;
                }
                if (is_placeholder(val))
                        continue;
                if (strcmp(key, "file") == 0)
                        set_path(p, sub, val, &d->file, false);
                else if (strcmp(key, "format") == 0) {
                        if (read_enum(&p->k, sub, val, config_format_names, &e)) {
                                d->format = (enum qemu_disk_format) e;
                                format_given = true;
                        }
                } else if (strcmp(key, "bus") == 0) {
                        if (read_enum(&p->k, sub, val, config_bus_names, &e))
                                d->bus = (enum qemu_disk_bus) e;
                } else if (strcmp(key, "readonly") == 0)
                        (void) read_bool(&p->k, sub, val, &d->readonly);
                else
                        unknown_key(&p->k, prefix, key, keys);
        }
        if (!d->file && !(p->k.flags & CONFIG_ALLOW_PLACEHOLDERS) &&
            !json_object_object_get_ex(v, "file", NULL)) {
                _cleanup_(freep) char *sub = NULL;

                if (asprintf(&sub, "%sfile", prefix) < 0) {
                        sub = NULL;
                        config_oom(&p->k);
                        return;
                }
                config_problem(&p->k, false, sub, "required");
        }
        if (!format_given) {    /* resolved here: a config's disk is never AUTO */
                size_t n = d->file ? strlen(d->file) : 0;

                d->format = n > 6 && strcmp(d->file + n - 6, ".qcow2") == 0 ?
                        QEMU_DISK_FORMAT_QCOW2 : QEMU_DISK_FORMAT_RAW;
        }
}

static void parse_forward(struct parser *p, const char *field, struct json_object *v,
                          void *item) {
        struct config_forward *f = item;
        static const char *const keys[] = { "proto", "host_addr", "host_port", "guest_port", NULL };
        _cleanup_(freep) char *prefix = NULL;
        bool host_port = false, guest_port = false;

        prefix = member_prefix(p, field, v, "{proto, host_addr, host_port, guest_port}");
        if (!prefix)
                return;
        json_object_object_foreach(v, key, val) {
                _cleanup_(freep) char *sub = NULL;
                const char *s;
                uint64_t u;
                int e;

                if (asprintf(&sub, "%s%s", prefix, key) < 0) {
                        sub = NULL;
                        config_oom(&p->k);
                        return;
                }
                if (strcmp(key, "proto") == 0) {
                        if (read_enum(&p->k, sub, val, config_proto_names, &e))
                                f->proto = (enum config_net_proto) e;
                } else if (strcmp(key, "host_addr") == 0) {
                        struct in_addr a;

                        if (!read_string(&p->k, sub, val, false, &s))
                                continue;
                        if (inet_pton(AF_INET, s, &a) != 1) {
                                config_problem(&p->k, false, sub, "'%s' is not an IPv4 address", s);
                                continue;
                        }
                        if (config_set_string(&f->host_addr, s) < 0)
                                config_oom(&p->k);
                } else if (strcmp(key, "host_port") == 0) {
                        host_port = true;
                        if (read_u64(&p->k, sub, val, 1, 65535, &u))
                                f->host_port = (uint16_t) u;
                } else if (strcmp(key, "guest_port") == 0) {
                        guest_port = true;
                        if (read_u64(&p->k, sub, val, 1, 65535, &u))
                                f->guest_port = (uint16_t) u;
                } else
                        unknown_key(&p->k, prefix, key, keys);
        }
        if (!host_port)
                config_problem(&p->k, false, field, "host_port is required");
        if (!guest_port)
                config_problem(&p->k, false, field, "guest_port is required");
        if (!f->host_addr && config_set_string(&f->host_addr, "127.0.0.1") < 0)
                config_oom(&p->k);
}

static void free_disks(void *items, size_t n) {
        config_disks_free(items, n);
}

static void free_forwards(void *items, size_t n) {
        config_forwards_free(items, n);
}

/* A JSON array of objects, each parsed into one element of a new C array that replaces
 * *items (disks, forwards). */
struct array_kind {
        const char *what;               /* "disks": for messages */
        size_t max;
        size_t size;                    /* of one element */
        void (*parse)(struct parser *p, const char *field, struct json_object *v, void *item);
        void (*free)(void *items, size_t n);
};

static void parse_array(struct parser *p, const char *field, struct json_object *v,
                        const struct array_kind *kind, void **items, size_t *n_items) {
        size_t n;

        if (!json_object_is_type(v, json_type_array)) {
                config_problem(&p->k, false, field, "must be an array of %s, not %s", kind->what,
                               config_json_type_name(v));
                return;
        }
        n = json_object_array_length(v);
        if (n > kind->max) {
                config_problem(&p->k, false, field, "%zu %s, more than the %zu snpctl accepts", n,
                               kind->what, kind->max);
                return;
        }
        kind->free(*items, *n_items);
        *n_items = 0;
        *items = n ? calloc(n, kind->size) : NULL;
        if (n && !*items) {
                config_oom(&p->k);
                return;
        }
        *n_items = n;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *sub = NULL;

                if (asprintf(&sub, "%s[%zu]", field, i) < 0) {
                        sub = NULL;
                        config_oom(&p->k);
                        return;
                }
                kind->parse(p, sub, json_object_array_get_idx(v, i),
                            (uint8_t *) *items + i * kind->size);
        }
}

static void parse_disks(struct parser *p, const char *field, struct json_object *v) {
        static const struct array_kind disks = {
                "disks", CONFIG_MAX_DISKS, sizeof(struct config_disk), parse_disk, free_disks,
        };
        void *items = p->c->disks;

        parse_array(p, field, v, &disks, &items, &p->c->n_disks);
        p->c->disks = items;
}

static void parse_forwards(struct parser *p, const char *field, struct json_object *v) {
        static const struct array_kind forwards = {
                "port forwards", CONFIG_MAX_FORWARDS, sizeof(struct config_forward),
                parse_forward, free_forwards,
        };
        void *items = p->c->forwards;

        parse_array(p, field, v, &forwards, &items, &p->c->n_forwards);
        p->c->forwards = items;
}

/* ---- roll-forward policies: lists of accepted values ---- */

static void free_plain(void *items, size_t n) {
        (void) n;
        free(items);
}

static void parse_measurement(struct parser *p, const char *field, struct json_object *v,
                              void *item) {
        static const char *const keys[] = { "label", "digest", NULL };
        struct config_measurement *m = item;
        _cleanup_(freep) char *prefix = member_prefix(p, field, v, "{label, digest}");
        bool label = false, digest = false;

        if (!prefix)
                return;
        json_object_object_foreach(v, key, val) {
                _cleanup_(freep) char *sub = NULL;
                const char *s;

                if (asprintf(&sub, "%s%s", prefix, key) < 0) {
                        sub = NULL;
                        config_oom(&p->k);
                        return;
                }
                if (strcmp(key, "label") == 0) {
                        label = true;
                        if (!read_string(&p->k, sub, val, false, &s))
                                continue;
                        if (!*s || strlen(s) > CONFIG_LABEL_MAX ||
                            strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789._-") != strlen(s))
                                config_problem(&p->k, false, sub, "must be 1 to %d letters, "
                                               "digits, '.', '_' or '-'", CONFIG_LABEL_MAX);
                        else
                                strcpy(m->label, s);
                } else if (strcmp(key, "digest") == 0) {
                        digest = true;
                        (void) read_hex(&p->k, sub, val, m->digest, CONFIG_DIGEST_SIZE);
                } else
                        unknown_key(&p->k, prefix, key, keys);
        }
        if (!label)
                config_problem(&p->k, false, field, "label is required");
        if (!digest)
                config_problem(&p->k, false, field, "digest is required");
}

static void parse_measurements(struct parser *p, const char *field, struct json_object *v) {
        static const struct array_kind kind = {
                "measurements", CONFIG_MAX_ACCEPTED, sizeof(struct config_measurement),
                parse_measurement, free_plain,
        };
        void *items = p->c->measurements;

        parse_array(p, field, v, &kind, &items, &p->c->n_measurements);
        p->c->measurements = items;
        /* The check names the entry that matched: a label must say which one. */
        for (size_t i = 0; i < p->c->n_measurements; i++)
                for (size_t j = 0; j < i; j++)
                        if (p->c->measurements[i].label[0] &&
                            strcmp(p->c->measurements[i].label, p->c->measurements[j].label) == 0)
                                config_problem(&p->k, false, field, "label '%s' is given twice",
                                               p->c->measurements[i].label);
}

static void parse_key_digest(struct parser *p, const char *field, struct json_object *v,
                             void *item) {
        (void) read_hex(&p->k, field, v, item, CONFIG_DIGEST_SIZE);
}

static void parse_chip_id(struct parser *p, const char *field, struct json_object *v, void *item) {
        (void) read_hex(&p->k, field, v, item, CONFIG_CHIP_ID_SIZE);
}

static void parse_id_key_digests(struct parser *p, const char *field, struct json_object *v) {
        static const struct array_kind kind = {
                "key digests", CONFIG_MAX_ACCEPTED, CONFIG_DIGEST_SIZE, parse_key_digest,
                free_plain,
        };
        void *items = p->c->id_key_digests;

        parse_array(p, field, v, &kind, &items, &p->c->n_id_key_digests);
        p->c->id_key_digests = items;
}

static void parse_author_key_digests(struct parser *p, const char *field, struct json_object *v) {
        static const struct array_kind kind = {
                "key digests", CONFIG_MAX_ACCEPTED, CONFIG_DIGEST_SIZE, parse_key_digest,
                free_plain,
        };
        void *items = p->c->author_key_digests;

        parse_array(p, field, v, &kind, &items, &p->c->n_author_key_digests);
        p->c->author_key_digests = items;
}

static void parse_chip_ids(struct parser *p, const char *field, struct json_object *v) {
        static const struct array_kind kind = {
                "chip IDs", CONFIG_MAX_CHIP_IDS, CONFIG_CHIP_ID_SIZE, parse_chip_id, free_plain,
        };
        void *items = p->c->chip_ids;

        parse_array(p, field, v, &kind, &items, &p->c->n_chip_ids);
        p->c->chip_ids = items;
}

/* "MAJOR.MINOR.BUILD", each 0..255 (the report's one-byte fields), e.g. "1.55.21". */
static void parse_min_firmware(struct parser *p, const char *field, struct json_object *v) {
        unsigned n[3];
        const char *s;
        int end = 0;

        if (!v) {
                p->c->has_min_firmware_version = false;
                return;
        }
        if (!read_string(&p->k, field, v, false, &s))
                return;
        if (sscanf(s, "%3u.%3u.%3u%n", &n[0], &n[1], &n[2], &end) != 3 || s[end] != '\0' ||
            strspn(s, "0123456789.") != strlen(s) || n[0] > 255 || n[1] > 255 || n[2] > 255) {
                config_problem(&p->k, false, field, "'%s' is not MAJOR.MINOR.BUILD (each 0-255, "
                               "e.g. \"1.55.21\")", s);
                return;
        }
        for (size_t i = 0; i < 3; i++)
                p->c->min_firmware_version[i] = (uint8_t) n[i];
        p->c->has_min_firmware_version = true;
}

enum field_kind {
        KIND_UINT,      /* unsigned int, range min..max */
        KIND_U32,
        KIND_U64,
        KIND_ENUM,      /* int-sized enum, names */
        KIND_STRING,    /* char *, may be empty */
        KIND_PATH,      /* char *, resolved against the config's folder */
        KIND_HEX,       /* uint8_t[max] */
        KIND_BOOL,
        KIND_CUSTOM,
};

struct field {
        const char *name;
        enum field_kind kind;
        size_t offset;
        bool nullable;          /* null clears the value (or its has_ flag) */
        size_t has_offset;      /* offset of a bool has_* flag, or 0 */
        uint64_t min, max;
        const char *const *names;
        void (*custom)(struct parser *p, const char *field, struct json_object *v);
};

static void parse_vcpu_sig(struct parser *p, const char *field, struct json_object *v) {
        uint64_t u;

        if (!v) {
                p->vcpu_sig_given = false;
                return;
        }
        if (read_u64(&p->k, field, v, 1, UINT32_MAX, &u)) {
                p->c->vcpu_sig = (uint32_t) u;
                p->vcpu_sig_given = true;
        }
}

static void parse_qemu_binary(struct parser *p, const char *field, struct json_object *v) {
        const char *s;

        if (!read_string(&p->k, field, v, false, &s))
                return;
        if (strchr(s, '/'))
                set_path(p, field, v, &p->c->qemu_binary, false);
        else if (config_set_string(&p->c->qemu_binary, s) < 0)
                config_oom(&p->k);
}

static void parse_cbitpos(struct parser *p, const char *field, struct json_object *v) {
        uint64_t u;

        if (!v)
                p->c->cbitpos = 0;
        else if (read_u64(&p->k, field, v, 0, 63, &u))
                p->c->cbitpos = (unsigned) u;
}

#define OFF(f) offsetof(struct vm_config, f)
static const struct field fields[] = {
        { "host_cpu_family", KIND_ENUM, OFF(host_cpu_family), .names = config_family_names },
        { "vcpu_count", KIND_UINT, OFF(vcpu_count), .min = 1, .max = SNP_MAX_VCPUS },
        { "vcpu_type", KIND_STRING, OFF(vcpu_type), .nullable = true },
        { "vcpu_sig", KIND_CUSTOM, 0, .nullable = true, .custom = parse_vcpu_sig },
        { "vmm_type", KIND_ENUM, OFF(vmm_type), .names = config_vmm_names },
        { "guest_features", KIND_U64, OFF(guest_features), .max = UINT64_MAX },
        { "ovmf_file", KIND_PATH, OFF(ovmf_file) },
        { "kernel_file", KIND_PATH, OFF(kernel_file), .nullable = true },
        { "initrd_file", KIND_PATH, OFF(initrd_file), .nullable = true },
        { "kernel_cmdline", KIND_STRING, OFF(kernel_cmdline), .nullable = true },
        { "owner_key_digest", KIND_HEX, OFF(owner_key_digest), .nullable = true,
          .has_offset = OFF(has_owner_key_digest), .max = CONFIG_DIGEST_SIZE },
        { "luks_binding", KIND_CUSTOM, 0, .nullable = true, .custom = parse_luks_binding },
        { "guest_policy", KIND_U64, OFF(guest_policy), .max = UINT64_MAX },
        { "host_data", KIND_HEX, OFF(host_data), .nullable = true, .has_offset = OFF(has_host_data),
          .max = SNP_HOST_DATA_SIZE },
        { "id_block_file", KIND_PATH, OFF(id_block_file), .nullable = true },
        { "id_auth_file", KIND_PATH, OFF(id_auth_file), .nullable = true },
        { "platform_info", KIND_U64, OFF(platform_info), .nullable = true,
          .has_offset = OFF(has_platform_info), .max = UINT64_MAX },
        { "platform_info_mask", KIND_U64, OFF(platform_info_mask), .max = UINT64_MAX },
        { "min_committed_tcb", KIND_CUSTOM, 0, .nullable = true, .custom = parse_tcb },
        { "min_commited_tcb", KIND_CUSTOM, 0, .nullable = true, .custom = parse_tcb },    /* SNPGuard's spelling */
        { "family_id", KIND_HEX, OFF(family_id), .max = SNP_ID_SIZE },
        { "image_id", KIND_HEX, OFF(image_id), .max = SNP_ID_SIZE },
        { "guest_svn", KIND_U32, OFF(guest_svn), .max = UINT32_MAX },
        { "id_key_digest", KIND_HEX, OFF(id_key_digest), .nullable = true,
          .has_offset = OFF(has_id_key_digest), .max = CONFIG_DIGEST_SIZE },
        { "author_key_digest", KIND_HEX, OFF(author_key_digest), .nullable = true,
          .has_offset = OFF(has_author_key_digest), .max = CONFIG_DIGEST_SIZE },
        { "vmpl", KIND_UINT, OFF(vmpl), .max = SNP_VMPL_MAX },
        { "signer", KIND_ENUM, OFF(signer), .names = config_signer_names },
        { "min_report_version", KIND_UINT, OFF(min_report_version), .min = 2, .max = 5 },
        { "require_crl", KIND_BOOL, OFF(require_crl) },
        { "qemu_binary", KIND_CUSTOM, 0, .custom = parse_qemu_binary },
        { "memory_mb", KIND_U64, OFF(memory_mb), .min = MEMORY_MB_MIN, .max = MEMORY_MB_MAX },
        { "cbitpos", KIND_CUSTOM, 0, .nullable = true, .custom = parse_cbitpos },
        { "reduced_phys_bits", KIND_UINT, OFF(reduced_phys_bits), .min = 1, .max = 63 },
        { "disks", KIND_CUSTOM, 0, .custom = parse_disks },
        { "network", KIND_ENUM, OFF(network), .names = config_network_names },
        { "forwards", KIND_CUSTOM, 0, .custom = parse_forwards },
        { "measurements", KIND_CUSTOM, 0, .custom = parse_measurements },
        { "id_key_digests", KIND_CUSTOM, 0, .custom = parse_id_key_digests },
        { "author_key_digests", KIND_CUSTOM, 0, .custom = parse_author_key_digests },
        { "min_firmware_version", KIND_CUSTOM, 0, .nullable = true, .custom = parse_min_firmware },
        { "chip_ids", KIND_CUSTOM, 0, .custom = parse_chip_ids },
};
#undef OFF

const char *const config_field_names[] = {
        "host_cpu_family", "vcpu_count", "vcpu_type", "vcpu_sig", "vmm_type", "guest_features",
        "ovmf_file", "kernel_file", "initrd_file", "kernel_cmdline", "owner_key_digest",
        "luks_binding", "guest_policy", "host_data",
        "id_block_file", "id_auth_file", "platform_info", "platform_info_mask",
        "min_committed_tcb", "min_committed_tcb.bootloader", "min_committed_tcb.tee",
        "min_committed_tcb.snp", "min_committed_tcb.microcode", "min_committed_tcb.fmc",
        "min_committed_tcb._reserved",
        "min_commited_tcb", "family_id", "image_id", "guest_svn", "id_key_digest",
        "author_key_digest", "vmpl", "signer", "min_report_version", "require_crl", "qemu_binary", "memory_mb",
        "cbitpos", "reduced_phys_bits", "disks", "disks[].file", "disks[].format", "disks[].bus",
        "disks[].readonly", "network", "forwards", "forwards[].proto", "forwards[].host_addr",
        "forwards[].host_port", "forwards[].guest_port",
        "measurements", "measurements[].label", "measurements[].digest", "id_key_digests",
        "author_key_digests", "min_firmware_version", "chip_ids",
        NULL
};

static uint64_t field_bit(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (strcmp(fields[i].name, name) == 0)
                        return UINT64_C(1) << i;
        return 0;
}

/* Whether the top-level field was left as a placeholder (its own message says so already). */
bool config_field_placeholder(const struct checker *k, const char *name) {
        return k->placeholders & field_bit(name);
}

/* Whether the field was given at all: a required field given with a bad value has its own
 * message already. (config_check() on a struct sees nothing as given.) */
bool config_field_present(const struct checker *k, const char *name) {
        return k->present & field_bit(name);
}

static void parse_field(struct parser *p, const struct field *f, struct json_object *v) {
        uint8_t *base = (uint8_t *) p->c;
        uint64_t u;
        const char *s;
        int e;

        if (!v && !f->nullable) {
                config_problem(&p->k, false, f->name, "must not be null (leave the key out for the "
                               "default)");
                return;
        }
        if (f->kind != KIND_CUSTOM && !v) {
                if (f->has_offset)
                        *(bool *) (base + f->has_offset) = false;
                else if (f->kind == KIND_STRING || f->kind == KIND_PATH)
                        free(TAKE(*(char **) (base + f->offset)));
                return;
        }
        switch (f->kind) {
        case KIND_UINT:
                if (read_u64(&p->k, f->name, v, f->min, f->max, &u))
                        *(unsigned *) (base + f->offset) = (unsigned) u;
                break;
        case KIND_U32:
                if (read_u64(&p->k, f->name, v, f->min, f->max, &u))
                        *(uint32_t *) (base + f->offset) = (uint32_t) u;
                break;
        case KIND_U64:
                if (read_u64(&p->k, f->name, v, f->min, f->max, &u)) {
                        *(uint64_t *) (base + f->offset) = u;
                        if (f->has_offset)
                                *(bool *) (base + f->has_offset) = true;
                }
                break;
        case KIND_ENUM:
                if (read_enum(&p->k, f->name, v, f->names, &e))
                        *(int *) (base + f->offset) = e;
                break;
        case KIND_STRING:
                if (read_string(&p->k, f->name, v, f->nullable, &s) &&
                    config_set_string((char **) (base + f->offset), s) < 0)
                        config_oom(&p->k);
                break;
        case KIND_PATH:
                set_path(p, f->name, v, (char **) (base + f->offset), f->nullable);
                break;
        case KIND_HEX:
                if (read_hex(&p->k, f->name, v, base + f->offset, f->max) && f->has_offset)
                        *(bool *) (base + f->has_offset) = true;
                break;
        case KIND_BOOL:
                (void) read_bool(&p->k, f->name, v, (bool *) (base + f->offset));
                break;
        case KIND_CUSTOM:
                f->custom(p, f->name, v);
                break;
        }
}

void config_parse_object(struct parser *p, struct json_object *root) {
        const char *known[ELEMENTSOF(fields) + 1] = { NULL };

        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                known[i] = fields[i].name;
        json_object_object_foreach(root, key, val) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(fields) && strcmp(fields[i].name, key) != 0; i++)
                        ;
                if (i == ELEMENTSOF(fields)) {
                        unknown_key(&p->k, "", key, known);
                        continue;
                }
                p->k.present |= UINT64_C(1) << i;
                if (is_placeholder(val)) {
                        if (!(p->k.flags & CONFIG_ALLOW_PLACEHOLDERS))
                                config_problem(&p->k, false, key, "placeholder not filled in: %s",
                                               json_object_get_string(val));
                        p->k.placeholders |= UINT64_C(1) << i;
                        continue;
                }
                parse_field(p, &fields[i], val);
        }
}
