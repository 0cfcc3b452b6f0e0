/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl launch (and launch-qemu.sh): start a guest with upstream QEMU, with exactly the inputs
 * measure and attest-verify assume; --dry-run prints the command line, --check the host's
 * readiness. */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "applets.h"
#include "cleanup.h"
#include "base64.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "hex.h"
#include "hostinfo.h"
#include "log.h"
#include "measure.h"
#include "output.h"
#include "parse.h"
#include "qemu.h"

#define MAX_DISKS 16
#define MAX_FORWARDS 32
#define BLOB_FILE_MAX 16384
/* The C-bit position of every SNP-capable EPYC (Milan, Genoa, Turin), for a dry run on a host
 * that has none (snp-facts B.5). */
#define ASSUMED_CBITPOS 51

enum {
        OPT_CONFIG = CLI_OPT_BASE, OPT_MODE, OPT_ACCEL, OPT_QEMU, OPT_OVMF, OPT_KERNEL, OPT_INITRD,
        OPT_APPEND, OPT_NO_KERNEL_HASHES, OPT_VCPUS, OPT_CPU, OPT_MEMORY, OPT_DISK, OPT_DISK_BUS,
        OPT_CDROM, OPT_FORWARD, OPT_NO_NETWORK, OPT_POLICY, OPT_CBITPOS, OPT_REDUCED_PHYS_BITS,
        OPT_ID_BLOCK, OPT_ID_AUTH, OPT_HOST_DATA, OPT_EXPECTED_DIGEST, OPT_CONSOLE, OPT_MONITOR,
        OPT_CHECK, OPT_GUEST_FEATURES,
        /* launch-qemu.sh's flags that are not another spelling of one above */
        OPT_SEV_SNP, OPT_SEV_ES, OPT_SEV, OPT_HDA, OPT_HDB, OPT_DEFAULT_NETWORK,
        OPT_END,
};
_Static_assert(OPT_END <= CLI_OPT_MAX, "one bit of struct cli_given per option");

struct launch_args {
        struct common_args common;
        struct qemu_params q;
        bool script;                    /* run as launch-qemu.sh: the script's defaults */
        struct cli_given given;         /* the options on the command line */
        const char *config;
        bool dry_run;
        bool check;
        uint8_t expected_digest[QEMU_DIGEST_SIZE];      /* when OPT_EXPECTED_DIGEST is given */
        uint64_t guest_features;        /* only for the expected digest */
        size_t digest_size;             /* the measured launch digest; 0: not known */
        uint8_t digest[MEASURE_SNP_DIGEST_SIZE];
        const char *id_block_file, *id_auth_file, *host_data_file;
        bool cbitpos_from_config;
        bool has_vcpu_sig;              /* the config's vcpu_sig, for the digest */
        uint32_t vcpu_sig;
        struct vm_config *cfg;          /* --config; its strings stay referenced by q */
        enum qemu_disk_bus disk_bus;
        const char *hd[2];              /* launch-qemu.sh -hda, -hdb: in this order */
        struct qemu_disk disks[MAX_DISKS + 2];  /* --disk, then -hda and -hdb */
        size_t n_disks;
        struct qemu_forward forwards[MAX_FORWARDS];
        size_t n_forwards;
        char *forward_addrs[MAX_FORWARDS];
        char **extra;
        size_t n_extra;
        /* Owned copies of what files held. */
        char *id_block, *id_auth, *host_data;
};

/* Whether the option key (OPT_*), in any of its spellings, was on the command line. */
static bool given(const struct launch_args *a, int key) {
        return cli_given(&a->given, key);
}

static void launch_args_done(struct launch_args *a) {
        for (size_t i = 0; i < a->n_forwards; i++)
                free(a->forward_addrs[i]);
        free(a->id_block);
        free(a->id_auth);
        free(a->host_data);
        if (a->cfg)
                config_free(a->cfg);
}

static int parse_console(const char *s, struct qemu_params *q) {
        if (strcmp(s, "stdio") == 0 || strcmp(s, "serial") == 0)
                q->console = QEMU_CONSOLE_STDIO;
        else if (strcmp(s, "pty") == 0)
                q->console = QEMU_CONSOLE_PTY;
        else if (strcmp(s, "none") == 0)
                q->console = QEMU_CONSOLE_NONE;
        else if (strncmp(s, "file:", 5) == 0 && s[5]) {
                q->console = QEMU_CONSOLE_FILE;
                q->console_file = s + 5;
        } else
                return -EINVAL;
        return 0;
}

static void add_disk(struct argp_state *state, struct launch_args *a, const char *file) {
        if (a->n_disks >= MAX_DISKS)
                argp_error(state, "at most %d disks", MAX_DISKS);
        a->disks[a->n_disks++] = (struct qemu_disk) { .file = file };
}

/* One table for both names (style: an alias differs only where its behaviour does). Under the
 * name launch-qemu.sh it is parsed with ARGP_LONG_ONLY, so that the original script's
 * single-dash flags (SNPGuard launch.sh; snp-facts B.1.7) are these options: -bios is --ovmf,
 * -smp --vcpus, -mem --memory, -load-config --config. */
static const struct argp_option launch_options[] = {
        { NULL, 0, NULL, 0, "What to run:", 1 },
        { "config",   OPT_CONFIG, "FILE", 0, "VM config (vm.json) describing the guest; the "
                "options given win over its fields", 1 },
        { "load-config", OPT_CONFIG, NULL, OPTION_ALIAS, NULL, 1 },
        { "mode",     OPT_MODE,   "MODE", 0, "snp (default), sev-es, sev or plain (no "
                "memory encryption; the default of launch-qemu.sh)", 1 },
        { "sev-snp",  OPT_SEV_SNP, NULL, 0, "--mode snp", 1 },
        { "sev-es",   OPT_SEV_ES, NULL, 0, "--mode sev-es, unless --sev-snp", 1 },
        { "sev",      OPT_SEV,    NULL, 0, "--mode sev, unless --sev-snp or --sev-es", 1 },
        { "accel",    OPT_ACCEL,  "ACCEL", 0, "kvm (default) or tcg (plain mode only)", 1 },
        { "qemu",     OPT_QEMU,   "BINARY", 0, "QEMU binary (default: qemu-system-x86_64)", 1 },
        { "ovmf",     OPT_OVMF,   "FILE", 0, "OVMF image, loaded with -bios", 1 },
        { "bios",     OPT_OVMF,   NULL, OPTION_ALIAS, NULL, 1 },
        { "kernel",   OPT_KERNEL, "FILE", 0, "Kernel for direct boot (measured in SEV modes)",
          1 },
        { "initrd",   OPT_INITRD, "FILE", 0, "Initrd for direct boot", 1 },
        { "append",   OPT_APPEND, "CMDLINE", 0, "Kernel command line", 1 },
        { "no-kernel-hashes", OPT_NO_KERNEL_HASHES, NULL, 0, "Do not measure kernel, initrd and "
                "command line (kernel-hashes=off)", 1 },
        { "vcpus",    OPT_VCPUS,  "N", 0, "Number of vCPUs (default: 1)", 1 },
        { "smp",      OPT_VCPUS,  NULL, OPTION_ALIAS, NULL, 1 },
        { "cpu",      OPT_CPU,    "MODEL", 0, "QEMU CPU model (default: EPYC-v4; plain: max "
                "or host, but EPYC-v4 for launch-qemu.sh)", 1 },
        { "memory",   OPT_MEMORY, "SIZE", 0, "Memory in MiB, or with an M or G suffix "
                "(default: 2048)", 1 },
        { "mem",      OPT_MEMORY, NULL, OPTION_ALIAS, NULL, 1 },
        { "disk",     OPT_DISK,   "FILE", 0, "A disk image (qcow2 by its .qcow2 name, else raw); "
                "repeatable", 1 },
        { "hda",      OPT_HDA,    "FILE", 0, "A disk image after those of --disk", 1 },
        { "hdb",      OPT_HDB,    "FILE", 0, "A disk image after --hda's", 1 },
        { "disk-bus", OPT_DISK_BUS, "BUS", 0, "scsi (virtio-scsi, default) or blk (virtio-blk)",
          1 },
        { "cdrom",    OPT_CDROM,  "FILE", 0, "A CD-ROM image", 1 },
        { "forward",  OPT_FORWARD, "[ADDR:]HOST:GUEST[/udp]", 0, "Forward a host port "
                "(on 127.0.0.1 unless ADDR) to the guest; repeatable (launch-qemu.sh: "
                "2222:22 and 8080:80 unless given)", 1 },
        { "no-network", OPT_NO_NETWORK, NULL, 0, "No network device", 1 },
        { "default-network", OPT_DEFAULT_NETWORK, NULL, 0, "User networking (the default)", 1 },
        { "console",  OPT_CONSOLE, "KIND", 0, "Serial console: stdio (default; serial is the "
                "same), pty, none or file:PATH", 1 },
        { "monitor",  OPT_MONITOR, "PATH", 0, "QEMU monitor on a unix socket", 1 },
        { NULL, 0, NULL, 0, "SEV-SNP launch parameters:", 2 },
        { "policy",   OPT_POLICY, "POLICY", 0, "Guest policy (default: 0x30000 for snp, 0x5 "
                "for sev-es, 0x1 for sev)", 2 },
        { "cbitpos",  OPT_CBITPOS, "N", 0, "C-bit position (default: the host's, from CPUID "
                "0x8000001F)", 2 },
        { "reduced-phys-bits", OPT_REDUCED_PHYS_BITS, "N", 0, "Physical address bits lost to "
                "encryption (default: 1)", 2 },
        { "id-block", OPT_ID_BLOCK, "FILE", 0, "ID block, base64 (96 bytes)", 2 },
        { "id-auth",  OPT_ID_AUTH, "FILE", 0, "ID authentication info, base64 (up to 4096 bytes)",
          2 },
        { "host-data", OPT_HOST_DATA, "FILE", 0, "HOST_DATA, base64 (32 bytes)", 2 },
        { "expected-digest", OPT_EXPECTED_DIGEST, "HEX", 0, "Launch digest these inputs must "
                "give and the ID block must carry (48 bytes, hex)", 2 },
        { "guest-features", OPT_GUEST_FEATURES, "BITS", 0, "SEV_FEATURES the host gives the "
                "guest, for the expected digest only (default: 0x1, QEMU 9.1+)", 2 },
        { NULL, 0, NULL, 0, "Actions:", 3 },
        { "dry-run",  'n', NULL, 0, "Print the QEMU command line (one shell-quoted line) "
                "instead of running it", 3 },
        { "check",    OPT_CHECK, NULL, 0, "Check whether this host can run the guest, with the "
                "fix for each problem", 3 },
        { 0 }
};

/* Checks across options, once all are in. */
static void check_end(struct argp_state *state, struct launch_args *a) {
        struct qemu_params *q = &a->q;

        /* The script's precedence, whatever the order: -sev-snp, then -sev-es, then -sev. */
        if (given(a, OPT_SEV_SNP) || given(a, OPT_SEV_ES) || given(a, OPT_SEV)) {
                if (given(a, OPT_MODE))
                        argp_error(state, "--mode and --sev-snp, --sev-es, --sev exclude each "
                                   "other");
                q->mode = given(a, OPT_SEV_SNP) ? QEMU_MODE_SNP :
                        given(a, OPT_SEV_ES) ? QEMU_MODE_SEV_ES : QEMU_MODE_SEV;
        }
        if (a->check && a->dry_run)
                argp_error(state, "--check and --dry-run exclude each other");
        if (given(a, OPT_NO_NETWORK) && given(a, OPT_FORWARD))
                argp_error(state, "--forward and --no-network exclude each other");
        if (given(a, OPT_NO_NETWORK) && given(a, OPT_DEFAULT_NETWORK))
                argp_error(state, "--default-network and --no-network exclude each other");
        if (given(a, OPT_GUEST_FEATURES) && q->mode == QEMU_MODE_SNP &&
            !(a->guest_features & SNP_FEATURE_SNP_ACTIVE))
                argp_error(state, "--guest-features 0x%" PRIx64 " lacks bit 0 (SNPActive), which "
                           "every SNP vCPU has", a->guest_features);
        if (a->common.json && !a->check && !a->dry_run)
                argp_error(state, "--json needs --dry-run or --check");
}

static error_t launch_parse_opt(int key, char *arg, struct argp_state *state) {
        struct launch_args *a = state->input;
        struct qemu_params *q = &a->q;

        /* The one place that records what was given, whichever spelling was used. */
        cli_given_record(&a->given, key);
        switch (key) {
        case OPT_CONFIG:
                a->config = arg;
                break;
        case OPT_MODE:
                if (qemu_mode_from_string(arg, &q->mode) < 0)
                        argp_error(state, "bad --mode '%s': snp, sev-es, sev or plain", arg);
                break;
        case OPT_SEV_SNP:
        case OPT_SEV_ES:
        case OPT_SEV:
        case OPT_NO_KERNEL_HASHES:
                break;          /* check_end() and run() read the given bits */
        case OPT_ACCEL:
                if (qemu_accel_from_string(arg, &q->accel) < 0)
                        argp_error(state, "bad --accel '%s': kvm or tcg", arg);
                break;
        case OPT_QEMU:
                q->qemu = arg;
                break;
        case OPT_OVMF:
                q->ovmf = arg;
                break;
        case OPT_KERNEL:
                q->kernel = arg;
                break;
        case OPT_INITRD:
                q->initrd = arg;
                break;
        case OPT_APPEND:
                q->append = arg;
                break;
        case OPT_VCPUS:
                if (parse_uint(arg, 1, SNP_MAX_VCPUS, &q->vcpus) < 0)
                        argp_error(state, "bad --vcpus '%s': 1 to %d", arg, SNP_MAX_VCPUS);
                break;
        case OPT_CPU:
                q->cpu_model = arg;
                break;
        case OPT_MEMORY:
                if (parse_size_mib(arg, &q->memory_mib) < 0)
                        argp_error(state, "bad --memory '%s': MiB, or a size with M or G", arg);
                break;
        case OPT_DISK:
                add_disk(state, a, arg);
                break;
        case OPT_HDA:
                a->hd[0] = arg;
                break;
        case OPT_HDB:
                a->hd[1] = arg;
                break;
        case OPT_DISK_BUS:
                if (strcmp(arg, "scsi") == 0)
                        a->disk_bus = QEMU_DISK_BUS_SCSI;
                else if (strcmp(arg, "blk") == 0)
                        a->disk_bus = QEMU_DISK_BUS_BLK;
                else
                        argp_error(state, "bad --disk-bus '%s': scsi or blk", arg);
                break;
        case OPT_CDROM:
                q->cdrom = arg;
                break;
        case OPT_FORWARD: {
                int r;

                if (a->n_forwards >= MAX_FORWARDS)
                        argp_error(state, "at most %d --forward", MAX_FORWARDS);
                r = qemu_forward_from_string(arg, &a->forwards[a->n_forwards],
                                  &a->forward_addrs[a->n_forwards]);
                if (r == -ENOMEM)
                        argp_failure(state, SNPCTL_EXIT_FAILURE, ENOMEM, "--forward");
                if (r < 0)
                        argp_error(state, "bad --forward '%s': [ADDR:]HOSTPORT:GUESTPORT[/udp]",
                                   arg);
                a->n_forwards++;
                break;
        }
        case OPT_NO_NETWORK:
                q->network = false;
                break;
        case OPT_DEFAULT_NETWORK:
                q->network = true;
                break;
        case OPT_CONSOLE:
                if (parse_console(arg, q) < 0)
                        argp_error(state, "bad console '%s': stdio, pty, none or file:PATH", arg);
                break;
        case OPT_MONITOR:
                q->monitor = arg;
                break;
        case OPT_POLICY:
                if (parse_u64(arg, &q->policy) < 0)
                        argp_error(state, "bad --policy '%s': a number such as 0x30000", arg);
                q->has_policy = true;
                break;
        case OPT_CBITPOS:
                if (parse_uint(arg, 1, 63, &q->cbitpos) < 0)
                        argp_error(state, "bad --cbitpos '%s': 1 to 63", arg);
                break;
        case OPT_REDUCED_PHYS_BITS:
                if (parse_uint(arg, 1, 63, &q->reduced_phys_bits) < 0)
                        argp_error(state, "bad --reduced-phys-bits '%s': 1 to 63", arg);
                break;
        case OPT_ID_BLOCK:
                a->id_block_file = arg;
                break;
        case OPT_ID_AUTH:
                a->id_auth_file = arg;
                break;
        case OPT_HOST_DATA:
                a->host_data_file = arg;
                break;
        case OPT_EXPECTED_DIGEST:
                if (hex_decode_exact(arg, a->expected_digest, QEMU_DIGEST_SIZE) < 0)
                        argp_error(state, "bad --expected-digest: 96 hex digits (48 bytes)");
                break;
        case OPT_GUEST_FEATURES:
                if (parse_u64(arg, &a->guest_features) < 0)
                        argp_error(state, "bad --guest-features '%s'", arg);
                break;
        case 'n':
                a->dry_run = true;
                break;
        case OPT_CHECK:
                a->check = true;
                break;
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unexpected argument '%s'; QEMU arguments go after --", arg);
                break;
        case ARGP_KEY_END:
                check_end(state, a);
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp_child launch_children[] = { { &common_argp, 0, NULL, 0 }, { 0 } };

static const struct argp launch_argp = {
        .options = launch_options,
        .parser = launch_parse_opt,
        .args_doc = "[-- QEMU-ARG...]",
        .doc = "Start an AMD SEV-SNP (or SEV-ES, SEV, unencrypted) guest with upstream QEMU "
               "(9.1 or later), or print its command line.\v"
               "Arguments after -- are appended to the QEMU command line. On a host without "
               "SEV-SNP, launch stops (--dry-run still prints, assuming cbitpos 51). "
               "As launch-qemu.sh, every option also takes one dash (-sev-snp, -bios, -smp, "
               "-mem, -hda, -load-config, ...), and the defaults are the original script's: "
               "no encryption unless -sev*, CPU EPYC-v4, ports 2222 and 8080 forwarded to 22 "
               "and 80. Exit status: 0 success, 1 could not finish (or --check found a "
               "problem), 2 usage error.",
        .children = launch_children,
};

/* Reads a base64 text file; surrounding blank characters at its end are dropped. */
static int read_blob_file(const char *what, const char *path, char **ret) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t size = 0;
        int r;

        r = fileio_read_full(path, BLOB_FILE_MAX, &data, &size);
        if (r < 0)
                return log_errno(r, "reading %s file '%s'", what, path);
        while (size > 0 && strchr(" \t\r\n", data[size - 1]))
                data[--size] = '\0';
        if (size == 0 || strlen((char *) data) != size) {
                log_error("%s file '%s': empty or not text", what, path);
                return -EINVAL;
        }
        *ret = (char *) TAKE(data);
        return 0;
}

static int check_readable(const char *what, const char *path) {
        if (path && access(path, R_OK) < 0)
                return log_errno(-errno, "%s '%s'", what, path);
        return 0;
}

static int check_files(const struct qemu_params *q) {
        int r = 0;

        if (check_readable("ovmf", q->ovmf) < 0)
                r = -ENOENT;
        if (check_readable("kernel", q->kernel) < 0)
                r = -ENOENT;
        if (check_readable("initrd", q->initrd) < 0)
                r = -ENOENT;
        if (check_readable("cdrom", q->cdrom) < 0)
                r = -ENOENT;
        for (size_t i = 0; i < q->n_disks; i++)
                if (check_readable("disk", q->disks[i].file) < 0)
                        r = -ENOENT;
        return r;
}

/* Names the file behind a blob field in a qemu_check() message. */
static void log_why(const struct launch_args *a, const char *why) {
        const struct { const char *field; const char *file; } map[] = {
                { "id-block:", a->id_block_file },
                { "id-auth:", a->id_auth_file },
                { "host-data:", a->host_data_file },
        };

        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].file && strncmp(why, map[i].field, strlen(map[i].field)) == 0) {
                        log_error("%.*s '%s':%s", (int) strlen(map[i].field) - 1, why,
                                  map[i].file, why + strlen(map[i].field));
                        return;
                }
        log_error("%s", why ? why : "out of memory");
}

/* cbitpos from the host unless given. 0, or -ENODEV when the host cannot run the mode (a dry
 * run then assumes ASSUMED_CBITPOS). */
static int resolve_cbitpos(struct launch_args *a, const char **ret_source) {
        struct hostinfo_cpu cpu;
        bool capable;

        *ret_source = a->cbitpos_from_config ? "config" : "option";
        if (a->q.mode == QEMU_MODE_PLAIN || given(a, OPT_CBITPOS) || a->cbitpos_from_config)
                return 0;
        (void) hostinfo_read_cpu(&cpu);
        capable = cpu.probed && cpu.amd && cpu.has_sev_leaf && cpu.sev &&
                (a->q.mode == QEMU_MODE_SEV || cpu.sev_es) &&
                (a->q.mode != QEMU_MODE_SNP || cpu.sev_snp);
        if (capable && cpu.cbitpos > 0) {
                a->q.cbitpos = cpu.cbitpos;
                *ret_source = "host";
                return 0;
        }
        if (!a->dry_run) {
                log_error("this host cannot run %s guests (%s): not launching; --check tells "
                          "more, --dry-run prints the command line",
                          qemu_mode_to_string(a->q.mode),
                          !cpu.probed ? "no CPUID" : !cpu.amd ? "not an AMD CPU" :
                          "CPUID 0x8000001F lacks the feature");
                return -ENODEV;
        }
        log_notice("this host cannot run %s guests: assuming cbitpos=%d (EPYC Milan, Genoa, "
                   "Turin) for the dry run; set --cbitpos for another CPU",
                   qemu_mode_to_string(a->q.mode), ASSUMED_CBITPOS);
        a->q.cbitpos = ASSUMED_CBITPOS;
        *ret_source = "assumed";
        return 0;
}

/* The launch digest of these inputs (measure.h), for the owner to compare with the report and
 * for the ID block check. A failure is an error when something depends on the digest (an ID
 * block, --expected-digest), else a warning: QEMU may still start. */
static int compute_digest(struct launch_args *a) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        _cleanup_(freep) char *why = NULL;
        const char *cpu = a->q.cpu_model ? a->q.cpu_model : QEMU_DEFAULT_CPU_MODEL;
        bool needed = a->q.id_block || given(a, OPT_EXPECTED_DIGEST);
        uint8_t digest[MEASURE_SNP_DIGEST_SIZE];
        size_t digest_size = 0;
        struct measure_params mp;
        int r;

        if (a->q.mode == QEMU_MODE_PLAIN)
                return 0;
        measure_params_init(&mp);
        mp.mode = a->q.mode == QEMU_MODE_SNP ? MEASURE_MODE_SNP :
                a->q.mode == QEMU_MODE_SEV_ES ? MEASURE_MODE_SEVES : MEASURE_MODE_SEV;
        mp.ovmf = a->q.ovmf;
        if (a->q.kernel_hashes) {
                mp.kernel = a->q.kernel;
                mp.initrd = a->q.initrd;
                mp.append = a->q.append;
        }
        mp.vcpus = a->q.vcpus;
        mp.guest_features = a->guest_features;
        /* Measured as given, as sev-snp-measure and QEMU do; a config's value was checked with
         * the config. */
        if (given(a, OPT_GUEST_FEATURES) && a->q.mode == QEMU_MODE_SNP &&
            (a->guest_features & ~SNP_FEATURES_KNOWN_MASK))
                log_warning("--guest-features 0x%" PRIx64 " sets bits this version does not know "
                            "(0x%" PRIx64 "); measured as given", a->guest_features,
                            a->guest_features & ~SNP_FEATURES_KNOWN_MASK);
        if (a->has_vcpu_sig)
                mp.vcpu_sig = a->vcpu_sig;
        else if (a->q.mode != QEMU_MODE_SEV &&
                 measure_vcpu_sig_from_type(cpu, &mp.vcpu_sig) < 0) {
                if (needed) {
                        log_error("CPU model '%s' has no known CPUID signature: cannot compute "
                                  "the launch digest the ID block must match", cpu);
                        return -EINVAL;
                }
                log_warning("CPU model '%s' has no known CPUID signature: no expected launch "
                            "digest", cpu);
                return 0;
        }
        /* With a config, the digest its check computed serves when the options changed no
         * measured input (the OVMF, kernel and initrd are then read once). */
        if (a->cfg && a->q.mode == QEMU_MODE_SNP) {
                r = config_measure_digest(a->cfg, &mp, digest, &why);
                digest_size = MEASURE_SNP_DIGEST_SIZE;
        } else {
                r = measure_compute(&mp, &res, &why);
                if (r == 0) {
                        memcpy(digest, res->digest, res->digest_size);
                        digest_size = res->digest_size;
                }
        }
        if (r == -ENOMEM)
                return log_errno(r, "computing the launch digest");
        if (r < 0) {
                if (needed) {
                        log_error("computing the launch digest: %s", why ? why : strerror(-r));
                        return r;
                }
                log_warning("no expected launch digest: %s", why ? why : strerror(-r));
                return 0;
        }
        if (given(a, OPT_EXPECTED_DIGEST) && (digest_size != QEMU_DIGEST_SIZE ||
                                       memcmp(digest, a->expected_digest,
                                              QEMU_DIGEST_SIZE) != 0)) {
                char got[2 * MEASURE_SNP_DIGEST_SIZE + 1];

                hex_encode_buf(digest, digest_size, got);
                log_error("these inputs give launch digest %s, not --expected-digest", got);
                return -EINVAL;
        }
        memcpy(a->digest, digest, digest_size);
        a->digest_size = digest_size;
        if (a->q.mode == QEMU_MODE_SNP)
                a->q.expected_digest = a->digest;
        return 0;
}

static int print_dry_run(const struct launch_args *a, char **argv, const char *cbitpos_source) {
        _cleanup_(freep) char *line = qemu_argv_to_shell(argv);
        _cleanup_(json_object_putp) struct json_object *obj = NULL;
        struct json_object *arr;
        int r;

        if (!line)
                return log_errno(-ENOMEM, "formatting the command line");
        if (!a->common.json) {
                if (printf("%s\n", line) < 0 || fflush(stdout) != 0)
                        return log_errno(-EIO, "writing the command line");
                return 0;
        }
        obj = json_object_new_object();
        arr = json_object_new_array();
        if (!obj || !arr) {
                json_object_put(arr);
                return log_errno(-ENOMEM, "formatting the command line");
        }
        for (size_t i = 0; argv[i]; i++)
                if (json_object_array_add(arr, json_object_new_string(argv[i])) < 0) {
                        json_object_put(arr);
                        return log_errno(-ENOMEM, "formatting the command line");
                }
        r = output_add_str(obj, "mode", qemu_mode_to_string(a->q.mode));
        if (r >= 0)
                r = output_add_str(obj, "accel", qemu_accel_to_string(a->q.accel));
        if (r >= 0 && a->q.mode != QEMU_MODE_PLAIN)
                r = output_add_int(obj, "cbitpos", a->q.cbitpos);
        if (r >= 0 && a->q.mode != QEMU_MODE_PLAIN)
                r = output_add_str(obj, "cbitpos_source", cbitpos_source);
        if (r >= 0 && a->digest_size)
                r = output_add_hex(obj, "expected_launch_digest", a->digest, a->digest_size);
        else if (r >= 0 && given(a, OPT_EXPECTED_DIGEST))
                r = output_add_hex(obj, "expected_launch_digest", a->expected_digest,
                                   QEMU_DIGEST_SIZE);
        if (r >= 0)
                r = output_add_str(obj, "command_line", line);
        if (r >= 0)
                r = output_add_obj(obj, "argv", arr);
        else
                json_object_put(arr);
        if (r < 0)
                return log_errno(r, "formatting the command line");
        r = output_print_json(obj);
        if (r < 0)
                return log_errno(r, "writing the command line");
        return 0;
}

static int run_check(const struct launch_args *a) {
        struct hostinfo_findings f = { 0 };
        _cleanup_(freep) char *version = NULL;
        _cleanup_(json_object_putp) struct json_object *obj = NULL;
        struct hostinfo_cpu cpu;
        const char *qemu = a->q.qemu ? a->q.qemu : QEMU_DEFAULT_BINARY;
        struct hostinfo_preflight_params p = {
                .cpu = &cpu, .mode = a->q.mode, .accel = a->q.accel, .qemu = qemu,
                .min_qemu_version = qemu_min_version(&a->q), .ovmf = a->q.ovmf,
                .kernel_hashes = a->q.kernel_hashes,
        };
        int r;

        (void) hostinfo_read_cpu(&cpu);
        r = hostinfo_qemu_version_text(qemu, &version);
        if (r == -ENOMEM)
                return log_errno(r, "checking the host");
        p.qemu_version_text = version;
        p.root = getenv("SNPCTL_HOST_ROOT");    /* tests: a fake /sys, /dev, /proc */
        r = hostinfo_preflight(&p, &f);
        if (r < 0) {
                hostinfo_findings_clear(&f);
                return log_errno(r, "checking the host");
        }
        if (a->common.json) {
                struct json_object *arr = json_object_new_array();

                obj = json_object_new_object();
                r = obj && arr ? 0 : -ENOMEM;
                for (size_t i = 0; r >= 0 && i < f.n; i++) {
                        struct json_object *o = json_object_new_object();

                        r = o ? 0 : -ENOMEM;
                        if (r >= 0)
                                r = output_add_str(o, "check", f.items[i].check);
                        if (r >= 0)
                                r = output_add_str(o, "status",
                                                   f.items[i].status == HOSTINFO_OK ? "ok" :
                                                   f.items[i].status == HOSTINFO_WARN ? "warn" :
                                                   "fail");
                        if (r >= 0)
                                r = output_add_str(o, "found", f.items[i].text);
                        if (r >= 0)
                                r = output_add_str(o, "fix", f.items[i].fix);
                        if (r >= 0 && json_object_array_add(arr, o) < 0)
                                r = -ENOMEM;
                        if (r < 0)
                                json_object_put(o);
                }
                if (r >= 0)
                        r = output_add_str(obj, "mode", qemu_mode_to_string(a->q.mode));
                if (r >= 0)
                        r = output_add_bool(obj, "ready", f.n_fail == 0);
                if (r >= 0)
                        r = output_add_obj(obj, "findings", TAKE(arr));
                json_object_put(arr);
                if (r >= 0)
                        r = output_print_json(obj);
        } else {
                for (size_t i = 0; i < f.n; i++) {
                        printf("%-4s  %-16s %s\n", hostinfo_status_to_string(f.items[i].status),
                               f.items[i].check, f.items[i].text);
                        if (f.items[i].fix)
                                printf("      %-16s fix: %s\n", "", f.items[i].fix);
                }
                printf("%s: %zu problem%s, %zu warning%s\n",
                       f.n_fail ? "not ready" : "ready", f.n_fail, f.n_fail == 1 ? "" : "s",
                       f.n_warn, f.n_warn == 1 ? "" : "s");
                r = fflush(stdout) == 0 ? 0 : -EIO;
        }
        if (r < 0) {
                hostinfo_findings_clear(&f);
                return log_errno(r, "printing the findings");
        }
        r = f.n_fail ? -ENODEV : 0;
        if (f.n_fail)
                log_error("this host cannot run %s guests yet: %zu problem%s",
                          qemu_mode_to_string(a->q.mode), f.n_fail, f.n_fail == 1 ? "" : "s");
        hostinfo_findings_clear(&f);
        return r;
}

/* What each option overrides in a --config (config_apply_options()). --id-block and --id-auth
 * replace the pair: one given alone leaves the other unset. */
static const struct config_option launch_config_options[] = {
        CONFIG_OPTION(OPT_OVMF, CONFIG_FIELD_OVMF_FILE, struct launch_args, q.ovmf),
        CONFIG_OPTION(OPT_KERNEL, CONFIG_FIELD_KERNEL_FILE, struct launch_args, q.kernel),
        CONFIG_OPTION(OPT_INITRD, CONFIG_FIELD_INITRD_FILE, struct launch_args, q.initrd),
        CONFIG_OPTION(OPT_APPEND, CONFIG_FIELD_CMDLINE, struct launch_args, q.append),
        CONFIG_OPTION(OPT_VCPUS, CONFIG_FIELD_VCPU_COUNT, struct launch_args, q.vcpus),
        CONFIG_OPTION(OPT_CPU, CONFIG_FIELD_VCPU_TYPE, struct launch_args, q.cpu_model),
        CONFIG_OPTION(OPT_MEMORY, CONFIG_FIELD_MEMORY_MB, struct launch_args, q.memory_mib),
        CONFIG_OPTION(OPT_QEMU, CONFIG_FIELD_QEMU_BINARY, struct launch_args, q.qemu),
        CONFIG_OPTION(OPT_CBITPOS, CONFIG_FIELD_CBITPOS, struct launch_args, q.cbitpos),
        CONFIG_OPTION(OPT_REDUCED_PHYS_BITS, CONFIG_FIELD_REDUCED_PHYS_BITS, struct launch_args,
                      q.reduced_phys_bits),
        CONFIG_OPTION(OPT_POLICY, CONFIG_FIELD_GUEST_POLICY, struct launch_args, q.policy),
        CONFIG_OPTION(OPT_GUEST_FEATURES, CONFIG_FIELD_GUEST_FEATURES, struct launch_args,
                      guest_features),
        CONFIG_OPTION(OPT_ID_BLOCK, CONFIG_FIELD_ID_BLOCK_FILE, struct launch_args, id_block_file),
        CONFIG_OPTION(OPT_ID_BLOCK, CONFIG_FIELD_ID_AUTH_FILE, struct launch_args, id_auth_file),
        CONFIG_OPTION(OPT_ID_AUTH, CONFIG_FIELD_ID_BLOCK_FILE, struct launch_args, id_block_file),
        CONFIG_OPTION(OPT_ID_AUTH, CONFIG_FIELD_ID_AUTH_FILE, struct launch_args, id_auth_file),
};

/* --config (-load-config): the launch description (config.h) with the options laid over it,
 * read back into the QEMU parameters. Its SNP fields (policy, ID block, host data) serve an SNP
 * launch only, unless given as options. */
static int apply_config(struct launch_args *a) {
        struct vm_config *c;
        bool snp = a->q.mode == QEMU_MODE_SNP;
        int r;

        r = config_load_with_options(a->config, 0, launch_config_options,
                                     ELEMENTSOF(launch_config_options), &a->given, a, &a->cfg);
        if (r < 0)
                return r;
        c = a->cfg;
        /* launch runs QEMU: a digest for EC2's or GCE's VMSAs would never match. */
        if (c->vmm_type != MEASURE_VMM_QEMU) {
                log_error("config '%s': vmm_type %s: launch starts QEMU, whose launch digest "
                          "differs", a->config, config_vmm_type_to_string(c->vmm_type));
                return -EINVAL;
        }
        if (!c->vcpu_type) {            /* the config's, or --cpu's */
                log_error("config '%s': vcpu_type: launch needs a QEMU CPU model, not only "
                          "vcpu_sig", a->config);
                return -EINVAL;
        }

        a->q.ovmf = c->ovmf_file;
        a->q.kernel = c->kernel_file;
        a->q.initrd = c->initrd_file;
        a->q.append = c->cmdline;
        a->q.vcpus = c->vcpu_count;
        a->q.cpu_model = c->vcpu_type;
        a->has_vcpu_sig = !given(a, OPT_CPU);   /* vcpu_sig may override the model's */
        a->vcpu_sig = c->vcpu_sig;
        a->q.memory_mib = c->memory_mb;
        a->q.qemu = c->qemu_binary;
        a->q.cbitpos = c->cbitpos;
        a->cbitpos_from_config = !given(a, OPT_CBITPOS) && c->cbitpos;
        a->q.reduced_phys_bits = c->reduced_phys_bits;
        a->q.has_policy = snp || given(a, OPT_POLICY);
        a->q.policy = c->guest_policy;
        a->guest_features = c->guest_features;
        if (snp || given(a, OPT_ID_BLOCK) || given(a, OPT_ID_AUTH)) {
                a->id_block_file = c->id_block_file;
                a->id_auth_file = c->id_auth_file;
        }
        if (!given(a, OPT_HOST_DATA) && c->has_host_data && snp) {
                a->host_data = base64_encode(c->host_data, sizeof(c->host_data));
                if (!a->host_data)
                        return log_errno(-ENOMEM, "reading config '%s'", a->config);
                a->q.host_data = a->host_data;
        }
        if (!given(a, OPT_DISK) && !given(a, OPT_HDA) && !given(a, OPT_HDB)) {
                if (c->n_disks > ELEMENTSOF(a->disks)) {
                        log_error("config '%s': %zu disks; launch takes at most %zu", a->config,
                                  c->n_disks, ELEMENTSOF(a->disks));
                        return -EINVAL;
                }
                for (size_t i = 0; i < c->n_disks; i++)
                        a->disks[a->n_disks++] = (struct qemu_disk) {
                                .file = c->disks[i].file,
                                .format = c->disks[i].format,
                                .bus = c->disks[i].bus,
                                .readonly = c->disks[i].readonly,
                        };
        }
        if (!given(a, OPT_NO_NETWORK) && !given(a, OPT_DEFAULT_NETWORK))
                a->q.network = c->network == CONFIG_NETWORK_USER;
        if (!given(a, OPT_FORWARD) && a->q.network) {
                if (c->n_forwards > MAX_FORWARDS) {
                        log_error("config '%s': %zu forwards; launch takes at most %d",
                                  a->config, c->n_forwards, MAX_FORWARDS);
                        return -EINVAL;
                }
                for (size_t i = 0; i < c->n_forwards; i++)
                        a->forwards[a->n_forwards++] = (struct qemu_forward) {
                                .udp = c->forwards[i].proto == CONFIG_NET_UDP,
                                .host_addr = c->forwards[i].host_addr,
                                .host_port = c->forwards[i].host_port,
                                .guest_port = c->forwards[i].guest_port,
                        };
        }
        return 0;
}

/* launch-qemu.sh: the original script's defaults for what neither the options nor the config
 * set: the CPU model even for an unencrypted guest, and its two forwards on 127.0.0.1. */
static void apply_script_defaults(struct launch_args *a) {
        static const struct qemu_forward script_forwards[] = {
                { .host_port = 2222, .guest_port = 22 },
                { .host_port = 8080, .guest_port = 80 },
        };

        if (!a->q.cpu_model)
                a->q.cpu_model = QEMU_DEFAULT_CPU_MODEL;
        if (!given(a, OPT_FORWARD) && !a->config && a->q.network) {
                memcpy(a->forwards, script_forwards, sizeof(script_forwards));
                a->n_forwards = ELEMENTSOF(script_forwards);
        }
}

static int run(struct launch_args *a) {
        _cleanup_(qemu_argv_freep) char **argv = NULL;
        _cleanup_(freep) char *why = NULL;
        const char *cbitpos_source = "option";
        int r;

        for (size_t i = 0; i < ELEMENTSOF(a->hd); i++)
                if (a->hd[i])
                        a->disks[a->n_disks++] = (struct qemu_disk) { .file = a->hd[i] };
        for (size_t i = 0; i < a->n_disks; i++)
                a->disks[i].bus = a->disk_bus;
        if (a->config) {
                r = apply_config(a);
                if (r < 0)
                        return r;
        }
        if (a->script)
                apply_script_defaults(a);
        a->q.disks = a->disks;
        a->q.n_disks = a->n_disks;
        a->q.forwards = a->forwards;
        a->q.n_forwards = a->n_forwards;
        a->q.extra = a->extra;
        a->q.n_extra = a->n_extra;
        /* Measured direct boot whenever a kernel is given to an encrypted guest. */
        if (a->q.kernel && a->q.mode != QEMU_MODE_PLAIN && !given(a, OPT_NO_KERNEL_HASHES))
                a->q.kernel_hashes = true;
        if (given(a, OPT_EXPECTED_DIGEST))
                a->q.expected_digest = a->expected_digest;

        if (a->check)
                return run_check(a);

        if (a->id_block_file) {
                r = read_blob_file("id-block", a->id_block_file, &a->id_block);
                if (r < 0)
                        return r;
                a->q.id_block = a->id_block;
        }
        if (a->id_auth_file) {
                r = read_blob_file("id-auth", a->id_auth_file, &a->id_auth);
                if (r < 0)
                        return r;
                a->q.id_auth = a->id_auth;
        }
        if (a->host_data_file) {
                r = read_blob_file("host-data", a->host_data_file, &a->host_data);
                if (r < 0)
                        return r;
                a->q.host_data = a->host_data;
        }
        r = check_files(&a->q);
        if (r < 0)
                return r;
        r = resolve_cbitpos(a, &cbitpos_source);
        if (r < 0)
                return r;
        /* Blobs, sizes and policy first, so that their errors are named before the digest's. */
        r = qemu_check(&a->q, &why);
        if (r == -ENOMEM)
                return log_errno(r, "checking the launch parameters");
        if (r < 0) {
                log_why(a, why);
                return r;
        }
        free(TAKE(why));
        r = compute_digest(a);
        if (r < 0)
                return r;
        r = qemu_build_argv(&a->q, &argv, &why);
        if (r == -ENOMEM)
                return log_errno(r, "building the QEMU command line");
        if (r < 0) {
                log_why(a, why);
                return r;
        }
        /* The owner compares this with the report's MEASUREMENT (stderr: stdout is data, or the
         * guest's console). */
        if (a->digest_size || given(a, OPT_EXPECTED_DIGEST)) {
                char hex[2 * MEASURE_SNP_DIGEST_SIZE + 1];

                if (a->digest_size)
                        hex_encode_buf(a->digest, a->digest_size, hex);
                else
                        hex_encode_buf(a->expected_digest, QEMU_DIGEST_SIZE, hex);
                if (!a->common.json)
                        log_notice("expected launch digest: %s", hex);
        }
        if (a->dry_run)
                return print_dry_run(a, argv, cbitpos_source);

        if (log_get_level() >= LOG_LEVEL_INFO) {
                _cleanup_(freep) char *line = qemu_argv_to_shell(argv);

                log_info("running %s", line ? line : argv[0]);
        }
        fflush(stdout);
        execvp(argv[0], argv);
        return log_errno(-errno, "running '%s'", argv[0]);
}

int launch_main(int argc, char **argv) {
        struct launch_args a = {
                .disk_bus = QEMU_DISK_BUS_SCSI,
                .guest_features = SNP_FEATURES_DEFAULT,
        };
        const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
        int nopts = argc, r;

        qemu_params_init(&a.q);
        /* The one thing the name changes: one dash for every option, and the original script's
         * defaults (no encryption unless -sev*, apply_script_defaults()). */
        a.script = strcmp(self, "launch-qemu.sh") == 0;
        if (a.script)
                a.q.mode = QEMU_MODE_PLAIN;
        /* Everything after the first "--" goes to QEMU unchanged. */
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--") == 0) {
                        nopts = i;
                        a.extra = argv + i + 1;
                        a.n_extra = (size_t) (argc - i - 1);
                        break;
                }
        r = argp_parse(&launch_argp, nopts, argv, a.script ? ARGP_LONG_ONLY : 0, NULL, &a);
        if (r != 0) {
                launch_args_done(&a);
                return SNPCTL_EXIT_USAGE;
        }
        r = run(&a);
        launch_args_done(&a);
        return r < 0 ? SNPCTL_EXIT_FAILURE : SNPCTL_EXIT_OK;
}
