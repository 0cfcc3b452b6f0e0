/* SPDX-License-Identifier: Apache-2.0 */
/* What the config module's files share (src/config*.c); not installed, not for other modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define MEMORY_MB_MIN 64
#define MEMORY_MB_MAX (UINT64_C(16) << 20)      /* 16 TiB */

/* Indexed by enum snp_generation, enum measure_vmm, enum config_signer, enum qemu_disk_format,
 * enum qemu_disk_bus, enum config_network_mode and enum config_net_proto. */
extern const char *const config_family_names[];
extern const char *const config_vmm_names[];
extern const char *const config_signer_names[];
extern const char *const config_format_names[];
extern const char *const config_bus_names[];
extern const char *const config_network_names[];
extern const char *const config_proto_names[];

/* The index of s in a NULL-terminated names table (case-insensitive), or -EINVAL. */
/* The folder that relative paths in the config file at path resolve against: the real path of
 * the folder path names (for a symbolic link: the link's folder; "." without a slash). 0 and
 * *ret malloc'd, or -errno. */
int config_folder_of(const char *path, char **ret);

int config_name_index(const char *const *names, const char *s);

/* The last launch digest computed for a config: key is the measurement it covered, its
 * strings the copies below. */
struct config_digest_cache {
        bool valid;
        struct measure_params key;
        char *ovmf, *kernel, *initrd, *append;
        uint8_t digest[CONFIG_DIGEST_SIZE];
};

/* config_expected_digest() with the config's OVMF already opened (the check's open). */
int config_expected_digest_image(const struct vm_config *c, const struct ovmf_image *img,
                                 uint8_t ret[CONFIG_DIGEST_SIZE], char **ret_why);

/* Collects problems while parsing or checking one config. */
struct checker {
        const char *name;               /* file name for messages */
        unsigned flags;
        struct config_problems *problems;
        size_t errors;
        int oom;                        /* -ENOMEM once an allocation failed */
        uint64_t placeholders;          /* top-level fields (by index in fields[]) left as "<...>" */
        uint64_t present;               /* top-level fields given (with any value) */
        bool ovmf_ok;                   /* the OVMF passed check_ovmf() */
        int digest_r;                   /* with ovmf_ok: config_expected_digest()'s result, */
        char *digest_why;               /* its reason (freed by the checker's owner) */
        uint8_t digest[CONFIG_DIGEST_SIZE];     /* and the digest */
};

/* Appends "NAME: FIELD: [warning: ]message" to k's problems (at most CONFIG_MAX_PROBLEMS, then a
 * marker); an error also counts in k->errors. Allocation failures set k->oom. */
__attribute__((format(printf, 4, 5)))
void config_problem(struct checker *k, bool warning, const char *field, const char *fmt, ...);
void config_oom(struct checker *k);

/* "an integer", "a string", ... for messages. */
const char *config_json_type_name(struct json_object *v);

/* path made absolute against dir (unless it is already); NULL when out of memory. */
char *config_resolve_path(const char *dir, const char *path);
void config_disks_free(struct config_disk *d, size_t n);
void config_forwards_free(struct config_forward *f, size_t n);

struct parser {
        struct checker k;
        const char *dir;
        struct vm_config *c;
        bool vcpu_sig_given;
        bool tcb_seen;
};

/* Parses the top-level object into p->c, recording which fields were given or left as
 * placeholders (config-parse.c). */
void config_parse_object(struct parser *p, struct json_object *root);
/* Whether the top-level field name was left as a "<...>" placeholder, or given at all. */
bool config_field_placeholder(const struct checker *k, const char *name);
bool config_field_present(const struct checker *k, const char *name);

/* Every value and file check of config_check() (config-check.c); vcpu_sig_given: the config set
 * vcpu_sig itself rather than taking vcpu_type's. */
void config_check_fields(struct checker *k, const struct vm_config *c, bool vcpu_sig_given);
