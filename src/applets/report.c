/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl report show: decode an SEV-SNP attestation report so a human (or --json, a machine) can
 * read every field. It checks the structure (length, version, reserved fields) but no signature:
 * that is attest-verify's job. snpctl report get: inside a guest, get a fresh report with the
 * given REPORT_DATA from a provider (configfs-tsm, /dev/sev-guest, or the test simulator). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "applets.h"
#include "cleanup.h"
#include "cli.h"
#include "fileio.h"
#include "hex.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "provider.h"
#include "report.h"

struct report_args {
        struct common_args common;
        const char *action;
        const char *path;
        enum snp_generation generation;
        /* get */
        const char *report_data_hex, *report_data_file, *output, *certs_out;
        uint8_t report_data[64];                /* --report-data, zero-padded */
        bool force;
        struct provider provider;
};

enum {
        OPT_GENERATION = 0x100,
        OPT_REPORT_DATA,
        OPT_REPORT_DATA_FILE,
        OPT_FORCE,
        OPT_CERTS_OUT,
};

static const struct argp_option report_options[] = {
        { NULL, 0, NULL, 0, "show:", 1 },
        { "generation", OPT_GENERATION, "GEN", 0,
          "CPU generation (milan, genoa, turin) for the TCB layout of a version 2 report", 1 },
        { NULL, 0, NULL, 0, "get:", 2 },
        { "report-data", OPT_REPORT_DATA, "HEX", 0, "REPORT_DATA, 1 to 64 bytes in hex "
                                                    "(zero-padded to 64)", 2 },
        { "report-data-file", OPT_REPORT_DATA_FILE, "FILE", 0, "REPORT_DATA from a file of 1 to "
                                                               "64 bytes (zero-padded)", 2 },
        { "output", 'o', "FILE", 0, "Write the report (1184 bytes) to FILE", 2 },
        { "certs-out", OPT_CERTS_OUT, "FILE", 0, "Write the host's certificate table (when "
                                                 "there is one) to FILE", 2 },
        { "force", OPT_FORCE, NULL, 0, "Replace existing output files", 2 },
        { 0 }
};

static error_t report_parse_opt(int key, char *arg, struct argp_state *state) {
        struct report_args *a = state->input;
        struct provider *p = &a->provider;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                state->child_inputs[1] = &a->provider;
                break;
        case OPT_GENERATION:
                a->generation = report_generation_from_name(arg);
                if (a->generation == SNP_GEN_UNKNOWN)
                        argp_error(state, "bad --generation '%s' (milan, genoa or turin)", arg);
                break;
        case OPT_REPORT_DATA: {
                _cleanup_(freep) uint8_t *d = NULL;
                size_t n = 0;

                if (hex_decode(arg, &d, &n) < 0 || n > 64)
                        argp_error(state, "bad --report-data '%s' (1 to 64 bytes in hex)", arg);
                memcpy(a->report_data, d, n);
                a->report_data_hex = arg;
                break;
        }
        case OPT_REPORT_DATA_FILE: a->report_data_file = arg; break;
        case 'o':                  a->output = arg; break;
        case OPT_CERTS_OUT:        a->certs_out = arg; break;
        case OPT_FORCE:            a->force = true; break;
        case ARGP_KEY_ARG:
                if (!a->action) {
                        if (strcmp(arg, "show") != 0 && strcmp(arg, "get") != 0)
                                argp_error(state, "unknown action '%s' (known: show, get)", arg);
                        a->action = arg;
                } else if (!a->path && strcmp(a->action, "show") == 0)
                        a->path = arg;
                else
                        argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                if (!a->action)
                        argp_error(state, "usage: report show REPORT | report get ...");
                if (strcmp(a->action, "show") == 0) {
                        if (!a->path)
                                argp_error(state, "usage: report show REPORT");
                        if (a->report_data_hex || a->report_data_file || a->output ||
                            a->certs_out || a->force || p->kind || p->sim_template ||
                            p->sim_key || p->sim_certs || p->vmpl != PROVIDER_VMPL_DEFAULT)
                                argp_error(state, "options of 'get' given to 'show'");
                        break;
                }
                if (!a->report_data_hex == !a->report_data_file)
                        argp_error(state, "get needs one of --report-data and --report-data-file");
                if (!a->output)
                        argp_error(state, "get needs -o FILE");
                if (a->generation != SNP_GEN_UNKNOWN)
                        argp_error(state, "--generation is an option of 'show'");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp_child report_children[] = {
        { &common_argp, 0, NULL, 0 },
        { &provider_argp, 0, "get: report provider:", 3 },
        { 0 }
};
static const struct argp report_argp = {
        .options = report_options,
        .parser = report_parse_opt,
        .args_doc = "show REPORT\nget (--report-data HEX | --report-data-file FILE) -o FILE",
        .doc = "show: decode an SEV-SNP attestation report (1184 bytes, version 2, 3 or 5) and "
               "print every field: policy and platform bits by name, TCBs by component, the "
               "signer. The signature is not checked (see snpctl attest-verify). get: inside an "
               "SNP guest, get a fresh report carrying REPORT_DATA from configfs-tsm or "
               "/dev/sev-guest.\v"
               "Exit status: 0 decoded or written, 1 could not read or get, 2 usage, 3 not a "
               "valid report.",
        .children = report_children,
};

static void bits_text(uint64_t v, const struct snp_bit_name *names, unsigned from, char *buf,
                      size_t size) {
        size_t n = 0;

        buf[0] = '\0';
        for (unsigned b = from; b < 64 && n < size; b++) {
                const char *s;

                if (!(v & (UINT64_C(1) << b)))
                        continue;
                s = snp_bit_name(names, b);
                if (s)
                        n += (size_t) snprintf(buf + n, size - n, "%s%s", n ? " " : "", s);
                else
                        n += (size_t) snprintf(buf + n, size - n, "%sbit%u", n ? " " : "", b);
        }
}

static int add_bits(struct json_object *obj, const char *key, uint64_t v,
                    const struct snp_bit_name *names, unsigned from) {
        struct json_object *arr = json_object_new_array();

        if (!arr)
                return -ENOMEM;
        for (unsigned b = from; b < 64; b++) {
                char tmp[16];
                const char *s;

                if (!(v & (UINT64_C(1) << b)))
                        continue;
                s = snp_bit_name(names, b);
                if (!s) {
                        snprintf(tmp, sizeof(tmp), "bit%u", b);
                        s = tmp;
                }
                if (json_object_array_add(arr, json_object_new_string(s)) < 0) {
                        json_object_put(arr);
                        return -ENOMEM;
                }
        }
        return output_add_obj(obj, key, arr);
}

static int add_tcb(struct json_object *obj, const char *key, uint64_t raw, enum snp_generation g) {
        struct json_object *t = json_object_new_object();
        struct snp_tcb tcb;
        char hex[32];
        int r;

        if (!t)
                return -ENOMEM;
        snprintf(hex, sizeof(hex), "0x%016" PRIx64, raw);
        r = output_add_str(t, "raw", hex);
        if (r >= 0) {
                bool ok = snp_tcb_decode(raw, g, &tcb) == 0;

                if (tcb.has_fmc && r >= 0)
                        r = output_add_u64(t, "fmc", tcb.fmc);
                if (r >= 0)
                        r = output_add_u64(t, "bl", tcb.bootloader);
                if (r >= 0)
                        r = output_add_u64(t, "tee", tcb.tee);
                if (r >= 0)
                        r = output_add_u64(t, "snp", tcb.snp);
                if (r >= 0)
                        r = output_add_u64(t, "ucode", tcb.microcode);
                if (r >= 0)
                        r = output_add_bool(t, "reserved_zero", ok);
        }
        if (r < 0) {
                json_object_put(t);
                return r;
        }
        return output_add_obj(obj, key, t);
}

static void tcb_text(uint64_t raw, enum snp_generation g, char *buf, size_t size) {
        struct snp_tcb t;
        char s[64];
        bool ok = snp_tcb_decode(raw, g, &t) == 0;

        report_tcb_format(&t, s, sizeof(s));
        snprintf(buf, size, "%s (0x%016" PRIx64 ")%s", s, raw, ok ? "" : " reserved bytes set!");
}

/* The generation whose TCB layout is used: the CPUID bytes (v3+), else --generation, else the
 * Milan/Genoa layout (Turin firmware only produces version 5 reports). */
static enum snp_generation layout_of(const struct snp_report *r, enum snp_generation given,
                                     const char **ret_source) {
        enum snp_generation g = report_generation_from_cpuid(r);

        if (g != SNP_GEN_UNKNOWN) {
                *ret_source = "CPUID";
                return g;
        }
        if (given != SNP_GEN_UNKNOWN) {
                *ret_source = "--generation";
                return given;
        }
        *ret_source = "unknown; TCBs in the Milan/Genoa layout";
        return SNP_GEN_MILAN;
}

static int show_json(const struct snp_report *r, enum snp_generation g, const char *source) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        struct json_object *pol = json_object_new_object(), *pi = json_object_new_object();
        char buf[64];
        int k = 0;

        if (!o || !pol || !pi) {
                json_object_put(pol);
                json_object_put(pi);
                return -ENOMEM;
        }
        snprintf(buf, sizeof(buf), "0x%" PRIx64, r->policy);
        k |= output_add_str(pol, "raw", buf);
        k |= output_add_u64(pol, "abi_major", snp_policy_abi_major(r->policy));
        k |= output_add_u64(pol, "abi_minor", snp_policy_abi_minor(r->policy));
        k |= add_bits(pol, "flags", r->policy, snp_policy_bits, 16);
        snprintf(buf, sizeof(buf), "0x%" PRIx64, r->platform_info);
        k |= output_add_str(pi, "raw", buf);
        k |= add_bits(pi, "flags", r->platform_info, snp_platform_info_bits, 0);

        k |= output_add_u64(o, "version", r->version);
        k |= output_add_u64(o, "guest_svn", r->guest_svn);
        k |= output_add_obj(o, "policy", pol);
        k |= output_add_hex(o, "family_id", r->family_id, sizeof(r->family_id));
        k |= output_add_hex(o, "image_id", r->image_id, sizeof(r->image_id));
        k |= output_add_u64(o, "vmpl", r->vmpl);
        k |= output_add_u64(o, "signature_algo", r->signature_algo);
        k |= add_tcb(o, "current_tcb", r->current_tcb, g);
        k |= output_add_obj(o, "platform_info", pi);
        k |= output_add_bool(o, "author_key_en", r->author_key_en);
        k |= output_add_bool(o, "mask_chip_key", r->mask_chip_key);
        k |= output_add_str(o, "signing_key", report_signer_name(r->signing_key));
        k |= output_add_hex(o, "report_data", r->report_data, sizeof(r->report_data));
        k |= output_add_hex(o, "measurement", r->measurement, sizeof(r->measurement));
        k |= output_add_hex(o, "host_data", r->host_data, sizeof(r->host_data));
        k |= output_add_hex(o, "id_key_digest", r->id_key_digest, sizeof(r->id_key_digest));
        k |= output_add_hex(o, "author_key_digest", r->author_key_digest,
                            sizeof(r->author_key_digest));
        k |= output_add_hex(o, "report_id", r->report_id, sizeof(r->report_id));
        k |= output_add_hex(o, "report_id_ma", r->report_id_ma, sizeof(r->report_id_ma));
        k |= add_tcb(o, "reported_tcb", r->reported_tcb, g);
        if (r->version >= 3) {
                snprintf(buf, sizeof(buf), "%02x/%02x/%02x", r->cpuid_fam_id, r->cpuid_mod_id,
                         r->cpuid_step);
                k |= output_add_str(o, "cpuid", buf);
        }
        k |= output_add_hex(o, "chip_id", r->chip_id, sizeof(r->chip_id));
        k |= add_tcb(o, "committed_tcb", r->committed_tcb, g);
        snprintf(buf, sizeof(buf), "%u.%u.%u", r->current_fw.major, r->current_fw.minor,
                 r->current_fw.build);
        k |= output_add_str(o, "current_version", buf);
        snprintf(buf, sizeof(buf), "%u.%u.%u", r->committed_fw.major, r->committed_fw.minor,
                 r->committed_fw.build);
        k |= output_add_str(o, "committed_version", buf);
        k |= add_tcb(o, "launch_tcb", r->launch_tcb, g);
        if (r->version >= 5) {
                k |= output_add_u64(o, "launch_mit_vector", r->launch_mit_vector);
                k |= output_add_u64(o, "current_mit_vector", r->current_mit_vector);
        }
        k |= output_add_hex(o, "signature_r", r->sig_r, 48);
        k |= output_add_hex(o, "signature_s", r->sig_s, 48);
        k |= output_add_str(o, "generation", report_generation_from_cpuid(r) != SNP_GEN_UNKNOWN ||
                                                     strcmp(source, "--generation") == 0
                                             ? report_generation_name(g) : NULL);
        k |= output_add_str(o, "tcb_layout", g == SNP_GEN_TURIN ? "turin" : "milan-genoa");
        if (k < 0)
                return -ENOMEM;
        return output_print_json(o);
}

static void line(const char *key, const char *value) {
        printf("%-19s %s\n", key, value);
}

static void line_hex(const char *key, const void *data, size_t size) {
        char buf[2 * 64 + 1];

        hex_encode_buf(data, size, buf);
        line(key, buf);
}

static int show_text(const struct snp_report *r, enum snp_generation g, const char *source) {
        char buf[256], bits[160];

        snprintf(buf, sizeof(buf), "%" PRIu32, r->version);
        line("version:", buf);
        snprintf(buf, sizeof(buf), "%" PRIu32, r->guest_svn);
        line("guest_svn:", buf);
        bits_text(r->policy, snp_policy_bits, 16, bits, sizeof(bits));
        snprintf(buf, sizeof(buf), "0x%" PRIx64 " (ABI %u.%u; %s)", r->policy,
                 snp_policy_abi_major(r->policy),
                 snp_policy_abi_minor(r->policy), bits);
        line("policy:", buf);
        line_hex("family_id:", r->family_id, sizeof(r->family_id));
        line_hex("image_id:", r->image_id, sizeof(r->image_id));
        snprintf(buf, sizeof(buf), "%" PRIu32, r->vmpl);
        line("vmpl:", buf);
        snprintf(buf, sizeof(buf), "%" PRIu32 " (ECDSA P-384 with SHA-384)", r->signature_algo);
        line("signature_algo:", buf);
        tcb_text(r->current_tcb, g, buf, sizeof(buf));
        line("current_tcb:", buf);
        bits_text(r->platform_info, snp_platform_info_bits, 0, bits, sizeof(bits));
        snprintf(buf, sizeof(buf), "0x%" PRIx64 " (%s)", r->platform_info, bits[0] ? bits : "none");
        line("platform_info:", buf);
        line("author_key_en:", r->author_key_en ? "yes" : "no");
        line("mask_chip_key:", r->mask_chip_key ? "yes" : "no");
        line("signing_key:", report_signer_name(r->signing_key));
        line_hex("report_data:", r->report_data, sizeof(r->report_data));
        line_hex("measurement:", r->measurement, sizeof(r->measurement));
        line_hex("host_data:", r->host_data, sizeof(r->host_data));
        line_hex("id_key_digest:", r->id_key_digest, sizeof(r->id_key_digest));
        line_hex("author_key_digest:", r->author_key_digest, sizeof(r->author_key_digest));
        line_hex("report_id:", r->report_id, sizeof(r->report_id));
        line_hex("report_id_ma:", r->report_id_ma, sizeof(r->report_id_ma));
        tcb_text(r->reported_tcb, g, buf, sizeof(buf));
        line("reported_tcb:", buf);
        if (r->version >= 3) {
                snprintf(buf, sizeof(buf), "%02x/%02x/%02x", r->cpuid_fam_id, r->cpuid_mod_id,
                         r->cpuid_step);
                line("cpuid:", buf);
        }
        line_hex("chip_id:", r->chip_id, sizeof(r->chip_id));
        tcb_text(r->committed_tcb, g, buf, sizeof(buf));
        line("committed_tcb:", buf);
        snprintf(buf, sizeof(buf), "%u.%u.%u", r->current_fw.major, r->current_fw.minor,
                 r->current_fw.build);
        line("current_version:", buf);
        snprintf(buf, sizeof(buf), "%u.%u.%u", r->committed_fw.major, r->committed_fw.minor,
                 r->committed_fw.build);
        line("committed_version:", buf);
        tcb_text(r->launch_tcb, g, buf, sizeof(buf));
        line("launch_tcb:", buf);
        if (r->version >= 5) {
                snprintf(buf, sizeof(buf), "0x%" PRIx64, r->launch_mit_vector);
                line("launch_mit_vector:", buf);
                snprintf(buf, sizeof(buf), "0x%" PRIx64, r->current_mit_vector);
                line("current_mit_vector:", buf);
        }
        line_hex("signature_r:", r->sig_r, 48);
        line_hex("signature_s:", r->sig_s, 48);
        if (strcmp(source, "CPUID") == 0 || strcmp(source, "--generation") == 0)
                snprintf(buf, sizeof(buf), "%s (from %s)", report_generation_name(g), source);
        else
                snprintf(buf, sizeof(buf), "%s", source);
        line("generation:", buf);
        if (fflush(stdout) != 0)
                return -EIO;
        return 0;
}

static int load_report_data(const struct report_args *a, uint8_t rd[64]) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t size = 0;
        int r;

        if (a->report_data_hex) {
                memcpy(rd, a->report_data, 64);
                return 0;
        }
        r = fileio_read_full(a->report_data_file, 64, &data, &size);
        if (r == -EFBIG || (r >= 0 && size == 0)) {
                log_error("--report-data-file '%s': must hold 1 to 64 bytes",
                          a->report_data_file);
                return -EINVAL;
        }
        if (r < 0)
                return log_errno(r, "reading '%s'", a->report_data_file);
        memset(rd, 0, 64);
        memcpy(rd, data, size);
        return 0;
}

/* Gets a fresh report and writes it. 0 or -errno (logged). */
static int get(const struct report_args *a) {
        _cleanup_(freep) uint8_t *certs = NULL;
        uint8_t rd[64], rep[SNP_REPORT_SIZE];
        enum provider_kind used = a->provider.kind;
        size_t certs_size = 0;
        unsigned flags = a->force ? FILEIO_FORCE : 0;
        int r;

        r = load_report_data(a, rd);
        if (r < 0)
                return r;
        r = provider_get_report(&a->provider, rd, rep, &certs, &certs_size, &used);
        if (r == -ENODEV) {
                log_error("getting a report: no SEV-SNP guest interface (neither configfs-tsm "
                          "at /sys/kernel/config/tsm/report nor /dev/sev-guest; load sev-guest)");
                return r;
        }
        if (r < 0) {
                return log_errno(r, "getting a report from provider %s", provider_name(used));
        }
        if (a->certs_out && certs_size == 0)
                log_warning("the host supplied no certificates; '%s' not written", a->certs_out);
        {
                /* The report and its certificates belong together: both, or neither. */
                const struct fileio_output outs[] = {
                        { a->output, rep, sizeof(rep), 0644 },
                        { a->certs_out, certs, certs_size, 0644 },
                };
                size_t bad = 0;

                r = fileio_write_set(outs, a->certs_out && certs_size > 0 ? 2 : 1, flags, &bad);
                if (r == -EEXIST) {
                        log_error("'%s' exists (use --force to replace it)", outs[bad].path);
                        return r;
                }
                if (r < 0)
                        return log_errno(r, "writing '%s'", outs[bad].path);
        }
        log_info("report written to '%s' (provider %s)", a->output, provider_name(used));
        return 0;
}

/* Shows a report: 1 when it was shown, 0 when it is malformed (logged), or -errno. */
static int show(const struct report_args *a) {
        _cleanup_(freep) uint8_t *data = NULL;
        struct snp_report rep;
        const char *why = NULL, *source = NULL;
        enum snp_generation g;
        size_t size;
        int r;

        r = fileio_read_full(a->path, 1 << 20, &data, &size);
        if (r == -EFBIG) {
                log_error("report '%s': bad length (larger than 1 MiB; must be 1184 bytes)", a->path);
                return 0;
        }
        if (r < 0)
                return log_errno(r, "reading report '%s'", a->path);
        r = report_parse(data, size, &rep, &why);
        if (r < 0) {
                log_error("report '%s' (%zu bytes): bad %s", a->path, size, why);
                return 0;
        }
        g = layout_of(&rep, a->generation, &source);
        if (rep.version >= 3 && a->generation != SNP_GEN_UNKNOWN && a->generation != g)
                log_warning("--generation %s ignored: the report's CPUID says %s",
                            report_generation_name(a->generation), report_generation_name(g));
        r = a->common.json ? show_json(&rep, g, source) : show_text(&rep, g, source);
        if (r < 0)
                return log_errno(r, "printing report '%s'", a->path);
        return 1;
}

int report_main(int argc, char **argv) {
        struct report_args a = { .provider.vmpl = PROVIDER_VMPL_DEFAULT };
        int r;

        if (argp_parse(&report_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        if (strcmp(a.action, "get") == 0)
                return cli_exit_status(get(&a));
        r = show(&a);
        return r < 0 ? SNPCTL_EXIT_FAILURE : r == 0 ? SNPCTL_EXIT_REJECTED : SNPCTL_EXIT_OK;
}
