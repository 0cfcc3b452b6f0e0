/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the harnesses: the libFuzzer entry points, an oracle that aborts (libFuzzer and the
 * replay main both report an abort as a crash), and fixtures from tests/data. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An oracle: when cond does not hold, the harness found a bug. */
#define FUZZ_CHECK(cond)                                                                        \
        do {                                                                                    \
                if (!(cond)) {                                                                  \
                        fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                \
                }                                                                               \
        } while (0)

/* The owner key of the handshake harnesses (PEM, ECDSA P-384): a throw-away test key, the one
 * that signed corpus/handshake/owner-signed. */
extern const char fuzz_owner_pem[];

/* "tests/data/<rel>" in path (PATH_MAX bytes): under SNPCTL_FUZZ_DATA when set, else under the
 * source tree's tests/data (compiled in). An absolute rel is taken as it is. */
void fuzz_fixture_path(const char *rel, char *path);

/* Reads tests/data/<rel> into a new
 * buffer; aborts when it cannot, since a harness without its fixture tests nothing. */
uint8_t *fuzz_fixture(const char *rel, size_t *ret_size);

/* Writes size bytes to a new memfd and returns "/proc/self/fd/N" for it in path (at least 32
 * bytes); the fd, to be closed by the caller, or aborts. */
int fuzz_memfd(const uint8_t *data, size_t size, char *path);
