/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl: one binary, many applets, dispatched on `snpctl APPLET`, on a `snpctl-APPLET` link, or
 * on a documented compatibility name such as `idblock-generator`. */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "cleanup.h"
#include "cli.h"
#include "log.h"
#include "snpctl-version.h"

#ifdef SNPCTL_GUEST
const char *argp_program_version = "snpctl " SNPCTL_VERSION " (guest build)";
#else
const char *argp_program_version = "snpctl " SNPCTL_VERSION;
#endif
const char *argp_program_bug_address = NULL;

static void list_applets(FILE *f) {
        fputs("Applets:\n", f);
        for (const struct applet *a = applet_table; a->name; a++)
                fprintf(f, "  %-16s %s\n", a->name, a->summary);
}

static void usage(FILE *f) {
        fputs("Usage: snpctl APPLET [OPTION...] [ARG...]\n"
              "       snpctl-APPLET [OPTION...] [ARG...]\n"
              "From the files a confidential VM (AMD SEV-SNP) is launched with, to proof that it runs\n"
              "exactly those files. `snpctl APPLET --help` describes each applet.\n\n", f);
        list_applets(f);
        fputs("\nCompatibility names (links to snpctl):\n", f);
        for (const struct applet_alias *a = applet_alias_table; a->name; a++)
                if (applet_find(a->applet))
                        fprintf(f, "  %-18s = snpctl %s%s%s\n", a->name, a->applet,
                                a->prepend ? " " : "", a->prepend ? a->prepend : "");
        fputs("\nExit status: 0 success (verified), 1 could not finish, 2 usage error,\n"
              "3 evidence examined and rejected.\n", f);
}

/* Runs applet with argv[0] = name, then prepend (if any), then the n arguments at args. */
static int run_applet(const struct applet *applet, const char *name, const char *prepend,
                      int n, char **args) {
        _cleanup_(freep) char **argv = calloc((size_t) n + 3, sizeof(char *));
        int argc = 0;

        if (!argv) {
                log_error("out of memory");
                return SNPCTL_EXIT_FAILURE;
        }
        argv[argc++] = (char *) name;
        if (prepend)
                argv[argc++] = (char *) prepend;
        for (int i = 0; i < n; i++)
                argv[argc++] = args[i];
        argv[argc] = NULL;
        log_set_prefix(name);
        return applet->main(argc, argv);
}

static int unknown_applet(const char *name) {
        log_error("unknown applet '%s'", name);
        list_applets(stderr);
        return SNPCTL_EXIT_USAGE;
}

static int run_named(const char *name, int n, char **args) {
        const struct applet *applet = applet_find(name);
        _cleanup_(freep) char *label = NULL;
        int r;

        if (!applet)
                return unknown_applet(name);
        if (asprintf(&label, "snpctl %s", name) < 0) {
                label = NULL;
                log_error("out of memory");
                return SNPCTL_EXIT_FAILURE;
        }
        r = run_applet(applet, label, NULL, n, args);
        log_set_prefix(NULL);   /* label is freed on return */
        return r;
}

int main(int argc, char **argv) {
        const char *self = argc > 0 && argv[0] ? argv[0] : "snpctl";
        const char *base = strrchr(self, '/') ? strrchr(self, '/') + 1 : self;
        const struct applet_alias *alias;

        argp_err_exit_status = SNPCTL_EXIT_USAGE;

        /* snpctl-guest is the guest build's own name (the initramfs calls it snpctl). */
        if (strncmp(base, "snpctl-", 7) == 0 && strcmp(base, "snpctl-guest") != 0)
                return run_named(base + 7, argc - 1, argv + 1);

        alias = applet_find_alias(base);
        if (alias) {
                const struct applet *applet = applet_find(alias->applet);

                if (!applet) {
                        log_error("'%s' needs applet '%s', which this snpctl does not include",
                                  base, alias->applet);
                        return SNPCTL_EXIT_USAGE;
                }
                return run_applet(applet, base, alias->prepend, argc - 1, argv + 1);
        }

        if (argc < 2) {
                usage(stderr);
                return SNPCTL_EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "-?") == 0) {
                usage(stdout);
                return SNPCTL_EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
                printf("%s\n", argp_program_version);
                return SNPCTL_EXIT_OK;
        }
        if (argv[1][0] == '-') {
                log_error("unknown option '%s'; try 'snpctl --help'", argv[1]);
                return SNPCTL_EXIT_USAGE;
        }
        return run_named(argv[1], argc - 2, argv + 2);
}
