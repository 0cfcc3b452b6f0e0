/* SPDX-License-Identifier: Apache-2.0 */
/* The verdict on a report as snpctl attest-verify prints it (include/attest-output.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "attest-output.h"
#include "output.h"
#include "report.h"

static const char *verdict_name(enum attest_verdict v) {
        return v == ATTEST_VERDICT_VERIFIED ? "verified" : v == ATTEST_VERDICT_REJECTED ? "rejected" : "error";
}

void attest_print_table(const char *path, const struct attest_result *res,
                        enum attest_verdict v) {
        char p[ATTEST_PATH_TEXT];

        printf("report %s\n", output_escape_str(path, p, sizeof(p)));
        for (size_t i = 0; i < res->n_checks; i++) {
                const struct attest_check *c = &res->checks[i];

                if (c->passed)
                        printf("  PASS  %-18s %s\n", c->name, c->actual);
                else
                        printf("  FAIL  %-18s expected %s, got %s\n", c->name, c->expected,
                               c->actual);
        }
        if (v == ATTEST_VERDICT_VERIFIED)
                printf("VERIFIED %s %s v%" PRIu32 "%s\n", report_generation_name(res->generation),
                       report_signer_name(res->signer), res->version,
                       res->vm_checks ? "" : ": chain and signature only; no VM checks were made");
        else
                printf("REJECTED\n");
}

void attest_print_line(const char *path_raw, const struct attest_result *res,
                       enum attest_verdict v) {
        const struct attest_check *f = attest_first_failure(res);
        char path[ATTEST_PATH_TEXT];

        output_escape_str(path_raw, path, sizeof(path));

        if (v == ATTEST_VERDICT_ERROR)
                printf("ERROR     %s\n", path);
        else if (v == ATTEST_VERDICT_VERIFIED)
                printf("VERIFIED  %s  %s %s v%" PRIu32 "%s\n", path,
                       report_generation_name(res->generation), report_signer_name(res->signer),
                       res->version, res->vm_checks ? "" : " (no VM checks were made)");
        else
                printf("REJECTED  %s  %s: expected %s, got %s\n", path, f ? f->name : "?",
                       f ? f->expected : "", f ? f->actual : "");
}

int attest_add_json(struct json_object *arr, const char *path, const struct attest_result *res,
                    enum attest_verdict v) {
        struct json_object *o = json_object_new_object(), *checks = json_object_new_array();
        int k = 0;

        if (!o || !checks) {
                json_object_put(o);
                json_object_put(checks);
                return -ENOMEM;
        }
        k |= output_add_str(o, "report", path);
        k |= output_add_str(o, "verdict", verdict_name(v));
        if (v != ATTEST_VERDICT_ERROR) {
                k |= output_add_str(o, "generation", report_generation_name(res->generation));
                k |= output_add_str(o, "signer", res->signer <= SNP_SIGNER_VLEK ?
                                                 report_signer_name(res->signer) : NULL);
                k |= output_add_u64(o, "version", res->version);
                k |= output_add_bool(o, "vm_checks", res->vm_checks);
                for (size_t i = 0; i < res->n_checks && k >= 0; i++) {
                        const struct attest_check *c = &res->checks[i];
                        struct json_object *jc = json_object_new_object();

                        if (!jc) {
                                k = -ENOMEM;
                                break;
                        }
                        k |= output_add_str(jc, "name", c->name);
                        k |= output_add_bool(jc, "passed", c->passed);
                        k |= output_add_str(jc, "expected", c->expected);
                        k |= output_add_str(jc, "actual", c->actual);
                        if (json_object_array_add(checks, jc) < 0) {
                                json_object_put(jc);
                                k = -ENOMEM;
                        }
                }
        }
        k |= output_add_obj(o, "checks", checks);
        if (k < 0 || json_object_array_add(arr, o) < 0) {
                json_object_put(o);
                return -ENOMEM;
        }
        return 0;
}
