/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate options of the commands that verify a report (attest-verify, config init
 * --from-report): one option table and parser (an argp child), and one way to find, load and
 * verify the AMD chain (ARK -> ASK/ASVK -> VCEK/VLEK) a report names, each chain once per run. */
#pragma once

#include <argp.h>
#include <stdbool.h>

#include "attest.h"
#include "crypto.h"

struct cert_args {
        const char *certs;              /* --certs DIR */
        const char *ark, *ask, *vcek, *vlek;
        const char *trust_ark;          /* --trust-ark FILE: trusted instead of the pinned ARKs */
};

/* The argp child for --certs, --ark, --ask (--asvk), --vcek, --vlek and --trust-ark; its input
 * is a struct cert_args. --vcek with --vlek is a usage error. */
extern const struct argp cert_argp;

/* True when a certificate file or folder was given (--trust-ark alone is not one). */
bool cert_args_files(const struct cert_args *a);

/* The --trust-ark certificate in *ret (NULL when not given). 0, or -errno of reading it. */
int cert_args_trusted(const struct cert_args *a, struct crypto_cert **ret);

struct cert_cache;
void cert_cache_free(struct cert_cache **cache);

/* The verified chain of the report at report_path: explicit files first, then the --certs
 * folder, else the report's own folder (ark, ask or asvk, vcek or vlek, .pem or .der;
 * signing_key, the report's SIGNING_KEY, picks vcek or vlek when both are there). The chain is
 * loaded and verified (attest_chain_verify()) once per set of files and kept in *cache; *ret is
 * borrowed from it. 0; -ENOENT when a certificate is missing, -EBADMSG when a file is not one
 * certificate, -errno of reading or verifying, -ENOMEM; then *ret_why (malloc'd, may be NULL on
 * -ENOMEM) names the file for the caller's one log line. */
int cert_chain_for_report(const struct cert_args *a, const char *report_path,
                          unsigned signing_key, const struct crypto_cert *trusted,
                          struct cert_cache **cache, struct attest_chain **ret, char **ret_why);
