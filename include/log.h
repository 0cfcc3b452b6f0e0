/* SPDX-License-Identifier: Apache-2.0 */
/* Messages for humans, on stderr only. The applet logs once, naming the action and the object;
 * library code logs at debug level alone. Each line starts with the applet's name
 * ("snpctl measure: ..."). */
#pragma once

enum log_level {
        LOG_LEVEL_ERROR = 0,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_NOTICE,       /* default: errors, warnings, notices */
        LOG_LEVEL_INFO,         /* -v */
        LOG_LEVEL_DEBUG,        /* -vv */
};

/* Sets the maximum level printed. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Sets the prefix of every line (the applet's name); the string must outlive all logging. */
void log_set_prefix(const char *prefix);

void log_full(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "prefix: message: strerror(-err)" and returns err (a negative errno), so that
 * `return log_errno(r, "reading '%s'", path);` both reports and propagates. A non-negative err is
 * treated as -EIO so that a caller never turns a failure into success. */
int log_errno_full(enum log_level level, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* How library code hands a reason to the applet that logs it: sets *ret_why (when ret_why is
 * not NULL) to the malloc'd message (NULL when out of memory), logs nothing, and returns err. */
int log_fail_why(char **ret_why, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define log_error(...)   log_full(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)    log_full(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)   log_full(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_errno(r, ...) log_errno_full(LOG_LEVEL_ERROR, (r), __VA_ARGS__)
