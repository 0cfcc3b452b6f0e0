/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl attest-verify on report files (include/attest-batch.h): each report read and given its
 * chain in order, verified on --jobs threads, its verdict printed in order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest-batch.h"
#include "attest-output.h"
#include "cleanup.h"
#include "config.h"
#include "fileio.h"
#include "hex.h"
#include "log.h"
#include "measure-match.h"
#include "output.h"
#include "parallel.h"
#include "report.h"
#include "report-files.h"

/* One report of a batch: read and given its chain here, in order (the chain cache is this
 * thread's), then verified on the --jobs threads (verify_item()), then printed in order. */
struct batch_item {
        const char *path;
        uint8_t *data;                  /* NULL: too large to be a report (size is the cap) */
        size_t size;
        const struct attest_chain *chain;       /* NULL: not examined */
        struct attest_result res;
        enum attest_verdict verdict;
};

/* Reports read and held at once: bounds the memory of a batch of any size. */
#define BATCH_CHUNK 1024

static void prepare_one(const struct attest_batch_args *a, const char *path,
                        struct cert_cache **cache, const struct crypto_cert *trusted,
                        struct batch_item *it) {
        _cleanup_(freep) char *why = NULL;
        struct attest_chain *chain = NULL;
        struct cert_args certs = *a->certs;
        unsigned signing_key = SNP_SIGNER_VCEK;
        int r;

        *it = (struct batch_item) { .path = path, .verdict = ATTEST_VERDICT_ERROR };
        r = fileio_read_full(path, 1 << 20, &it->data, &it->size);
        if (r == -EFBIG) {
                /* Too large to be a report: still examined and rejected, with an empty buffer. */
                it->data = NULL;
                it->size = (size_t) 1 << 20;
        } else if (r < 0) {
                log_errno(r, "reading report '%s'", path);
                return;
        }
        if (it->data)
                signing_key = snp_report_peek_signing_key(it->data, it->size);
        r = it->data ? cert_args_fetch(a->certs, it->data, it->size, cache, &certs, &why) : 0;
        if (r < 0) {
                log_errno(r, "report '%s': %s", path, why ? why : "fetching the certificates");
                return;
        }
        r = cert_chain_for_report(&certs, path, signing_key, trusted, cache, &chain, &why);
        if (r < 0) {
                log_errno(r, "%s", why ? why : "finding the certificates");
                return;
        }
        it->chain = chain;
}

struct batch {
        struct batch_item *items;
        const struct attest_expect *expect;
};

static void verify_item(size_t i, void *ctx) {
        static const uint8_t none[1];
        const struct batch *b = ctx;
        struct batch_item *it = &b->items[i];
        int r;

        if (!it->chain)
                return;
        r = attest_verify_report(it->chain, it->data ? it->data : none, it->size, b->expect,
                                 &it->res);
        if (r < 0) {
                log_errno(r, "verifying report '%s'", it->path);
                return;
        }
        it->verdict = attest_verified(&it->res) ? ATTEST_VERDICT_VERIFIED : ATTEST_VERDICT_REJECTED;
}

/* A failed measurement check whose expected value came from the config's files: the hint to
 * search the parameters that give the report's measurement, or (--explain) the search. */
static void explain_measurement(const struct attest_batch_args *a,
                                const struct attest_result *res) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        _cleanup_(freep) struct measure_match_result *m = NULL;
        _cleanup_(freep) char *why = NULL;
        struct measure_match_query q = { .max_vcpus = SNP_MAX_VCPUS, .from_config = true };
        const struct attest_check *f = NULL;
        char esc[ATTEST_PATH_TEXT];
        int r;

        for (size_t i = 0; a->explainable && i < res->n_checks; i++)
                if (!res->checks[i].passed && strcmp(res->checks[i].name, "measurement") == 0)
                        f = &res->checks[i];
        if (!f || hex_decode_exact(f->actual, q.digest, sizeof(q.digest)) < 0)
                return;
        if (!a->explain || a->json) {
                log_notice("hint: `snpctl measure --config %s --match %s` searches the vCPU "
                           "count and type, VMM, guest features and kernel hashes for those that "
                           "give the report's measurement (or rerun with --explain)",
                           output_escape_str(a->config, esc, sizeof(esc)), f->actual);
                return;
        }
        r = config_load(a->config, CONFIG_SKIP_FILE_CHECKS, NULL, &c);
        if (r >= 0) {
                config_measure_params(c, &q.p);
                r = measure_match_search(&q, &m, &why);
        }
        if (r < 0) {
                log_error("--explain: %s", why ? why : strerror(-r));
                return;
        }
        printf("explain: the config's files with other parameters:\n");
        if (measure_match_print(&q, m, false) < 0)
                log_error("--explain: writing the matches failed");
}

/* ---- the batch ---- */

int attest_batch_run(const struct attest_batch_args *a) {
        _cleanup_(json_object_putp) struct json_object *arr = NULL;
        _cleanup_(report_files_done) struct report_files list = {};
        struct cert_cache *cache = NULL;
        struct batch_item *items;
        const char *bad = NULL;
        size_t n, n_ok = 0, n_rejected = 0, n_error = 0;
        int r;

        if (a->json) {
                arr = json_object_new_array();
                if (!arr)
                        return log_errno(-ENOMEM, "building JSON");
        }
        r = report_files_expand(a->reports, a->n_reports, &list, &bad);
        if (r < 0 && bad)
                return log_errno(r, "reading folder '%s'", bad);
        if (r < 0)
                return log_errno(r, "listing reports");
        n = list.n;
        if (n == 0) {
                log_error("no reports found in the arguments");
                return -ENOENT;
        }
        items = calloc(n < BATCH_CHUNK ? n : BATCH_CHUNK, sizeof(*items));
        if (!items)
                return log_errno(-ENOMEM, "verifying reports");
        for (size_t base = 0; base < n; base += BATCH_CHUNK) {
                size_t m = n - base < BATCH_CHUNK ? n - base : BATCH_CHUNK;
                struct batch b = { .items = items, .expect = a->expect };

                for (size_t i = 0; i < m; i++)
                        prepare_one(a, list.v[base + i], &cache, a->trusted, &items[i]);
                parallel_for(m, a->jobs ? a->jobs : parallel_cpus(), verify_item, &b);
                for (size_t i = 0; i < m; i++) {
                        const struct attest_result *res = &items[i].res;
                        enum attest_verdict v = items[i].verdict;
                        const char *path = items[i].path;

                        free(items[i].data);
                        if (v == ATTEST_VERDICT_VERIFIED)
                                n_ok++;
                        else if (v == ATTEST_VERDICT_REJECTED)
                                n_rejected++;
                        else
                                n_error++;
                        if (arr) {
                                if (attest_add_json(arr, path, res, v) < 0) {
                                        log_errno(-ENOMEM, "building JSON");
                                        n_error++;
                                }
                        } else if (n == 1 && v != ATTEST_VERDICT_ERROR)
                                attest_print_table(path, res, v);
                        else
                                attest_print_line(path, res, v);
                        if (v == ATTEST_VERDICT_REJECTED)
                                explain_measurement(a, res);
                }
        }
        free(items);
        if (arr && output_print_json(arr) < 0) {
                log_error("writing JSON to stdout failed");
                n_error++;
        }
        if (!arr && fflush(stdout) != 0)
                n_error++;
        if (n > 1)
                log_info("%zu verified, %zu rejected, %zu not examined", n_ok, n_rejected, n_error);
        cert_cache_free(&cache);
        /* Each report's own error was logged where it happened. */
        return n_error ? -EIO : n_rejected ? 0 : 1;
}
