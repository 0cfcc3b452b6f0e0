/* SPDX-License-Identifier: Apache-2.0 */
/* What every applet shares: exit statuses and the common options (-v, -q, --json) as an argp
 * child. */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

enum {
        SNPCTL_EXIT_OK = 0,             /* success; for verifiers: the evidence verified */
        SNPCTL_EXIT_FAILURE = 1,        /* could not finish: I/O, bad config, crypto failure */
        SNPCTL_EXIT_USAGE = 2,          /* usage error */
        SNPCTL_EXIT_REJECTED = 3,       /* evidence examined and rejected */
};

struct common_args {
        unsigned verbose;               /* -v counts */
        bool quiet;
        bool json;
};

/* The argp child for the common options. Its input is a struct common_args (set with
 * state->child_inputs[0] = &args->common); at the end of parsing it sets the log level. */
extern const struct argp common_argp;

/* Runs the subcommand argv[1] ("snpctl idblock keygen ...") as sub_main(argc - 1, argv + 1) with
 * its argv[0] set to "<applet> <subcommand>", so that argp's usage and errors name both. Returns
 * sub_main's exit status (1 when out of memory). */
int cli_run_subcommand(int (*sub_main)(int, char **), int argc, char **argv);

/* Which options were given on the command line, whatever their spelling, recorded once by the
 * parser (toybox's FLAG()). An applet numbers its option keys from CLI_OPT_BASE (at most 64 of
 * them) and calls cli_given_record() first thing in its parse function; "the config first, the
 * flags win" then reads cli_given(). */
#define CLI_OPT_BASE 0x100
#define CLI_OPT_MAX  (CLI_OPT_BASE + 64)

struct cli_given {
        uint64_t bits;
};

static inline void cli_given_record(struct cli_given *g, int key) {
        if (key >= CLI_OPT_BASE && key < CLI_OPT_MAX)
                g->bits |= UINT64_C(1) << (key - CLI_OPT_BASE);
}

static inline bool cli_given(const struct cli_given *g, int key) {
        return key >= CLI_OPT_BASE && key < CLI_OPT_MAX &&
               (g->bits & (UINT64_C(1) << (key - CLI_OPT_BASE)));
}

/* Maps a library result to the exit status for "could not finish" (0 -> 0, <0 -> 1). */
static inline int cli_exit_status(int r) {
        return r < 0 ? SNPCTL_EXIT_FAILURE : SNPCTL_EXIT_OK;
}
