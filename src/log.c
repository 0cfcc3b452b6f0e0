/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static enum log_level max_level = LOG_LEVEL_NOTICE;
static const char *line_prefix = "snpctl";

void log_set_level(enum log_level level) {
        max_level = level;
}

enum log_level log_get_level(void) {
        return max_level;
}

void log_set_prefix(const char *prefix) {
        line_prefix = prefix ? prefix : "snpctl";
}

__attribute__((format(printf, 3, 0)))
static void log_va(enum log_level level, int err, const char *fmt, va_list ap) {
        static const char *const tags[] = {
                [LOG_LEVEL_WARNING] = "warning: ",
                [LOG_LEVEL_DEBUG] = "debug: ",
        };
        const char *tag = level < (int) (sizeof(tags) / sizeof(tags[0])) && tags[level] ? tags[level] : "";

        if (level > max_level)
                return;
        fprintf(stderr, "%s: %s", line_prefix, tag);
        vfprintf(stderr, fmt, ap);
        if (err != 0)
                fprintf(stderr, ": %s", strerror(-err));
        fputc('\n', stderr);
}

void log_full(enum log_level level, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_va(level, 0, fmt, ap);
        va_end(ap);
}

int log_errno_full(enum log_level level, int err, const char *fmt, ...) {
        va_list ap;

        if (err >= 0)
                err = -EIO;
        va_start(ap, fmt);
        log_va(level, err, fmt, ap);
        va_end(ap);
        return err;
}

int log_fail_why(char **ret_why, int err, const char *fmt, ...) {
        va_list ap;

        if (ret_why) {
                va_start(ap, fmt);
                if (vasprintf(ret_why, fmt, ap) < 0)
                        *ret_why = NULL;
                va_end(ap);
        }
        return err;
}
