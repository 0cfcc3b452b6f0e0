/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fileio.h"
#include "fuzz.h"

const char fuzz_owner_pem[] =
        "-----BEGIN PRIVATE KEY-----\n"
        "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDAwcLDxMXGx8jJysvM\n"
        "zc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u+hZANiAAT7+TLfm/vD\n"
        "K5c7JCuTxAxbO3MmTAQtbuHUbPggiTYbWyUgtig7tre/PrQ0DiO2W+B1lVPQsa1m\n"
        "Rv9ItMrxzoLQKkskzfRcl8PDMQmHSsf9yW0WriEfDjxw+hdWGi7fnCo=\n"
        "-----END PRIVATE KEY-----\n";

void fuzz_fixture_path(const char *rel, char *path) {
        const char *dir = getenv("SNPCTL_FUZZ_DATA");

        if (rel[0] == '/')
                snprintf(path, PATH_MAX, "%s", rel);
        else
                snprintf(path, PATH_MAX, "%s/%s", dir && *dir ? dir : SNPCTL_FUZZ_DATA, rel);
}

uint8_t *fuzz_fixture(const char *rel, size_t *ret_size) {
        char path[PATH_MAX];
        uint8_t *data = NULL;
        int r;

        fuzz_fixture_path(rel, path);
        r = fileio_read_full(path, 1 << 20, &data, ret_size);
        if (r < 0) {
                fprintf(stderr, "fuzz: reading fixture '%s': %s\n", path, strerror(-r));
                abort();
        }
        return data;
}

int fuzz_memfd(const uint8_t *data, size_t size, char *path) {
        int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
        size_t done = 0;

        if (fd < 0)
                abort();
        while (done < size) {
                ssize_t n = write(fd, data + done, size - done);

                if (n <= 0)
                        abort();
                done += (size_t) n;
        }
        snprintf(path, 32, "/proc/self/fd/%d", fd);
        return fd;
}
