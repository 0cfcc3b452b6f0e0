/* SPDX-License-Identifier: Apache-2.0 */
/* Replays a libFuzzer harness without libFuzzer: runs LLVMFuzzerTestOneInput() once on every
 * file named on the command line and on every file of every folder named (not recursive, in
 * name order, so a run is the same on every machine). Linked with each harness in every build,
 * so CI replays the seed corpora and regression inputs under gcc and the sanitizers. A crash or
 * a failed oracle aborts; otherwise 0, or 1 when an argument could not be read or there was no
 * input at all (a corpus folder that moved would otherwise pass silently). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fileio.h"

#define REPLAY_MAX_SIZE (UINT64_C(64) << 20)     /* the largest input a harness takes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path, size_t *count) {
        _cleanup_(freep) uint8_t *data = NULL, *copy = NULL;
        size_t size = 0;
        int r = fileio_read_full(path, REPLAY_MAX_SIZE, &data, &size);

        if (r < 0) {
                fprintf(stderr, "replay: reading '%s': %s\n", path, strerror(-r));
                return r;
        }
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
        /* A buffer of exactly size bytes, as libFuzzer gives, so that ASan catches a read
         * past the end. */
        copy = malloc(size ? size : 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, data, size);
        LLVMFuzzerTestOneInput(copy, size);
        (*count)++;
        return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *dir, size_t *count) {
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, name_cmp), r = 0;

        if (n < 0) {
                fprintf(stderr, "replay: reading folder '%s': %s\n", dir, strerror(errno));
                return -errno;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_(freep) char *path = NULL;
                struct stat st;

                if (names[i]->d_name[0] != '.' &&
                    asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0 &&
                    stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path, count) < 0)
                        r = -EIO;
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        size_t count = 0;
        int failed = 0;

        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++) {
                struct stat st;
                int r;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "replay: '%s': %s\n", argv[i], strerror(errno));
                        failed = 1;
                        continue;
                }
                r = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : run_file(argv[i], &count);
                if (r < 0)
                        failed = 1;
        }
        printf("replay: %zu inputs\n", count);
        return failed || count == 0;
}
