/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certopts.h"
#include "amd-roots.h"
#include "cleanup.h"
#include "crl.h"
#include "fileio.h"
#include "kds.h"
#include "log.h"
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
        OPT_CERT_TABLE,
        OPT_CRL,
        OPT_REQUIRE_CRL,
        OPT_AT,
};

static const struct argp_option cert_options[] = {
        { NULL, 0, NULL, 0, "Certificates (PEM or DER; the ARK, ASK and ASVK of Milan, Genoa and "
                            "Turin are built in):", 1 },
        { "certs",     OPT_CERTS,     "DIR",  0, "Folder with vcek or vlek, and optionally ark, "
                                                 "ask or asvk (.pem or .der)", 1 },
        { "ark",       OPT_ARK,       "FILE", 0, "AMD root key certificate (ARK)", 1 },
        { "ask",       OPT_ASK,       "FILE", 0, "AMD signing key certificate (ASK, or ASVK for a VLEK)", 1 },
        { "asvk",      OPT_ASK,       "FILE", OPTION_ALIAS, NULL, 1 },
        { "vcek",      OPT_VCEK,      "FILE", 0, "VCEK certificate that signed the reports", 1 },
        { "vlek",      OPT_VLEK,      "FILE", 0, "VLEK certificate that signed the reports", 1 },
        { "cert-table", OPT_CERT_TABLE, "FILE", 0, "GHCB certificate table holding the VCEK or "
                                                   "VLEK, as the host hands it to the guest", 1 },
        { "trust-ark", OPT_TRUST_ARK, "FILE", 0, "Trust this root instead of the pinned AMD ARKs "
                                                 "(test chains)", 1 },
        { "crl",       OPT_CRL,       "FILE", 0, "The ARK's certificate revocation list (DER or "
                                                 "PEM); none of the chain may be on it", 1 },
        { "require-crl", OPT_REQUIRE_CRL, NULL, 0, "Reject when no CRL was checked", 1 },
        { "at",        OPT_AT,        "TIME", 0, "Judge validity dates and the CRL at TIME "
                                                 "(2025-04-01 or 2025-04-01T12:00:00Z; default: "
                                                 "now)", 1 },
        { "fetch",     OPT_FETCH,     NULL,   0, "Fetch the VCEK and CRL not given (and an ASK "
                                                 "or ARK not built in) from AMD's key server "
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

/* Exactly n digits at s, as a number. */
static int digits(const char *s, size_t n, int *ret) {
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int cert_parse_time(const char *s, time_t *ret) {
        struct tm tm = {}, back;
        int y, mo, d, h = 0, mi = 0, sec = 0;
        size_t len = strlen(s);
        time_t t;

        if ((len != 10 && len != 20) || s[4] != '-' || s[7] != '-' ||
            digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 || digits(s + 8, 2, &d) < 0)
                return -EINVAL;
        if (len == 20 && (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
                          digits(s + 11, 2, &h) < 0 || digits(s + 14, 2, &mi) < 0 ||
                          digits(s + 17, 2, &sec) < 0))
                return -EINVAL;
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        t = timegm(&tm);
        /* 2025-02-30 normalises to March: refused. */
        if (t == (time_t) -1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
                return -EINVAL;
        *ret = t;
        return 0;
}

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
        case OPT_CERT_TABLE: a->cert_table = arg; break;
        case OPT_CRL:       a->crl = arg; break;
        case OPT_REQUIRE_CRL: a->require_crl = true; break;
        case OPT_AT:
                if (cert_parse_time(arg, &a->at) < 0)
                        argp_error(state, "bad --at '%s' (a UTC date 2025-04-01 or time "
                                   "2025-04-01T12:00:00Z)", arg);
                a->has_at = true;
                break;
        case ARGP_KEY_END:
                if (a->vcek && a->vlek)
                        argp_error(state, "--vcek and --vlek exclude each other");
                if (a->fetch && a->offline)
                        argp_error(state, "--fetch and --offline exclude each other");
                if (!a->fetch && !a->offline && (a->kds_url || a->cache_dir || a->product ||
                                                  a->kds_timeout))
                        argp_error(state, "--kds-url, --cache-dir, --product and --kds-timeout go "
                                   "with --fetch or --offline");
                if (a->cert_table && (a->certs || a->vcek || a->vlek))
                        argp_error(state, "--cert-table excludes --certs, --vcek and --vlek");
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
        return a->certs || a->ark || a->ask || a->vcek || a->vlek || a->cert_table;
}

int cert_args_trusted(const struct cert_args *a, struct crypto_cert **ret) {
        *ret = NULL;
        if (!a->trust_ark)
                return 0;
        return crypto_cert_load(a->trust_ark, ret);
}

int cert_args_check_crl(const struct cert_args *a) {
        _cleanup_(crl_freep) struct crl *crl = NULL;
        int r;

        if (!a->crl)
                return 0;
        r = crl_load(a->crl, &crl);
        if (r == -EBADMSG)
                return log_errno(r, "reading CRL '%s' (not one DER or PEM certificate revocation "
                                 "list)", a->crl);
        if (r < 0)
                return log_errno(r, "reading CRL '%s'", a->crl);
        return 0;
}

/* dir/<name>.pem or dir/<name>.der, whichever exists; NULL when neither (*ret_r: -ENOMEM when
 * out of memory). */
static char *find_cert(const char *dir, const char *name, int *ret_r) {
        static const char *const exts[] = { "pem", "der" };

        for (size_t i = 0; i < ELEMENTSOF(exts); i++) {
                char *p = NULL;

                if (asprintf(&p, "%s/%s.%s", dir, name, exts[i]) < 0) {
                        *ret_r = -ENOMEM;
                        return NULL;
                }
                if (access(p, F_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

/* The files of a chain; ark and ask NULL: the --trust-ark root or built in. The CRL it was
 * checked against is part of the key. */
struct chain_paths {
        char *ark, *ask, *leaf, *crl;
};

static void chain_paths_done(struct chain_paths *p) {
        free(p->ark);
        free(p->ask);
        free(p->leaf);
        free(p->crl);
        *p = (struct chain_paths) {};
}

static bool streq_null(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

static char *strdup_null(const char *s, int *ret_r) {
        char *d;

        if (!s)
                return NULL;
        d = strdup(s);
        if (!d)
                *ret_r = -ENOMEM;
        return d;
}

/* Explicit flags first, then --certs. signing_key (from the report, verified later) picks vcek
 * or vlek when the folder holds both, and asvk over ask for a VLEK. */
static int resolve(const struct cert_args *a, const char *label, unsigned signing_key,
                   struct chain_paths *ret, char **ret_why) {
        struct chain_paths p = {};
        bool vlek = a->vlek;
        int r = 0;

        if (a->vcek || a->vlek)
                p.leaf = strdup_null(a->vcek ? a->vcek : a->vlek, &r);
        else if (a->certs) {
                _cleanup_(freep) char *vcek = find_cert(a->certs, "vcek", &r);
                _cleanup_(freep) char *vlek_path = find_cert(a->certs, "vlek", &r);

                vlek = vlek_path && (!vcek || signing_key == SNP_SIGNER_VLEK);
                p.leaf = vlek ? TAKE(vlek_path) : TAKE(vcek);
        }
        p.ark = a->ark ? strdup_null(a->ark, &r) : a->certs ? find_cert(a->certs, "ark", &r) : NULL;
        if (a->ask)
                p.ask = strdup_null(a->ask, &r);
        else if (a->certs) {
                p.ask = find_cert(a->certs, vlek ? "asvk" : "ask", &r);
                if (!p.ask)
                        p.ask = find_cert(a->certs, vlek ? "ask" : "asvk", &r);
        }
        if (r < 0) {
                chain_paths_done(&p);
                return r;
        }
        if (!p.leaf) {
                chain_paths_done(&p);
                if (a->certs)
                        return log_fail_why(ret_why, -ENOENT, "%s: no VCEK or VLEK certificate "
                                        "(looked for vcek or vlek .pem/.der in '%s')", label,
                                        a->certs);
                return log_fail_why(ret_why, -ENOENT,
                        "%s: no VCEK or VLEK certificate: give --vcek "
                        "or --vlek FILE, --certs DIR or --cert-table FILE (certificates "
                        "are never looked up implicitly)", label);
        }
        *ret = p;
        return 0;
}

/* Completes a loaded chain (--trust-ark root, built-in ARK and ASK/ASVK) and verifies it at --at
 * (or now) against --crl. */
static int finish_chain(const struct cert_args *a, struct attest_chain *chain,
                        const struct crypto_cert *trusted, const char *label, char **ret_why) {
        _cleanup_(crl_freep) struct crl *crl = NULL;
        struct attest_trust t = {
                .trusted_ark = trusted,
                .at = a->has_at ? a->at : time(NULL),
                .require_crl = a->require_crl,
        };
        const char *why = NULL;
        int r;

        if (!chain->ark && a->trust_ark) {
                r = crypto_cert_load(a->trust_ark, &chain->ark);
                if (r < 0)
                        return log_fail_why(ret_why, r, "reading --trust-ark '%s'", a->trust_ark);
        }
        r = attest_chain_complete(chain, &why);
        if (r == -ENOENT)
                return log_fail_why(ret_why, r, "%s: %s", label, why);
        if (r < 0)
                return log_fail_why(ret_why, r, "%s: loading the built-in AMD certificates", label);
        if (a->crl) {
                r = crl_load(a->crl, &crl);
                if (r == -EBADMSG)
                        return log_fail_why(ret_why, r, "reading CRL '%s' (not one DER or PEM "
                                        "certificate revocation list)", a->crl);
                if (r < 0)
                        return log_fail_why(ret_why, r, "reading CRL '%s'", a->crl);
                t.crl = crl;
        }
        r = attest_chain_verify_with(chain, &t);
        if (r < 0)
                return log_fail_why(ret_why, r, "%s: verifying the certificate chain", label);
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

int cert_chain_from_table(const struct cert_args *a, const uint8_t *table, size_t size,
                          const char *label, const struct crypto_cert *trusted,
                          struct attest_chain **ret, char **ret_why) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        const char *why = NULL;
        int r;

        *ret_why = NULL;
        r = attest_chain_from_table(table, size, &chain, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return log_fail_why(ret_why, r, "%s: %s", label, why ? why : strerror(-r));
        /* --ark and --ask, when named, take the place of the table's. */
        for (int i = 0; i < 2; i++) {
                const char *path = i ? a->ask : a->ark;
                struct crypto_cert **slot = i ? &chain->ask : &chain->ark;

                if (!path)
                        continue;
                crypto_cert_free(*slot);
                *slot = NULL;
                r = crypto_cert_load(path, slot);
                if (r == -EBADMSG)
                        return log_fail_why(ret_why, r, "reading certificate '%s' (not one PEM or "
                                        "DER certificate)", path);
                if (r < 0)
                        return log_fail_why(ret_why, r, "reading certificate '%s'", path);
        }
        r = finish_chain(a, chain, trusted, label, ret_why);
        if (r < 0)
                return r;
        *ret = TAKE(chain);
        return 0;
}

/* The certificate table file's size at most: a few pages in practice. */
#define CERT_TABLE_FILE_MAX (1 << 20)

int cert_chain_for_report(const struct cert_args *a, const char *label, unsigned signing_key,
                          const struct crypto_cert *trusted, struct cert_cache **cache,
                          struct attest_chain **ret, char **ret_why) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        struct chain_paths paths = {};
        struct cache_entry *c;
        const char *bad = NULL;
        int r;

        *ret_why = NULL;
        r = cache_get(cache);
        if (r < 0)
                return r;
        if (a->cert_table) {
                r = 0;                                  /* the cache key */
                paths.leaf = strdup_null(a->cert_table, &r);
                paths.ark = strdup_null(a->ark, &r);
                paths.ask = strdup_null(a->ask, &r);
                if (r < 0) {
                        chain_paths_done(&paths);
                        return r;
                }
        } else {
                r = resolve(a, label, signing_key, &paths, ret_why);
                if (r < 0)
                        return r;
        }
        r = 0;
        paths.crl = strdup_null(a->crl, &r);
        if (r < 0) {
                chain_paths_done(&paths);
                return r;
        }
        for (c = (*cache)->entries; c; c = c->next)
                if (streq_null(c->paths.ark, paths.ark) && streq_null(c->paths.ask, paths.ask) &&
                    strcmp(c->paths.leaf, paths.leaf) == 0 && streq_null(c->paths.crl, paths.crl)) {
                        chain_paths_done(&paths);
                        *ret = c->chain;
                        return 0;
                }
        if (a->cert_table) {
                _cleanup_(freep) uint8_t *data = NULL;
                _cleanup_(freep) char *what = NULL;
                size_t size = 0;

                r = fileio_read_full(a->cert_table, CERT_TABLE_FILE_MAX, &data, &size);
                if (r < 0)
                        r = log_fail_why(ret_why, r,
                                "reading certificate table '%s'", a->cert_table);
                else if (asprintf(&what, "certificate table '%s'", a->cert_table) < 0)
                        r = -ENOMEM;
                else
                        r = cert_chain_from_table(a, data, size, what, trusted, &chain, ret_why);
        } else {
                r = attest_chain_load(paths.ark, paths.ask, paths.leaf, &chain, &bad);
                if (r == -EBADMSG)
                        r = log_fail_why(ret_why, r, "reading certificate '%s' (not one PEM or DER "
                                     "certificate)", bad);
                else if (r < 0)
                        r = log_fail_why(ret_why, r, "reading certificate '%s'", bad ? bad : "?");
                if (r >= 0)
                        r = finish_chain(a, chain, trusted, paths.leaf, ret_why);
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

/* The file named by flag, else dir/<name>.pem|.der of --certs; NULL when neither (*r = -ENOMEM
 * when out of memory). */
static char *given(const struct cert_args *a, const char *flag, const char *name, int *r) {
        if (flag)
                return strdup_null(flag, r);
        return a->certs ? find_cert(a->certs, name, r) : NULL;
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

/* The CRL of product's chain into out->crl, unless --crl gave one. No CRL to be had (404, or
 * offline and not cached) is no error: the result then says "revocation: not checked". */
static int fetch_crl(const struct cert_args *a, struct cert_cache *cc, enum snp_generation product,
                     bool vlek, struct cert_args *out, char **ret_why) {
        _cleanup_(freep) char *why = NULL, *crl = NULL;
        int r;

        if (a->crl)
                return 0;
        r = kds_crl(cc->kds, product, vlek, &crl, &why);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                *ret_why = TAKE(why);
                return r;
        }
        return keep(cc, TAKE(crl), &out->crl);
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
                        return log_fail_why(ret_why, r,
                                "no cache folder: give --cache-dir (neither "
                                "XDG_CACHE_HOME nor HOME is an absolute path)");
                if (r < 0)
                        return r;
        }
        if (report_parse(report, size, &rep, NULL) < 0)
                return 0;       /* not a report: the verification rejects it, naming why */
        if (rep.signing_key != SNP_SIGNER_VCEK && rep.signing_key != SNP_SIGNER_VLEK)
                return 0;       /* no key to fetch; the verification rejects it */
        vlek = rep.signing_key == SNP_SIGNER_VLEK;

        if (a->cert_table) {
                /* The table holds the leaf (and maybe the chain); only a CRL can be missing. */
                enum snp_generation g = rep.version >= 3 ? report_generation_from_cpuid(&rep) :
                                                           a->product;

                return g == SNP_GEN_UNKNOWN ? 0 : fetch_crl(a, cc, g, vlek, ret, ret_why);
        }
        ark = given(a, a->ark, "ark", &r);
        ask = given(a, a->ask, vlek ? "asvk" : "ask", &r);
        leaf = vlek ? given(a, a->vlek, "vlek", &r) : given(a, a->vcek, "vcek", &r);
        if (r < 0)
                return r;

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
                return log_fail_why(ret_why, -ENOENT,
                        "no VLEK certificate: a VLEK cannot be fetched "
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
                        return log_fail_why(ret_why, -ENOENT, "%s; also tried as %s (a version 2 "
                                        "report does not name its product: give --product)",
                                        first_why ? first_why : "VCEK not found",
                                        report_generation_name(cands[1]));
                *ret_why = TAKE(first_why);
                return -ENOENT;
        }
        /* The ARK and ASK/ASVK built into snpctl complete the chain without a request, unless
         * --trust-ark names another root (a test chain), which AMD's do not hang below. */
        if ((!ark || !ask) && (a->trust_ark || !amd_root_find(product, AMD_ROOT_ARK) ||
                               !amd_root_find(product, vlek ? AMD_ROOT_ASVK : AMD_ROOT_ASK))) {
                _cleanup_(freep) char *fark = NULL, *fask = NULL;

                r = kds_chain(cc->kds, product, vlek, &fark, &fask, ret_why);
                if (r < 0)
                        return r;
                if (!ark)
                        ark = TAKE(fark);
                if (!ask)
                        ask = TAKE(fask);
        }
        r = fetch_crl(a, cc, product, vlek, &out, ret_why);
        if (r < 0)
                return r;
        if ((ark && keep(cc, TAKE(ark), &out.ark) < 0) || (ask && keep(cc, TAKE(ask), &out.ask) < 0))
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
