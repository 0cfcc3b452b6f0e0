/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl config: write, check and show the VM description (docs/config.md). The original
 * workflow's `config-generator` runs `snpctl config init`. */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "attest.h"
#include "certopts.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "hex.h"
#include "hostinfo.h"
#include "log.h"
#include "output.h"

enum config_action {
        ACTION_NONE,
        ACTION_INIT,
        ACTION_VALIDATE,
        ACTION_SHOW,
};

enum {
        OPT_FROM_REPORT = 0x100,
        OPT_NO_FILE_CHECKS,
        OPT_HOST_CPU_FAMILY,
        OPT_OVMF,
};

struct config_args {
        struct common_args common;
        struct cert_args certs;         /* verify the --from-report report */
        enum config_action action;
        const char *file;               /* validate/show */
        const char *output;             /* init -o */
        bool force;
        const char *from_report;
        const char *family;
        const char *ovmf;               /* init --ovmf */
        bool no_file_checks;
};

static const struct argp_option config_options[] = {
        { NULL, 0, NULL, 0, "init:", 1 },
        { "output", 'o', "FILE", 0, "Write the config to FILE instead of stdout (- for stdout)",
          1 },
        { "force", 'f', NULL, 0, "Replace an existing FILE", 1 },
        { "from-report", OPT_FROM_REPORT, "REPORT", 0,
          "Take CPU family, policy, platform info, minimum TCB, VMPL and signer from a known-good "
          "attestation report (1184 bytes), verified with the certificate options below; "
          "without them it is copied unverified, with a warning", 1 },
        { "host-cpu-family", OPT_HOST_CPU_FAMILY, "NAME", 0,
          "Milan, Genoa or Turin (for reports of version 2, which do not name it)", 1 },
        { "ovmf", OPT_OVMF, "FILE", 0, "ovmf_file (default: " HOSTINFO_AMDSEV_OVMF ", which "
          "scripts/setup-host builds, when it is there)", 1 },
        { NULL, 0, NULL, 0, "validate, show:", 2 },
        { "no-file-checks", OPT_NO_FILE_CHECKS, NULL, 0,
          "Do not look at the files the config names (a verifier without them)", 2 },
        { 0 }
};

static error_t config_parse_opt(int key, char *arg, struct argp_state *state) {
        struct config_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->certs;
                state->child_inputs[1] = &a->common;
                break;
        case 'o':
                a->output = arg;
                break;
        case 'f':
                a->force = true;
                break;
        case OPT_FROM_REPORT:
                a->from_report = arg;
                break;
        case OPT_HOST_CPU_FAMILY:
                a->family = arg;
                break;
        case OPT_OVMF:
                a->ovmf = arg;
                break;
        case OPT_NO_FILE_CHECKS:
                a->no_file_checks = true;
                break;
        case ARGP_KEY_ARG:
                if (state->arg_num == 0) {
                        if (strcmp(arg, "init") == 0)
                                a->action = ACTION_INIT;
                        else if (strcmp(arg, "validate") == 0)
                                a->action = ACTION_VALIDATE;
                        else if (strcmp(arg, "show") == 0)
                                a->action = ACTION_SHOW;
                        else
                                argp_error(state, "unknown action '%s' (init, validate, show)", arg);
                } else if (state->arg_num == 1 && a->action != ACTION_INIT)
                        a->file = arg;
                else
                        argp_error(state, "too many arguments");
                break;
        case ARGP_KEY_END:
                if (a->action == ACTION_NONE)
                        argp_error(state, "an action is required: init, validate or show");
                if (a->action != ACTION_INIT && !a->file)
                        argp_error(state, "%s needs a config FILE",
                                   a->action == ACTION_SHOW ? "show" : "validate");
                if (a->action != ACTION_INIT &&
                    (a->output || a->force || a->from_report || a->family || a->ovmf))
                        argp_error(state, "--output, --force, --from-report, "
                                   "--host-cpu-family and --ovmf go with init");
                if (a->action == ACTION_INIT && a->no_file_checks)
                        argp_error(state, "--no-file-checks goes with validate and show");
                if (a->force && !a->output)
                        argp_error(state, "--force needs --output");
                if ((cert_args_files(&a->certs) || a->certs.trust_ark || a->certs.crl ||
                     a->certs.require_crl || a->certs.has_at || a->certs.fetch ||
                     a->certs.offline) && !a->from_report)
                        argp_error(state, "--certs, --ark, --ask, --vcek, --vlek, --cert-table, "
                                   "--trust-ark, --crl, --require-crl, --at, --fetch and "
                                   "--offline go with init --from-report");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp_child config_children[] = {
        { &cert_argp, 0, NULL, 1 }, { &common_argp, 0, NULL, 0 }, { 0 }
};
static const struct argp config_argp = {
        .options = config_options,
        .parser = config_parse_opt,
        .args_doc = "init [-o FILE]\nvalidate FILE\nshow FILE",
        .doc = "Write, check and show the VM description (docs/config.md) that launch, measure, "
               "idblock and attest-verify read.\v"
               "init writes a default config for a direct-boot SNP guest; values in <angle "
               "brackets> are placeholders to fill in. validate lists every problem and exits 1 "
               "when there is one. show prints the effective config, defaults filled in and bits "
               "decoded, and the expected launch digest.\n\ninit --from-report copies values "
               "from a report: give its certificates (--certs DIR, or --ark, --ask and "
               "--vcek/--vlek) so that its chain and signature are verified first; without them "
               "the values are unverified and a warning says so.\n\nExit status: 0 success, 1 "
               "invalid config or could not finish, 2 usage error, 3 the --from-report report "
               "was examined and rejected (nothing written).",
        .children = config_children,
};

/* The report's chain and signature with the certificate options (as attest-verify checks them,
 * DEBUG aside: a debug policy is copied with its own warning). 1 verified; 0 not verified, as no
 * certificate was given (the caller warns once the report parsed); -EKEYREJECTED rejected (the
 * first failed check logged); -errno could not verify (logged). */
static int verify_report(const struct config_args *a, const uint8_t *report, size_t size) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *trusted = NULL;
        _cleanup_(freep) char *why = NULL;
        const struct attest_expect expect = { .allow_debug = true };
        struct cert_cache *cache = NULL;
        struct cert_args certs;
        struct attest_chain *chain = NULL;
        struct attest_result res;
        const struct attest_check *f;
        int r;

        if (!cert_args_files(&a->certs) && !a->certs.trust_ark && !a->certs.fetch &&
            !a->certs.offline)
                return 0;
        r = cert_args_trusted(&a->certs, &trusted);
        if (r < 0)
                return log_errno(r, "reading --trust-ark '%s'", a->certs.trust_ark);
        r = cert_args_fetch(&a->certs, report, size, &cache, &certs, &why);
        if (r < 0) {
                log_errno(r, "report '%s': %s", a->from_report,
                          why ? why : "fetching the certificates");
                cert_cache_free(&cache);
                return r == -EKEYREJECTED ? -EIO : r;
        }
        r = cert_chain_for_report(&certs, a->from_report,
                                  snp_report_peek_signing_key(report, size), trusted,
                                  &cache, &chain, &why);
        if (r >= 0)
                r = attest_verify_report(chain, report, size, &expect, &res);
        else
                log_errno(r, "%s", why ? why : "finding the certificates");
        if (r >= 0 && !attest_verified(&res)) {
                f = attest_first_failure(&res);
                log_error("report '%s' rejected, nothing written: %s: expected %s, got %s",
                          a->from_report, f ? f->name : "?", f ? f->expected : "",
                          f ? f->actual : "");
                r = -EKEYREJECTED;
        } else if (r >= 0) {
                log_notice("report '%s' verified: signed by a %s %s whose chain ends at %s",
                           a->from_report, report_generation_name(res.generation),
                           report_signer_name(res.signer), trusted ?
                           "the --trust-ark root" : "a pinned AMD root");
                r = 1;
        } else if (r == -EKEYREJECTED)
                r = -EIO;       /* -EKEYREJECTED means "rejected" to config_main() */
        cert_cache_free(&cache);
        return r;
}

static int do_init(const struct config_args *a) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        _cleanup_(freep) char *text = NULL;
        int r;

        r = config_new(&c);
        if (r < 0)
                return log_errno(r, "creating the config");
        if (a->family && config_cpu_family_from_string(a->family, &c->host_cpu_family) < 0) {
                log_error("unknown CPU family '%s' (Milan, Genoa or Turin)", a->family);
                return -EINVAL;
        }
        /* The AmdSev OVMF that setup-host installs, when there and no other was named. */
        if (a->ovmf || access(HOSTINFO_AMDSEV_OVMF, R_OK) == 0) {
                c->ovmf_file = strdup(a->ovmf ? a->ovmf : HOSTINFO_AMDSEV_OVMF);
                if (!c->ovmf_file)
                        return log_errno(-ENOMEM, "creating the config");
        }
        if (a->from_report) {
                _cleanup_(freep) uint8_t *report = NULL;
                enum snp_generation given = c->host_cpu_family;
                unsigned filled;
                size_t size;

                int verified;

                r = fileio_read_full(a->from_report, 1 << 16, &report, &size);
                if (r < 0)
                        return log_errno(r, "reading report '%s'", a->from_report);
                verified = verify_report(a, report, size);
                if (verified < 0)
                        return verified;
                r = config_fill_from_report(c, report, size, &filled);
                if (r == -EBADMSG)
                        return log_errno(r, "reading report '%s': not a 1184-byte attestation "
                                         "report (version 2, 3 or 5, reserved fields zero) "
                                         "signed by a VCEK or VLEK, with TCBs in the layout "
                                         "of its CPU family",
                                         a->from_report);
                if (r == -EPROTONOSUPPORT)
                        return log_errno(r, "reading report '%s': CPU family/model %02x/%02x",
                                         a->from_report,
                                         report[offsetof(struct snp_report_wire, cpuid_fam_id)],
                                         report[offsetof(struct snp_report_wire, cpuid_mod_id)]);
                if (r < 0)
                        return log_errno(r, "reading report '%s'", a->from_report);
                if ((filled & CONFIG_FILLED_CPU_FAMILY) && given != SNP_GEN_UNKNOWN &&
                    given != c->host_cpu_family) {
                        log_error("report '%s' comes from a %s host, not %s", a->from_report,
                                  config_cpu_family_to_string(c->host_cpu_family),
                                  config_cpu_family_to_string(given));
                        return -EINVAL;
                }
                if (!(filled & CONFIG_FILLED_CPU_FAMILY) && given == SNP_GEN_UNKNOWN)
                        log_warning("report '%s' (version 2) does not name the CPU generation: "
                                    "fill in host_cpu_family (or pass --host-cpu-family)",
                                    a->from_report);
                if (!verified)
                        log_warning("report '%s' was NOT verified: its policy, VMPL, TCB and "
                                    "platform info are unverified, anyone could have written "
                                    "them; give its certificates (--certs DIR, or --ark, --ask "
                                    "and --vcek or --vlek) to verify it", a->from_report);
                if (c->guest_policy & SNP_POLICY_DEBUG)
                        log_warning("report '%s' comes from a guest whose policy allows "
                                    "debugging (0x%" PRIx64 "); guest_policy is set to that",
                                    a->from_report, c->guest_policy);
                log_info("from '%s': host_cpu_family %s, guest_policy 0x%" PRIx64 ", "
                         "platform_info 0x%" PRIx64 ", vmpl %u, signer %s", a->from_report,
                         config_cpu_family_to_string(c->host_cpu_family), c->guest_policy,
                         c->platform_info, c->vmpl, config_signer_to_string(c->signer));
        }
        r = config_format_template(c, &text);
        if (r < 0)
                return log_errno(r, "formatting the config");
        if (!a->output || strcmp(a->output, "-") == 0) {
                if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
                        return log_errno(-EIO, "writing the config to stdout");
                return 0;
        }
        r = fileio_write_atomic(a->output, text, strlen(text), 0644, a->force ? FILEIO_FORCE : 0);
        if (r == -EEXIST) {
                log_error("'%s' exists; use --force to replace it", a->output);
                return r;
        }
        if (r < 0)
                return log_errno(r, "writing '%s'", a->output);
        return 0;
}

static int load(const struct config_args *a, struct config_problems *problems,
                struct vm_config **ret) {
        int r = config_load(a->file, a->no_file_checks ? CONFIG_SKIP_FILE_CHECKS : 0, problems,
                            ret);

        if (r == -EINVAL)
                return r;       /* the problems say why */
        if (r < 0)
                return log_errno(r, "reading config '%s'", a->file);
        return 0;
}

static int do_validate(const struct config_args *a) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems problems = { 0 };
        int r = load(a, &problems, &c);

        if (a->common.json && (r == 0 || r == -EINVAL)) {
                _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
                struct json_object *errors = NULL, *warnings = NULL;
                int q = o ? 0 : -ENOMEM;

                if (q == 0 && (output_add_str(o, "file", a->file) < 0 ||
                               output_add_bool(o, "valid", r == 0) < 0 ||
                               config_problems_to_json(&problems, false, &errors) < 0 ||
                               output_add_obj(o, "errors", errors) < 0 ||
                               config_problems_to_json(&problems, true, &warnings) < 0 ||
                               output_add_obj(o, "warnings", warnings) < 0))
                        q = -ENOMEM;
                if (q == 0)
                        q = output_print_json(o);
                if (q < 0)
                        r = log_errno(q, "printing the result");
        } else if (r == 0 || r == -EINVAL) {
                (void) config_log_problems(&problems, a->file);
                if (r == 0)
                        printf("%s: valid%s\n", a->file, problems.n ? " (with warnings)" : "");
        }
        config_problems_clear(&problems);
        return r;
}

static void print_bits(const char *label, uint64_t value, const struct snp_bit_name *names) {
        printf("%-22s 0x%" PRIx64, label, value);
        for (const struct snp_bit_name *b = names; b->name; b++)
                if (value & (UINT64_C(1) << b->bit))
                        printf(" %s", b->name);
        printf("\n");
}

static void print_hex(const char *label, const uint8_t *data, size_t n, bool has) {
        char buf[2 * 64 + 1];

        if (!has) {
                printf("%-22s (not set)\n", label);
                return;
        }
        hex_encode_buf(data, n, buf);
        printf("%-22s %s\n", label, buf);
}

static void print_str(const char *label, const char *s, const char *unset) {
        printf("%-22s %s\n", label, s ? s : unset);
}

/* guest_policy bits as show prints them (SNP ABI 56860, GUEST_POLICY) */
static const struct {
        uint64_t bit;
        const char *label, *set, *clear;
} policy_lines[] = {
        { SNP_POLICY_SMT, "SMT", "allowed", "not allowed" },
        { SNP_POLICY_MIGRATE_MA, "migration agent", "allowed", "not allowed" },
        { SNP_POLICY_DEBUG, "debug", "ALLOWED", "forbidden" },
        { SNP_POLICY_SINGLE_SOCKET, "single socket", "required", "not required" },
        { SNP_POLICY_CXL_ALLOW, "CXL", "allowed", "not allowed" },
        { SNP_POLICY_MEM_AES_256_XTS, "AES-256-XTS", "required", "not required" },
        { SNP_POLICY_RAPL_DIS, "RAPL disabled", "required", "not required" },
        { SNP_POLICY_CIPHERTEXT_HIDING, "ciphertext hiding", "required", "not required" },
        { SNP_POLICY_PAGE_SWAP_DISABLE, "page swap", "disabled", "allowed" },
};

static void show_text(const struct vm_config *c) {
        uint64_t p = c->guest_policy;

        print_str("config", c->path, "-");
        print_str("host_cpu_family", config_cpu_family_to_string(c->host_cpu_family), "");
        printf("%-22s %u\n", "vcpu_count", c->vcpu_count);
        printf("%-22s %s (CPUID signature 0x%" PRIx32 ")\n", "vcpu_type",
               c->vcpu_type ? c->vcpu_type : "(from vcpu_sig)", c->vcpu_sig);
        print_str("vmm_type", config_vmm_type_to_string(c->vmm_type), "");
        print_bits("guest_features", c->guest_features, snp_feature_bits);
        print_str("ovmf_file", c->ovmf_file, "(none)");
        print_str("kernel_file", c->kernel_file, "(none: no direct boot)");
        print_str("initrd_file", c->initrd_file, "(none)");
        if (c->kernel_cmdline)
                printf("%-22s \"%s\"\n", "kernel_cmdline", c->kernel_cmdline);
        else
                print_str("kernel_cmdline", NULL, "(none)");
        print_hex("owner_key_digest", c->owner_key_digest, sizeof(c->owner_key_digest),
                  c->has_owner_key_digest);
        print_str("luks_binding", c->luks_binding, "(none)");
        if (c->cmdline && (c->has_owner_key_digest || c->luks_binding))
                printf("%-22s \"%s\"\n", "measured cmdline", c->cmdline);

        printf("%-22s 0x%" PRIx64 "\n", "guest_policy", p);
        printf("  %-20s %u.%u\n", "ABI minimum", snp_policy_abi_major(p),
               snp_policy_abi_minor(p));
        for (size_t i = 0; i < ELEMENTSOF(policy_lines); i++)
                printf("  %-20s %s\n", policy_lines[i].label,
                       p & policy_lines[i].bit ? policy_lines[i].set : policy_lines[i].clear);

        print_hex("host_data", c->host_data, SNP_HOST_DATA_SIZE, c->has_host_data);
        print_str("id_block_file", c->id_block_file, "(none)");
        print_str("id_auth_file", c->id_auth_file, "(none)");
        if (c->has_platform_info) {
                print_bits("platform_info", c->platform_info, snp_platform_info_bits);
                printf("%-22s 0x%" PRIx64 "\n", "platform_info_mask", c->platform_info_mask);
        } else
                print_str("platform_info", NULL, "(not checked)");
        if (!c->has_min_committed_tcb) {
                print_str("min_committed_tcb", NULL, "(not set: no TCB floor is checked)");
        } else {
                const struct snp_tcb *t = &c->min_committed_tcb;

                printf("%-22s bootloader %u, tee %u, snp %u, microcode %u", "min_committed_tcb",
                       t->bootloader, t->tee, t->snp, t->microcode);
                if (c->host_cpu_family == SNP_GEN_TURIN)
                        printf(", fmc %u", t->fmc);
                printf(" (0x%016" PRIx64 ")\n", snp_tcb_encode(t, c->host_cpu_family));
        }
        print_hex("family_id", c->family_id, SNP_ID_SIZE, true);
        print_hex("image_id", c->image_id, SNP_ID_SIZE, true);
        printf("%-22s %" PRIu32 "\n", "guest_svn", c->guest_svn);
        print_hex("id_key_digest", c->id_key_digest, CONFIG_DIGEST_SIZE, c->has_id_key_digest);
        print_hex("author_key_digest", c->author_key_digest, CONFIG_DIGEST_SIZE,
                  c->has_author_key_digest);
        printf("%-22s %u\n", "vmpl", c->vmpl);
        print_str("signer", config_signer_to_string(c->signer), "");
        printf("%-22s %u\n", "min_report_version", c->min_report_version);
        print_str("qemu_binary", c->qemu_binary, "");
        printf("%-22s %" PRIu64 "\n", "memory_mb", c->memory_mb);
        if (c->cbitpos)
                printf("%-22s %u\n", "cbitpos", c->cbitpos);
        else
                print_str("cbitpos", NULL, "(from the host)");
        printf("%-22s %u\n", "reduced_phys_bits", c->reduced_phys_bits);
        for (size_t i = 0; i < c->n_disks; i++)
                printf("%-22s %s (%s, virtio-%s%s)\n", i == 0 ? "disks" : "", c->disks[i].file,
                       c->disks[i].format == QEMU_DISK_FORMAT_QCOW2 ? "qcow2" : "raw",
                       c->disks[i].bus == QEMU_DISK_BUS_BLK ? "blk" : "scsi",
                       c->disks[i].readonly ? ", read-only" : "");
        if (c->n_disks == 0)
                print_str("disks", NULL, "(none)");
        print_str("network", c->network == CONFIG_NETWORK_USER ? "user" : "none", "");
        for (size_t i = 0; i < c->n_forwards; i++)
                printf("%-22s %s %s:%u -> guest %u\n", i == 0 ? "forwards" : "",
                       c->forwards[i].proto == CONFIG_NET_UDP ? "udp" : "tcp",
                       c->forwards[i].host_addr, c->forwards[i].host_port, c->forwards[i].guest_port);
}

static int do_show(const struct config_args *a) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        _cleanup_(freep) char *why = NULL;
        struct config_problems problems = { 0 };
        uint8_t digest[CONFIG_DIGEST_SIZE];
        char hex[2 * CONFIG_DIGEST_SIZE + 1];
        bool have_digest;
        int r = load(a, &problems, &c), q;

        (void) config_log_problems(&problems, a->file);
        config_problems_clear(&problems);
        if (r < 0)
                return r;

        /* Without the digest the report cannot be checked: an error, unless the user said the
         * files are not here. */
        q = config_expected_digest(c, digest, &why);
        have_digest = q == 0;
        if (q < 0 && !a->no_file_checks)
                r = log_errno(q, "computing the launch digest of '%s'%s%s", a->file,
                              why ? ": " : "", why ? why : "");
        else if (q < 0)
                log_notice("launch digest not computed: %s", why ? why : strerror(-q));
        if (have_digest)
                hex_encode_buf(digest, sizeof(digest), hex);

        if (a->common.json) {
                _cleanup_(json_object_putp) struct json_object *o = NULL;

                q = config_to_json_decoded(c, &o);
                if (q == 0)
                        q = output_add_str(o, "expected_launch_digest", have_digest ? hex : NULL);
                if (q < 0)
                        return log_errno(q, "formatting the config");
                q = output_print_json(o);
                if (q < 0)
                        return log_errno(q, "printing the config");
                return r;
        }
        show_text(c);
        printf("%-22s %s\n", "expected_launch_digest", have_digest ? hex : "(not computed)");
        if (fflush(stdout) != 0)
                return log_errno(-EIO, "printing the config");
        return r;
}

int config_main(int argc, char **argv) {
        struct config_args a = { .action = ACTION_NONE };
        int r;

        if (argp_parse(&config_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        switch (a.action) {
        case ACTION_INIT:
                r = do_init(&a);
                break;
        case ACTION_VALIDATE:
                r = do_validate(&a);
                break;
        case ACTION_SHOW:
                r = do_show(&a);
                break;
        default:
                r = -EINVAL;
        }
        if (r == -EKEYREJECTED)         /* only do_init(): the --from-report report */
                return SNPCTL_EXIT_REJECTED;
        return r < 0 ? SNPCTL_EXIT_FAILURE : SNPCTL_EXIT_OK;
}
