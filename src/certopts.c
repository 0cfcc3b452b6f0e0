/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certopts.h"
#include "cleanup.h"
#include "report.h"

enum {
        OPT_CERTS = 0x2000,
        OPT_ARK,
        OPT_ASK,
        OPT_VCEK,
        OPT_VLEK,
        OPT_TRUST_ARK,
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
        { 0 }
};

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
        case ARGP_KEY_END:
                if (a->vcek && a->vlek)
                        argp_error(state, "--vcek and --vlek exclude each other");
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

int cert_chain_for_report(const struct cert_args *a, const char *report_path,
                          unsigned signing_key, const struct crypto_cert *trusted,
                          struct cert_cache **cache, struct attest_chain **ret, char **ret_why) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        struct chain_paths paths = {};
        struct cert_cache *c;
        const char *bad = NULL;
        int r;

        *ret_why = NULL;
        r = resolve(a, report_path, signing_key, &paths, ret_why);
        if (r < 0)
                return r;
        for (c = *cache; c; c = c->next)
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
        c->next = *cache;
        *cache = c;
        *ret = c->chain;
        return 0;
}
