/* SPDX-License-Identifier: Apache-2.0 */
/* Reading inputs and writing outputs. Outputs are written atomically: a temporary file in the
 * target's folder, fsync, then rename, so a reader never sees a partial file; an existing file is
 * replaced only with FILEIO_FORCE. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
        FILEIO_FORCE = 1 << 0,          /* replace an existing file */
        FILEIO_SECRET = 1 << 1,         /* a private key: never under a temporary name */
};

/* Reads the whole of path (a regular file or a stream such as /dev/stdin) into a new buffer with
 * a NUL byte after the last one (not counted in ret_size). -EFBIG when larger than max_size;
 * -ENOMEM; -errno of open/read. */
int fileio_read_full(const char *path, size_t max_size, uint8_t **ret_data, size_t *ret_size);

/* Like fileio_read_full(), for secrets: the buffer (and any intermediate copy) is wiped before it
 * is freed on error; the caller wipes the result with crypto_wipe_free(). */
int fileio_read_secret(const char *path, size_t max_size, uint8_t **ret_data, size_t *ret_size);

/* Called for each chunk read; returns 0 to go on or a negative errno to stop (which is
 * returned by fileio_stream()). */
typedef int (*fileio_chunk_fn)(const uint8_t *data, size_t size, void *userdata);

/* Reads path (a regular file, or a device or pipe such as /dev/null or <(cat bzImage)) from
 * start to end in chunks of at most chunk_size bytes, never holding more than one chunk;
 * ret_total (may be NULL) receives the byte count. Work is bounded: -EISDIR for a folder, -EFBIG
 * once anything but a regular file gave more than FILEIO_STREAM_NONREGULAR_MAX bytes
 * (/dev/zero); -errno of open/read. */
#define FILEIO_STREAM_NONREGULAR_MAX (UINT64_C(1) << 30)
int fileio_stream(const char *path, size_t chunk_size, fileio_chunk_fn fn, void *userdata,
                  uint64_t *ret_total);

/* Size of a regular file, or -EINVAL when path is not one (a FIFO, a folder). */
int fileio_size(const char *path, uint64_t *ret_size);

/* The folder of path as written ("." without a slash, "/" for "/x"), for O_TMPFILE, fsync and
 * resolving relative names; malloc'd, NULL when out of memory. */
char *fileio_parent_dir(const char *path);

/* Writes size bytes atomically to path with the given mode. Without FILEIO_FORCE an existing
 * path is left alone and -EEXIST returned. -errno of the system calls; on any error no file is
 * left behind. The data is written into a file without a name (O_TMPFILE) that gets its name
 * only when complete, so a process killed while writing leaves nothing, a secret included.
 * Where the file system has no O_TMPFILE the data is written under "PATH.XXXXXX", or, with
 * FILEIO_SECRET, under PATH itself (-EOPNOTSUPP with FILEIO_FORCE: a secret is never under
 * another name), and SIGINT, SIGTERM and SIGHUP remove that name before they end the process
 * (when their action was the default one); SIGKILL leaves it. */
int fileio_write_atomic(const char *path, const void *data, size_t size, mode_t mode,
                        unsigned flags);

struct fileio_output {
        const char *path;
        const void *data;
        size_t size;
        mode_t mode;
};

/* Writes a set of files that belong together (an ID block and its auth block) all or none:
 * every file is written completely before the first takes its name, and when one cannot be put in
 * place the ones already put are rolled back (the old files back, with FILEIO_FORCE; the new
 * ones removed without). SIGINT, SIGTERM and SIGHUP wait while the names are put in place, so
 * that a set is complete or untouched when they end the process. Without FILEIO_FORCE no existing
 * path is replaced (-EEXIST). On error
 * *ret_failed (may be NULL) is the index of the output at fault. */
int fileio_write_set(const struct fileio_output *outs, size_t n, unsigned flags,
                     size_t *ret_failed);

/* For tests: FILEIO_TEST_NO_TMPFILE stages every output as on a file system without O_TMPFILE;
 * FILEIO_TEST_RAISE_SIGTERM raises SIGTERM once an output is staged, before its data. */
enum {
        FILEIO_TEST_NO_TMPFILE = 1 << 0,
        FILEIO_TEST_RAISE_SIGTERM = 1 << 1,
};
void fileio_test_set_flags(unsigned flags);
