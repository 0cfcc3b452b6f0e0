/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl measure: the expected launch digest of a guest, flag-compatible with virtee's
 * sev-snp-measure (its --mode, --vcpu-*, --vmm-type, --ovmf/--kernel/--initrd/--append,
 * --guest-features, --output-format, --snp-ovmf-hash, --dump-vmsa, --svsm, --vars-*), so a
 * `sev-snp-measure` link runs it unchanged. stdout holds the digest alone, or --json. */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applets.h"
#include "base64.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "hex.h"
#include "log.h"
#include "measure.h"
#include "measure-match.h"
#include "output.h"
#include "parse.h"
#include "report.h"

enum {
        OPT_MODE = CLI_OPT_BASE,
        OPT_VCPUS,
        OPT_VCPU_TYPE,
        OPT_VCPU_SIG,
        OPT_VCPU_FAMILY,
        OPT_VCPU_MODEL,
        OPT_VCPU_STEPPING,
        OPT_VMM_TYPE,
        OPT_OVMF,
        OPT_KERNEL,
        OPT_INITRD,
        OPT_APPEND,
        OPT_GUEST_FEATURES,
        OPT_OUTPUT_FORMAT,
        OPT_SNP_OVMF_HASH,
        OPT_DUMP_VMSA,
        OPT_SVSM,
        OPT_VARS_SIZE,
        OPT_VARS_FILE,
        OPT_FORCE,
        OPT_CONFIG,
        OPT_MATCH,
        OPT_MAX_VCPUS,
        OPT_END,
};
_Static_assert(OPT_END <= CLI_OPT_MAX, "one bit of struct cli_given per option");

struct measure_args {
        struct common_args common;
        struct measure_params p;
        const char *argv0;
        const char *vcpu_type;
        struct cli_given given;         /* the options on the command line */
        unsigned family, model, stepping;
        uint32_t sig;
        bool base64;
        bool dump_vmsa;
        bool force;
        const char *vars_file;
        const char *config;             /* --config: the defaults of every guest option */
        const char *match;              /* --match DIGEST|REPORT */
        unsigned max_vcpus;
        uint64_t match_features[MEASURE_MATCH_MAX_FEATURES / 2];   /* each --guest-features */
        size_t n_match_features;
};

static bool given(const struct measure_args *a, int key) {
        return cli_given(&a->given, key);
}

/* Progress on a TTY only, once hashing has taken more than a second. */
struct progress_state {
        struct timespec start, last;
        bool shown;
};

static const struct argp_option measure_options[] = {
        { NULL, 0, NULL, 0, "Guest:", 1 },
        { "config",         OPT_CONFIG,         "FILE",     0, "VM config (vm.json) giving the "
          "guest and its files; the other options override one field each", 1 },
        { "vm-definition",  OPT_CONFIG,         "FILE",     OPTION_ALIAS, NULL, 1 },
        { "mode",           OPT_MODE,           "MODE",     0,
          "snp (default), snp:ovmf-hash, seves, sev or snp:svsm", 1 },
        { "vcpus",          OPT_VCPUS,          "N",        0, "Number of guest vCPUs", 1 },
        { "vcpu-type",      OPT_VCPU_TYPE,      "CPUTYPE",  0,
          "QEMU CPU model (EPYC, EPYC-v1..v4, EPYC-IBPB, EPYC-Rome[-v1..v3], EPYC-Milan[-v1,v2], "
          "EPYC-Genoa[-v1], EPYC-Turin[-v1])", 1 },
        { "vcpu-sig",       OPT_VCPU_SIG,       "VALUE",    0, "vCPU signature (CPUID 1 EAX)", 1 },
        { "vcpu-family",    OPT_VCPU_FAMILY,    "FAMILY",   0, "vCPU family (with model and "
          "stepping)", 1 },
        { "vcpu-model",     OPT_VCPU_MODEL,     "MODEL",    0, "vCPU model", 1 },
        { "vcpu-stepping",  OPT_VCPU_STEPPING,  "STEPPING", 0, "vCPU stepping", 1 },
        { "vmm-type",       OPT_VMM_TYPE,       "VMMTYPE",  0, "QEMU (default), ec2 or gce", 1 },
        { "guest-features", OPT_GUEST_FEATURES, "VALUE",    0,
          "SEV_FEATURES of the SNP vCPUs (default 0x1; 0x21 adds DebugSwap)", 1 },
        { NULL, 0, NULL, 0, "Files:", 2 },
        { "ovmf",           OPT_OVMF,           "PATH",     0, "OVMF firmware image", 2 },
        { "kernel",         OPT_KERNEL,         "PATH",     0, "Kernel (measured direct boot)", 2 },
        { "initrd",         OPT_INITRD,         "PATH",     0, "Initrd (needs the kernel option)",
          2 },
        { "append",         OPT_APPEND,         "CMDLINE",  0, "Kernel command line", 2 },
        { "snp-ovmf-hash",  OPT_SNP_OVMF_HASH,  "HASH",     0,
          "Start from this precomputed OVMF hash (hex, snp mode)", 2 },
        { "svsm",           OPT_SVSM,           "PATH",     0, "SVSM image (snp:svsm mode)", 2 },
        { "vars-size",      OPT_VARS_SIZE,      "SIZE",     0, "OVMF_VARS size in bytes "
          "(snp:svsm mode)", 2 },
        { "vars-file",      OPT_VARS_FILE,      "PATH",     0, "OVMF_VARS file, for its size "
          "(snp:svsm mode)", 2 },
        { NULL, 0, NULL, 0, "Output:", 3 },
        { "output-format",  OPT_OUTPUT_FORMAT,  "FORMAT",   0, "hex (default) or base64", 3 },
        { "dump-vmsa",      OPT_DUMP_VMSA,      NULL,       0,
          "Write each VMSA page to vmsaN.bin in the current folder", 3 },
        { "force",          OPT_FORCE,          NULL,       0, "Replace existing vmsaN.bin files", 3 },
        { NULL, 0, NULL, 0, "Explaining a digest:", 4 },
        { "match",          OPT_MATCH,          "DIGEST|REPORT", 0, "Search the parameters not "
          "given (vCPU count and type, VMM, guest features, kernel hashes, SVSM) for those that "
          "give this digest (96 hex digits, or a report's MEASUREMENT); --guest-features adds "
          "a set to try", 4 },
        { "max-vcpus",      OPT_MAX_VCPUS,      "N",        0, "With --match: vCPU counts "
          "searched (default 4096)", 4 },
        { 0 }
};

static void parse_number(struct argp_state *state, const char *opt, const char *arg,
                         unsigned min, unsigned max, unsigned *ret) {
        if (parse_uint(arg, min, max, ret) < 0)
                argp_error(state, "bad %s '%s' (a number from %u to %u)", opt, arg, min, max);
}

/* --match: every parameter is optional; the files are required. */
static void check_match_end(struct measure_args *a, struct argp_state *state) {
        struct measure_params *p = &a->p;

        if (p->mode != MEASURE_MODE_SNP && p->mode != MEASURE_MODE_SNP_SVSM)
                argp_error(state, "--match searches SNP digests (mode snp or snp:svsm)");
        if (p->have_ovmf_hash || a->dump_vmsa)
                argp_error(state, "--match takes no --snp-ovmf-hash or --dump-vmsa");
        if (p->mode == MEASURE_MODE_SNP_SVSM && !p->svsm)
                argp_error(state, "mode 'snp:svsm' needs --svsm PATH");
        if (a->vars_file && given(a, OPT_VARS_SIZE))
                argp_error(state, "--vars-size and --vars-file exclude each other");
        if (p->svsm && !a->vars_file && !given(a, OPT_VARS_SIZE))
                argp_error(state, "--svsm requires --vars-size or --vars-file");
        if (!p->svsm && (a->vars_file || given(a, OPT_VARS_SIZE)))
                argp_error(state, "--vars-size and --vars-file need --svsm");
        if (given(a, OPT_VCPUS) && given(a, OPT_MAX_VCPUS))
                argp_error(state, "--vcpus fixes the vCPU count; --max-vcpus is for a search");
        for (size_t i = 0; i < a->n_match_features; i++)
                if (!(a->match_features[i] & SNP_FEATURE_SNP_ACTIVE))
                        argp_error(state, "--guest-features 0x%" PRIx64 " lacks bit 0 "
                                   "(SNPActive), which every SNP vCPU has", a->match_features[i]);
}

static void check_end(struct measure_args *a, struct argp_state *state) {
        struct measure_params *p = &a->p;
        bool vmsas = p->mode == MEASURE_MODE_SNP || p->mode == MEASURE_MODE_SEVES ||
                p->mode == MEASURE_MODE_SNP_SVSM;
        const char *mode = measure_mode_to_string(p->mode);

        if (!p->ovmf && !a->config)
                argp_error(state, "missing --ovmf PATH (or --config FILE)");
        if (p->mode == MEASURE_MODE_SNP_OVMF_HASH) {
                if (p->kernel || p->have_ovmf_hash || p->svsm || a->dump_vmsa || a->match)
                        argp_error(state, "mode 'snp:ovmf-hash' takes only --ovmf");
                return;
        }
        /* With --config these are checked once the config's values are in (run()). */
        if (p->initrd && !p->kernel && !a->config)
                argp_error(state, "--kernel required when using --initrd");
        if (p->append && !p->kernel && !a->config)
                argp_error(state, "--kernel required when using --append");
        if (vmsas && !given(a, OPT_VCPUS) && !a->config && !a->match)
                argp_error(state, "missing --vcpus N in guest mode '%s'", mode);
        if (p->have_ovmf_hash && p->mode != MEASURE_MODE_SNP)
                argp_error(state, "--snp-ovmf-hash only works in mode 'snp'");
        if (a->dump_vmsa && !vmsas)
                argp_error(state, "--dump-vmsa needs mode seves, snp or snp:svsm");
        if (given(a, OPT_GUEST_FEATURES) && p->mode == MEASURE_MODE_SNP &&
            !(p->guest_features & SNP_FEATURE_SNP_ACTIVE))
                argp_error(state, "--guest-features 0x%" PRIx64 " lacks bit 0 (SNPActive), which "
                           "every SNP vCPU has", p->guest_features);

        /* The vCPU signature: family/model/stepping, else --vcpu-sig, else --vcpu-type. */
        if (given(a, OPT_VCPU_FAMILY) || given(a, OPT_VCPU_MODEL) || given(a, OPT_VCPU_STEPPING)) {
                if (!given(a, OPT_VCPU_FAMILY) || !given(a, OPT_VCPU_MODEL) || !given(a, OPT_VCPU_STEPPING))
                        argp_error(state, "--vcpu-family, --vcpu-model and --vcpu-stepping "
                                   "go together");
                if (measure_vcpu_sig(a->family, a->model, a->stepping, &p->vcpu_sig) < 0)
                        argp_error(state, "vCPU family %u model %u stepping %u is out of range",
                                   a->family, a->model, a->stepping);
        } else if (given(a, OPT_VCPU_SIG))
                p->vcpu_sig = a->sig;
        else if (a->vcpu_type)
                (void) measure_vcpu_sig_from_type(a->vcpu_type, &p->vcpu_sig);
        else if (vmsas && p->vmm == MEASURE_VMM_QEMU && !a->config && !a->match)
                /* Reported after the firmware checks (a bad image is the bigger problem). */
                p->vcpu_sig_missing = true;

        if (a->match) {
                check_match_end(a, state);
                return;
        }
        if (given(a, OPT_MAX_VCPUS))
                argp_error(state, "--max-vcpus needs --match");
        if (p->mode == MEASURE_MODE_SNP_SVSM) {
                if (!p->svsm)
                        argp_error(state, "mode 'snp:svsm' needs --svsm PATH");
                if (a->vars_file && given(a, OPT_VARS_SIZE))
                        argp_error(state, "--vars-size and --vars-file exclude each other");
                if (!a->vars_file && !given(a, OPT_VARS_SIZE))
                        argp_error(state, "snp:svsm mode requires --vars-size or --vars-file");
                if (p->vmm != MEASURE_VMM_QEMU)
                        argp_error(state, "mode 'snp:svsm' is only defined for --vmm-type QEMU");
                if (p->kernel)
                        argp_error(state, "mode 'snp:svsm' does not measure a kernel");
        } else if (p->svsm || a->vars_file || given(a, OPT_VARS_SIZE))
                argp_error(state, "--svsm, --vars-size and --vars-file need mode 'snp:svsm'");
}

static error_t measure_parse_opt(int key, char *arg, struct argp_state *state) {
        struct measure_args *a = state->input;
        struct measure_params *p = &a->p;
        uint32_t sig;
        uint64_t v;

        cli_given_record(&a->given, key);
        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_MODE:
                if (measure_mode_from_string(arg, &p->mode) < 0)
                        argp_error(state, "unknown --mode '%s' (sev, seves, snp, snp:ovmf-hash, "
                                   "snp:svsm)", arg);
                break;
        case OPT_VCPUS:
                parse_number(state, "--vcpus", arg, 1, SNP_MAX_VCPUS, &p->vcpus);
                break;
        case OPT_VCPU_TYPE:
                if (measure_vcpu_sig_from_type(arg, &sig) < 0)
                        argp_error(state, "unknown --vcpu-type '%s'; see --help for the list", arg);
                a->vcpu_type = arg;
                break;
        case OPT_VCPU_SIG:
                if (parse_u64(arg, &v) < 0 || v > UINT32_MAX)
                        argp_error(state, "bad --vcpu-sig '%s' (a 32-bit number)", arg);
                a->sig = (uint32_t) v;
                break;
        case OPT_VCPU_FAMILY:
                parse_number(state, "--vcpu-family", arg, 0, 0xf + 0xff, &a->family);
                break;
        case OPT_VCPU_MODEL:
                parse_number(state, "--vcpu-model", arg, 0, 0xff, &a->model);
                break;
        case OPT_VCPU_STEPPING:
                parse_number(state, "--vcpu-stepping", arg, 0, 0xf, &a->stepping);
                break;
        case OPT_VMM_TYPE:
                if (measure_vmm_from_string(arg, &p->vmm) < 0)
                        argp_error(state, "unknown VMM type '%s' (QEMU, ec2, gce)", arg);
                break;
        case OPT_OVMF:          p->ovmf = arg; break;
        case OPT_KERNEL:        p->kernel = arg; break;
        case OPT_INITRD:        p->initrd = arg; break;
        case OPT_APPEND:        p->append = arg; break;
        case OPT_SVSM:          p->svsm = arg; break;
        case OPT_VARS_FILE:     a->vars_file = arg; break;
        case OPT_DUMP_VMSA:     a->dump_vmsa = true; break;
        case OPT_FORCE:         a->force = true; break;
        case OPT_CONFIG:        a->config = arg; break;
        case OPT_GUEST_FEATURES:
                if (parse_u64(arg, &p->guest_features) < 0)
                        argp_error(state, "bad --guest-features '%s'", arg);
                if (a->n_match_features == ELEMENTSOF(a->match_features))
                        argp_error(state, "too many --guest-features");
                a->match_features[a->n_match_features++] = p->guest_features;
                break;
        case OPT_MATCH:         a->match = arg; break;
        case OPT_MAX_VCPUS:
                parse_number(state, "--max-vcpus", arg, 1, SNP_MAX_VCPUS, &a->max_vcpus);
                break;
        case OPT_OUTPUT_FORMAT:
                if (strcmp(arg, "hex") == 0)
                        a->base64 = false;
                else if (strcmp(arg, "base64") == 0)
                        a->base64 = true;
                else
                        argp_error(state, "unknown --output-format '%s' (hex, base64)", arg);
                break;
        case OPT_SNP_OVMF_HASH:
                if (hex_decode_exact(arg, p->ovmf_hash, sizeof(p->ovmf_hash)) < 0)
                        argp_error(state, "bad --snp-ovmf-hash '%s' (96 hex digits)", arg);
                p->have_ovmf_hash = true;
                break;
        case OPT_VARS_SIZE:
                if (parse_u64(arg, &p->vars_size) < 0 || p->vars_size == 0 ||
                    p->vars_size % 4096 != 0)
                        argp_error(state, "bad --vars-size '%s' (a non-zero multiple of 4096)",
                                   arg);
                break;
        case ARGP_KEY_ARG:
                if (state->arg_num == 0 && strcmp(arg, "ovmf-hash") == 0)
                        p->mode = MEASURE_MODE_SNP_OVMF_HASH;
                else
                        argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                check_end(a, state);
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static double elapsed(const struct timespec *a, const struct timespec *b) {
        return (double) (b->tv_sec - a->tv_sec) + (double) (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void show_progress(uint64_t done, uint64_t total, void *userdata) {
        struct progress_state *s = userdata;
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        if (elapsed(&s->start, &now) < 1.0 || (s->shown && elapsed(&s->last, &now) < 0.2))
                return;
        s->last = now;
        s->shown = true;
        if (total > 0)
                fprintf(stderr, "\rhashing kernel and initrd: %3u%% (%" PRIu64 "/%" PRIu64 " MiB)",
                        (unsigned) (done * 100 / (total > done ? total : done)), done >> 20,
                        total >> 20);
        else
                fprintf(stderr, "\rhashing kernel and initrd: %" PRIu64 " MiB", done >> 20);
        fflush(stderr);
}

static const char *compat_mode_name(enum measure_mode m) {
        switch (m) {
        case MEASURE_MODE_SEV:          return "SEV";
        case MEASURE_MODE_SEVES:        return "SEV_ES";
        case MEASURE_MODE_SNP_SVSM:     return "SEV_SNP_SVSM";
        default:                        return "SEV_SNP";
        }
}

static int print_json(const struct measure_args *a, const struct measure_result *res) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        const struct measure_params *p = &a->p;
        bool vmsas = res->n_vmsas > 0;
        char sig[16];
        int r = 0;

        if (!o)
                return -ENOMEM;
        r |= output_add_str(o, "mode", measure_mode_to_string(res->mode));
        r |= output_add_hex(o, "measurement", res->digest, res->digest_size);
        r |= output_add_str(o, "ovmf", p->ovmf);
        if (res->has_ovmf_hash)
                r |= output_add_hex(o, "ovmf_hash", res->ovmf_hash, sizeof(res->ovmf_hash));
        if (res->mode != MEASURE_MODE_SNP_OVMF_HASH) {
                if (res->has_kernel_hashes) {
                        struct json_object *k = json_object_new_object();

                        if (!k)
                                return -ENOMEM;
                        r |= output_add_hex(k, "cmdline", res->cmdline_sha256, 32);
                        r |= output_add_hex(k, "initrd", res->initrd_sha256, 32);
                        r |= output_add_hex(k, "kernel", res->kernel_sha256, 32);
                        if (res->mode == MEASURE_MODE_SNP)
                                r |= output_add_u64(k, "table_gpa", res->kernel_hashes_table_gpa);
                        r |= output_add_obj(o, "kernel_hashes", k);
                } else
                        r |= output_add_str(o, "kernel_hashes", NULL);
        }
        if (vmsas) {
                struct json_object *arr = json_object_new_array();

                if (!arr)
                        return -ENOMEM;
                r |= output_add_str(o, "vmm_type", measure_vmm_to_string(p->vmm));
                r |= output_add_u64(o, "vcpus", p->vcpus);
                snprintf(sig, sizeof(sig), "0x%" PRIx32, p->vcpu_sig);
                r |= output_add_str(o, "vcpu_sig", sig);
                if (res->mode == MEASURE_MODE_SNP)
                        r |= output_add_u64(o, "guest_features", p->guest_features);
                r |= output_add_u64(o, "ap_eip", res->ap_eip);
                for (size_t i = 0; i < res->n_vmsas; i++) {
                        struct json_object *e = json_object_new_object();

                        if (!e || json_object_array_add(arr, e) < 0) {
                                json_object_put(e);
                                json_object_put(arr);
                                return -ENOMEM;
                        }
                        r |= output_add_u64(e, "vcpu", i);
                        r |= output_add_hex(e, "sha384", res->vmsa_sha384[i],
                                            MEASURE_SNP_DIGEST_SIZE);
                }
                r |= output_add_obj(o, "vmsas", arr);
        }
        if (r != 0)
                return -ENOMEM;
        return output_print_json(o);
}

static int dump_vmsas(const struct measure_args *a, const struct measure_result *res) {
        for (size_t i = 0; i < res->n_vmsas; i++) {
                char name[32];
                int r;

                snprintf(name, sizeof(name), "vmsa%zu.bin", i);
                r = fileio_write_atomic(name, i == 0 ? res->bsp_vmsa : res->ap_vmsa,
                                        MEASURE_VMSA_SIZE, 0644, a->force ? FILEIO_FORCE : 0);
                if (r == -EEXIST)
                        return log_errno(r, "writing '%s' (use --force to replace it)", name);
                if (r < 0)
                        return log_errno(r, "writing '%s'", name);
        }
        return 0;
}

/* What each option overrides in a --config (config_apply_options()). The vCPU signature is
 * the one check_end() derived from whichever of its options was given. */
static const struct config_option measure_config_options[] = {
        CONFIG_OPTION(OPT_OVMF, CONFIG_FIELD_OVMF_FILE, struct measure_args, p.ovmf),
        CONFIG_OPTION(OPT_KERNEL, CONFIG_FIELD_KERNEL_FILE, struct measure_args, p.kernel),
        CONFIG_OPTION(OPT_INITRD, CONFIG_FIELD_INITRD_FILE, struct measure_args, p.initrd),
        CONFIG_OPTION(OPT_APPEND, CONFIG_FIELD_CMDLINE, struct measure_args, p.append),
        CONFIG_OPTION(OPT_VCPUS, CONFIG_FIELD_VCPU_COUNT, struct measure_args, p.vcpus),
        CONFIG_OPTION(OPT_VCPU_TYPE, CONFIG_FIELD_VCPU_SIG, struct measure_args, p.vcpu_sig),
        CONFIG_OPTION(OPT_VCPU_SIG, CONFIG_FIELD_VCPU_SIG, struct measure_args, p.vcpu_sig),
        CONFIG_OPTION(OPT_VCPU_FAMILY, CONFIG_FIELD_VCPU_SIG, struct measure_args, p.vcpu_sig),
        CONFIG_OPTION(OPT_VMM_TYPE, CONFIG_FIELD_VMM_TYPE, struct measure_args, p.vmm),
        CONFIG_OPTION(OPT_GUEST_FEATURES, CONFIG_FIELD_GUEST_FEATURES, struct measure_args,
                      p.guest_features),
};

/* --config: the launch description (config.h) with the options laid over it, read back into
 * a->p; the mode and the mode-specific options stay a->p's. *ret keeps the config, whose
 * strings a->p then borrows. */
static int apply_config(struct measure_args *a, struct vm_config **ret) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct measure_params *p = &a->p, cp;
        int r = config_load_with_options(a->config, CONFIG_SKIP_FILE_CHECKS,
                                         measure_config_options,
                                         ELEMENTSOF(measure_config_options), &a->given, a, &c);

        if (r < 0)
                return r;
        config_measure_params(c, &cp);
        p->ovmf = cp.ovmf;
        if (p->mode != MEASURE_MODE_SNP_OVMF_HASH) {    /* that mode measures the OVMF alone */
                p->kernel = cp.kernel;
                p->initrd = cp.initrd;
                p->append = cp.append;
        }
        p->vcpus = cp.vcpus;
        p->vcpu_sig = cp.vcpu_sig;
        p->vmm = cp.vmm;
        p->guest_features = cp.guest_features;
        if ((p->initrd || p->append) && !p->kernel) {
                log_error("config '%s': an initrd or command line needs a kernel", a->config);
                return -EINVAL;
        }
        *ret = TAKE(c);
        return 0;
}

/* The digest --match names: 96 hex digits, or the MEASUREMENT of a report file. */
static int match_digest(const char *arg, uint8_t digest[MEASURE_SNP_DIGEST_SIZE]) {
        _cleanup_(freep) uint8_t *data = NULL;
        struct snp_report rep;
        const char *why = NULL;
        size_t size;
        int r;

        if (strlen(arg) == 2 * MEASURE_SNP_DIGEST_SIZE &&
            hex_decode_exact(arg, digest, MEASURE_SNP_DIGEST_SIZE) == 0)
                return 0;
        r = fileio_read_full(arg, 1 << 16, &data, &size);
        if (r < 0)
                return log_errno(r, "--match '%s' is not 96 hex digits; reading it as a report",
                                 arg);
        r = report_parse(data, size, &rep, &why);
        if (r < 0) {
                log_error("--match: report '%s': %s", arg, why ? why : strerror(-r));
                return r;
        }
        memcpy(digest, rep.measurement, MEASURE_SNP_DIGEST_SIZE);
        return 0;
}

/* --match: 0 when something matched, 1 when nothing did, or -errno. */
static int run_match(struct measure_args *a) {
        _cleanup_(freep) struct measure_match_result *res = NULL;
        _cleanup_(freep) char *why = NULL;
        struct measure_match_query q = {
                .p = a->p,
                .max_vcpus = a->max_vcpus ? a->max_vcpus : SNP_MAX_VCPUS,
                .fix_vcpus = given(a, OPT_VCPUS),
                .fix_vcpu_sig = given(a, OPT_VCPU_FAMILY) || given(a, OPT_VCPU_SIG) ||
                        a->vcpu_type,
                .fix_vmm = given(a, OPT_VMM_TYPE),
                .fix_svsm = given(a, OPT_MODE),
                .svsm_on = a->p.mode == MEASURE_MODE_SNP_SVSM,
                .extra_features = a->match_features,
                .n_extra_features = a->n_match_features,
                .from_config = a->config,
        };
        int r = match_digest(a->match, q.digest);

        if (r < 0)
                return r;
        r = measure_match_search(&q, &res, &why);
        if (r < 0) {
                if (why) {
                        log_error("%s", why);
                        return r;
                }
                return log_errno(r, "searching the parameters of '%s'", a->p.ovmf);
        }
        r = measure_match_print(&q, res, a->common.json);
        if (r < 0)
                return log_errno(r, "writing the matches");
        return res->n_found > 0 ? 0 : 1;
}

static int run(struct measure_args *a) {
        _cleanup_(config_freep) struct vm_config *config = NULL;
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        _cleanup_(freep) char *why = NULL;
        _cleanup_(freep) char *text = NULL;
        struct progress_state prog = { .shown = false };
        const char *base;
        int r;

        if (a->config) {
                r = apply_config(a, &config);
                if (r < 0)
                        return r;
        }
        /* Measured as given (sev-snp-measure and QEMU pass any value); a config's value was
         * checked with the config. */
        if (given(a, OPT_GUEST_FEATURES) && a->p.mode == MEASURE_MODE_SNP &&
            (a->p.guest_features & ~SNP_FEATURES_KNOWN_MASK))
                log_warning("--guest-features 0x%" PRIx64 " sets bits this version does not know "
                            "(0x%" PRIx64 "); measured as given", a->p.guest_features,
                            a->p.guest_features & ~SNP_FEATURES_KNOWN_MASK);
        if (a->vars_file) {
                r = fileio_size(a->vars_file, &a->p.vars_size);
                if (r < 0)
                        return log_errno(r, "reading OVMF_VARS file '%s'", a->vars_file);
        }
        if (a->match)
                return run_match(a);
        if (!a->common.quiet && isatty(STDERR_FILENO)) {
                clock_gettime(CLOCK_MONOTONIC, &prog.start);
                a->p.progress = show_progress;
                a->p.progress_userdata = &prog;
        }

        r = measure_compute(&a->p, &res, &why);
        if (prog.shown)
                fputs("\r\033[K", stderr);
        if (r == -ENOKEY && a->p.vcpu_sig_missing) {
                log_error("missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '%s'",
                          measure_mode_to_string(a->p.mode));
                return r;
        }
        if (r < 0) {
                if (why)
                        log_error("%s", why);
                else
                        log_errno(r, "computing the launch digest of '%s'", a->p.ovmf);
                return r;
        }

        if (a->dump_vmsa) {
                r = dump_vmsas(a, res);
                if (r < 0)
                        return r;
        }
        if (a->common.json) {
                r = print_json(a, res);
                return r < 0 ? log_errno(r, "writing JSON") : 0;
        }

        text = a->base64 ? base64_encode(res->digest, res->digest_size) :
                hex_encode(res->digest, res->digest_size);
        if (!text)
                return log_errno(-ENOMEM, "encoding the digest");
        base = strrchr(a->argv0, '/') ? strrchr(a->argv0, '/') + 1 : a->argv0;
        /* sev-snp-measure -v prints this sentence; keep it under that name. */
        if (a->common.verbose && strcmp(base, "sev-snp-measure") == 0)
                printf("Calculated %s guest measurement: %s\n", compat_mode_name(res->mode), text);
        else
                printf("%s\n", text);
        if (fflush(stdout) != 0 || ferror(stdout))
                return log_errno(-EIO, "writing the digest");
        return 0;
}

static const struct argp_child measure_children[] = { { &common_argp, 0, NULL, 0 }, { 0 } };
static const struct argp measure_argp = {
        .options = measure_options,
        .parser = measure_parse_opt,
        .args_doc = "[ovmf-hash]",
        .children = measure_children,
        .doc = "Compute the expected launch digest (MEASUREMENT) of an AMD SEV, SEV-ES or SEV-SNP "
               "guest from its firmware, kernel, initrd and command line. Options as in "
               "sev-snp-measure; `ovmf-hash` is short for --mode snp:ovmf-hash.\v"
               "stdout holds the digest alone (or --json with every component). Exit status: 0 "
               "computed (--match: a parameter set matched), 1 bad input or I/O error, 2 usage "
               "error, 3 --match found no parameter set.",
};

int measure_main(int argc, char **argv) {
        struct measure_args a = { .argv0 = argv[0] };
        int r;

        measure_params_init(&a.p);
        if (argp_parse(&measure_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = run(&a);
        if (r == -ENOKEY && a.p.vcpu_sig_missing)
                return SNPCTL_EXIT_USAGE;
        if (r == 1)
                return SNPCTL_EXIT_REJECTED;    /* --match: no parameter set */
        return r < 0 ? SNPCTL_EXIT_FAILURE : SNPCTL_EXIT_OK;
}
