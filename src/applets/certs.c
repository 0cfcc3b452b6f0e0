/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl certs fetch: the certificates a report needs, from AMD's key server (through the cache
 * of kds.h), written in the --certs DIR layout (snpguest's names: ark.pem, ask.pem, vcek.pem, or
 * asvk.pem for a VLEK's chain). snpctl certs split: the same layout from a GHCB certificate
 * table (an extended report's, configfs-tsm's auxblob, report get --certs-out). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "applets.h"
#include "attest.h"
#include "certopts.h"
#include "cleanup.h"
#include "cli.h"
#include "crypto.h"
#include "fileio.h"
#include "handshake.h"
#include "kds.h"
#include "log.h"
#include "output.h"
#include "report.h"

#define TABLE_MAX HANDSHAKE_MAX_CERTS   /* the firmware's certificate blob */

struct certs_args {
        struct common_args common;
        struct cert_args kds;           /* only the key server's options */
        const char *action, *input, *output;
        bool force;
};

enum {
        OPT_FORCE = 0x100,
};

static const struct argp_option certs_options[] = {
        { "output", 'o', "DIR", 0, "Folder to write the certificates to (made when missing)", 0 },
        { "force", OPT_FORCE, NULL, 0, "Replace existing files", 0 },
        { 0 }
};

static error_t certs_parse_opt(int key, char *arg, struct argp_state *state) {
        struct certs_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->kds;
                state->child_inputs[1] = &a->common;
                break;
        case 'o':       a->output = arg; break;
        case OPT_FORCE: a->force = true; break;
        case ARGP_KEY_ARG:
                if (!a->action) {
                        if (strcmp(arg, "fetch") != 0 && strcmp(arg, "split") != 0)
                                argp_error(state, "unknown action '%s' (known: fetch, split)",
                                           arg);
                        a->action = arg;
                } else if (!a->input)
                        a->input = arg;
                else
                        argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                if (!a->action || !a->input)
                        argp_error(state, "usage: certs fetch REPORT -o DIR | certs split TABLE "
                                   "-o DIR");
                if (!a->output)
                        argp_error(state, "%s needs -o DIR", a->action);
                if (strcmp(a->action, "split") == 0 &&
                    (a->kds.offline || a->kds.kds_url || a->kds.cache_dir || a->kds.product ||
                     a->kds.kds_timeout))
                        argp_error(state, "the key server options go with 'fetch'");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp_child certs_children[] = {
        { &kds_argp, 0, NULL, 1 }, { &common_argp, 0, NULL, 0 }, { 0 }
};
static const struct argp certs_argp = {
        .options = certs_options,
        .parser = certs_parse_opt,
        .args_doc = "fetch REPORT -o DIR\nsplit TABLE -o DIR",
        .doc = "fetch: get the certificates that verify REPORT from AMD's key server (KDS), "
               "through the cache, and write them to DIR as ark.pem, ask.pem and vcek.pem (and "
               "crl.der when the server has a CRL): the layout of attest-verify --certs DIR. For "
               "a report signed by a VLEK only the chain (ark.pem, asvk.pem) can be fetched: AMD "
               "gives VLEKs to cloud providers alone. The VCEK must have signed REPORT, and the "
               "chain must end at a pinned AMD root, else nothing is written. split: write the "
               "certificates of a GHCB certificate table (report get --certs-out, an extended "
               "report's) to DIR in the same layout.\v"
               "Exit status: 0 written, 1 could not finish (not at the server, network, files), "
               "2 usage, 3 the certificates do not verify the report, or the table is "
               "malformed.",
        .children = certs_children,
};

struct out_file {
        char *path;
        char *data;
        size_t size;
};

static void out_files_done(struct out_file *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(f[i].path);
                free(f[i].data);
        }
}

/* DIR/name holding cert as PEM. */
static int out_cert(const char *dir, const char *name, const struct crypto_cert *cert,
                    struct out_file *ret) {
        int r = crypto_cert_to_pem(cert, &ret->data, &ret->size);

        if (r < 0)
                return r;
        if (asprintf(&ret->path, "%s/%s", dir, name) < 0) {
                ret->path = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* Writes the files all or none. */
static int write_all(const struct certs_args *a, struct out_file *f, size_t n) {
        struct fileio_output outs[5];
        size_t bad = 0;
        int r;

        if (mkdir(a->output, 0755) < 0 && errno != EEXIST)
                return log_errno(-errno, "making folder '%s'", a->output);
        for (size_t i = 0; i < n; i++)
                outs[i] = (struct fileio_output) { f[i].path, f[i].data, f[i].size, 0644 };
        r = fileio_write_set(outs, n, a->force ? FILEIO_FORCE : 0, &bad);
        if (r == -EEXIST)
                return log_errno(r, "'%s' exists (use --force to replace it)", outs[bad].path);
        if (r < 0)
                return log_errno(r, "writing '%s'", outs[bad].path);
        if (a->common.json) {
                _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
                struct json_object *arr = json_object_new_array();

                if (!o || !arr || output_add_obj(o, "written", arr) < 0)
                        return log_errno(-ENOMEM, "building JSON");
                for (size_t i = 0; i < n; i++)
                        if (json_object_array_add(arr, json_object_new_string(f[i].path)) < 0)
                                return log_errno(-ENOMEM, "building JSON");
                return output_print_json(o) < 0 ? log_errno(-EIO, "writing to stdout") : 0;
        }
        for (size_t i = 0; i < n; i++)
                printf("%s\n", f[i].path);
        return fflush(stdout) == 0 ? 0 : log_errno(-EIO, "writing to stdout");
}

/* The fetched chain against the report: a pinned root, and the VCEK's signature on REPORT with
 * its hwID and TCB. 1 verified, 0 not (logged), -errno. */
static int check_fetched(const char *report_path, const struct cert_args *c, const uint8_t *rep,
                         size_t size, struct attest_chain **ret) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        const struct attest_expect expect = { .allow_debug = true };
        const struct attest_check *f;
        struct attest_result res;
        const char *bad = NULL;
        int r;

        r = attest_chain_load(c->ark, c->ask, c->vcek, &chain, &bad);
        if (r < 0)
                return log_errno(r, "reading cached certificate '%s'", bad ? bad : "?");
        r = attest_chain_verify(chain, NULL);
        if (r >= 0)
                r = attest_verify_report(chain, rep, size, &expect, &res);
        if (r < 0)
                return log_errno(r, "verifying report '%s'", report_path);
        if (!attest_verified(&res)) {
                f = attest_first_failure(&res);
                log_error("report '%s': the fetched certificates do not verify it, nothing "
                          "written: %s: expected %s, got %s", report_path, f ? f->name : "?",
                          f ? f->expected : "", f ? f->actual : "");
                return 0;
        }
        *ret = TAKE(chain);
        return 1;
}

static struct kds_options kds_options_of(const struct cert_args *c) {
        return (struct kds_options) {
                .url = c->kds_url, .cache_dir = c->cache_dir, .offline = c->offline,
                .timeout_s = c->kds_timeout, .max_wait_s = c->kds_wait,
        };
}

/* The ARK and ASK of the VCEK's product (its productName), through the cache. */
static int fetch_chain(const struct certs_args *a, const char *vcek, char **ret_ark,
                       char **ret_ask) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *c = NULL;
        _cleanup_(kds_freep) struct kds *k = NULL;
        _cleanup_(freep) char *pname = NULL, *why = NULL;
        struct kds_options o = kds_options_of(&a->kds);
        int r;

        r = crypto_cert_load(vcek, &c);
        if (r >= 0)
                r = crypto_cert_ext_ia5(c, ATTEST_OID_PRODUCT_NAME, &pname);
        if (r < 0)
                return log_errno(r, "reading the productName of '%s'", vcek);
        r = kds_new(&o, &k);
        if (r < 0)
                return log_errno(r, "setting up the key server client");
        r = kds_chain(k, report_generation_from_name(pname), false, ret_ark, ret_ask, &why);
        if (r < 0)
                return log_errno(r, "%s", why ? why : "fetching the chain");
        return 0;
}

static int do_fetch(struct certs_args *a) {
        _cleanup_(freep) uint8_t *data = NULL, *crl = NULL;
        _cleanup_(freep) char *why = NULL;
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        _cleanup_(freep) char *chain_ark = NULL, *chain_ask = NULL;
        struct cert_cache *cache = NULL;
        struct out_file f[4] = {};
        struct cert_args c;
        struct snp_report rep;
        const char *pwhy = NULL;
        size_t size, crl_size = 0, n = 0;
        int r;

        r = fileio_read_full(a->input, 1 << 16, &data, &size);
        if (r < 0)
                return log_errno(r, "reading report '%s'", a->input);
        r = report_parse(data, size, &rep, &pwhy);
        if (r < 0) {
                log_error("report '%s' (%zu bytes): bad %s", a->input, size, pwhy);
                return -EBADMSG;
        }
        if (rep.signing_key == SNP_SIGNER_VLEK) {
                /* Only the chain: the VLEK itself is the cloud provider's. */
                _cleanup_(kds_freep) struct kds *k = NULL;
                _cleanup_(freep) char *ark = NULL, *asvk = NULL;
                _cleanup_(crypto_cert_freep) struct crypto_cert *cark = NULL, *casvk = NULL;
                struct kds_options o = kds_options_of(&a->kds);
                enum snp_generation g = rep.version >= 3 ? report_generation_from_cpuid(&rep) :
                                                           a->kds.product;

                if (g == SNP_GEN_UNKNOWN) {
                        log_error("report '%s' is a version 2 VLEK report, which names no "
                                  "product: give --product", a->input);
                        return -EINVAL;
                }
                r = kds_new(&o, &k);
                if (r < 0)
                        return log_errno(r, "setting up the key server client");
                r = kds_chain(k, g, true, &ark, &asvk, &why);
                if (r < 0)
                        return log_errno(r, "%s", why ? why : "fetching the chain");
                r = crypto_cert_load(ark, &cark);
                if (r >= 0)
                        r = crypto_cert_load(asvk, &casvk);
                if (r >= 0)
                        r = out_cert(a->output, "ark.pem", cark, &f[n++]);
                if (r >= 0)
                        r = out_cert(a->output, "asvk.pem", casvk, &f[n++]);
                if (r >= 0)
                        r = write_all(a, f, n);
                else
                        log_errno(r, "reading the cached chain");
                out_files_done(f, n);
                if (r >= 0)
                        log_warning("report '%s' is signed by a VLEK: only its chain was "
                                    "fetched; a VLEK cannot be fetched by chip (AMD gives VLEKs "
                                    "to cloud providers only): take it from the guest's "
                                    "certificate table (snpctl certs split)", a->input);
                return r;
        }

        a->kds.fetch = true;
        r = cert_args_fetch(&a->kds, data, size, &cache, &c, &why);
        if (r < 0) {
                log_errno(r, "report '%s': %s", a->input, why ? why : "fetching the certificates");
                goto out;
        }
        if (!c.vcek) {
                log_error("report '%s': signed by neither a VCEK nor a VLEK", a->input);
                r = -EBADMSG;
                goto out;
        }
        if (!c.ark || !c.ask) {
                /* attest-verify completes the chain from the built-in roots; this verb writes
                 * what the key server serves. */
                r = fetch_chain(a, c.vcek, &chain_ark, &chain_ask);
                if (r < 0)
                        goto out;
                c.ark = chain_ark;
                c.ask = chain_ask;
        }
        r = check_fetched(a->input, &c, data, size, &chain);
        if (r == 0)
                r = -EKEYREJECTED;
        if (r < 0)
                goto out;
        r = out_cert(a->output, "ark.pem", chain->ark, &f[n++]);
        if (r >= 0)
                r = out_cert(a->output, "ask.pem", chain->ask, &f[n++]);
        if (r >= 0)
                r = out_cert(a->output, "vcek.pem", chain->leaf, &f[n++]);
        if (r >= 0 && c.crl) {
                r = fileio_read_full(c.crl, KDS_MAX_BODY, &crl, &crl_size);
                if (r >= 0 && asprintf(&f[n].path, "%s/crl.der", a->output) < 0)
                        r = -ENOMEM;
                if (r >= 0) {
                        f[n].data = (char *) TAKE(crl);
                        f[n++].size = crl_size;
                }
        }
        if (r < 0) {
                log_errno(r, "preparing the files");
                goto out;
        }
        if (!c.crl)
                log_notice("no CRL: the key server has none, or --offline and the cache has "
                           "none");
        r = write_all(a, f, n);
out:
        out_files_done(f, n);
        cert_cache_free(&cache);
        return r;
}

static int do_split(const struct certs_args *a) {
        _cleanup_(freep) uint8_t *table = NULL;
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        struct out_file f[3] = {};
        const char *why = NULL;
        char cn[64] = "";
        bool vlek;
        size_t size, n = 0;
        int r;

        r = fileio_read_full(a->input, TABLE_MAX, &table, &size);
        if (r == -EFBIG) {
                log_error("certificate table '%s': larger than %d bytes", a->input, TABLE_MAX);
                return -EBADMSG;
        }
        if (r < 0)
                return log_errno(r, "reading certificate table '%s'", a->input);
        r = attest_chain_from_table(table, size, &chain, &why);
        if (r == -ENOMEM)
                return log_errno(r, "reading certificate table '%s'", a->input);
        if (r < 0) {
                log_error("certificate table '%s': %s", a->input, why ? why : "malformed");
                return -EBADMSG;
        }
        (void) crypto_cert_subject_cn(chain->leaf, cn, sizeof(cn));
        vlek = strcmp(cn, "SEV-VLEK") == 0;
        if (chain->ark)
                r = out_cert(a->output, "ark.pem", chain->ark, &f[n++]);
        if (r >= 0 && chain->ask)
                r = out_cert(a->output, vlek ? "asvk.pem" : "ask.pem", chain->ask, &f[n++]);
        if (r >= 0)
                r = out_cert(a->output, vlek ? "vlek.pem" : "vcek.pem", chain->leaf, &f[n++]);
        if (r >= 0)
                r = write_all(a, f, n);
        else
                log_errno(r, "preparing the files");
        out_files_done(f, n);
        return r;
}

int certs_main(int argc, char **argv) {
        struct certs_args a = {};
        int r;

        if (argp_parse(&certs_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = strcmp(a.action, "fetch") == 0 ? do_fetch(&a) : do_split(&a);
        if (r == -EKEYREJECTED || r == -EBADMSG)
                return SNPCTL_EXIT_REJECTED;
        return cli_exit_status(r);
}
