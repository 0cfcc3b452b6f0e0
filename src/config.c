/* SPDX-License-Identifier: Apache-2.0 */
/* The VM description: names, the object and its setters, problems, loading, the launch digest,
 * and the host-dependent fields taken from a known-good report. The parser is config-parse.c,
 * the checks config-check.c, serialisation config-json.c. The field list is docs/config.md; a
 * test checks that each name in config_field_names[] is documented there. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "config-private.h"
#include "json-keys.h"
#include "fileio.h"
#include "hex.h"
#include "log.h"
#include "measure.h"
#include "parse.h"
#include "report.h"

/* ---- names ------------------------------------------------------------------------------ */

/* Indexed by enum snp_generation, enum qemu_disk_format and enum qemu_disk_bus. */
const char *const config_family_names[] = { "", "Milan", "Genoa", "Turin", NULL };
const char *const config_vmm_names[] = { "QEMU", "EC2", "GCE", NULL };
const char *const config_signer_names[] = { "vcek", "vlek", NULL };
const char *const config_format_names[] = { "", "raw", "qcow2", NULL };
const char *const config_bus_names[] = { "scsi", "blk", NULL };
const char *const config_network_names[] = { "user", "none", NULL };
const char *const config_proto_names[] = { "tcp", "udp", NULL };

int config_name_index(const char *const *names, const char *s) {
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
        int i = config_name_index(config_family_names, s);

        if (i < 0)
                return i;
        *ret = (enum snp_generation) i;
        return 0;
}

const char *config_vmm_type_to_string(enum measure_vmm t) {
        return t <= MEASURE_VMM_GCE ? config_vmm_names[t] : "unknown";
}

int config_vmm_type_from_string(const char *s, enum measure_vmm *ret) {
        int i = config_name_index(config_vmm_names, s);

        if (i < 0)
                return i;
        *ret = (enum measure_vmm) i;
        return 0;
}

const char *config_signer_to_string(enum config_signer s) {
        return s <= CONFIG_SIGNER_VLEK ? config_signer_names[s] : "unknown";
}

/* One table of QEMU models for the whole tool: the measure module's (snp-facts A.6). */
int config_vcpu_sig_from_type(const char *type, uint32_t *ret_sig) {
        if (!type)
                return -ENOENT;
        return measure_vcpu_sig_from_type(type, ret_sig);
}

/* ---- the config object --------------------------------------------------------------------- */

void config_disks_free(struct config_disk *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(d[i].file);
        free(d);
}

void config_forwards_free(struct config_forward *f, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(f[i].host_addr);
        free(f);
}

static void digest_cache_clear(struct config_digest_cache *d) {
        free(d->ovmf);
        free(d->kernel);
        free(d->initrd);
        free(d->append);
        *d = (struct config_digest_cache) { .valid = false };
}

void config_free(struct vm_config *c) {
        if (!c)
                return;
        if (c->digest_cache)
                digest_cache_clear(c->digest_cache);
        free(c->digest_cache);
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
        config_disks_free(c->disks, c->n_disks);
        config_forwards_free(c->forwards, c->n_forwards);
        free(c->measurements);
        free(c->id_key_digests);
        free(c->author_key_digests);
        free(c->chip_ids);
        free(c);
}

int config_new(struct vm_config **ret) {
        _cleanup_(config_freep) struct vm_config *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->vcpu_count = 1;
        c->vcpu_type = strdup("EPYC-v4");
        c->qemu_binary = strdup("qemu-system-x86_64");
        c->digest_cache = calloc(1, sizeof(*c->digest_cache));
        if (!c->vcpu_type || !c->qemu_binary || !c->digest_cache)
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
char *config_resolve_path(const char *dir, const char *path) {
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
        s = config_resolve_path(cwd, value);
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

/* The applets' one printer of config problems, so that they carry the log prefix and -q silences
 * the warnings; an exception to "the library logs at debug level", made on the applet's behalf. */
int config_log_problems(const struct config_problems *p, const char *path) {
        static const char marker[] = "warning: ";

        for (size_t i = 0; i < p->n; i++) {
                const char *text = p->items[i].text;
                /* "FILE: FIELD: warning: message": the log's own tag leads instead. */
                const char *w = p->items[i].warning ? strstr(text, marker) : NULL;

                if (!p->items[i].warning)
                        log_error("%s", text);
                else if (w)
                        log_warning("%.*s%s", (int) (w - text), text, w + strlen(marker));
                else
                        log_warning("%s", text);
        }
        if (p->n_errors == 0)
                return 0;
        log_error("config '%s': %zu error%s", path, p->n_errors, p->n_errors == 1 ? "" : "s");
        return -EINVAL;
}

__attribute__((format(printf, 4, 5)))
void config_problem(struct checker *k, bool warning, const char *field, const char *fmt, ...) {
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

void config_oom(struct checker *k) {
        k->oom = -ENOMEM;
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
        struct json_duplicate dup;
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
                config_problem(&p.k, false, NULL, "not a JSON text (NUL byte or too large)");
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
                config_problem(&p.k, false, NULL, "line %zu: JSON syntax error: %s",
                               line_of(text, end), json_tokener_error_desc(jerr));
                goto out;
        }
        for (size_t i = end; i < len; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        config_problem(&p.k, false, NULL, "line %zu: text after the JSON object",
                                       line_of(text, i));
                        goto out;
                }
        if (!json_object_is_type(root, json_type_object)) {
                config_problem(&p.k, false, NULL, "must be a JSON object, not %s",
                               config_json_type_name(root));
                goto out;
        }
        /* json-c keeps the last of two equal keys: a second "vmpl" would turn a check off. */
        r = json_find_duplicate_key(text, end, &dup);
        if (r == -ENOMEM)
                config_oom(&p.k);
        else if (r > 0)
                config_problem(&p.k, false, dup.key, "given twice, on lines %zu and %zu",
                               dup.first_line, dup.second_line);
        else if (r < 0)
                config_problem(&p.k, false, NULL, "not a JSON text json-c and snpctl agree on");
        if (r != 0)
                goto out;
        config_parse_object(&p, root);
        if (c->vcpu_type && !p.vcpu_sig_given)
                (void) config_vcpu_sig_from_type(c->vcpu_type, &c->vcpu_sig);
        if (update_cmdline(c) < 0)
                config_oom(&p.k);
        config_check_fields(&p.k, c, p.vcpu_sig_given);
out:
        free(p.k.digest_why);
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

int config_folder_of(const char *path, char **ret) {
        _cleanup_(freep) char *parent = fileio_parent_dir(path);

        if (!parent)
                return -ENOMEM;
        *ret = realpath(parent, NULL);
        return *ret ? 0 : -errno;
}

int config_load(const char *path, unsigned flags, struct config_problems *problems,
                struct vm_config **ret) {
        _cleanup_(freep) uint8_t *text = NULL;
        _cleanup_(freep) char *dir = NULL;
        bool is_stdin = strcmp(path, "-") == 0;
        size_t size;
        int r;

        r = fileio_read_full(is_stdin ? "/dev/stdin" : path, 1 << 20, &text, &size);
        if (r < 0)
                return r;
        r = config_folder_of(is_stdin ? "." : path, &dir);
        if (r < 0)
                return r;
        return load_text((const char *) text, size, path, dir, flags, problems, ret);
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

static bool dup_str(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return !s || *ret;
}

/* Kept only when it fits (a failed copy just leaves nothing kept). */
static void digest_cache_store(struct config_digest_cache *d, const struct measure_params *p,
                               const uint8_t digest[CONFIG_DIGEST_SIZE]) {
        digest_cache_clear(d);
        if (p->svsm || !dup_str(p->ovmf, &d->ovmf) || !dup_str(p->kernel, &d->kernel) ||
            !dup_str(p->initrd, &d->initrd) || !dup_str(p->append, &d->append)) {
                digest_cache_clear(d);
                return;
        }
        d->key = *p;
        d->key.ovmf = d->ovmf;
        d->key.kernel = d->kernel;
        d->key.initrd = d->initrd;
        d->key.append = d->append;
        d->key.ovmf_image = NULL;
        d->key.progress = NULL;
        d->key.progress_userdata = NULL;
        memcpy(d->digest, digest, CONFIG_DIGEST_SIZE);
        d->valid = true;
}

int config_measure_digest(const struct vm_config *c, const struct measure_params *p,
                          uint8_t ret[CONFIG_DIGEST_SIZE], char **ret_why) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        struct config_digest_cache *d = c->digest_cache;
        int r;

        if (ret_why)
                *ret_why = NULL;
        if (d && d->valid && measure_params_same(&d->key, p)) {
                memcpy(ret, d->digest, CONFIG_DIGEST_SIZE);
                return 0;
        }
        r = measure_compute(p, &res, ret_why);
        if (r < 0)
                return r;
        if (res->digest_size != CONFIG_DIGEST_SIZE)
                return -EIO;
        if (d)
                digest_cache_store(d, p, res->digest);
        memcpy(ret, res->digest, CONFIG_DIGEST_SIZE);
        return 0;
}

int config_expected_digest_image(const struct vm_config *c, const struct ovmf_image *img,
                                 uint8_t ret[CONFIG_DIGEST_SIZE], char **ret_why) {
        struct measure_params p;

        if (ret_why)
                *ret_why = NULL;
        if (!c->ovmf_file) {
                if (ret_why)
                        *ret_why = strdup("no ovmf_file");
                return -EINVAL;
        }
        config_measure_params(c, &p);
        p.ovmf_image = img;
        return config_measure_digest(c, &p, ret, ret_why);
}

int config_expected_digest(const struct vm_config *c, uint8_t ret[CONFIG_DIGEST_SIZE],
                           char **ret_why) {
        return config_expected_digest_image(c, NULL, ret, ret_why);
}

/* ---- the options over the config (config.h) ------------------------------------------- */

/* Where each field lies in struct vm_config, its size, and its has_* flag (0: none). */
static const struct {
        size_t offset;
        size_t size;
        bool string;
        size_t has;
} option_fields[CONFIG_FIELD_COUNT] = {
#define STRING(field, member) [field] = { offsetof(struct vm_config, member), sizeof(char *), true, 0 }
#define VALUE_HAS(field, member, has) \
        [field] = { offsetof(struct vm_config, member), sizeof(((struct vm_config *) 0)->member), \
                    false, has }
#define VALUE(field, member) VALUE_HAS(field, member, 0)
        STRING(CONFIG_FIELD_OVMF_FILE, ovmf_file),
        STRING(CONFIG_FIELD_KERNEL_FILE, kernel_file),
        STRING(CONFIG_FIELD_INITRD_FILE, initrd_file),
        STRING(CONFIG_FIELD_KERNEL_CMDLINE, kernel_cmdline),
        STRING(CONFIG_FIELD_CMDLINE, cmdline),
        VALUE(CONFIG_FIELD_VCPU_COUNT, vcpu_count),
        STRING(CONFIG_FIELD_VCPU_TYPE, vcpu_type),
        VALUE(CONFIG_FIELD_VCPU_SIG, vcpu_sig),
        VALUE(CONFIG_FIELD_VMM_TYPE, vmm_type),
        VALUE(CONFIG_FIELD_GUEST_FEATURES, guest_features),
        VALUE(CONFIG_FIELD_GUEST_POLICY, guest_policy),
        STRING(CONFIG_FIELD_ID_BLOCK_FILE, id_block_file),
        STRING(CONFIG_FIELD_ID_AUTH_FILE, id_auth_file),
        VALUE(CONFIG_FIELD_FAMILY_ID, family_id),
        VALUE(CONFIG_FIELD_IMAGE_ID, image_id),
        VALUE(CONFIG_FIELD_GUEST_SVN, guest_svn),
        STRING(CONFIG_FIELD_QEMU_BINARY, qemu_binary),
        VALUE(CONFIG_FIELD_MEMORY_MB, memory_mb),
        VALUE(CONFIG_FIELD_CBITPOS, cbitpos),
        VALUE(CONFIG_FIELD_REDUCED_PHYS_BITS, reduced_phys_bits),
        VALUE_HAS(CONFIG_FIELD_PLATFORM_INFO, platform_info,
                  offsetof(struct vm_config, has_platform_info)),
        VALUE(CONFIG_FIELD_PLATFORM_INFO_MASK, platform_info_mask),
        VALUE_HAS(CONFIG_FIELD_ID_KEY_DIGEST, id_key_digest,
                  offsetof(struct vm_config, has_id_key_digest)),
        VALUE_HAS(CONFIG_FIELD_AUTHOR_KEY_DIGEST, author_key_digest,
                  offsetof(struct vm_config, has_author_key_digest)),
        VALUE_HAS(CONFIG_FIELD_HOST_DATA, host_data, offsetof(struct vm_config, has_host_data)),
        VALUE(CONFIG_FIELD_VMPL, vmpl),
        VALUE(CONFIG_FIELD_MIN_REPORT_VERSION, min_report_version),
#undef STRING
#undef VALUE
#undef VALUE_HAS
};

int config_apply_options(struct vm_config *c, const struct config_option *table, size_t n,
                         const struct cli_given *given, const void *args) {
        bool kernel_cmdline = false;

        for (size_t i = 0; i < n; i++) {
                const struct config_option *o = &table[i];
                const void *src = (const char *) args + o->offset;
                void *dst;
                int r;

                if ((unsigned) o->field >= CONFIG_FIELD_COUNT ||
                    o->size != option_fields[o->field].size)
                        return -EINVAL;
                if (!cli_given(given, o->key))
                        continue;
                dst = (char *) c + option_fields[o->field].offset;
                if (option_fields[o->field].string) {
                        const char *value;

                        memcpy(&value, src, sizeof(value));
                        r = config_set_string(dst, value);
                        if (r < 0)
                                return r;
                } else
                        memcpy(dst, src, o->size);
                if (option_fields[o->field].has)
                        *(bool *) ((char *) c + option_fields[o->field].has) = true;
                kernel_cmdline = kernel_cmdline || o->field == CONFIG_FIELD_KERNEL_CMDLINE;
        }
        return kernel_cmdline ? update_cmdline(c) : 0;
}

int config_load_with_options(const char *path, unsigned flags, const struct config_option *table,
                             size_t n, const struct cli_given *given, const void *args,
                             struct vm_config **ret) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems problems = { 0 };
        int r = config_load(path, flags, &problems, &c);

        (void) config_log_problems(&problems, path);
        config_problems_clear(&problems);
        if (r == -EINVAL)
                return r;       /* the problems said why */
        if (r < 0)
                return log_errno(r, "reading config '%s'", path);
        r = table ? config_apply_options(c, table, n, given, args) : 0;
        if (r < 0)
                return log_errno(r, "applying the options to config '%s'", path);
        *ret = TAKE(c);
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
