/* SPDX-License-Identifier: Apache-2.0 */
/* The VM description: strict JSON parsing that collects every problem, consistency checks,
 * serialisation, and the host-dependent fields taken from a known-good report. The field list is
 * docs/config.md; a test checks that each name in config_field_names[] is documented there. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base64.h"
#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "idblock.h"
#include "luks.h"
#include "measure.h"
#include "output.h"
#include "ovmf.h"
#include "parse.h"
#include "report.h"

#define MEMORY_MB_MIN 64
#define MEMORY_MB_MAX (UINT64_C(16) << 20)      /* 16 TiB */

/* ---- names ------------------------------------------------------------------------------ */

/* Indexed by enum snp_generation, enum qemu_disk_format and enum qemu_disk_bus. */
static const char *const family_names[] = { "", "Milan", "Genoa", "Turin", NULL };
static const char *const vmm_names[] = { "QEMU", "EC2", "GCE", NULL };
static const char *const signer_names[] = { "vcek", "vlek", NULL };
static const char *const format_names[] = { "", "raw", "qcow2", NULL };
static const char *const bus_names[] = { "scsi", "blk", NULL };
static const char *const network_names[] = { "user", "none", NULL };
static const char *const proto_names[] = { "tcp", "udp", NULL };

static int name_index(const char *const *names, const char *s) {
        if (!s || !*s)
                return -EINVAL;
        for (int i = 0; names[i]; i++)
                if (*names[i] && strcasecmp(names[i], s) == 0)
                        return i;
        return -EINVAL;
}

const char *config_cpu_family_to_string(enum snp_generation f) {
        return f == SNP_GEN_UNKNOWN ? "unset" : report_generation_name(f);
}

int config_cpu_family_from_string(const char *s, enum snp_generation *ret) {
        int i = name_index(family_names, s);

        if (i < 0)
                return i;
        *ret = (enum snp_generation) i;
        return 0;
}

const char *config_vmm_type_to_string(enum measure_vmm t) {
        return t <= MEASURE_VMM_GCE ? vmm_names[t] : "unknown";
}

int config_vmm_type_from_string(const char *s, enum measure_vmm *ret) {
        int i = name_index(vmm_names, s);

        if (i < 0)
                return i;
        *ret = (enum measure_vmm) i;
        return 0;
}

const char *config_signer_to_string(enum config_signer s) {
        return s <= CONFIG_SIGNER_VLEK ? signer_names[s] : "unknown";
}

/* One table of QEMU models for the whole tool: the measure module's (snp-facts A.6). */
int config_vcpu_sig_from_type(const char *type, uint32_t *ret_sig) {
        if (!type)
                return -ENOENT;
        return measure_vcpu_sig_from_type(type, ret_sig);
}

/* ---- the config object --------------------------------------------------------------------- */

static void disks_free(struct config_disk *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(d[i].file);
        free(d);
}

static void forwards_free(struct config_forward *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(f[i].host_addr);
        free(f);
}

void config_free(struct vm_config *c) {
        if (!c)
                return;
        free(c->path);
        free(c->dir);
        free(c->vcpu_type);
        free(c->ovmf_file);
        free(c->kernel_file);
        free(c->initrd_file);
        free(c->kernel_cmdline);
        free(c->luks_binding);
        free(c->cmdline);
        free(c->id_block_file);
        free(c->id_auth_file);
        free(c->qemu_binary);
        disks_free(c->disks, c->n_disks);
        forwards_free(c->forwards, c->n_forwards);
        free(c);
}

int config_new(struct vm_config **ret) {
        _cleanup_(config_freep) struct vm_config *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->vcpu_count = 1;
        c->vcpu_type = strdup("EPYC-v4");
        c->qemu_binary = strdup("qemu-system-x86_64");
        if (!c->vcpu_type || !c->qemu_binary)
                return -ENOMEM;
        (void) config_vcpu_sig_from_type(c->vcpu_type, &c->vcpu_sig);
        c->vmm_type = MEASURE_VMM_QEMU;
        c->guest_features = SNP_FEATURES_DEFAULT;
        c->guest_policy = SNP_POLICY_DEFAULT;
        c->platform_info_mask = UINT64_MAX;
        c->vmpl = 0;
        c->signer = CONFIG_SIGNER_VCEK;
        c->min_report_version = 2;
        c->memory_mb = 2048;
        c->reduced_phys_bits = 1;
        c->network = CONFIG_NETWORK_USER;
        *ret = TAKE(c);
        return 0;
}

int config_set_string(char **field, const char *value) {
        char *copy = NULL;

        if (value) {
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
        }
        free(*field);
        *field = copy;
        return 0;
}

/* Joins a relative path to dir; an absolute one is copied. */
static char *resolve_path(const char *dir, const char *path) {
        char *s;

        if (path[0] == '/' || !dir)
                return strdup(path);
        if (asprintf(&s, "%s/%s", dir, path) < 0)
                return NULL;
        return s;
}

int config_set_path(char **field, const char *value) {
        _cleanup_(freep) char *cwd = NULL;
        char *s;

        if (!value)
                return config_set_string(field, NULL);
        if (value[0] != '/') {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
        }
        s = resolve_path(cwd, value);
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

/* ---- problems ------------------------------------------------------------------------------ */

void config_problems_clear(struct config_problems *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                free(p->items[i].field);
                free(p->items[i].text);
        }
        free(p->items);
        *p = (struct config_problems) { 0 };
}

struct checker {
        const char *name;               /* file name for messages */
        unsigned flags;
        struct config_problems *problems;
        size_t errors;
        int oom;                        /* -ENOMEM once an allocation failed */
        uint64_t placeholders;          /* top-level fields (by index in fields[]) left as "<...>" */
        uint64_t present;               /* top-level fields given (with any value) */
        bool ovmf_ok;                   /* the OVMF passed check_ovmf() */
};

__attribute__((format(printf, 4, 5)))
static void problem(struct checker *k, bool warning, const char *field, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL, *text = NULL, *f = NULL;
        struct config_problem *items;
        bool marker;
        va_list ap;
        int n;

        if (!warning) {
                k->errors++;
                k->problems->n_errors++;        /* counted even when not listed */
        }
        if (k->problems->n > CONFIG_MAX_PROBLEMS)
                return;
        marker = k->problems->n == CONFIG_MAX_PROBLEMS;
        if (marker) {
                /* Listed once, in place of the rest (a 1 MiB file can hold 100,000 mistakes). */
                warning = false;
                field = NULL;
                n = asprintf(&msg, "more than %d problems; the rest are not listed",
                             CONFIG_MAX_PROBLEMS);
        } else {
                va_start(ap, fmt);
                n = vasprintf(&msg, fmt, ap);
                va_end(ap);
        }
        if (n < 0) {
                msg = NULL;
                k->oom = -ENOMEM;
                return;
        }
        if (field)
                n = asprintf(&text, "%s: %s: %s%s", k->name, field, warning ? "warning: " : "", msg);
        else
                n = asprintf(&text, "%s: %s%s", k->name, warning ? "warning: " : "", msg);
        if (n < 0) {
                text = NULL;
                k->oom = -ENOMEM;
                return;
        }
        f = strdup(field ? field : "");
        items = f ? reallocarray(k->problems->items, k->problems->n + 1, sizeof(*items)) : NULL;
        if (!items) {
                k->oom = -ENOMEM;
                return;
        }
        k->problems->items = items;
        items[k->problems->n++] = (struct config_problem) {
                .warning = warning, .field = TAKE(f), .text = TAKE(text),
        };
}

static void oom(struct checker *k) {
        k->oom = -ENOMEM;
}

/* ---- JSON value readers -------------------------------------------------------------------- */

static const char *type_name(struct json_object *v) {
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
                        problem(k, false, field, "must not be negative (%" PRId64 ")",
                                json_object_get_int64(v));
                        return false;
                }
                u = json_object_get_uint64(v);
        } else if (json_object_is_type(v, json_type_string)) {
                int r = parse_u64(json_object_get_string(v), &u);

                if (r < 0) {
                        problem(k, false, field, "'%s' is not a number (decimal or 0x-hex)%s",
                                json_object_get_string(v), r == -ERANGE ? ": too large" : "");
                        return false;
                }
        } else {
                problem(k, false, field, "must be a number, not %s", type_name(v));
                return false;
        }
        if (u < min || u > max) {
                problem(k, false, field, "%" PRIu64 " is out of range %" PRIu64 "..%" PRIu64, u,
                        min, max);
                return false;
        }
        *ret = u;
        return true;
}

static bool read_string(struct checker *k, const char *field, struct json_object *v,
                        bool allow_empty, const char **ret) {
        if (!json_object_is_type(v, json_type_string)) {
                problem(k, false, field, "must be a string, not %s", type_name(v));
                return false;
        }
        if (!allow_empty && json_object_get_string_len(v) == 0) {
                problem(k, false, field, "must not be empty");
                return false;
        }
        if (strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v)) {
                problem(k, false, field, "must not contain a NUL character");
                return false;
        }
        *ret = json_object_get_string(v);
        return true;
}

static bool read_bool(struct checker *k, const char *field, struct json_object *v, bool *ret) {
        if (!json_object_is_type(v, json_type_boolean)) {
                problem(k, false, field, "must be true or false, not %s", type_name(v));
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
        i = name_index(names, s);
        if (i >= 0) {
                *ret = i;
                return true;
        }
        for (size_t j = 0; names[j]; j++)
                len += strlen(names[j]) + 2;
        list = calloc(1, len + 1);
        if (!list) {
                oom(k);
                return false;
        }
        for (size_t j = 0; names[j]; j++) {
                if (!*names[j])
                        continue;
                if (*list)
                        strcat(list, ", ");
                strcat(list, names[j]);
        }
        problem(k, false, field, "unknown value '%s' (expected one of: %s)", s, list);
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
                problem(k, false, field, "must be %zu bytes (%zu hex digits), got %zu digits",
                        size, 2 * size, strlen(s));
                return false;
        }
        if (r < 0) {
                problem(k, false, field, "'%s' is not hexadecimal", s);
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
                oom(k);
                return;
        }
        if (best)
                problem(k, false, field, "unknown key (did you mean '%s'?)", best);
        else
                problem(k, false, field, "unknown key");
}

/* ---- the parser ---------------------------------------------------------------------------- */

struct parser {
        struct checker k;
        const char *dir;
        struct vm_config *c;
        bool vcpu_sig_given;
        bool tcb_seen;
};

static void set_path(struct parser *p, const char *field, struct json_object *v, char **out,
                     bool nullable) {
        const char *s;

        if (!v) {
                if (!nullable)
                        problem(&p->k, false, field, "must not be null");
                else
                        free(TAKE(*out));
                return;
        }
        if (!read_string(&p->k, field, v, false, &s))
                return;
        free(*out);
        *out = resolve_path(p->dir, s);
        if (!*out)
                oom(&p->k);
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
                oom(&p->k);
                return;
        }
        problem(&p->k, false, field, "must be an array of zeros (reserved bytes)");
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
                problem(&p->k, false, field, "'%s' is not UUID:HEX (the 36-character volume "
                        "UUID and 64 hex digits, as snpctl disk bind prints it)", s);
                return;
        }
        if (config_set_string(&p->c->luks_binding, s) < 0)
                oom(&p->k);
}

static void parse_tcb(struct parser *p, const char *field, struct json_object *v) {
        static const char *const keys[] = { "bootloader", "tee", "snp", "microcode", "fmc", NULL };
        struct snp_tcb *t = &p->c->min_committed_tcb;
        uint8_t *slots[] = { &t->bootloader, &t->tee, &t->snp, &t->microcode, &t->fmc };
        _cleanup_(freep) char *prefix = NULL;

        if (p->tcb_seen) {
                problem(&p->k, false, field, "given twice (min_committed_tcb and min_commited_tcb)");
                return;
        }
        p->tcb_seen = true;
        if (!v) {               /* null: no TCB floor, on purpose (attest-verify warns) */
                p->c->has_min_committed_tcb = false;
                *t = (struct snp_tcb) {};
                return;
        }
        p->c->has_min_committed_tcb = true;
        if (!json_object_is_type(v, json_type_object)) {
                problem(&p->k, false, field, "must be an object {bootloader, tee, snp, microcode, "
                        "fmc}, not %s", type_name(v));
                return;
        }
        if (asprintf(&prefix, "%s.", field) < 0) {
                prefix = NULL;
                oom(&p->k);
                return;
        }
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
                        oom(&p->k);
                        return;
                }
                if (read_u64(&p->k, sub, val, 0, 255, &u))
                        *slots[i] = (uint8_t) u;
        }
}

static void parse_disk(struct parser *p, const char *field, struct json_object *v,
                       struct config_disk *d) {
        static const char *const keys[] = { "file", "format", "bus", "readonly", NULL };
        _cleanup_(freep) char *prefix = NULL;
        bool format_given = false;

        if (!json_object_is_type(v, json_type_object)) {
                problem(&p->k, false, field, "must be an object {file, format, bus, readonly}, "
                        "not %s", type_name(v));
                return;
        }
        if (asprintf(&prefix, "%s.", field) < 0) {
                prefix = NULL;
                oom(&p->k);
                return;
        }
        json_object_object_foreach(v, key, val) {
                _cleanup_(freep) char *sub = NULL;
                int e;

                if (asprintf(&sub, "%s%s", prefix, key) < 0) {
                        sub = NULL;
                        oom(&p->k);
                        return;
                }
                if (is_placeholder(val) && !(p->k.flags & CONFIG_ALLOW_PLACEHOLDERS)) {
                        problem(&p->k, false, sub, "placeholder not filled in: %s",
                                json_object_get_string(val));
                        continue;
                }
                if (is_placeholder(val))
                        continue;
                if (strcmp(key, "file") == 0)
                        set_path(p, sub, val, &d->file, false);
                else if (strcmp(key, "format") == 0) {
                        if (read_enum(&p->k, sub, val, format_names, &e)) {
                                d->format = (enum qemu_disk_format) e;
                                format_given = true;
                        }
                } else if (strcmp(key, "bus") == 0) {
                        if (read_enum(&p->k, sub, val, bus_names, &e))
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
                        oom(&p->k);
                        return;
                }
                problem(&p->k, false, sub, "required");
        }
        if (!format_given) {    /* resolved here: a config's disk is never AUTO */
                size_t n = d->file ? strlen(d->file) : 0;

                d->format = n > 6 && strcmp(d->file + n - 6, ".qcow2") == 0 ?
                        QEMU_DISK_FORMAT_QCOW2 : QEMU_DISK_FORMAT_RAW;
        }
}

static void parse_disks(struct parser *p, const char *field, struct json_object *v) {
        size_t n;

        if (!json_object_is_type(v, json_type_array)) {
                problem(&p->k, false, field, "must be an array of disks, not %s", type_name(v));
                return;
        }
        n = json_object_array_length(v);
        if (n > CONFIG_MAX_DISKS) {
                problem(&p->k, false, field, "%zu disks, more than the %d snpctl accepts", n,
                        CONFIG_MAX_DISKS);
                return;
        }
        disks_free(p->c->disks, p->c->n_disks);
        p->c->n_disks = 0;
        p->c->disks = n ? calloc(n, sizeof(struct config_disk)) : NULL;
        if (n && !p->c->disks) {
                oom(&p->k);
                return;
        }
        p->c->n_disks = n;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *sub = NULL;

                if (asprintf(&sub, "%s[%zu]", field, i) < 0) {
                        sub = NULL;
                        oom(&p->k);
                        return;
                }
                parse_disk(p, sub, json_object_array_get_idx(v, i), &p->c->disks[i]);
        }
}

static void parse_forward(struct parser *p, const char *field, struct json_object *v,
                          struct config_forward *f) {
        static const char *const keys[] = { "proto", "host_addr", "host_port", "guest_port", NULL };
        _cleanup_(freep) char *prefix = NULL;
        bool host_port = false, guest_port = false;

        if (!json_object_is_type(v, json_type_object)) {
                problem(&p->k, false, field, "must be an object {proto, host_addr, host_port, "
                        "guest_port}, not %s", type_name(v));
                return;
        }
        if (asprintf(&prefix, "%s.", field) < 0) {
                prefix = NULL;
                oom(&p->k);
                return;
        }
        json_object_object_foreach(v, key, val) {
                _cleanup_(freep) char *sub = NULL;
                const char *s;
                uint64_t u;
                int e;

                if (asprintf(&sub, "%s%s", prefix, key) < 0) {
                        sub = NULL;
                        oom(&p->k);
                        return;
                }
                if (strcmp(key, "proto") == 0) {
                        if (read_enum(&p->k, sub, val, proto_names, &e))
                                f->proto = (enum config_net_proto) e;
                } else if (strcmp(key, "host_addr") == 0) {
                        struct in_addr a;

                        if (!read_string(&p->k, sub, val, false, &s))
                                continue;
                        if (inet_pton(AF_INET, s, &a) != 1) {
                                problem(&p->k, false, sub, "'%s' is not an IPv4 address", s);
                                continue;
                        }
                        if (config_set_string(&f->host_addr, s) < 0)
                                oom(&p->k);
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
                problem(&p->k, false, field, "host_port is required");
        if (!guest_port)
                problem(&p->k, false, field, "guest_port is required");
        if (!f->host_addr && config_set_string(&f->host_addr, "127.0.0.1") < 0)
                oom(&p->k);
}

static void parse_forwards(struct parser *p, const char *field, struct json_object *v) {
        size_t n;

        if (!json_object_is_type(v, json_type_array)) {
                problem(&p->k, false, field, "must be an array of port forwards, not %s",
                        type_name(v));
                return;
        }
        n = json_object_array_length(v);
        if (n > CONFIG_MAX_FORWARDS) {
                problem(&p->k, false, field, "%zu port forwards, more than the %d snpctl accepts",
                        n, CONFIG_MAX_FORWARDS);
                return;
        }
        forwards_free(p->c->forwards, p->c->n_forwards);
        p->c->n_forwards = 0;
        p->c->forwards = n ? calloc(n, sizeof(struct config_forward)) : NULL;
        if (n && !p->c->forwards) {
                oom(&p->k);
                return;
        }
        p->c->n_forwards = n;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *sub = NULL;

                if (asprintf(&sub, "%s[%zu]", field, i) < 0) {
                        sub = NULL;
                        oom(&p->k);
                        return;
                }
                parse_forward(p, sub, json_object_array_get_idx(v, i), &p->c->forwards[i]);
        }
}

enum field_kind {
        KIND_UINT,      /* unsigned int, range min..max */
        KIND_U32,
        KIND_U64,
        KIND_ENUM,      /* int-sized enum, names */
        KIND_STRING,    /* char *, may be empty */
        KIND_PATH,      /* char *, resolved against the config's folder */
        KIND_HEX,       /* uint8_t[max] */
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
                oom(&p->k);
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
        { "host_cpu_family", KIND_ENUM, OFF(host_cpu_family), .names = family_names },
        { "vcpu_count", KIND_UINT, OFF(vcpu_count), .min = 1, .max = SNP_MAX_VCPUS },
        { "vcpu_type", KIND_STRING, OFF(vcpu_type), .nullable = true },
        { "vcpu_sig", KIND_CUSTOM, 0, .nullable = true, .custom = parse_vcpu_sig },
        { "vmm_type", KIND_ENUM, OFF(vmm_type), .names = vmm_names },
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
        { "signer", KIND_ENUM, OFF(signer), .names = signer_names },
        { "min_report_version", KIND_UINT, OFF(min_report_version), .min = 2, .max = 5 },
        { "qemu_binary", KIND_CUSTOM, 0, .custom = parse_qemu_binary },
        { "memory_mb", KIND_U64, OFF(memory_mb), .min = MEMORY_MB_MIN, .max = MEMORY_MB_MAX },
        { "cbitpos", KIND_CUSTOM, 0, .nullable = true, .custom = parse_cbitpos },
        { "reduced_phys_bits", KIND_UINT, OFF(reduced_phys_bits), .min = 1, .max = 63 },
        { "disks", KIND_CUSTOM, 0, .custom = parse_disks },
        { "network", KIND_ENUM, OFF(network), .names = network_names },
        { "forwards", KIND_CUSTOM, 0, .custom = parse_forwards },
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
        "author_key_digest", "vmpl", "signer", "min_report_version", "qemu_binary", "memory_mb",
        "cbitpos", "reduced_phys_bits", "disks", "disks[].file", "disks[].format", "disks[].bus",
        "disks[].readonly", "network", "forwards", "forwards[].proto", "forwards[].host_addr",
        "forwards[].host_port", "forwards[].guest_port",
        NULL
};

static uint64_t field_bit(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (strcmp(fields[i].name, name) == 0)
                        return UINT64_C(1) << i;
        return 0;
}

/* Whether the top-level field was left as a placeholder (its own message says so already). */
static bool placeholder(const struct checker *k, const char *name) {
        return k->placeholders & field_bit(name);
}

/* Whether the field was given at all: a required field given with a bad value has its own
 * message already. (config_check() on a struct sees nothing as given.) */
static bool present(const struct checker *k, const char *name) {
        return k->present & field_bit(name);
}

static void parse_field(struct parser *p, const struct field *f, struct json_object *v) {
        uint8_t *base = (uint8_t *) p->c;
        uint64_t u;
        const char *s;
        int e;

        if (!v && !f->nullable) {
                problem(&p->k, false, f->name, "must not be null (leave the key out for the "
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
                        oom(&p->k);
                break;
        case KIND_PATH:
                set_path(p, f->name, v, (char **) (base + f->offset), f->nullable);
                break;
        case KIND_HEX:
                if (read_hex(&p->k, f->name, v, base + f->offset, f->max) && f->has_offset)
                        *(bool *) (base + f->has_offset) = true;
                break;
        case KIND_CUSTOM:
                f->custom(p, f->name, v);
                break;
        }
}

static void parse_object(struct parser *p, struct json_object *root) {
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
                                problem(&p->k, false, key, "placeholder not filled in: %s",
                                        json_object_get_string(val));
                        p->k.placeholders |= UINT64_C(1) << i;
                        continue;
                }
                parse_field(p, &fields[i], val);
        }
}

/* ---- consistency checks ------------------------------------------------------------------- */

static void bits_list(uint64_t bits, char *buf, size_t size) {
        size_t used = 0;

        buf[0] = '\0';
        for (unsigned b = 0; b < 64 && used + 4 < size; b++)
                if (bits & (UINT64_C(1) << b))
                        used += (size_t) snprintf(buf + used, size - used, "%s%u", used ? ", " : "", b);
}

static void check_policy(struct checker *k, uint64_t policy) {
        char list[256];

        unsigned bad = snp_policy_check(policy);

        if (bad & SNP_POLICY_LACKS_MBO)
                problem(k, false, "guest_policy", "bit 17 must be set (0x20000)");
        if (bad & SNP_POLICY_SETS_MBZ) {
                bits_list(policy & SNP_POLICY_MBZ_MASK, list, sizeof(list));
                problem(k, false, "guest_policy", "reserved bits must be zero: 0x%" PRIx64
                        " (bit %s)", policy & SNP_POLICY_MBZ_MASK, list);
        }
        if (policy & SNP_POLICY_DEBUG)
                problem(k, true, "guest_policy", "bit 19 (DEBUG) lets the host read and change "
                        "guest memory; never for production");
        if (policy & SNP_POLICY_MIGRATE_MA)
                problem(k, true, "guest_policy", "bit 18 (MIGRATE_MA): upstream KVM refuses to "
                        "launch with it");
        if (policy & SNP_POLICY_SINGLE_SOCKET)
                problem(k, true, "guest_policy", "bit 20 (SINGLE_SOCKET): upstream KVM refuses "
                        "to launch with it");
        if (!(policy & SNP_POLICY_SMT))
                problem(k, true, "guest_policy", "bit 16 (SMT) is clear: the launch fails on a "
                        "host with SMT enabled");
}

static void check_features(struct checker *k, uint64_t features) {
        char list[256];

        if (!(features & SNP_FEATURE_SNP_ACTIVE))
                problem(k, false, "guest_features", "bit 0 (SNPActive) must be set for an SNP "
                        "guest (0x1)");
        if (features & ~SNP_FEATURES_KNOWN_MASK) {
                bits_list(features & ~SNP_FEATURES_KNOWN_MASK, list, sizeof(list));
                /* Measured as given, as sev-snp-measure and QEMU do: a newer processor may
                 * define them. */
                problem(k, true, "guest_features", "bits this version does not know: 0x%" PRIx64
                        " (bit %s); measured as given", features & ~SNP_FEATURES_KNOWN_MASK,
                        list);
        }
}

/* Whether path is a readable regular file (or block device); says why not. */
static bool check_file(struct checker *k, const char *field, const char *path, bool block_ok) {
        struct stat st;

        if (stat(path, &st) < 0)
                problem(k, false, field, "'%s': %s", path, strerror(errno));
        else if (S_ISDIR(st.st_mode))
                problem(k, false, field, "'%s' is a folder, not a file", path);
        else if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode)))
                problem(k, false, field, "'%s' is not a regular file", path);
        else if (access(path, R_OK) < 0)
                problem(k, false, field, "'%s': %s", path, strerror(errno));
        else
                return true;
        return false;
}

/* An SNP guest needs OVMF's SEV metadata; a measured kernel needs its kernel-hashes section
 * (snp-facts B.1.3: only the AmdSevX64 build has it). Parsed by the measure module's ovmf.c, so
 * validate and measure judge an image alike. */
static void check_ovmf(struct checker *k, const struct vm_config *c) {
        _cleanup_(ovmf_freep) struct ovmf_image *img = NULL;
        _cleanup_(freep) char *why = NULL;
        int r = ovmf_open(c->ovmf_file, OVMF_FOUR_GIB, &img, &why);

        if (r == -ENOMEM)
                oom(k);
        else if (r < 0)
                problem(k, false, "ovmf_file", "%s", why ? why : strerror(-r));
        else if (!img->has_footer)
                problem(k, false, "ovmf_file", "'%s' has no OVMF footer table: not an OVMF that "
                        "can boot an SNP guest", c->ovmf_file);
        else if (!img->has_metadata)
                problem(k, false, "ovmf_file", "'%s' has no SEV metadata: not an OVMF that can "
                        "boot an SNP guest", c->ovmf_file);
        else if (c->kernel_file && !ovmf_has_section(img, OVMF_SECTION_SNP_KERNEL_HASHES))
                problem(k, false, "kernel_file", "'%s' has no SNP kernel-hashes section, so the "
                        "kernel cannot be measured: use an OVMF built from "
                        "OvmfPkg/AmdSev/AmdSevX64.dsc", c->ovmf_file);
        else
                k->ovmf_ok = true;
}

/* The firmware refuses a launch whose digest differs from the ID block's LD ("Bad
 * measurement", snp-facts B.3.6); say so now, naming both. */
static void check_id_block_digest(struct checker *k, const struct vm_config *c,
                                  const uint8_t *ld) {
        _cleanup_(freep) char *why = NULL;
        uint8_t digest[CONFIG_DIGEST_SIZE];
        char want[2 * CONFIG_DIGEST_SIZE + 1], got[2 * CONFIG_DIGEST_SIZE + 1];
        int r;

        if (!k->ovmf_ok)
                return;         /* the OVMF's own problem is reported */
        r = config_expected_digest(c, digest, &why);
        if (r == -ENOMEM) {
                oom(k);
                return;
        }
        if (r < 0) {
                problem(k, false, "id_block_file", "cannot compute the launch digest to compare "
                        "with the ID block: %s", why ? why : strerror(-r));
                return;
        }
        if (memcmp(digest, ld, CONFIG_DIGEST_SIZE) == 0)
                return;
        hex_encode_buf(ld, CONFIG_DIGEST_SIZE, got);
        hex_encode_buf(digest, CONFIG_DIGEST_SIZE, want);
        problem(k, false, "id_block_file", "ID block launch digest %s differs from the config's "
                "%s: the launch would fail", got, want);
}

static int read_base64_file(const char *path, size_t max, uint8_t **ret, size_t *ret_size) {
        _cleanup_(freep) uint8_t *text = NULL;
        size_t n;
        int r = fileio_read_full(path, 2 * max + 64, &text, &n);

        if (r < 0)
                return r;
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
                n--;
        return base64_decode((const char *) text, n, ret, ret_size);
}

/* The ID block must agree with the config, or the launch fails late (snp-facts B.3.6). */
static void check_id_files(struct checker *k, const struct vm_config *c) {
        _cleanup_(freep) uint8_t *blk = NULL, *auth = NULL;
        struct snp_id_block_fields b;
        size_t n;
        int r;

        r = read_base64_file(c->id_block_file, SNP_ID_BLOCK_SIZE, &blk, &n);
        if (r == -EINVAL || (r == 0 && n != SNP_ID_BLOCK_SIZE)) {
                problem(k, false, "id_block_file", "'%s' is not base64 of a %d-byte ID block",
                        c->id_block_file, SNP_ID_BLOCK_SIZE);
                return;
        }
        if (r < 0)
                return;         /* reported by check_file() */
        if (snp_id_block_parse(blk, n, &b) < 0)
                problem(k, false, "id_block_file", "ID block version %" PRIu32 " (expected 1)",
                        b.version);
        check_id_block_digest(k, c, b.ld);
        if (b.policy != c->guest_policy)
                problem(k, false, "id_block_file", "ID block policy 0x%" PRIx64 " differs from "
                        "guest_policy 0x%" PRIx64, b.policy, c->guest_policy);
        if (memcmp(b.family_id, c->family_id, SNP_ID_SIZE) != 0)
                problem(k, false, "id_block_file", "ID block family_id differs from family_id");
        if (memcmp(b.image_id, c->image_id, SNP_ID_SIZE) != 0)
                problem(k, false, "id_block_file", "ID block image_id differs from image_id");
        if (b.guest_svn != c->guest_svn)
                problem(k, false, "id_block_file", "ID block guest_svn %" PRIu32 " differs from "
                        "guest_svn %" PRIu32, b.guest_svn, c->guest_svn);
        if (!c->id_auth_file)
                return;
        r = read_base64_file(c->id_auth_file, SNP_ID_AUTH_SIZE, &auth, &n);
        if (r == -EINVAL || r == -EFBIG || (r == 0 && n != SNP_ID_AUTH_SIZE)) {
                problem(k, false, "id_auth_file", "'%s' is not base64 of a %d-byte ID "
                        "authentication structure", c->id_auth_file, SNP_ID_AUTH_SIZE);
                return;
        }
        if (r < 0)
                return;
        if (c->has_id_key_digest || c->has_author_key_digest) {
                uint8_t id[CRYPTO_SHA384_SIZE], author[CRYPTO_SHA384_SIZE];

                r = idblock_auth_key_digests(auth, n, id, author, NULL);
                if (r == -EINVAL)
                        problem(k, false, "id_auth_file", "'%s': ID_KEY_ALGO is not 1 (ECDSA "
                                "P-384 with SHA-384)", c->id_auth_file);
                else if (r < 0)
                        oom(k);
                else {
                        if (c->has_id_key_digest && memcmp(id, c->id_key_digest, sizeof(id)) != 0)
                                problem(k, false, "id_key_digest", "differs from the ID key in "
                                        "'%s'", c->id_auth_file);
                        if (c->has_author_key_digest &&
                            memcmp(author, c->author_key_digest, sizeof(author)) != 0)
                                problem(k, false, "author_key_digest", "differs from the author "
                                        "key in '%s'", c->id_auth_file);
                }
        }
}

/* The owner key and the disk binding reach the guest only on the measured command line, and
 * only through their own fields (one place per fact). A guest that waits for a disk key
 * (boot=encrypted) without them would boot to a refusal: said here, not at boot. */
static void check_cmdline(struct checker *k, const struct vm_config *c, bool kernel_placeholder) {
        const char *cl = c->kernel_cmdline ? c->kernel_cmdline : "";
        bool encrypted = false;

        for (const char *w = cl; *w; ) {
                size_t n = strcspn(w, " \t");

                if (n == strlen("boot=encrypted") && strncmp(w, "boot=encrypted", n) == 0)
                        encrypted = true;
                if (strncmp(w, CONFIG_CMDLINE_OWNER, strlen(CONFIG_CMDLINE_OWNER)) == 0)
                        problem(k, false, "kernel_cmdline", "must not set " CONFIG_CMDLINE_OWNER
                                ": use the owner_key_digest field, which adds it");
                if (strncmp(w, CONFIG_CMDLINE_LUKS, strlen(CONFIG_CMDLINE_LUKS)) == 0)
                        problem(k, false, "kernel_cmdline", "must not set " CONFIG_CMDLINE_LUKS
                                ": use the luks_binding field, which adds it");
                w += n;
                w += strspn(w, " \t");
        }
        if ((c->has_owner_key_digest || c->luks_binding) && !c->kernel_file && !kernel_placeholder)
                problem(k, false, c->has_owner_key_digest ? "owner_key_digest" : "luks_binding",
                        "needs kernel_file: it reaches the guest on the measured kernel command "
                        "line");
        if (encrypted && !c->has_owner_key_digest)
                problem(k, false, "owner_key_digest", "required with boot=encrypted: the guest "
                        "accepts its disk key only from this owner key (snpctl idblock keygen "
                        "prints the digest)");
        if (encrypted && !c->luks_binding)
                problem(k, false, "luks_binding", "required with boot=encrypted: the guest "
                        "opens only the LUKS2 volume bound here (snpctl disk bind IMAGE)");
}

/* kernel_cmdline, then the parameters of owner_key_digest and luks_binding. */
static int update_cmdline(struct vm_config *c) {
        char owner[2 * CONFIG_DIGEST_SIZE + 1] = "";
        char *s = NULL;
        int n;

        free(TAKE(c->cmdline));
        if (!c->kernel_cmdline && !c->has_owner_key_digest && !c->luks_binding)
                return 0;
        if (c->has_owner_key_digest)
                hex_encode_buf(c->owner_key_digest, sizeof(c->owner_key_digest), owner);
        n = asprintf(&s, "%s%s%s%s%s%s", c->kernel_cmdline ? c->kernel_cmdline : "",
                     c->has_owner_key_digest ? " " CONFIG_CMDLINE_OWNER : "", owner,
                     c->luks_binding ? " " CONFIG_CMDLINE_LUKS : "",
                     c->luks_binding ? c->luks_binding : "", "");
        if (n < 0)
                return -ENOMEM;
        /* No leading blank when kernel_cmdline is absent or empty. */
        if (s[0] == ' ')
                memmove(s, s + 1, strlen(s));
        c->cmdline = s;
        return 0;
}

int config_set_kernel_cmdline(struct vm_config *c, const char *value) {
        int r = config_set_string(&c->kernel_cmdline, value);

        if (r < 0)
                return r;
        return update_cmdline(c);
}

static void check_config(struct checker *k, const struct vm_config *c, bool vcpu_sig_given) {
        bool files = !(k->flags & CONFIG_SKIP_FILE_CHECKS);
        bool placeholders = k->flags & CONFIG_ALLOW_PLACEHOLDERS;
        bool kernel_placeholder = placeholder(k, "kernel_file");
        uint32_t sig;

        if (c->host_cpu_family == SNP_GEN_UNKNOWN && !placeholders &&
            !present(k, "host_cpu_family"))
                problem(k, false, "host_cpu_family", "required (Milan, Genoa or Turin)");
        if (!c->ovmf_file && !placeholders && !present(k, "ovmf_file"))
                problem(k, false, "ovmf_file", "required");
        if (c->vcpu_count < 1 || c->vcpu_count > SNP_MAX_VCPUS)
                problem(k, false, "vcpu_count", "%u is out of range 1..%d", c->vcpu_count,
                        SNP_MAX_VCPUS);

        if (!c->vcpu_type && !vcpu_sig_given)
                problem(k, false, "vcpu_type", "vcpu_type or vcpu_sig is required");
        else if (c->vcpu_type && config_vcpu_sig_from_type(c->vcpu_type, &sig) < 0) {
                if (!vcpu_sig_given)
                        problem(k, false, "vcpu_type", "unknown vCPU model '%s': give its CPUID "
                                "signature as vcpu_sig", c->vcpu_type);
        } else if (c->vcpu_type && vcpu_sig_given && sig != c->vcpu_sig)
                problem(k, false, "vcpu_sig", "0x%" PRIx32 " differs from the signature of "
                        "vcpu_type %s (0x%" PRIx32 ")", c->vcpu_sig, c->vcpu_type, sig);

        check_features(k, c->guest_features);
        check_policy(k, c->guest_policy);

        if (c->has_platform_info && (c->platform_info & ~SNP_PLATFORM_INFO_KNOWN_MASK)) {
                char list[256];

                bits_list(c->platform_info & ~SNP_PLATFORM_INFO_KNOWN_MASK, list, sizeof(list));
                problem(k, false, "platform_info", "reserved bits must be zero: 0x%" PRIx64
                        " (bit %s)", c->platform_info & ~SNP_PLATFORM_INFO_KNOWN_MASK, list);
        }
        if (!c->has_platform_info && c->platform_info_mask != UINT64_MAX)
                problem(k, true, "platform_info_mask", "has no effect without platform_info");

        if (c->min_committed_tcb.fmc != 0 && c->host_cpu_family != SNP_GEN_TURIN &&
            c->host_cpu_family != SNP_GEN_UNKNOWN)
                problem(k, false, "min_committed_tcb.fmc", "must be 0: %s has no FMC SPL "
                        "(Turin and later only)", config_cpu_family_to_string(c->host_cpu_family));
        if (c->vmpl > SNP_VMPL_MAX)
                problem(k, false, "vmpl", "%u is out of range 0..3", c->vmpl);
        if (c->min_report_version < 2 || c->min_report_version > 5)
                problem(k, false, "min_report_version", "%u is out of range 2..5",
                        c->min_report_version);
        if (c->initrd_file && !c->kernel_file && !kernel_placeholder)
                problem(k, false, "initrd_file", "needs kernel_file (direct boot)");
        if (c->kernel_cmdline && !c->kernel_file && !kernel_placeholder)
                problem(k, false, "kernel_cmdline", "needs kernel_file (direct boot)");
        check_cmdline(k, c, kernel_placeholder);
        if (c->id_auth_file && !c->id_block_file)
                problem(k, false, "id_auth_file", "needs id_block_file");
        if (c->memory_mb < MEMORY_MB_MIN || c->memory_mb > MEMORY_MB_MAX)
                problem(k, false, "memory_mb", "%" PRIu64 " is out of range %d..%" PRIu64,
                        c->memory_mb, MEMORY_MB_MIN, MEMORY_MB_MAX);
        if (c->cbitpos > 63)
                problem(k, false, "cbitpos", "%u is out of range 0..63", c->cbitpos);
        if (c->reduced_phys_bits < 1 || c->reduced_phys_bits > 63)
                problem(k, false, "reduced_phys_bits", "%u is out of range 1..63",
                        c->reduced_phys_bits);
        if (!c->qemu_binary || !*c->qemu_binary)
                problem(k, false, "qemu_binary", "must not be empty");

        if (c->network == CONFIG_NETWORK_NONE && c->n_forwards > 0)
                problem(k, false, "forwards", "need network \"user\"");
        for (size_t i = 0; i < c->n_forwards; i++)
                for (size_t j = 0; j < i; j++)
                        if (c->forwards[i].proto == c->forwards[j].proto &&
                            c->forwards[i].host_port == c->forwards[j].host_port &&
                            c->forwards[i].host_port != 0 &&
                            c->forwards[i].host_addr && c->forwards[j].host_addr &&
                            strcmp(c->forwards[i].host_addr, c->forwards[j].host_addr) == 0) {
                                char field[48];

                                snprintf(field, sizeof(field), "forwards[%zu].host_port", i);
                                problem(k, false, field, "%s port %u is forwarded twice "
                                        "(also forwards[%zu])", proto_names[c->forwards[i].proto],
                                        c->forwards[i].host_port, j);
                        }

        if (!files)
                return;
        if (c->ovmf_file && check_file(k, "ovmf_file", c->ovmf_file, false))
                check_ovmf(k, c);
        if (c->kernel_file)
                check_file(k, "kernel_file", c->kernel_file, false);
        if (c->initrd_file)
                check_file(k, "initrd_file", c->initrd_file, false);
        if (c->id_block_file)
                check_file(k, "id_block_file", c->id_block_file, false);
        if (c->id_auth_file)
                check_file(k, "id_auth_file", c->id_auth_file, false);
        for (size_t i = 0; i < c->n_disks; i++)
                if (c->disks[i].file) {
                        char field[48];

                        snprintf(field, sizeof(field), "disks[%zu].file", i);
                        check_file(k, field, c->disks[i].file, true);
                }
        if (c->qemu_binary && strchr(c->qemu_binary, '/') && access(c->qemu_binary, X_OK) < 0)
                problem(k, false, "qemu_binary", "'%s': %s", c->qemu_binary, strerror(errno));
        if (c->id_block_file)
                check_id_files(k, c);
}

int config_check(const struct vm_config *c, unsigned flags, struct config_problems *problems) {
        struct config_problems local = { 0 };
        struct checker k = {
                .name = c->path ? c->path : "config", .flags = flags,
                .problems = problems ? problems : &local,
        };
        uint32_t sig;
        bool given = !c->vcpu_type || config_vcpu_sig_from_type(c->vcpu_type, &sig) < 0 ||
                     sig != c->vcpu_sig;

        check_config(&k, c, given);
        config_problems_clear(&local);
        if (k.oom < 0)
                return k.oom;
        return k.errors > 0 ? -EINVAL : 0;
}

/* ---- loading ------------------------------------------------------------------------------- */

static size_t line_of(const char *text, size_t offset) {
        size_t line = 1;

        for (size_t i = 0; i < offset && text[i]; i++)
                if (text[i] == '\n')
                        line++;
        return line;
}

static int load_text(const char *text, size_t len, const char *name, const char *dir,
                     unsigned flags, struct config_problems *problems, struct vm_config **ret) {
        struct config_problems local = { 0 };
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct json_tokener *tok = NULL;
        struct json_object *root = NULL;
        struct parser p = {
                .k = { .name = name, .flags = flags, .problems = problems ? problems : &local },
                .dir = dir,
        };
        enum json_tokener_error jerr;
        size_t end;
        int r;

        r = config_new(&c);
        if (r < 0)
                return r;
        c->path = strdup(name);
        c->dir = dir ? strdup(dir) : NULL;
        if (!c->path || (dir && !c->dir))
                return -ENOMEM;
        p.c = c;

        if (len > INT_MAX || strlen(text) != len) {
                problem(&p.k, false, NULL, "not a JSON text (NUL byte or too large)");
                goto out;
        }
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, text, (int) len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (jerr == json_tokener_continue)
                jerr = json_tokener_error_parse_eof;
        if (jerr != json_tokener_success) {
                problem(&p.k, false, NULL, "line %zu: JSON syntax error: %s", line_of(text, end),
                        json_tokener_error_desc(jerr));
                goto out;
        }
        for (size_t i = end; i < len; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        problem(&p.k, false, NULL, "line %zu: text after the JSON object",
                                line_of(text, i));
                        goto out;
                }
        if (!json_object_is_type(root, json_type_object)) {
                problem(&p.k, false, NULL, "must be a JSON object, not %s", type_name(root));
                goto out;
        }
        parse_object(&p, root);
        if (c->vcpu_type && !p.vcpu_sig_given)
                (void) config_vcpu_sig_from_type(c->vcpu_type, &c->vcpu_sig);
        if (update_cmdline(c) < 0)
                oom(&p.k);
        check_config(&p.k, c, p.vcpu_sig_given);
out:
        json_object_put(root);
        if (tok)
                json_tokener_free(tok);
        config_problems_clear(&local);
        if (p.k.oom < 0)
                return p.k.oom;
        if (p.k.errors > 0)
                return -EINVAL;
        *ret = TAKE(c);
        return 0;
}

int config_load_string(const char *text, const char *name, const char *dir, unsigned flags,
                       struct config_problems *problems, struct vm_config **ret) {
        _cleanup_(freep) char *cwd = NULL;

        if (!dir) {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
        }
        return load_text(text, strlen(text), name ? name : "config", dir ? dir : cwd, flags,
                         problems, ret);
}

int config_load(const char *path, unsigned flags, struct config_problems *problems,
                struct vm_config **ret) {
        _cleanup_(freep) uint8_t *text = NULL;
        _cleanup_(freep) char *copy = NULL, *dir = NULL;
        bool is_stdin = strcmp(path, "-") == 0;
        size_t size;
        char *slash;
        int r;

        r = fileio_read_full(is_stdin ? "/dev/stdin" : path, 1 << 20, &text, &size);
        if (r < 0)
                return r;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        slash = strrchr(copy, '/');
        if (is_stdin || !slash)
                dir = getcwd(NULL, 0);
        else {
                if (slash == copy)
                        slash[1] = '\0';
                else
                        *slash = '\0';
                dir = realpath(copy, NULL);
        }
        if (!dir)
                return -errno;
        return load_text((const char *) text, size, path, dir, flags, problems, ret);
}

/* ---- serialisation ------------------------------------------------------------------------- */

static int add_hex64(struct json_object *o, const char *key, uint64_t v) {
        char buf[24];

        snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
        return output_add_str(o, key, buf);
}

static int add_opt_hex(struct json_object *o, const char *key, bool has, const void *d,
                       size_t n) {
        return has ? output_add_hex(o, key, d, n) : output_add_str(o, key, NULL);
}

static int tcb_to_json(const struct snp_tcb *t, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();

        if (!o ||
            output_add_int(o, "bootloader", t->bootloader) < 0 ||
            output_add_int(o, "tee", t->tee) < 0 ||
            output_add_int(o, "snp", t->snp) < 0 ||
            output_add_int(o, "microcode", t->microcode) < 0 ||
            output_add_int(o, "fmc", t->fmc) < 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

static int disks_to_json(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_disks; i++) {
                struct json_object *d = json_object_new_object();

                if (!d || json_object_array_add(a, d) < 0) {
                        json_object_put(d);
                        return -ENOMEM;
                }
                if (output_add_str(d, "file", c->disks[i].file) < 0 ||
                    output_add_str(d, "format", format_names[c->disks[i].format]) < 0 ||
                    output_add_str(d, "bus", bus_names[c->disks[i].bus]) < 0 ||
                    output_add_bool(d, "readonly", c->disks[i].readonly) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE(a);
        return 0;
}

static int forwards_to_json(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_forwards; i++) {
                struct json_object *f = json_object_new_object();

                if (!f || json_object_array_add(a, f) < 0) {
                        json_object_put(f);
                        return -ENOMEM;
                }
                if (output_add_str(f, "proto", proto_names[c->forwards[i].proto]) < 0 ||
                    output_add_str(f, "host_addr", c->forwards[i].host_addr) < 0 ||
                    output_add_int(f, "host_port", c->forwards[i].host_port) < 0 ||
                    output_add_int(f, "guest_port", c->forwards[i].guest_port) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE(a);
        return 0;
}

int config_to_json(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        struct json_object *tcb = NULL, *disks = NULL, *forwards = NULL;
        char sig[16];
        uint32_t type_sig;

        if (!o)
                return -ENOMEM;
        /* vcpu_sig is written only when it is not the vcpu_type's, so editing vcpu_type works */
        snprintf(sig, sizeof(sig), "0x%" PRIx32, c->vcpu_sig);
        if (c->vcpu_type && config_vcpu_sig_from_type(c->vcpu_type, &type_sig) == 0 &&
            type_sig == c->vcpu_sig)
                sig[0] = '\0';
        if (output_add_str(o, "host_cpu_family", c->host_cpu_family == SNP_GEN_UNKNOWN ?
                           NULL : config_cpu_family_to_string(c->host_cpu_family)) < 0 ||
            output_add_int(o, "vcpu_count", c->vcpu_count) < 0 ||
            output_add_str(o, "vcpu_type", c->vcpu_type) < 0 ||
            output_add_str(o, "vcpu_sig", sig[0] ? sig : NULL) < 0 ||
            output_add_str(o, "vmm_type", config_vmm_type_to_string(c->vmm_type)) < 0 ||
            add_hex64(o, "guest_features", c->guest_features) < 0 ||
            output_add_str(o, "ovmf_file", c->ovmf_file) < 0 ||
            output_add_str(o, "kernel_file", c->kernel_file) < 0 ||
            output_add_str(o, "initrd_file", c->initrd_file) < 0 ||
            output_add_str(o, "kernel_cmdline", c->kernel_cmdline) < 0 ||
            add_opt_hex(o, "owner_key_digest", c->has_owner_key_digest, c->owner_key_digest,
                        CONFIG_DIGEST_SIZE) < 0 ||
            output_add_str(o, "luks_binding", c->luks_binding) < 0 ||
            add_hex64(o, "guest_policy", c->guest_policy) < 0 ||
            add_opt_hex(o, "host_data", c->has_host_data, c->host_data, SNP_HOST_DATA_SIZE) < 0 ||
            output_add_str(o, "id_block_file", c->id_block_file) < 0 ||
            output_add_str(o, "id_auth_file", c->id_auth_file) < 0 ||
            (c->has_platform_info ? add_hex64(o, "platform_info", c->platform_info) :
                                    output_add_str(o, "platform_info", NULL)) < 0 ||
            add_hex64(o, "platform_info_mask", c->platform_info_mask) < 0 ||
            (c->has_min_committed_tcb ?
                     (tcb_to_json(&c->min_committed_tcb, &tcb) < 0 ||
                      output_add_obj(o, "min_committed_tcb", tcb) < 0) :
                     output_add_str(o, "min_committed_tcb", NULL) < 0) ||
            output_add_hex(o, "family_id", c->family_id, SNP_ID_SIZE) < 0 ||
            output_add_hex(o, "image_id", c->image_id, SNP_ID_SIZE) < 0 ||
            output_add_u64(o, "guest_svn", c->guest_svn) < 0 ||
            add_opt_hex(o, "id_key_digest", c->has_id_key_digest, c->id_key_digest,
                        CONFIG_DIGEST_SIZE) < 0 ||
            add_opt_hex(o, "author_key_digest", c->has_author_key_digest, c->author_key_digest,
                        CONFIG_DIGEST_SIZE) < 0 ||
            output_add_int(o, "vmpl", c->vmpl) < 0 ||
            output_add_str(o, "signer", config_signer_to_string(c->signer)) < 0 ||
            output_add_int(o, "min_report_version", c->min_report_version) < 0 ||
            output_add_str(o, "qemu_binary", c->qemu_binary) < 0 ||
            output_add_u64(o, "memory_mb", c->memory_mb) < 0 ||
            (c->cbitpos ? output_add_int(o, "cbitpos", c->cbitpos) :
                          output_add_str(o, "cbitpos", NULL)) < 0 ||
            output_add_int(o, "reduced_phys_bits", c->reduced_phys_bits) < 0 ||
            disks_to_json(c, &disks) < 0 ||
            output_add_obj(o, "disks", disks) < 0 ||
            output_add_str(o, "network", network_names[c->network]) < 0 ||
            forwards_to_json(c, &forwards) < 0 ||
            output_add_obj(o, "forwards", forwards) < 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

static int json_to_text(struct json_object *o, char **ret_text) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
        char *text;

        if (!s || asprintf(&text, "%s\n", s) < 0)
                return -ENOMEM;
        *ret_text = text;
        return 0;
}

int config_format(const struct vm_config *c, char **ret_text) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        int r = config_to_json(c, &o);

        if (r < 0)
                return r;
        return json_to_text(o, ret_text);
}

/* Replaces key's value, keeping its place in the object. */
static int set_placeholder(struct json_object *o, const char *key, const char *text) {
        return json_object_object_add(o, key, json_object_new_string(text)) < 0 ? -ENOMEM : 0;
}

int config_format_template(const struct vm_config *c, char **ret_text) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        struct json_object *disks, *forwards, *d, *f;
        int r = config_to_json(c, &o);

        if (r < 0)
                return r;
        if (c->host_cpu_family == SNP_GEN_UNKNOWN &&
            set_placeholder(o, "host_cpu_family", "<Milan|Genoa|Turin: the host's EPYC "
                            "generation, or use config init --from-report>") < 0)
                return -ENOMEM;
        if (!c->ovmf_file && set_placeholder(o, "ovmf_file", "<OVMF.fd built from "
                                             "OvmfPkg/AmdSev/AmdSevX64.dsc>") < 0)
                return -ENOMEM;
        if (!c->kernel_file && set_placeholder(o, "kernel_file", "<guest kernel (bzImage), or "
                                               "null to boot from disk>") < 0)
                return -ENOMEM;
        if (!c->initrd_file && set_placeholder(o, "initrd_file", "<initramfs (cpio.gz), or "
                                               "null for none>") < 0)
                return -ENOMEM;
        if (!c->kernel_file && !c->kernel_cmdline &&
            set_placeholder(o, "kernel_cmdline", "console=ttyS0 earlyprintk=serial root=/dev/sda") < 0)
                return -ENOMEM;
        if (memcmp(&c->min_committed_tcb, &(struct snp_tcb) { 0 }, sizeof(struct snp_tcb)) == 0 &&
            set_placeholder(o, "min_committed_tcb", "<{\"bootloader\": N, \"tee\": N, \"snp\": N, "
                            "\"microcode\": N, \"fmc\": N}: the oldest firmware to accept, "
                            "or use config init --from-report>") < 0)
                return -ENOMEM;
        if (c->n_disks == 0) {
                disks = json_object_new_array();
                d = json_object_new_object();
                if (!disks || !d || json_object_array_add(disks, d) < 0) {
                        json_object_put(disks);
                        json_object_put(d);
                        return -ENOMEM;
                }
                if (output_add_obj(o, "disks", disks) < 0 ||
                    output_add_str(d, "file", "<guest disk image, or remove this entry>") < 0 ||
                    output_add_str(d, "format", "qcow2") < 0 ||
                    output_add_str(d, "bus", "scsi") < 0 ||
                    output_add_bool(d, "readonly", false) < 0)
                        return -ENOMEM;
        }
        if (c->n_forwards == 0 && c->network == CONFIG_NETWORK_USER) {
                forwards = json_object_new_array();
                f = json_object_new_object();
                if (!forwards || !f || json_object_array_add(forwards, f) < 0) {
                        json_object_put(forwards);
                        json_object_put(f);
                        return -ENOMEM;
                }
                if (output_add_obj(o, "forwards", forwards) < 0 ||
                    output_add_str(f, "proto", "tcp") < 0 ||
                    output_add_str(f, "host_addr", "127.0.0.1") < 0 ||
                    output_add_int(f, "host_port", 2222) < 0 ||
                    output_add_int(f, "guest_port", 22) < 0)
                        return -ENOMEM;
        }
        return json_to_text(o, ret_text);
}

/* ---- the launch digest ------------------------------------------------------------------- */

void config_measure_params(const struct vm_config *c, struct measure_params *p) {
        measure_params_init(p);
        p->mode = MEASURE_MODE_SNP;
        p->ovmf = c->ovmf_file;
        p->kernel = c->kernel_file;
        p->initrd = c->initrd_file;
        p->append = c->cmdline;
        p->vcpus = c->vcpu_count;
        p->vcpu_sig = c->vcpu_sig;
        p->vmm = c->vmm_type;
        p->guest_features = c->guest_features;
}

int config_expected_digest(const struct vm_config *c, uint8_t ret[CONFIG_DIGEST_SIZE],
                           char **ret_why) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        struct measure_params p;
        int r;

        if (ret_why)
                *ret_why = NULL;
        if (!c->ovmf_file) {
                if (ret_why)
                        *ret_why = strdup("no ovmf_file");
                return -EINVAL;
        }
        config_measure_params(c, &p);
        r = measure_compute(&p, &res, ret_why);
        if (r < 0)
                return r;
        if (res->digest_size != CONFIG_DIGEST_SIZE)
                return -EIO;
        memcpy(ret, res->digest, CONFIG_DIGEST_SIZE);
        return 0;
}

/* ---- from a report ------------------------------------------------------------------------- */

/* The one report reader is report_parse() (src/report.c): the same size, version, reserved-field
 * and policy checks as attest-verify, and its CPUID table (snp-facts B.3.2). */
int config_fill_from_report(struct vm_config *c, const void *report, size_t size,
                            unsigned *ret_filled) {
        enum snp_generation gen = c->host_cpu_family;
        struct snp_report rep;
        struct snp_tcb tcb;
        unsigned filled = 0;
        int r;

        r = report_parse(report, size, &rep, NULL);
        if (r < 0)
                return r;
        if (rep.vmpl > SNP_VMPL_MAX || rep.signing_key > SNP_SIGNER_VLEK)
                return -EBADMSG;        /* a guest's report names its VMPL and its key */
        if (rep.version >= 3) {
                gen = report_generation_from_cpuid(&rep);
                if (gen == SNP_GEN_UNKNOWN)
                        return -EPROTONOSUPPORT;
                filled |= CONFIG_FILLED_CPU_FAMILY;
        }
        /* A v2 report names no CPU: the family already set decides the TCB layout, and its
         * reserved bytes must then be zero; unset, the Milan/Genoa layout is assumed. */
        r = snp_tcb_decode(rep.committed_tcb, gen == SNP_GEN_UNKNOWN ? SNP_GEN_MILAN : gen, &tcb);
        if (r < 0 && gen != SNP_GEN_UNKNOWN)
                return r;

        c->host_cpu_family = gen;
        c->guest_policy = rep.policy;
        c->has_platform_info = true;
        c->platform_info = rep.platform_info;
        c->platform_info_mask = UINT64_MAX;
        c->min_committed_tcb = (struct snp_tcb) {
                .bootloader = tcb.bootloader, .tee = tcb.tee, .snp = tcb.snp,
                .microcode = tcb.microcode, .fmc = tcb.has_fmc ? tcb.fmc : 0,
        };      /* has_fmc stays false: in a config, host_cpu_family decides the layout */
        c->has_min_committed_tcb = true;
        c->vmpl = rep.vmpl;
        c->signer = rep.signing_key == SNP_SIGNER_VLEK ? CONFIG_SIGNER_VLEK : CONFIG_SIGNER_VCEK;
        filled |= CONFIG_FILLED_POLICY | CONFIG_FILLED_PLATFORM_INFO | CONFIG_FILLED_MIN_TCB |
                  CONFIG_FILLED_VMPL | CONFIG_FILLED_SIGNER;
        if (ret_filled)
                *ret_filled = filled;
        return 0;
}

/* ---- decoded JSON -------------------------------------------------------------------------- */

int config_problems_to_json(const struct config_problems *p, bool warnings,
                            struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < p->n; i++) {
                struct json_object *s;

                if (p->items[i].warning != warnings)
                        continue;
                s = json_object_new_string(p->items[i].text);
                if (!s || json_object_array_add(a, s) < 0) {
                        json_object_put(s);
                        return -ENOMEM;
                }
        }
        *ret = TAKE(a);
        return 0;
}

static int bit_names_json(uint64_t value, const struct snp_bit_name *names,
                          struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (const struct snp_bit_name *b = names; b->name; b++) {
                struct json_object *s;

                if (!(value & (UINT64_C(1) << b->bit)))
                        continue;
                s = json_object_new_string(b->name);
                if (!s || json_object_array_add(a, s) < 0) {
                        json_object_put(s);
                        return -ENOMEM;
                }
        }
        *ret = TAKE(a);
        return 0;
}

static int policy_json(uint64_t p, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();

        if (!o ||
            output_add_int(o, "abi_major", (int64_t) ((p & SNP_POLICY_ABI_MAJOR_MASK) >> 8)) < 0 ||
            output_add_int(o, "abi_minor", (int64_t) (p & SNP_POLICY_ABI_MINOR_MASK)) < 0)
                return -ENOMEM;
        for (const struct snp_bit_name *b = snp_policy_bits; b->name; b++)
                if (output_add_bool(o, b->name, p & (UINT64_C(1) << b->bit)) < 0)
                        return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

int config_to_json_decoded(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = NULL, *d = json_object_new_object();
        struct json_object *policy = NULL, *features = NULL, *pinfo = NULL;
        int r = config_to_json(c, &o);

        if (r < 0)
                return r;
        if (!d ||
            policy_json(c->guest_policy, &policy) < 0 ||
            output_add_obj(d, "guest_policy", policy) < 0 ||
            bit_names_json(c->guest_features, snp_feature_bits, &features) < 0 ||
            output_add_obj(d, "guest_features", features) < 0 ||
            (c->has_platform_info ?
                     (bit_names_json(c->platform_info, snp_platform_info_bits, &pinfo) < 0 ||
                      output_add_obj(d, "platform_info", pinfo) < 0) :
                     output_add_str(d, "platform_info", NULL) < 0) ||
            (c->has_min_committed_tcb ?
                     add_hex64(d, "min_committed_tcb", snp_tcb_encode(&c->min_committed_tcb,
                                                                      c->host_cpu_family)) :
                     output_add_str(d, "min_committed_tcb", NULL)) < 0 ||
            output_add_obj(o, "decoded", TAKE(d)) < 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}
