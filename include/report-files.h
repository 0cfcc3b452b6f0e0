/* SPDX-License-Identifier: Apache-2.0 */
/* The report files a command line names (attest-verify REPORT...): a folder with a report.bin
 * stands for it, any other folder for its *.bin files sorted by name (hidden ones left out),
 * anything else for itself, unchecked (reading it tells). */
#pragma once

#include <stddef.h>

struct report_files {
        char **v;
        size_t n;
};

/* Frees the paths and empties the list. */
void report_files_done(struct report_files *l);

/* Expands the n arguments args into *ret (a trailing '/' of a folder argument is dropped in
 * place). 0; -ENOMEM; -errno of listing a folder, with *ret_bad the argument that names it
 * (NULL otherwise). */
int report_files_expand(char **args, size_t n, struct report_files *ret, const char **ret_bad);
