/* SPDX-License-Identifier: Apache-2.0 */
/* The VM description (docs/config.md): one JSON file that drives launch, measure, idblock and
 * attest-verify, so that what is launched and what is verified cannot drift apart. Loading checks
 * everything and collects every problem, each as "FILE: FIELD: message". Paths are resolved
 * against the config file's folder when loaded. json-c stays inside src/config*.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measure.h"
#include "qemu.h"
#include "snp-abi.h"

struct json_object;

/* Bounded work for any config (docs/limits.md): far above any real VM, far below what a 1 MiB
 * file could otherwise make us allocate and print. */
#define CONFIG_MAX_DISKS 64
#define CONFIG_MAX_FORWARDS 256
#define CONFIG_MAX_PROBLEMS 100         /* listed; more are counted, not listed */
#define CONFIG_DIGEST_SIZE 48           /* SHA-384: launch digest, key digests */
#define CONFIG_MAX_ACCEPTED 16          /* measurements, id/author key digests each */
#define CONFIG_MAX_CHIP_IDS 256
#define CONFIG_LABEL_MAX 32             /* a measurement's label: 1..32 of [A-Za-z0-9._-] */
#define CONFIG_CHIP_ID_SIZE 64

/* One accepted launch digest of a roll-forward policy ("measurements"). */
struct config_measurement {
        char label[CONFIG_LABEL_MAX + 1];
        uint8_t digest[CONFIG_DIGEST_SIZE];
};

enum config_signer {
        CONFIG_SIGNER_VCEK = 0,         /* default */
        CONFIG_SIGNER_VLEK,
};

enum config_network_mode {
        CONFIG_NETWORK_USER = 0,        /* QEMU user networking (default) */
        CONFIG_NETWORK_NONE,
};

enum config_net_proto {
        CONFIG_NET_TCP = 0,
        CONFIG_NET_UDP,
};

struct config_disk {
        char *file;                     /* resolved path */
        enum qemu_disk_format format;   /* default: qcow2 for *.qcow2, raw otherwise; never AUTO */
        enum qemu_disk_bus bus;         /* default SCSI */
        bool readonly;
};

struct config_forward {
        enum config_net_proto proto;
        char *host_addr;                /* IPv4 literal, default "127.0.0.1" */
        uint16_t host_port;
        uint16_t guest_port;
};

struct vm_config {
        char *path;                     /* file it was loaded from (as given), or NULL */
        char *dir;                      /* absolute folder relative paths resolve against */

        /* The host: decides the TCB layout and the VCEK/VLEK product. Only a check. */
        enum snp_generation host_cpu_family;    /* UNKNOWN: not given; validation fails, from-report
                                                 * may fill it */

        /* Launch digest and QEMU command line. */
        unsigned vcpu_count;            /* 1..SNP_MAX_VCPUS, default 1 */
        char *vcpu_type;                /* QEMU -cpu model, default "EPYC-v4"; NULL: only vcpu_sig */
        uint32_t vcpu_sig;              /* CPUID 0x1 EAX in each VMSA; from vcpu_type unless set */
        enum measure_vmm vmm_type;
        uint64_t guest_features;        /* VMSA SEV_FEATURES, default 0x1 */
        char *ovmf_file;                /* resolved; required */
        char *kernel_file;              /* resolved; NULL: no direct boot (no kernel hashes) */
        char *initrd_file;              /* resolved; NULL: none (needs kernel_file otherwise) */
        char *kernel_cmdline;           /* NULL: no -append (measured like "") */
        bool has_owner_key_digest;      /* the owner key the guest agent accepts a secret from */
        uint8_t owner_key_digest[CONFIG_DIGEST_SIZE];
        char *luks_binding;             /* "UUID:HEX" of the LUKS2 root (snpctl disk bind), or NULL */
        /* Derived (config_set_kernel_cmdline()): the command line QEMU passes and the launch
         * digest covers, kernel_cmdline followed by snpctl.owner=HEX and snpctl.luks=UUID:HEX
         * for the two fields above; NULL when all three are absent. */
        char *cmdline;

        /* QEMU command line and the report (policy is not in the digest). */
        uint64_t guest_policy;          /* default SNP_POLICY_DEFAULT */
        bool has_host_data;
        uint8_t host_data[SNP_HOST_DATA_SIZE];       /* zero when !has_host_data */
        char *id_block_file;            /* resolved; base64 text, as idblock writes it; or NULL */
        char *id_auth_file;             /* resolved; needs id_block_file; or NULL */

        /* Only checks against a report. */
        bool has_platform_info;         /* false: platform_info is not checked */
        uint64_t platform_info;
        uint64_t platform_info_mask;    /* bits compared; default all ones */
        bool has_min_committed_tcb;     /* false: absent, no TCB floor (attest-verify warns,
                                         * --url refuses without --min-tcb) */
        struct snp_tcb min_committed_tcb;       /* host_cpu_family decides the layout (has_fmc
                                                 * unused); fmc must be 0 before Turin */
        uint8_t family_id[SNP_ID_SIZE];              /* ID block fields; zero without one */
        uint8_t image_id[SNP_ID_SIZE];
        uint32_t guest_svn;
        bool has_id_key_digest;         /* false: derive from id_auth_file, or expect zero */
        uint8_t id_key_digest[CONFIG_DIGEST_SIZE];
        bool has_author_key_digest;
        uint8_t author_key_digest[CONFIG_DIGEST_SIZE];
        unsigned vmpl;                  /* 0..3, default 0 */
        enum config_signer signer;
        unsigned min_report_version;    /* 2..5, default 2 */
        bool require_crl;               /* a checked CRL is required (attest-verify) */
        /* Roll-forward policies (checks only): values accepted besides the computed
         * measurement and id/author_key_digest; each list empty when absent. */
        struct config_measurement *measurements;
        size_t n_measurements;
        uint8_t (*id_key_digests)[CONFIG_DIGEST_SIZE];
        size_t n_id_key_digests;
        uint8_t (*author_key_digests)[CONFIG_DIGEST_SIZE];
        size_t n_author_key_digests;
        bool has_min_firmware_version;  /* COMMITTED firmware version floor */
        uint8_t min_firmware_version[3];        /* major, minor, build */
        uint8_t (*chip_ids)[CONFIG_CHIP_ID_SIZE];       /* CHIP_ID allow-list; empty: any */
        size_t n_chip_ids;

        /* Only the QEMU command line. */
        char *qemu_binary;              /* default "qemu-system-x86_64" (PATH lookup); resolved
                                         * only when it contains a '/' */
        uint64_t memory_mb;             /* default 2048 */
        unsigned cbitpos;               /* 0: read from the host (CPUID 0x8000001F) */
        unsigned reduced_phys_bits;     /* default 1 */
        struct config_disk *disks;
        size_t n_disks;
        enum config_network_mode network;
        struct config_forward *forwards;
        size_t n_forwards;

        /* Private to the config module: the last launch digest computed and what it covered,
         * so that a run measures the boot files once (config_measure_digest()). */
        struct config_digest_cache *digest_cache;
};

/* One problem found in a config: text is the whole message ("vm.json: guest_policy: bit 17
 * must be set (0x20000)"), field the JSON path ("min_committed_tcb.fmc", "disks[1].file"). */
struct config_problem {
        bool warning;                   /* does not make the config invalid */
        char *field;
        char *text;
};

struct config_problems {
        struct config_problem *items;
        size_t n;
        size_t n_errors;
};

/* Frees the messages and empties the list. */
void config_problems_clear(struct config_problems *p);

/* Logs every problem for the applet: errors with log_error(), warnings with log_warning() (so
 * -q silences them; "FILE: FIELD: message" after the log's "warning: "), then "config 'PATH':
 * N errors" when there is one. The one printer of config problems. -EINVAL when there is an
 * error, else 0. */
int config_log_problems(const struct config_problems *p, const char *path);

enum {
        CONFIG_SKIP_FILE_CHECKS = 1 << 0,       /* do not look at files (a verifier elsewhere) */
        CONFIG_ALLOW_PLACEHOLDERS = 1 << 1,     /* accept "<...>" placeholders (config show) */
        CONFIG_SKIP_LAUNCH_DIGEST = 1 << 2,     /* config_check_id_files(): the caller has the
                                                 * measurement; the ID block's LD is not compared */
};

/* Allocates a config holding the defaults (the values a field takes when absent); ovmf_file is
 * NULL and host_cpu_family unset. 0 or -ENOMEM. */
int config_new(struct vm_config **ret);
void config_free(struct vm_config *c);
static inline void config_freep(struct vm_config **c) {
        if (*c)
                config_free(*c);
}

/* Reads and checks the config at path ("-" for stdin, paths then relative to the working
 * folder). Every problem is appended to problems (which may be NULL). Returns 0 and a new config
 * when there is no error (warnings allowed); -EINVAL (bad config; see problems) with nothing
 * returned; -errno when the file cannot be read; -ENOMEM. */
int config_load(const char *path, unsigned flags, struct config_problems *problems,
                struct vm_config **ret);

/* Like config_load() on JSON text; name is used in messages, dir (NULL: working folder) is where
 * relative paths resolve. */
int config_load_string(const char *text, const char *name, const char *dir, unsigned flags,
                       struct config_problems *problems, struct vm_config **ret);

/* Checks a config's values and their consistency (after an applet overrode fields from its
 * flags): ranges, reserved bits, required and existing files, OVMF able to measure a kernel.
 * Appends problems; 0 when none is an error, -EINVAL otherwise, -ENOMEM. */
int config_check(const struct vm_config *c, unsigned flags, struct config_problems *problems);

/* The key digests a report of the VM shows: the config's id_key_digest/author_key_digest, else
 * those of id_auth_file, else zero. */
struct config_id_keys {
        uint8_t id_key_digest[CONFIG_DIGEST_SIZE];
        uint8_t author_key_digest[CONFIG_DIGEST_SIZE];
};

/* The cross-file consistency of the VM (snp-facts B.3.6), the one check of it: config_load()
 * and config_check() run it too. The ID block (base64) must carry the config's expected launch
 * digest (config_expected_digest(), unless CONFIG_SKIP_LAUNCH_DIGEST), guest_policy, family_id,
 * image_id and guest_svn; the ID auth structure's keys must hash to id_key_digest and
 * author_key_digest when given. Problems are appended as config_check()'s. 0 and *ret_keys
 * (may be NULL); -EINVAL (see problems); -ENOMEM. */
int config_check_id_files(const struct vm_config *c, unsigned flags,
                          struct config_problems *problems, struct config_id_keys *ret_keys);

/* Replaces a string field (e.g. &c->kernel_file) with a copy of value (NULL clears it). For
 * paths from the command line use config_set_path(), which makes value absolute against the
 * working folder. 0 or -ENOMEM. */
int config_set_string(char **field, const char *value);
int config_set_path(char **field, const char *value);

/* Replaces kernel_cmdline (NULL clears it) and recomputes cmdline. 0 or -ENOMEM. */
int config_set_kernel_cmdline(struct vm_config *c, const char *value);

/* The kernel command-line parameters that carry owner_key_digest and luks_binding to the guest
 * init (initramfs/init); the init reads them only from the measured command line. */
#define CONFIG_CMDLINE_OWNER "snpctl.owner="
#define CONFIG_CMDLINE_LUKS  "snpctl.luks="

/* The config as a JSON object with every field (defaults filled in; paths resolved, so it can be
 * written elsewhere); caller owns it. 0 or -ENOMEM. */
int config_to_json(const struct vm_config *c, struct json_object **ret);

/* Like config_to_json() plus a "decoded" member: policy fields and bits by name, guest features
 * and platform_info bit names, the raw 64-bit minimum TCB; for config show --json. */
int config_to_json_decoded(const struct vm_config *c, struct json_object **ret);

/* The problems' texts as a JSON array of strings: the warnings, or the errors. 0 or -ENOMEM. */
int config_problems_to_json(const struct config_problems *p, bool warnings,
                            struct json_object **ret);

/* The same as pretty-printed text with a trailing newline; caller frees. 0 or -ENOMEM. */
int config_format(const struct vm_config *c, char **ret_text);

/* The default config config init writes: a direct-boot SNP guest with "<...>" placeholders for
 * what the user must fill in. Caller frees. 0 or -ENOMEM. */
int config_format_template(const struct vm_config *c, char **ret_text);

/* Fills measure parameters (snp mode) from the config: ovmf_file, kernel_file, initrd_file,
 * cmdline (kernel_cmdline with the owner key and disk binding), vcpu_count, vcpu_sig, vmm_type, guest_features. The strings are borrowed from
 * c, which must outlive p. */
void config_measure_params(const struct vm_config *c, struct measure_params *p);

/* The launch digest (MEASUREMENT) a report of this VM must show, computed with measure_compute()
 * once per run: kept in c with the inputs it covered, and computed again only when a measured
 * field changed. 0, or its errors (-EINVAL, -EBADMSG, -errno of the files, -ENOMEM, -EIO) with
 * *ret_why (if not NULL) a malloc'd reason naming the file. */
int config_expected_digest(const struct vm_config *c, uint8_t ret[CONFIG_DIGEST_SIZE],
                           char **ret_why);

/* The SNP launch digest of p (e.g. the config's inputs with an applet's options applied): c's
 * kept digest when p describes the same measurement, else measure_compute()'s, then kept.
 * Errors as config_expected_digest(); -EIO when p's mode does not give a 48-byte digest. */
int config_measure_digest(const struct vm_config *c, const struct measure_params *p,
                          uint8_t ret[CONFIG_DIGEST_SIZE], char **ret_why);

/* ---- The launch description: the config first, the options win ----
 * A struct vm_config is the one description of a launch. measure, launch, idblock and
 * attest-verify load it from --config, lay the options given on the command line over it with
 * config_apply_options(), and read their parameters from the result (config_measure_params(),
 * config_expected_digest(), attest_expect_from_config(), launch's QEMU line); its launch digest
 * is kept in it, so a run measures one set of boot files once (launch measures again only when
 * its options change a measured input: config_load() judged the config as written, its ID block
 * against its own digest). The options were checked by the parser, the config's values by
 * config_load() (idblock checks the result again). The argp parser stays the only place that
 * parses an option: it leaves the value in the applet's own arguments and records the key
 * (struct cli_given, whatever the spelling). A table per applet names, for each option key, the
 * config field it overrides and where the parsed value is; one generic copy does the rest, so
 * no applet writes "if this flag was not given, take the config's" per option. Values that the
 * options and the config spell differently (a host-data file against its bytes, disk and
 * forward lists, the network switch) stay the applet's. */
enum config_field {
        CONFIG_FIELD_OVMF_FILE,         /* const char * (a path as given, not resolved) */
        CONFIG_FIELD_KERNEL_FILE,
        CONFIG_FIELD_INITRD_FILE,
        CONFIG_FIELD_KERNEL_CMDLINE,    /* const char *; the measured cmdline is recomputed */
        CONFIG_FIELD_CMDLINE,           /* const char *: the measured line itself, as given */
        CONFIG_FIELD_VCPU_COUNT,        /* unsigned */
        CONFIG_FIELD_VCPU_TYPE,         /* const char * */
        CONFIG_FIELD_VCPU_SIG,          /* uint32_t */
        CONFIG_FIELD_VMM_TYPE,          /* enum measure_vmm */
        CONFIG_FIELD_GUEST_FEATURES,    /* uint64_t */
        CONFIG_FIELD_GUEST_POLICY,      /* uint64_t */
        CONFIG_FIELD_ID_BLOCK_FILE,     /* const char * */
        CONFIG_FIELD_ID_AUTH_FILE,      /* const char * */
        CONFIG_FIELD_FAMILY_ID,         /* uint8_t[SNP_ID_SIZE] */
        CONFIG_FIELD_IMAGE_ID,          /* uint8_t[SNP_ID_SIZE] */
        CONFIG_FIELD_GUEST_SVN,         /* uint32_t */
        CONFIG_FIELD_QEMU_BINARY,       /* const char * */
        CONFIG_FIELD_MEMORY_MB,         /* uint64_t */
        CONFIG_FIELD_CBITPOS,           /* unsigned */
        CONFIG_FIELD_REDUCED_PHYS_BITS, /* unsigned */
        /* What a report must show (attest-verify); setting one sets its has_* too. */
        CONFIG_FIELD_PLATFORM_INFO,     /* uint64_t */
        CONFIG_FIELD_PLATFORM_INFO_MASK,        /* uint64_t */
        CONFIG_FIELD_ID_KEY_DIGEST,     /* uint8_t[CONFIG_DIGEST_SIZE] */
        CONFIG_FIELD_AUTHOR_KEY_DIGEST, /* uint8_t[CONFIG_DIGEST_SIZE] */
        CONFIG_FIELD_HOST_DATA,         /* uint8_t[SNP_HOST_DATA_SIZE] */
        CONFIG_FIELD_VMPL,              /* unsigned */
        CONFIG_FIELD_MIN_REPORT_VERSION,        /* unsigned */
        _CONFIG_FIELD_MAX,
};

/* One row of an applet's table: option key (see cli.h) -> field, and where its parsed value
 * lies in the applet's arguments. Several rows may share a key (an option that replaces two
 * fields) or a field (several spellings of one value). */
struct config_option {
        int key;
        enum config_field field;
        size_t offset;
        size_t size;
};
#define CONFIG_OPTION(key, field, type, member) \
        { (key), (field), offsetof(type, member), sizeof(((type *) 0)->member) }

struct cli_given;

/* Lays over c, for each row of table (n rows) whose key is in given, the value at
 * (const char *) args + offset: strings are copied (NULL clears the field), numbers and bytes
 * copied as they are. 0; -EINVAL when a row's size is not its field's (a programming error);
 * -ENOMEM (c then holds some of the values). */
int config_apply_options(struct vm_config *c, const struct config_option *table, size_t n,
                         const struct cli_given *given, const void *args);

/* An applet's --config: config_load() of path with flags, every problem logged
 * (config_log_problems()) and a read error logged naming the file, then config_apply_options()
 * of table (NULL: none). 0 and a new config in *ret; -EINVAL (bad config, logged); -errno
 * (logged). */
int config_load_with_options(const char *path, unsigned flags, const struct config_option *table,
                             size_t n, const struct cli_given *given, const void *args,
                             struct vm_config **ret);

/* What config_fill_from_report() filled in. */
enum {
        CONFIG_FILLED_CPU_FAMILY = 1 << 0,      /* only reports v3+ name the CPU */
        CONFIG_FILLED_POLICY = 1 << 1,
        CONFIG_FILLED_PLATFORM_INFO = 1 << 2,
        CONFIG_FILLED_MIN_TCB = 1 << 3,
        CONFIG_FILLED_VMPL = 1 << 4,
        CONFIG_FILLED_SIGNER = 1 << 5,
};

/* Sets the host-dependent fields from a known-good 1184-byte ATTESTATION_REPORT, read with
 * report_parse(): host CPU family (v3+ CPUID bytes; for v2 the family already in c is kept and
 * decides the TCB layout, Milan/Genoa when unset), policy, platform_info (mask all ones),
 * committed TCB as the minimum, vmpl and signer. Does not verify the signature. -EBADMSG for
 * whatever report_parse() refuses, a VMPL above 3, no signing key, or reserved TCB bytes set in
 * the layout of a known family (c unchanged); -EPROTONOSUPPORT for a CPU this code does not
 * know. ret_filled (may be NULL) gets CONFIG_FILLED_* bits. */
int config_fill_from_report(struct vm_config *c, const void *report, size_t size,
                            unsigned *ret_filled);

/* Names. from_string functions return -EINVAL for an unknown name (case-insensitive);
 * to_string functions never return NULL. */
const char *config_cpu_family_to_string(enum snp_generation f);
int config_cpu_family_from_string(const char *s, enum snp_generation *ret);
const char *config_vmm_type_to_string(enum measure_vmm t);
int config_vmm_type_from_string(const char *s, enum measure_vmm *ret);
const char *config_signer_to_string(enum config_signer s);

/* The CPUID signature QEMU puts into the VMSA for a -cpu model (snp-facts A.6): -ENOENT for a
 * model that is not known. */
int config_vcpu_sig_from_type(const char *type, uint32_t *ret_sig);

/* The field names the parser knows, dotted for nested ones ("min_committed_tcb.fmc",
 * "disks[].file"), terminated by NULL; a test checks docs/config.md names each one. */
extern const char *const config_field_names[];

/* Sets the top-level string member key of the config file at path to value (NULL: JSON null),
 * keeping every other member as written, in its order (src/config-edit.c). The edited text is
 * loaded as config_load_string() does with flags (problems appended); then, with write, it
 * replaces the file atomically, with the same mode (a symbolic link is followed). Without
 * write it is only checked (to refuse early, before the work whose result goes in). ret (may
 * be NULL) gets the edited config. -EINVAL: the file is not a JSON object, or the edited config
 * has an error (see problems); -errno of the files; -ENOMEM. */
int config_edit_string(const char *path, const char *key, const char *value, bool write,
                       unsigned flags, struct config_problems *problems, struct vm_config **ret);

/* The top-level string member key of the config file at path as written (a copy; NULL when
 * absent or null). -EINVAL when the file is not a JSON object or the member not a string. */
int config_read_string(const char *path, const char *key, char **ret);
