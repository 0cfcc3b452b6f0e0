/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "log.h"

enum {
        OPT_JSON = 0x1000,
};

static const struct argp_option common_options[] = {
        { "verbose", 'v', NULL, 0, "More messages on stderr (twice: debug)", -1 },
        { "quiet",   'q', NULL, 0, "Only errors on stderr", -1 },
        { "json",    OPT_JSON, NULL, 0, "Machine-readable JSON on stdout", -1 },
        /* -h as sev-snp-measure and the original scripts take it; argp's own is -? */
        { NULL,      'h', NULL, 0, "Same as --help", -1 },
        { 0 }
};

static error_t common_parse_opt(int key, char *arg, struct argp_state *state) {
        struct common_args *c = state->input;

        (void) arg;
        if (!c)         /* the applet did not hand us its struct: a programming error */
                return ARGP_ERR_UNKNOWN;
        switch (key) {
        case 'v':
                c->verbose++;
                break;
        case 'q':
                c->quiet = true;
                break;
        case OPT_JSON:
                c->json = true;
                break;
        case 'h':
                argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
                break;  /* not reached: exits 0 */
        case ARGP_KEY_END:
                if (c->quiet && c->verbose)
                        argp_error(state, "--quiet and --verbose exclude each other");
                if (c->quiet)
                        log_set_level(LOG_LEVEL_ERROR);
                else if (c->verbose)
                        log_set_level(c->verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

const struct argp common_argp = {
        .options = common_options,
        .parser = common_parse_opt,
};

int cli_run_subcommand(int (*sub_main)(int, char **), int argc, char **argv) {
        _cleanup_(freep) char *label = NULL;
        char *saved = argv[1];
        int r;

        if (asprintf(&label, "%s %s", argv[0], argv[1]) < 0) {
                log_error("out of memory");
                return SNPCTL_EXIT_FAILURE;
        }
        argv[1] = label;
        r = sub_main(argc - 1, argv + 1);
        argv[1] = saved;
        return r;
}
