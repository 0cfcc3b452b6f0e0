/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certopts.h"
#include "cleanup.h"
#include "crl.h"
#include "fileio.h"
#include "log.h"
#include "report.h"

enum {
        OPT_CERTS = 0x2000,
        OPT_ARK,
        OPT_ASK,
        OPT_VCEK,
        OPT_VLEK,
        OPT_TRUST_ARK,
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
        { 0 }
};

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

static __attribute__((format(printf, 3, 4))) int fail_why(char **ret_why, int r,
                                                          const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return r;
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
                        return fail_why(ret_why, -ENOENT, "%s: no VCEK or VLEK certificate "
                                        "(looked for vcek or vlek .pem/.der in '%s')", label,
                                        a->certs);
                return fail_why(ret_why, -ENOENT, "%s: no VCEK or VLEK certificate: give --vcek "
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
                        return fail_why(ret_why, r, "reading --trust-ark '%s'", a->trust_ark);
        }
        r = attest_chain_complete(chain, &why);
        if (r == -ENOENT)
                return fail_why(ret_why, r, "%s: %s", label, why);
        if (r < 0)
                return fail_why(ret_why, r, "%s: loading the built-in AMD certificates", label);
        if (a->crl) {
                r = crl_load(a->crl, &crl);
                if (r == -EBADMSG)
                        return fail_why(ret_why, r, "reading CRL '%s' (not one DER or PEM "
                                        "certificate revocation list)", a->crl);
                if (r < 0)
                        return fail_why(ret_why, r, "reading CRL '%s'", a->crl);
                t.crl = crl;
        }
        r = attest_chain_verify_with(chain, &t);
        if (r < 0)
                return fail_why(ret_why, r, "%s: verifying the certificate chain", label);
        return 0;
}

struct cert_cache {
        struct chain_paths paths;
        struct attest_chain *chain;
        struct cert_cache *next;
};

void cert_cache_free(struct cert_cache **head) {
        while (*head) {
                struct cert_cache *c = *head;

                *head = c->next;
                chain_paths_done(&c->paths);
                attest_chain_free(c->chain);
                free(c);
        }
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
                return fail_why(ret_why, r, "%s: %s", label, why ? why : strerror(-r));
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
                        return fail_why(ret_why, r, "reading certificate '%s' (not one PEM or "
                                        "DER certificate)", path);
                if (r < 0)
                        return fail_why(ret_why, r, "reading certificate '%s'", path);
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
        struct cert_cache *c;
        const char *bad = NULL;
        int r;

        *ret_why = NULL;
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
        for (c = *cache; c; c = c->next)
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
                        r = fail_why(ret_why, r, "reading certificate table '%s'", a->cert_table);
                else if (asprintf(&what, "certificate table '%s'", a->cert_table) < 0)
                        r = -ENOMEM;
                else
                        r = cert_chain_from_table(a, data, size, what, trusted, &chain, ret_why);
        } else {
                r = attest_chain_load(paths.ark, paths.ask, paths.leaf, &chain, &bad);
                if (r == -EBADMSG)
                        r = fail_why(ret_why, r, "reading certificate '%s' (not one PEM or DER "
                                     "certificate)", bad);
                else if (r < 0)
                        r = fail_why(ret_why, r, "reading certificate '%s'", bad ? bad : "?");
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
        c->next = *cache;
        *cache = c;
        *ret = c->chain;
        return 0;
}
