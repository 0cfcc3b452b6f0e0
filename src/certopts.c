/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certopts.h"
#include "cleanup.h"
#include "kds.h"
#include "parse.h"
#include "report.h"

enum {
        OPT_CERTS = 0x2000,
        OPT_ARK,
        OPT_ASK,
        OPT_VCEK,
        OPT_VLEK,
        OPT_TRUST_ARK,
        OPT_FETCH,
        OPT_OFFLINE,
        OPT_KDS_URL,
        OPT_CACHE_DIR,
        OPT_PRODUCT,
        OPT_KDS_TIMEOUT,
        OPT_KDS_WAIT,
};

static const struct argp_option cert_options[] = {
        { NULL, 0, NULL, 0, "Certificates (PEM or DER):", 1 },
        { "certs",     OPT_CERTS,     "DIR",  0, "Folder with ark, ask or asvk, vcek or vlek "
                                                 "(.pem or .der); default: each report's folder", 1 },
        { "ark",       OPT_ARK,       "FILE", 0, "AMD root key certificate (ARK)", 1 },
        { "ask",       OPT_ASK,       "FILE", 0, "AMD signing key certificate (ASK, or ASVK for a VLEK)", 1 },
        { "asvk",      OPT_ASK,       "FILE", OPTION_ALIAS, NULL, 1 },
        { "vcek",      OPT_VCEK,      "FILE", 0, "VCEK certificate that signed the reports", 1 },
        { "vlek",      OPT_VLEK,      "FILE", 0, "VLEK certificate that signed the reports", 1 },
        { "trust-ark", OPT_TRUST_ARK, "FILE", 0, "Trust this root instead of the pinned AMD ARKs "
                                                 "(test chains)", 1 },
        { "fetch",     OPT_FETCH,     NULL,   0, "Fetch the certificates and CRL not given (VCEK, "
                                                 "ASK/ASVK and ARK, CRL) from AMD's key server "
                                                 "(KDS), through its cache", 1 },
        { 0 }
};

static const struct argp_option kds_options[] = {
        { NULL, 0, NULL, 0, "AMD key server (KDS):", 1 },
        { "offline",   OPT_OFFLINE,   NULL,   0, "Take what --fetch would fetch from the cache "
                                                 "alone: no request", 1 },
        { "kds-url",   OPT_KDS_URL,   "URL",  0, "Key server or mirror (default: "
                                                 KDS_DEFAULT_URL ")", 1 },
        { "cache-dir", OPT_CACHE_DIR, "DIR",  0, "Cache of fetched certificates (default: "
                                                 "$XDG_CACHE_HOME/snpctl/kds, else "
                                                 "~/.cache/snpctl/kds)", 1 },
        { "product",   OPT_PRODUCT,   "NAME", 0, "Milan, Genoa or Turin: the product of version 2 "
                                                 "reports, which do not name their CPU", 1 },
        { "kds-timeout", OPT_KDS_TIMEOUT, "SECONDS", 0, "Time allowed per request (default: 30)",
          1 },
        { "kds-wait",  OPT_KDS_WAIT,  "SECONDS", 0, "Longest total wait for a busy server (HTTP "
                                                    "429 or 503, Retry-After) per item (default: "
                                                    "60)", 1 },
        { 0 }
};

static error_t kds_parse_opt(int key, char *arg, struct argp_state *state) {
        struct cert_args *a = state->input;

        if (!a)
                return ARGP_ERR_UNKNOWN;
        switch (key) {
        case ARGP_KEY_INIT: a->kds_wait = KDS_DEFAULT_WAIT; break;
        case OPT_OFFLINE:   a->offline = true; break;
        case OPT_KDS_URL:
                if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
                        argp_error(state, "bad --kds-url '%s' (http:// or https://)", arg);
                a->kds_url = arg;
                break;
        case OPT_CACHE_DIR: a->cache_dir = arg; break;
        case OPT_PRODUCT:
                a->product = report_generation_from_name(arg);
                if (a->product == SNP_GEN_UNKNOWN)
                        argp_error(state, "bad --product '%s' (Milan, Genoa or Turin)", arg);
                break;
        case OPT_KDS_TIMEOUT:
                if (parse_uint(arg, 1, 3600, &a->kds_timeout) < 0)
                        argp_error(state, "bad --kds-timeout '%s' (1-3600 seconds)", arg);
                break;
        case OPT_KDS_WAIT:
                if (parse_uint(arg, 0, 3600, &a->kds_wait) < 0)
                        argp_error(state, "bad --kds-wait '%s' (0-3600 seconds)", arg);
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

const struct argp kds_argp = {
        .options = kds_options,
        .parser = kds_parse_opt,
};

static const struct argp_child cert_children[] = { { &kds_argp, 0, NULL, 1 }, { 0 } };

static error_t cert_parse_opt(int key, char *arg, struct argp_state *state) {
        struct cert_args *a = state->input;

        if (!a)         /* the applet did not hand us its struct: a programming error */
                return ARGP_ERR_UNKNOWN;
        switch (key) {
        case ARGP_KEY_INIT: state->child_inputs[0] = a; break;
        case OPT_FETCH:     a->fetch = true; break;
        case OPT_CERTS:     a->certs = arg; break;
        case OPT_ARK:       a->ark = arg; break;
        case OPT_ASK:       a->ask = arg; break;
        case OPT_VCEK:      a->vcek = arg; break;
        case OPT_VLEK:      a->vlek = arg; break;
        case OPT_TRUST_ARK: a->trust_ark = arg; break;
        case ARGP_KEY_END:
                if (a->vcek && a->vlek)
                        argp_error(state, "--vcek and --vlek exclude each other");
                if (a->fetch && a->offline)
                        argp_error(state, "--fetch and --offline exclude each other");
                if (!a->fetch && !a->offline && (a->kds_url || a->cache_dir || a->product ||
                                                  a->kds_timeout))
                        argp_error(state, "--kds-url, --cache-dir, --product and --kds-timeout go "
                                   "with --fetch or --offline");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

const struct argp cert_argp = {
        .options = cert_options,
        .parser = cert_parse_opt,
        .children = cert_children,
};

bool cert_args_files(const struct cert_args *a) {
        return a->certs || a->ark || a->ask || a->vcek || a->vlek;
}

int cert_args_trusted(const struct cert_args *a, struct crypto_cert **ret) {
        *ret = NULL;
        if (!a->trust_ark)
                return 0;
        return crypto_cert_load(a->trust_ark, ret);
}

static __attribute__((format(printf, 3, 4))) int fail_why(char **ret_why, int r,
                                                          const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return r;
}

/* dir/<name>.pem or dir/<name>.der, whichever exists; NULL when neither. */
static char *find_cert(const char *dir, const char *name) {
        static const char *const exts[] = { "pem", "der" };

        for (size_t i = 0; i < ELEMENTSOF(exts); i++) {
                char *p = NULL;

                if (asprintf(&p, "%s/%s.%s", dir, name, exts[i]) < 0)
                        return NULL;
                if (access(p, F_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');

        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t) (slash - path));
}

struct chain_paths {
        char *ark, *ask, *leaf;
};

static void chain_paths_done(struct chain_paths *p) {
        free(p->ark);
        free(p->ask);
        free(p->leaf);
        *p = (struct chain_paths) {};
}

/* Explicit flags first, then --certs, then the report's own folder. signing_key (from the report,
 * verified later) picks vcek or vlek when the folder holds both. */
static int resolve(const struct cert_args *a, const char *report_path, unsigned signing_key,
                   struct chain_paths *ret, char **ret_why) {
        _cleanup_(freep) char *dir = a->certs ? strdup(a->certs) : dir_of(report_path);
        struct chain_paths p = {};

        if (!dir)
                return -ENOMEM;
        p.ark = a->ark ? strdup(a->ark) : find_cert(dir, "ark");
        p.ask = a->ask ? strdup(a->ask) : find_cert(dir, "ask");
        if (!a->ask && !p.ask)
                p.ask = find_cert(dir, "asvk");
        if (a->vcek || a->vlek)
                p.leaf = strdup(a->vcek ? a->vcek : a->vlek);
        else {
                _cleanup_(freep) char *vcek = find_cert(dir, "vcek");
                _cleanup_(freep) char *vlek = find_cert(dir, "vlek");

                if (vcek && vlek)
                        p.leaf = signing_key == SNP_SIGNER_VLEK ? TAKE(vlek) : TAKE(vcek);
                else
                        p.leaf = vcek ? TAKE(vcek) : TAKE(vlek);
        }
        if (!p.ark || !p.ask || !p.leaf) {
                int missing = !p.ark ? 0 : !p.ask ? 1 : 2;

                chain_paths_done(&p);
                return fail_why(ret_why, -ENOENT, "report '%s': no %s certificate (looked for "
                                "%s.pem/.der in '%s'; use --certs or --%s)", report_path,
                                (const char *const[]) { "ARK", "ASK/ASVK", "VCEK/VLEK" }[missing],
                                (const char *const[]) { "ark", "ask, asvk", "vcek, vlek" }[missing],
                                dir, (const char *const[]) { "ark", "ask", "vcek" }[missing]);
        }
        *ret = p;
        return 0;
}

struct cache_entry {
        struct chain_paths paths;
        struct attest_chain *chain;
        struct cache_entry *next;
};

/* The chains verified in this run, and the KDS client with the cache paths it handed out. */
struct cert_cache {
        struct cache_entry *entries;
        struct kds *kds;
        char **strings;
        size_t n_strings;
};

void cert_cache_free(struct cert_cache **cache) {
        struct cert_cache *cc = *cache;

        if (!cc)
                return;
        while (cc->entries) {
                struct cache_entry *c = cc->entries;

                cc->entries = c->next;
                chain_paths_done(&c->paths);
                attest_chain_free(c->chain);
                free(c);
        }
        kds_free(cc->kds);
        for (size_t i = 0; i < cc->n_strings; i++)
                free(cc->strings[i]);
        free(cc->strings);
        free(cc);
        *cache = NULL;
}

static int cache_get(struct cert_cache **cache) {
        if (!*cache) {
                *cache = calloc(1, sizeof(**cache));
                if (!*cache)
                        return -ENOMEM;
        }
        return 0;
}

int cert_chain_for_report(const struct cert_args *a, const char *report_path,
                          unsigned signing_key, const struct crypto_cert *trusted,
                          struct cert_cache **cache, struct attest_chain **ret, char **ret_why) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        struct chain_paths paths = {};
        struct cache_entry *c;
        const char *bad = NULL;
        int r;

        *ret_why = NULL;
        r = cache_get(cache);
        if (r < 0)
                return r;
        r = resolve(a, report_path, signing_key, &paths, ret_why);
        if (r < 0)
                return r;
        for (c = (*cache)->entries; c; c = c->next)
                if (strcmp(c->paths.ark, paths.ark) == 0 && strcmp(c->paths.ask, paths.ask) == 0 &&
                    strcmp(c->paths.leaf, paths.leaf) == 0) {
                        chain_paths_done(&paths);
                        *ret = c->chain;
                        return 0;
                }
        r = attest_chain_load(paths.ark, paths.ask, paths.leaf, &chain, &bad);
        if (r == -EBADMSG)
                r = fail_why(ret_why, r, "reading certificate '%s' (not one PEM or DER "
                             "certificate)", bad);
        else if (r < 0)
                r = fail_why(ret_why, r, "reading certificate '%s'", bad ? bad : "?");
        if (r >= 0) {
                r = attest_chain_verify(chain, trusted);
                if (r < 0)
                        r = fail_why(ret_why, r, "verifying the chain of '%s'", paths.leaf);
        }
        if (r >= 0) {
                c = calloc(1, sizeof(*c));
                if (!c)
                        r = -ENOMEM;
        }
        if (r < 0) {
                chain_paths_done(&paths);
                return r;
        }
        c->paths = paths;
        c->chain = TAKE(chain);
        c->next = (*cache)->entries;
        (*cache)->entries = c;
        *ret = c->chain;
        return 0;
}

unsigned cert_cache_kds_requests(const struct cert_cache *cache) {
        return cache && cache->kds ? kds_requests(cache->kds) : 0;
}

/* Keeps s (malloc'd) in the cache for the run; NULL s or out of memory: -ENOMEM. */
static int keep(struct cert_cache *cc, char *s, const char **ret) {
        char **nv;

        if (!s)
                return -ENOMEM;
        nv = realloc(cc->strings, (cc->n_strings + 1) * sizeof(*nv));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        cc->strings = nv;
        cc->strings[cc->n_strings++] = s;
        *ret = s;
        return 0;
}

/* The file named by flag, else dir/<name>.pem|.der of --certs; NULL when neither. */
static char *given(const struct cert_args *a, const char *flag, const char *name) {
        if (flag)
                return strdup(flag);
        return a->certs ? find_cert(a->certs, name) : NULL;
}

/* The generation named by the productName of the certificate at path ("Milan-B0"). */
static enum snp_generation cert_product(const char *path) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *c = NULL;
        _cleanup_(freep) char *name = NULL;

        if (!path || crypto_cert_load(path, &c) < 0 ||
            crypto_cert_ext_ia5(c, ATTEST_OID_PRODUCT_NAME, &name) < 0)
                return SNP_GEN_UNKNOWN;
        return report_generation_from_name(name);
}

int cert_args_fetch(const struct cert_args *a, const void *report, size_t size,
                    struct cert_cache **cache, struct cert_args *ret, char **ret_why) {
        _cleanup_(freep) char *ark = NULL, *ask = NULL, *leaf = NULL, *first_why = NULL;
        enum snp_generation cands[2] = {}, product = SNP_GEN_UNKNOWN;
        struct cert_args out = *a;
        struct snp_report rep;
        struct cert_cache *cc;
        bool vlek;
        size_t n = 0;
        int r;

        *ret_why = NULL;
        *ret = *a;
        if (!a->fetch && !a->offline)
                return 0;
        r = cache_get(cache);
        if (r < 0)
                return r;
        cc = *cache;
        if (!cc->kds) {
                struct kds_options o = {
                        .url = a->kds_url, .cache_dir = a->cache_dir, .offline = a->offline,
                        .timeout_s = a->kds_timeout, .max_wait_s = a->kds_wait,
                };

                r = kds_new(&o, &cc->kds);
                if (r == -EINVAL)
                        return fail_why(ret_why, r, "no cache folder: give --cache-dir (neither "
                                        "XDG_CACHE_HOME nor HOME is an absolute path)");
                if (r < 0)
                        return r;
        }
        if (report_parse(report, size, &rep, NULL) < 0)
                return 0;       /* not a report: the verification rejects it, naming why */
        if (rep.signing_key != SNP_SIGNER_VCEK && rep.signing_key != SNP_SIGNER_VLEK)
                return 0;       /* no key to fetch; the verification rejects it */
        vlek = rep.signing_key == SNP_SIGNER_VLEK;

        ark = given(a, a->ark, "ark");
        ask = a->ask ? strdup(a->ask) : a->certs ? find_cert(a->certs, vlek ? "asvk" : "ask") :
                                                  NULL;
        leaf = vlek ? given(a, a->vlek, "vlek") : given(a, a->vcek, "vcek");

        /* The product of the key server's paths: the report's CPUID (v3+), --product, the given
         * certificate's productName; else tried in turn (snp-facts B.3.2). */
        if (rep.version >= 3 && report_generation_from_cpuid(&rep) != SNP_GEN_UNKNOWN)
                cands[n++] = report_generation_from_cpuid(&rep);
        else if (a->product != SNP_GEN_UNKNOWN)
                cands[n++] = a->product;
        else if (cert_product(leaf) != SNP_GEN_UNKNOWN)
                cands[n++] = cert_product(leaf);
        else {
                bool short_id = true;

                for (size_t i = 8; i < sizeof(rep.chip_id); i++)
                        if (rep.chip_id[i])
                                short_id = false;
                if (short_id)
                        cands[n++] = SNP_GEN_TURIN;
                else {
                        cands[n++] = SNP_GEN_MILAN;
                        cands[n++] = SNP_GEN_GENOA;
                }
        }
        product = cands[0];

        if (!leaf && vlek)
                return fail_why(ret_why, -ENOENT, "no VLEK certificate: a VLEK cannot be fetched "
                                "by chip (AMD gives VLEKs to cloud providers only); give --vlek, "
                                "--certs DIR or the guest's certificate table");
        /* The cache for every candidate first, so a cached batch makes no request at all. */
        for (size_t i = 0; i < n && !leaf; i++)
                if (kds_vcek_cached(cc->kds, cands[i], rep.chip_id, rep.reported_tcb,
                                    &leaf) >= 0)
                        product = cands[i];
        for (size_t i = 0; i < n && !leaf; i++) {
                _cleanup_(freep) char *why = NULL;

                r = kds_vcek(cc->kds, cands[i], rep.chip_id, rep.reported_tcb, &leaf, &why);
                if (r >= 0)
                        product = cands[i];
                else if (r != -ENOENT) {
                        *ret_why = TAKE(why);
                        return r;
                } else if (!first_why)
                        first_why = TAKE(why);
        }
        if (!leaf) {
                if (n > 1)
                        return fail_why(ret_why, -ENOENT, "%s; also tried as %s (a version 2 "
                                        "report does not name its product: give --product)",
                                        first_why ? first_why : "VCEK not found",
                                        report_generation_name(cands[1]));
                *ret_why = TAKE(first_why);
                return -ENOENT;
        }
        if (!ark || !ask) {
                _cleanup_(freep) char *fark = NULL, *fask = NULL;

                r = kds_chain(cc->kds, product, vlek, &fark, &fask, ret_why);
                if (r < 0)
                        return r;
                if (!ark)
                        ark = TAKE(fark);
                if (!ask)
                        ask = TAKE(fask);
        }
        if (!a->crl) {
                _cleanup_(freep) char *why = NULL, *crl = NULL;

                /* No CRL to be had is not an error: the result says "not checked". */
                r = kds_crl(cc->kds, product, vlek, &crl, &why);
                if (r < 0 && r != -ENOENT) {
                        *ret_why = TAKE(why);
                        return r;
                }
                if (r >= 0 && keep(cc, TAKE(crl), &out.crl) < 0)
                        return -ENOMEM;
        }
        if (keep(cc, TAKE(ark), &out.ark) < 0 || keep(cc, TAKE(ask), &out.ask) < 0)
                return -ENOMEM;
        if (keep(cc, TAKE(leaf), vlek ? &out.vlek : &out.vcek) < 0)
                return -ENOMEM;
        if (vlek)
                out.vcek = NULL;
        else
                out.vlek = NULL;
        *ret = out;
        return 0;
}
