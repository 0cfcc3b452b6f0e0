/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate options of the commands that verify a report (attest-verify, config init
 * --from-report): one option table and parser (an argp child), and one way to find, load and
 * verify the AMD chain (ARK -> ASK/ASVK -> VCEK/VLEK) a report names, each chain once per run. */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "attest.h"
#include "crypto.h"

struct cert_args {
        const char *certs;              /* --certs DIR */
        const char *ark, *ask, *vcek, *vlek;
        const char *trust_ark;          /* --trust-ark FILE: trusted instead of the pinned ARKs */
        const char *crl;                /* --crl FILE: the ARK's CRL (DER or PEM) */
        const char *cert_table;         /* --cert-table FILE: a GHCB certificate table */
        bool require_crl;               /* --require-crl (or the config's require_crl) */
        bool has_at;
        time_t at;                      /* --at TIME; else the current time */
};

/* The argp child for --certs, --ark, --ask (--asvk), --vcek, --vlek, --cert-table, --trust-ark,
 * --crl, --require-crl and --at; its input is a struct cert_args. --vcek with --vlek, and
 * --cert-table with --certs, --vcek or --vlek, are usage errors. */
extern const struct argp cert_argp;

/* Parses --at: "2025-04-01" (midnight UTC) or "2025-04-01T12:00:00Z", nothing else. 0 or
 * -EINVAL. */
int cert_parse_time(const char *s, time_t *ret);

/* True when a certificate file, folder or table was given (--trust-ark alone is not one). */
bool cert_args_files(const struct cert_args *a);

/* The --trust-ark certificate in *ret (NULL when not given). 0, or -errno of reading it. */
int cert_args_trusted(const struct cert_args *a, struct crypto_cert **ret);

/* Reads the --crl file once, so that an unreadable one stops a run before anything else (the
 * chains read it again). 0 (also without --crl); -errno, logged with the file's name. */
int cert_args_check_crl(const struct cert_args *a);

struct cert_cache;
void cert_cache_free(struct cert_cache **cache);

/* The verified chain of the report that label names (a path or URL, for messages): the
 * --cert-table, else the explicit files, else the --certs folder (ark, ask or asvk, vcek or vlek,
 * .pem or .der; signing_key, the report's SIGNING_KEY, picks vcek or vlek when both are there).
 * Nothing is looked up implicitly: a missing ARK or ASK/ASVK is the --trust-ark root or a
 * built-in AMD certificate (amd-roots.h) of the leaf's generation; a missing VCEK/VLEK is an
 * error. The chain is loaded and verified (attest_chain_verify_with(): at --at or now, against
 * --crl) once per set of files and kept in *cache; *ret is borrowed from it. 0; -ENOENT when a
 * certificate is missing, -EBADMSG when a file is not one certificate (or CRL, or table), -errno
 * of reading or verifying, -ENOMEM; then *ret_why (malloc'd, may be NULL on -ENOMEM) names the
 * file for the caller's one log line. */
int cert_chain_for_report(const struct cert_args *a, const char *label, unsigned signing_key,
                          const struct crypto_cert *trusted, struct cert_cache **cache,
                          struct attest_chain **ret, char **ret_why);

/* The same for a certificate table in memory (the agent's, in the handshake): the chain from
 * attest_chain_from_table(), --ark and --ask in place of the table's, completed and verified as
 * above; *ret is the caller's. Returns as cert_chain_for_report(). */
int cert_chain_from_table(const struct cert_args *a, const uint8_t *table, size_t size,
                          const char *label, const struct crypto_cert *trusted,
                          struct attest_chain **ret, char **ret_why);
