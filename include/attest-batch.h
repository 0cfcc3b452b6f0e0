/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl attest-verify on report files (src/attest-batch.c): every report checked against the
 * expected values and its verdict printed (table, line or JSON, include/attest-output.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "attest.h"
#include "certopts.h"
#include "crypto.h"

struct attest_batch_args {
        const struct cert_args *certs;
        const struct crypto_cert *trusted;      /* the pinned ARK */
        const struct attest_expect *expect;
        char **reports;                         /* files and folders of reports */
        size_t n_reports;
        unsigned jobs;                          /* 0: one per CPU */
        bool json;
        const char *config;                     /* --config, for the --explain hint */
        bool explain;                           /* --explain: search a measurement mismatch */
        bool explainable;                       /* the config's files gave the measurement */
};

/* 1 every report verified, 0 one was rejected, -EIO one could not be examined (each logged). */
int attest_batch_run(const struct attest_batch_args *a);
