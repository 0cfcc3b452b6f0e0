/* SPDX-License-Identifier: Apache-2.0 */
/* The verdict on a report and its checks as snpctl attest-verify prints them (src/attest-output.c):
 * a table for one report, a line for each of a batch, or a JSON object. Paths and URLs are
 * escaped: a folder of reports may come from the host, and a file name must not forge a line. */
#pragma once

#include <json-c/json.h>

#include "attest.h"

enum attest_verdict { ATTEST_VERDICT_VERIFIED, ATTEST_VERDICT_REJECTED, ATTEST_VERDICT_ERROR };

/* Report paths and URLs as shown in the human output, escaped. */
#define ATTEST_PATH_TEXT 1024

/* Every check with its result, then VERIFIED or REJECTED. */
void attest_print_table(const char *path, const struct attest_result *res,
                        enum attest_verdict v);

/* One line: the verdict, and the first failed check. */
void attest_print_line(const char *path_raw, const struct attest_result *res,
                       enum attest_verdict v);

/* Appends the report's verdict and checks to arr. 0 or -ENOMEM. */
int attest_add_json(struct json_object *arr, const char *path, const struct attest_result *res,
                    enum attest_verdict v);
