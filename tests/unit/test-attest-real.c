/* SPDX-License-Identifier: Apache-2.0 */
/* Known answers: every real report in tests/data/attest verifies against the AMD roots of
 * its own generation (amd-roots/<gen>/{vcek,vlek}) with its own VCEK/VLEK, and against no other
 * generation's roots; the pinned ARK fingerprints equal those computed from amd-roots; the
 * built-in ARK, ASK and ASVK (amd-roots.h) are those certificates, and complete every real
 * chain from its VCEK or VLEK alone. The two real VLEKs expired in 2025: they are judged at
 * 2025-04-01. */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <time.h>

#include "unit.h"

#include "amd-roots.h"
#include "attest.h"
#include "certopts.h"
#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"
#include "report.h"
#include "trust.h"

static const char *testdata(void) {
        const char *t = getenv("SNPCTL_TESTDATA");
        static char path[4096];

        if (!t || !*t)
                return NULL;
        snprintf(path, sizeof(path), "%s/attest", t);
        return access(path, R_OK) == 0 ? path : NULL;
}

static bool exists(const char *path) {
        return access(path, R_OK) == 0;
}

static const char *const gens[] = { "milan", "genoa", "turin" };

static void pinned_roots(void **state) {
        const char *td = testdata();
        char path[4200];

        (void) state;
        if (!td)
                skip();
        for (size_t g = 0; g < ELEMENTSOF(gens); g++)
                for (int k = 0; k < 2; k++) {
                        _cleanup_(crypto_cert_freep) struct crypto_cert *ark = NULL;
                        uint8_t fp[CRYPTO_SHA256_SIZE];
                        const struct trust_anchor *t;

                        snprintf(path, sizeof(path), "%s/amd-roots/%s/%s/ark.pem", td, gens[g],
                                 k ? "vlek" : "vcek");
                        assert_int_equal(crypto_cert_load(path, &ark), 0);
                        assert_int_equal(crypto_cert_pubkey_sha256(ark, fp), 0);
                        t = trust_find(fp);
                        assert_non_null(t);
                        assert_int_equal(t->generation, (int) (SNP_GEN_MILAN + g));
                }
        /* An ASK is not an anchor. */
        {
                _cleanup_(crypto_cert_freep) struct crypto_cert *ask = NULL;
                uint8_t fp[CRYPTO_SHA256_SIZE];

                snprintf(path, sizeof(path), "%s/amd-roots/milan/vcek/ask.pem", td);
                assert_int_equal(crypto_cert_load(path, &ask), 0);
                assert_int_equal(crypto_cert_pubkey_sha256(ask, fp), 0);
                assert_null(trust_find(fp));
        }
}

static int verify_case(const char *td, const char *name, const char *gen, const char *leaf,
                       bool vlek, bool builtin, time_t at, struct attest_result *res) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        _cleanup_(freep) uint8_t *report = NULL;
        /* The chain and signature alone: one real report (gsg) allows DEBUG, which the debug
         * check refuses without allow_debug (tested in test-attest-verify.sh). */
        struct attest_expect none = { .allow_debug = true };
        char ark[4200], ask[4200], rep[4200];
        size_t size;
        int r;

        if (!gen)
                gen = "-";      /* the built-in roots: no files */
        snprintf(ark, sizeof(ark), "%s/amd-roots/%s/%s/ark.pem", td, gen, vlek ? "vlek" : "vcek");
        snprintf(ask, sizeof(ask), "%s/amd-roots/%s/%s/%s.pem", td, gen, vlek ? "vlek" : "vcek",
                 vlek ? "asvk" : "ask");
        snprintf(rep, sizeof(rep), "%s/%s/report.bin", td, name);
        r = attest_chain_load(builtin ? NULL : ark, builtin ? NULL : ask, leaf, &chain, NULL);
        if (r < 0)
                return r;
        if (builtin) {
                const char *why = NULL;

                r = attest_chain_complete(chain, &why);
                if (r < 0)
                        return r;
                assert_int_equal(chain->builtin, ATTEST_BUILTIN_ARK | ATTEST_BUILTIN_ASK);
        }
        r = attest_chain_verify_with(chain, &(struct attest_trust) { .at = at });
        if (r < 0)
                return r;
        r = fileio_read_full(rep, 1 << 16, &report, &size);
        if (r < 0)
                return r;
        return attest_verify_report(chain, report, size, &none, res);
}

static void real_reports(void **state) {
        const char *td = testdata();
        _cleanup_(freep) struct dirent **list = NULL;
        unsigned counts[4][2][6] = {};     /* generation, signer, version */
        unsigned total = 0, n_builtin = 0;
        time_t at_2025;
        int n;

        (void) state;
        if (!td)
                skip();
        assert_int_equal(cert_parse_time("2025-04-01", &at_2025), 0);
        n = scandir(td, &list, NULL, alphasort);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
                const char *name = list[i]->d_name;
                char leaf[4200], path[4200];
                bool vlek = false;
                int matched = -1;

                snprintf(path, sizeof(path), "%s/%s/report.bin", td, name);
                if (name[0] == '.' || !exists(path)) {
                        free(list[i]);
                        continue;
                }
                snprintf(leaf, sizeof(leaf), "%s/%s/vcek.der", td, name);
                if (!exists(leaf))
                        snprintf(leaf, sizeof(leaf), "%s/%s/vcek.pem", td, name);
                if (!exists(leaf)) {
                        vlek = true;
                        snprintf(leaf, sizeof(leaf), "%s/%s/vlek.der", td, name);
                }
                if (!exists(leaf))
                        snprintf(leaf, sizeof(leaf), "%s/%s/vlek.pem", td, name);
                /* The VLEKs expired in 2025 (issued for a year): at the current time they
                 * fail on validity alone; with the built-in roots at 2025-04-01 they verify. */
                {
                        struct attest_result res;
                        const struct attest_check *f;

                        assert_int_equal(verify_case(td, name, NULL, leaf, vlek, true,
                                                     time(NULL), &res), 0);
                        f = attest_first_failure(&res);
                        if (vlek) {
                                assert_non_null(f);
                                assert_string_equal(f->name, "validity");
                                assert_int_equal(verify_case(td, name, NULL, leaf, vlek, true,
                                                             at_2025, &res), 0);
                                f = attest_first_failure(&res);
                        }
                        if (f)
                                fail_msg("%s with the built-in roots: %s: expected %s, got %s",
                                         name, f->name, f->expected, f->actual);
                        n_builtin++;
                }
                for (size_t g = 0; g < ELEMENTSOF(gens); g++) {
                        struct attest_result res;

                        assert_int_equal(verify_case(td, name, gens[g], leaf, vlek, false,
                                                     vlek ? at_2025 : time(NULL), &res), 0);
                        if (attest_verified(&res)) {
                                assert_int_equal(matched, -1);
                                matched = (int) g;
                                assert_int_equal(res.signer, vlek ? SNP_SIGNER_VLEK : SNP_SIGNER_VCEK);
                                assert_true(res.version >= 2 && res.version <= 5);
                                counts[res.generation][res.signer][res.version]++;
                        } else {
                                /* A foreign generation's roots fail on the chain itself. */
                                const struct attest_check *f = attest_first_failure(&res);

                                assert_non_null(f);
                                assert_true(strcmp(f->name, "ask-signed") == 0 ||
                                            strcmp(f->name, "leaf-signed") == 0);
                        }
                }
                if (matched < 0) {
                        struct attest_result res;
                        const struct attest_check *f;

                        for (size_t g = 0; g < ELEMENTSOF(gens); g++) {
                                (void) verify_case(td, name, gens[g], leaf, vlek, false,
                                                   vlek ? at_2025 : time(NULL), &res);
                                f = attest_first_failure(&res);
                                print_error("%s with %s roots: %s: expected %s, got %s\n", name,
                                            gens[g], f->name, f->expected, f->actual);
                        }
                        fail_msg("%s verifies against no roots", name);
                }
                total++;
                free(list[i]);
        }
        for (int g = 1; g < 4; g++)
                for (int s = 0; s < 2; s++)
                        for (int v = 2; v < 6; v++)
                                if (counts[g][s][v])
                                        print_message("verified %s %s v%d: %u\n",
                                                      report_generation_name(g),
                                                      report_signer_name(s), v, counts[g][s][v]);
        print_message("verified %u real reports\n", total);
        /* The counts of the README of the test data. */
        assert_int_equal(counts[SNP_GEN_GENOA][SNP_SIGNER_VCEK][2], 1);
        assert_int_equal(counts[SNP_GEN_GENOA][SNP_SIGNER_VCEK][3], 2);
        assert_int_equal(counts[SNP_GEN_GENOA][SNP_SIGNER_VCEK][5], 1);
        assert_int_equal(counts[SNP_GEN_MILAN][SNP_SIGNER_VCEK][2], 26);
        assert_int_equal(counts[SNP_GEN_MILAN][SNP_SIGNER_VCEK][3], 12);
        assert_int_equal(counts[SNP_GEN_MILAN][SNP_SIGNER_VLEK][2], 1);
        assert_int_equal(counts[SNP_GEN_MILAN][SNP_SIGNER_VLEK][3], 1);
        assert_int_equal(counts[SNP_GEN_TURIN][SNP_SIGNER_VCEK][5], 1);
        assert_int_equal(total, 45);
        assert_int_equal(n_builtin, 45);
}

/* Each built-in certificate: the ARK's key is the pinned one of its generation; the ASK and ASVK
 * are signed by that ARK and named SEV-<product> and SEV-VLEK-<product>; each has the key of the
 * PEM file in amd-roots it was generated from. */
static void builtin_roots(void **state) {
        static const char *const names[] = { "Milan", "Genoa", "Turin" };
        const char *td = testdata();
        unsigned count = 0;

        (void) state;
        for (const struct amd_root *b = amd_roots; b->der; b++) {
                _cleanup_(crypto_cert_freep) struct crypto_cert *c = NULL, *ark = NULL, *pem = NULL;
                uint8_t fp[CRYPTO_SHA256_SIZE], fp_pem[CRYPTO_SHA256_SIZE];
                const char *gen = names[b->generation - SNP_GEN_MILAN];
                char cn[64], want[64], path[4200];

                assert_true(b->generation >= SNP_GEN_MILAN && b->generation <= SNP_GEN_TURIN);
                assert_int_equal(crypto_cert_from_mem(b->der, b->size, &c), 0);
                assert_int_equal(amd_root_load(b->generation, AMD_ROOT_ARK, &ark), 0);
                assert_int_equal(crypto_cert_pubkey_sha256(c, fp), 0);
                assert_int_equal(crypto_cert_subject_cn(c, cn, sizeof(cn)), 0);
                if (b->kind == AMD_ROOT_ARK) {
                        const struct trust_anchor *t = trust_find(fp);

                        assert_non_null(t);
                        assert_int_equal(t->generation, b->generation);
                        assert_string_equal(cn, t->subject_cn);
                } else {
                        assert_null(trust_find(fp));
                        snprintf(want, sizeof(want), "SEV-%s%s",
                                 b->kind == AMD_ROOT_ASVK ? "VLEK-" : "", gen);
                        assert_string_equal(cn, want);
                }
                /* Signed by its generation's ARK (the ARK by itself). */
                assert_int_equal(crypto_cert_verify_amd_pss(c, ark), 0);
                assert_int_equal(crypto_cert_issued_by(c, ark), 1);
                if (td) {
                        for (char *p = want; (*p = (char) tolower((unsigned char) *gen)); p++, gen++)
                                ;
                        snprintf(path, sizeof(path), "%s/amd-roots/%s/%s/%s.pem", td, want,
                                 b->kind == AMD_ROOT_ASVK ? "vlek" : "vcek",
                                 b->kind == AMD_ROOT_ARK ? "ark" :
                                 b->kind == AMD_ROOT_ASK ? "ask" : "asvk");
                        assert_int_equal(crypto_cert_load(path, &pem), 0);
                        assert_int_equal(crypto_cert_pubkey_sha256(pem, fp_pem), 0);
                        assert_memory_equal(fp, fp_pem, sizeof(fp));
                }
                count++;
        }
        assert_int_equal(count, 9);
        for (int g = SNP_GEN_MILAN; g <= SNP_GEN_TURIN; g++)
                for (int k = AMD_ROOT_ARK; k <= AMD_ROOT_ASVK; k++)
                        assert_non_null(amd_root_find(g, k));
        assert_null(amd_root_find(SNP_GEN_UNKNOWN, AMD_ROOT_ARK));
}

/* --at: the two forms, nothing else. */
static void parse_time(void **state) {
        static const char *const bad[] = {
                "", "2025", "2025-4-01", "2025-04-1", "2025-04-01T", "2025-04-01T12:00:00",
                "2025-04-01 12:00:00Z", "2025-04-01T12:00Z", "2025-02-30", "2025-13-01",
                "2025-00-10", "2025-04-01T24:00:00Z", "2025-04-01T12:60:00Z", "1969-12-31",
                "2025-04-01T12:00:00+01:00", "+2025-04-01", "2025-04-01x", "２025-04-01",
        };
        time_t t;

        (void) state;
        assert_int_equal(cert_parse_time("2025-04-01", &t), 0);
        assert_int_equal(t, 1743465600);
        assert_int_equal(cert_parse_time("2025-04-01T12:00:00Z", &t), 0);
        assert_int_equal(t, 1743465600 + 12 * 3600);
        assert_int_equal(cert_parse_time("2024-02-29T23:59:59Z", &t), 0);
        assert_int_equal(t, 1709251199);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (cert_parse_time(bad[i], &t) != -EINVAL)
                        fail_msg("--at '%s' accepted", bad[i]);
}

int main(void) {
        if (!testdata()) {
                printf("skipped: no test data (set SNPCTL_TESTDATA)\n");
                return 77;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pinned_roots),
                cmocka_unit_test(real_reports),
                cmocka_unit_test(builtin_roots),
                cmocka_unit_test(parse_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
