/* SPDX-License-Identifier: Apache-2.0 */
/* The applet table, the one registry of the CLI (busybox's applet list), and the documented
 * compatibility names that run an applet. */
#pragma once

#include <stddef.h>

struct applet {
        const char *name;
        int (*main)(int argc, char **argv);
        const char *summary;
};

/* A compatibility name: a link called `name` runs applet `applet` with `prepend` (NULL or one
 * argument) inserted before the user's arguments, and argv[0] = name. */
struct applet_alias {
        const char *name;
        const char *applet;
        const char *prepend;
};

/* Sorted by name, terminated by an entry with name NULL. */
extern const struct applet applet_table[];
extern const struct applet_alias applet_alias_table[];

/* Exact-name lookups; NULL when unknown. */
const struct applet *applet_find(const char *name);
const struct applet_alias *applet_find_alias(const char *name);

/* Each applet's entry point, defined in src/applets/<name>.c. */
int attest_server_main(int argc, char **argv);
int attest_verify_main(int argc, char **argv);
int certs_main(int argc, char **argv);
int config_main(int argc, char **argv);
int disk_main(int argc, char **argv);
int idblock_main(int argc, char **argv);
int launch_main(int argc, char **argv);
int measure_main(int argc, char **argv);
int report_main(int argc, char **argv);
