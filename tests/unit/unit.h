/* SPDX-License-Identifier: Apache-2.0 */
/* What every unit test includes: cmocka needs these system headers first. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Runs a shell command built like printf (making test keys with the openssl CLI): system()'s
 * status, or -1 when out of memory. */
static inline int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...) {
        char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -1;
        r = system(cmd);
        free(cmd);
        return r;
}
