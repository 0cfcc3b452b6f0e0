/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "applets.h"

/* Sorted by name; a unit test keeps it so, and that it names the same applets as meson's
 * `applets` list. Every applet is built in. */
const struct applet applet_table[] = {
        { "attest-server", attest_server_main, "Guest agent: prove the VM to its owner, receive the disk key" },
        { "attest-verify", attest_verify_main, "Verify attestation reports against AMD's chain and the VM" },
        { "certs",         certs_main,         "Fetch a report's certificates from AMD, split a certificate table" },
        { "config",        config_main,        "Write, check and show the VM description" },
        { "disk",          disk_main,          "Bind the guest to the owner's LUKS2 volume, check it" },
        { "idblock",       idblock_main,       "Sign an ID block and ID auth structure, or check them" },
        { "launch",        launch_main,        "Start the guest with QEMU, or print its command line" },
        { "measure",       measure_main,       "Compute the expected launch digest" },
        { "report",        report_main,        "Decode an attestation report" },
        { NULL, NULL, NULL }
};

/* The tool names of the original workflow (and of sev-snp-measure), kept working as links. */
const struct applet_alias applet_alias_table[] = {
        { "config-generator",  "config",  "init" },
        { "idblock-generator", "idblock", NULL },
        { "launch-qemu.sh",    "launch",  NULL },
        { "sev-snp-measure",   "measure", NULL },
        { NULL, NULL, NULL }
};

const struct applet *applet_find(const char *name) {
        for (const struct applet *a = applet_table; a->name; a++)
                if (strcmp(a->name, name) == 0)
                        return a;
        return NULL;
}

const struct applet_alias *applet_find_alias(const char *name) {
        for (const struct applet_alias *a = applet_alias_table; a->name; a++)
                if (strcmp(a->name, name) == 0)
                        return a;
        return NULL;
}
