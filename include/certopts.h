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
#include "snp-abi.h"

struct cert_args {
        const char *certs;              /* --certs DIR */
        const char *ark, *ask, *vcek, *vlek;
        const char *trust_ark;          /* --trust-ark FILE: trusted instead of the pinned ARKs */
        const char *crl;                /* --crl FILE: the ARK's CRL (DER or PEM) */
        const char *cert_table;         /* --cert-table FILE: a GHCB certificate table */
        bool require_crl;               /* --require-crl (or the config's require_crl) */
        bool has_at;
        time_t at;                      /* --at TIME; else the current time */
        /* AMD's key server (kds.h): --fetch completes the chain and CRL from the cache, fetching
         * what it lacks; --offline from the cache alone. */
        bool fetch, offline;
        const char *kds_url, *cache_dir;
        enum snp_generation product;    /* --product: for version 2 reports */
        unsigned kds_timeout, kds_wait; /* seconds */
};

/* The argp child for --certs, --ark, --ask (--asvk), --vcek, --vlek, --cert-table, --trust-ark,
 * --crl, --require-crl, --at, --fetch and (its child kds_argp) the key server's options; its
 * input is a struct cert_args. --vcek with --vlek, --cert-table with --certs, --vcek or --vlek,
 * --fetch with --offline, and a key server option without --fetch or --offline are usage
 * errors. */
extern const struct argp cert_argp;

/* The key server's options alone (--offline, --kds-url, --cache-dir, --product, --kds-timeout,
 * --kds-wait), for applets that always use it (certs fetch); input: a struct cert_args. */
extern const struct argp kds_argp;

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

/* With --fetch or --offline: *ret becomes a copy of a whose missing VCEK and CRL (a file named by
 * a flag or found in --certs DIR counts as there; a --cert-table holds the leaf) are files of the
 * KDS cache for the report of size bytes at report, fetched into it when missing (not with
 * --offline). A missing ARK or ASK/ASVK is left to the built-in ones (cert_chain_for_report()),
 * and fetched only when snpctl has none for the product or --trust-ark names another root. The
 * product is the report's CPUID (v3+), else --product, else the given certificate's productName,
 * else tried in turn (Turin for a CHIP_ID with bytes 8-63 zero, else Milan then Genoa). A VLEK
 * cannot be fetched (AMD gives VLEKs to cloud providers only); its chain can. A CRL the server
 * does not have (404) or, offline, the cache lacks leaves crl NULL. The KDS client and the path
 * strings live in *cache, so one client serves a whole batch. Without --fetch or --offline,
 * *ret = *a. 0; -errno with *ret_why (malloc'd, may be NULL on -ENOMEM) naming the certificate
 * and URL: -ENOENT when the server or, offline, the cache has none, -EPROTO for an answer that is
 * not what was asked for, -EBUSY, -ETIMEDOUT and others of the transfer. */
int cert_args_fetch(const struct cert_args *a, const void *report, size_t size,
                    struct cert_cache **cache, struct cert_args *ret, char **ret_why);

/* HTTP requests the KDS client of cache made (0 without one). */
unsigned cert_cache_kds_requests(const struct cert_cache *cache);
