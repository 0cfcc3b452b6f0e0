/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"

static ssize_t read_retry(int fd, void *buf, size_t size) {
        for (;;) {
                ssize_t n = read(fd, buf, size);

                if (n >= 0 || errno != EINTR)
                        return n < 0 ? -errno : n;
        }
}

static int read_all(const char *path, size_t max_size, bool secret, uint8_t **ret_data,
                    size_t *ret_size) {
        _cleanup_(closep) int fd = -1;
        uint8_t *buf = NULL;
        size_t used = 0, allocated = 0;
        int r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        for (;;) {
                ssize_t n;

                if (allocated - used < 4096) {
                        size_t grow = allocated ? allocated * 2 : 16384;
                        uint8_t *bigger;

                        if (grow > max_size + 4096)
                                grow = max_size + 4096;
                        if (grow <= allocated) {
                                r = -EFBIG;
                                break;
                        }
                        bigger = malloc(grow + 1);
                        if (!bigger) {
                                r = -ENOMEM;
                                break;
                        }
                        if (buf) {
                                memcpy(bigger, buf, used);
                                if (secret)
                                        crypto_wipe(buf, allocated);
                                free(buf);
                        }
                        buf = bigger;
                        allocated = grow;
                }
                n = read_retry(fd, buf + used, allocated - used);
                if (n < 0) {
                        r = (int) n;
                        break;
                }
                if (n == 0)
                        break;
                used += (size_t) n;
                if (used > max_size) {
                        r = -EFBIG;
                        break;
                }
        }
        if (r < 0) {
                if (buf && secret)
                        crypto_wipe(buf, allocated);
                free(buf);
                return r;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[used] = '\0';
        *ret_data = buf;
        *ret_size = used;
        return 0;
}

int fileio_read_full(const char *path, size_t max_size, uint8_t **ret_data, size_t *ret_size) {
        return read_all(path, max_size, false, ret_data, ret_size);
}

int fileio_read_secret(const char *path, size_t max_size, uint8_t **ret_data, size_t *ret_size) {
        return read_all(path, max_size, true, ret_data, ret_size);
}

int fileio_stream(const char *path, size_t chunk_size, fileio_chunk_fn fn, void *userdata,
                  uint64_t *ret_total) {
        _cleanup_(closep) int fd = -1;
        _cleanup_(freep) uint8_t *buf = NULL;
        uint64_t total = 0;

        if (chunk_size == 0)
                return -EINVAL;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        (void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        buf = malloc(chunk_size);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                ssize_t n = read_retry(fd, buf, chunk_size);
                int r;

                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                r = fn(buf, (size_t) n, userdata);
                if (r < 0)
                        return r;
                total += (uint64_t) n;
        }
        if (ret_total)
                *ret_total = total;
        return 0;
}

int fileio_size(const char *path, uint64_t *ret_size) {
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        *ret_size = (uint64_t) st.st_size;
        return 0;
}

static int write_all(int fd, const uint8_t *p, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, p, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

static int fsync_parent(const char *path) {
        _cleanup_(freep) char *dir = strdup(path);
        _cleanup_(closep) int fd = -1;
        char *slash;

        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (!slash)
                strcpy(dir, ".");
        else if (slash == dir)
                dir[1] = '\0';
        else
                *slash = '\0';
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

/* Moves tmp to path; without force, refuses atomically to replace an existing path. */
static int commit_file(const char *tmp, const char *path, bool force) {
        if (force)
                return rename(tmp, path) < 0 ? -errno : 0;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        /* The file system lacks RENAME_NOREPLACE: link() fails atomically with EEXIST too. */
        if (link(tmp, path) < 0)
                return -errno;
        (void) unlink(tmp);
        return 0;
}

int fileio_write_atomic(const char *path, const void *data, size_t size, mode_t mode,
                        unsigned flags) {
        _cleanup_(freep) char *tmp = NULL;
        _cleanup_(closep) int fd = -1;
        struct stat st;
        int r;

        if (!(flags & FILEIO_FORCE) && lstat(path, &st) == 0)
                return -EEXIST;         /* checked early to fail before any work; rename rechecks */
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, mode) < 0) {
                r = -errno;
                goto fail;
        }
        r = write_all(fd, data, size);
        if (r < 0)
                goto fail;
        if (fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        r = commit_file(tmp, path, flags & FILEIO_FORCE);
        if (r < 0)
                goto fail;
        (void) fsync_parent(path);
        return 0;
fail:
        (void) unlink(tmp);
        return r;
}
