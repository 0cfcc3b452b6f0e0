/* SPDX-License-Identifier: Apache-2.0 */
/* What the files that call libcryptsetup share (src/luks.c, src/luks-encrypt.c, src/verity.c):
 * its cleanup helper and its log callback. Not installed, not for other modules. */
#pragma once

#include <string.h>

#include <libcryptsetup.h>

#include "cleanup.h"
#include "log.h"

DEFINE_FREEP(struct crypt_device, crypt_free)

/* libcryptsetup's own messages go to the debug log; the caller reports once. */
static inline void crypt_log_debug(int level, const char *msg, void *usrptr) {
        size_t n = strlen(msg);

        (void) usrptr;
        while (n > 0 && msg[n - 1] == '\n')
                n--;
        log_debug("libcryptsetup (%d): %.*s", level, (int) n, msg);
}
