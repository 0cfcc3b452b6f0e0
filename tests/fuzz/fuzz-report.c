/* SPDX-License-Identifier: Apache-2.0 */
/* report_parse() on any bytes, then the whole verification of the report against one fixed real
 * chain (tests/data/attest/oak-milan-vcek-v3-40a2778d). Oracles: a parsed report keeps its raw
 * bytes; a report that verifies equals the real one in its signed bytes (0x000-0x29F), since
 * nobody but the VCEK can sign another. config_fill_from_report() (config from-report) reads the
 * same bytes. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "attest.h"
#include "cleanup.h"
#include "config.h"
#include "fuzz.h"
#include "report.h"

#define CASE "attest/oak-milan-vcek-v3-40a2778d/"

static struct attest_chain *chain;
static uint8_t *real;
static size_t real_size;
static struct snp_report real_rep;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        char ark[PATH_MAX], ask[PATH_MAX], vcek[PATH_MAX];
        const char *bad = NULL;

        (void) argc;
        (void) argv;
        fuzz_fixture_path(CASE "ark.pem", ark);
        fuzz_fixture_path(CASE "ask.pem", ask);
        fuzz_fixture_path(CASE "vcek.der", vcek);
        FUZZ_CHECK(attest_chain_load(ark, ask, vcek, &chain, &bad) == 0);
        FUZZ_CHECK(attest_chain_verify(chain, NULL) == 0);
        FUZZ_CHECK(attest_chain_ok(chain));
        real = fuzz_fixture(CASE "report.bin", &real_size);
        FUZZ_CHECK(report_parse(real, real_size, &real_rep, NULL) == 0);
        return 0;
}

static void verify(const uint8_t *data, size_t size, const struct attest_expect *expect) {
        struct attest_result res;

        memset(&res, 0, sizeof(res));
        if (attest_verify_report(chain, data, size, expect, &res) < 0)
                return;
        (void) attest_first_failure(&res);
        if (attest_verified(&res)) {
                FUZZ_CHECK(size == SNP_REPORT_SIZE);
                FUZZ_CHECK(memcmp(data, real, SNP_REPORT_SIGNED_SIZE) == 0);
        }
}

static void fill_config(const uint8_t *data, size_t size) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        unsigned filled = 0;

        if (config_new(&c) < 0)
                return;
        if (config_fill_from_report(c, data, size, &filled) == 0)
                FUZZ_CHECK(size == SNP_REPORT_SIZE && (filled & CONFIG_FILLED_POLICY));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct attest_expect expect = { .allow_debug = true };
        struct snp_report rep;
        const char *why = NULL;

        if (report_parse(data, size, &rep, &why) == 0) {
                FUZZ_CHECK(size == SNP_REPORT_SIZE);
                FUZZ_CHECK(memcmp(rep.raw, data, size) == 0);
                (void) report_generation_from_cpuid(&rep);
                (void) report_generation_name(report_generation_from_cpuid(&rep));
                (void) report_signer_name(rep.signing_key);
        } else {
                FUZZ_CHECK(why != NULL);
        }

        /* Once with no expected values, once expecting the real report's measurement, VMPL,
         * generation and committed TCB, so that the VM checks run too. */
        verify(data, size, &expect);

        expect.has_measurement = true;
        memcpy(expect.measurement, real_rep.measurement, sizeof(expect.measurement));
        expect.has_vmpl = true;
        expect.vmpl = 0;
        expect.has_generation = true;
        expect.generation = SNP_GEN_MILAN;
        expect.has_min_tcb = true;
        FUZZ_CHECK(snp_tcb_decode(real_rep.committed_tcb, SNP_GEN_MILAN, &expect.min_tcb) == 0);
        verify(data, size, &expect);
        fill_config(data, size);
        return 0;
}
