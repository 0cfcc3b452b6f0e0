/* SPDX-License-Identifier: Apache-2.0 */
/* attest_chain_from_table() on any bytes (the GHCB certificate table a host hands the guest),
 * then the chain verification and the real report against whatever chain it gave. Oracle: the
 * report verifies only under a chain whose every check passed. */
#include <errno.h>
#include <string.h>

#include "attest.h"
#include "cleanup.h"
#include "crypto.h"
#include "fuzz.h"
#include "report.h"

#define CASE "attest/oak-milan-vcek-v3-40a2778d/"

static uint8_t *report;
static size_t report_size;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        report = fuzz_fixture(CASE "report.bin", &report_size);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(attest_chain_freep) struct attest_chain *chain = NULL;
        struct attest_expect expect = { .allow_debug = true };
        struct attest_result res;
        const char *why = NULL;
        int r;

        r = attest_chain_from_table(data, size, &chain, &why);
        if (r < 0) {
                FUZZ_CHECK(why != NULL && chain == NULL);
                return 0;
        }
        FUZZ_CHECK(chain->leaf);
        if (attest_chain_complete(chain, &why) < 0)
                return 0;
        FUZZ_CHECK(chain->ark && chain->ask);
        if (attest_chain_verify(chain, NULL) < 0)
                return 0;
        memset(&res, 0, sizeof(res));
        if (attest_verify_report(chain, report, report_size, &expect, &res) == 0 &&
            attest_verified(&res))
                FUZZ_CHECK(attest_chain_ok(chain));
        return 0;
}
