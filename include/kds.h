/* SPDX-License-Identifier: Apache-2.0 */
/* AMD's Key Distribution Service (KDS, spec 57230; snp-facts B.3.9): VCEKs by CHIP_ID and
 * REPORTED_TCB, the VCEK and VLEK cert_chains (ASK/ASVK + ARK) and CRLs, fetched with libcurl into
 * a cache on disk and read back from it. Nothing fetched is trusted here: the files go through
 * the one loading and verifying path (certopts.h, attest.h). The cache holds VCEKs by (product,
 * chip, TCB) for good, chains until the first certificate expires, CRLs until their nextUpdate.
 * Every file is written atomically (fileio_write_atomic()), so concurrent snpctl processes see a
 * whole file or none. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp-abi.h"

#define KDS_DEFAULT_URL "https://kdsintf.amd.com"
#define KDS_DEFAULT_TIMEOUT 30          /* seconds per request */
#define KDS_DEFAULT_WAIT 60             /* seconds of Retry-After waits per request, in total */
#define KDS_MAX_BODY (256 * 1024)       /* a VCEK is ~1.4 KB, a chain ~4 KB, a CRL a few KB */

/* A transport: called as http_get() is (the URL, KDS_MAX_BODY, the timeouts; -EFBIG past
 * max_resp), with get_ctx first. */
typedef int kds_get_fn(void *get_ctx, const char *url, size_t max_resp, unsigned connect_timeout_s,
                       unsigned timeout_s, long *ret_status, long *ret_retry_after,
                       uint8_t **ret_data, size_t *ret_size);

struct kds_options {
        const char *url;                /* base URL; NULL: KDS_DEFAULT_URL */
        const char *cache_dir;          /* NULL: $XDG_CACHE_HOME/snpctl/kds, else ~/.cache/... */
        bool offline;                   /* the cache only, no request */
        unsigned timeout_s;             /* per request; 0: KDS_DEFAULT_TIMEOUT */
        unsigned max_wait_s;            /* total wait on HTTP 429/503 per request */
        kds_get_fn *get;                /* NULL: libcurl (http_get()); else the caller's own
                                         * transport (the fuzz harness's) */
        void *get_ctx;
};

struct kds;

/* A client with its options (copied). -EINVAL when the URL is not http(s)://, or no cache folder
 * can be named (no --cache-dir, XDG_CACHE_HOME nor HOME); -ENOMEM. */
int kds_new(const struct kds_options *o, struct kds **ret);
void kds_free(struct kds *k);
static inline void kds_freep(struct kds **k) {
        kds_free(*k);
}

/* HTTP requests made so far (retries included). */
unsigned kds_requests(const struct kds *k);

/* The VCEK URL (without the base) for chip_id and reported_tcb on product (snp-facts B.3.9):
 * Milan and Genoa: the 64-byte hwID in hex and blSPL, teeSPL, snpSPL, ucodeSPL; Turin: the first
 * 8 bytes of CHIP_ID and fmcSPL first. -EINVAL for an unknown product, or a TCB whose reserved
 * bytes are set in that product's layout; -ENOMEM. */
int kds_vcek_path(enum snp_generation product, const uint8_t chip_id[64], uint64_t reported_tcb,
                  char **ret);

/* The file holding the VCEK of (product, chip_id, reported_tcb): from the cache, else fetched
 * into it (not when offline). *ret_path is malloc'd. 0; -ENOENT when the server has none (HTTP
 * 404) or, offline, the cache has none; -EPROTO when the answer is not one DER certificate or an
 * unexpected status; -EBUSY when the server stayed busy beyond the wait allowed; -ETIMEDOUT,
 * -ECONNREFUSED, ... of the transfer; -errno of the cache. On error *ret_why (malloc'd, may be NULL
 * on -ENOMEM) names the certificate and the URL. */
int kds_vcek(struct kds *k, enum snp_generation product, const uint8_t chip_id[64],
             uint64_t reported_tcb, char **ret_path, char **ret_why);

/* The cached VCEK of (product, chip_id, reported_tcb), without a request: 0, -ENOENT when the
 * cache has none, -EINVAL, -ENOMEM. */
int kds_vcek_cached(struct kds *k, enum snp_generation product, const uint8_t chip_id[64],
                    uint64_t reported_tcb, char **ret_path);

/* The ARK and the ASK (vlek: the ASVK) of product, as two PEM files in the cache, fetched from
 * /{vcek,vlek}/v1/{product}/cert_chain when missing or expired. Errors as kds_vcek(); -EPROTO
 * also when the body is not two PEM certificates. */
int kds_chain(struct kds *k, enum snp_generation product, bool vlek, char **ret_ark,
              char **ret_ask, char **ret_why);

/* The CRL of product's VCEK (vlek: VLEK) chain, a DER file in the cache, fetched from
 * /{vcek,vlek}/v1/{product}/crl when missing or past its nextUpdate. Errors as kds_vcek();
 * -EPROTO also when the body is not a CRL with a nextUpdate. */
int kds_crl(struct kds *k, enum snp_generation product, bool vlek, char **ret_path,
            char **ret_why);
