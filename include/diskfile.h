/* SPDX-License-Identifier: Apache-2.0 */
/* Disk images as snpctl disk reads and writes them (src/diskfile.c): whether one is in use, its
 * size, and large outputs written into a file without a name that gets its name only when
 * complete (so a process killed while writing leaves nothing). fileio.h does the same for
 * outputs held in memory. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* 1 when path (a regular file or a block device) is in use: a block device opened exclusively
 * elsewhere (mounted, mapped), or a file backing a loop device; 0 when not; -EINVAL for another
 * kind of file; -errno when it could not be checked. */
int diskfile_in_use(const char *path);

/* The size of what fd opens: a regular file's length or a block device's. -EINVAL otherwise. */
int diskfile_size(int fd, uint64_t *ret);

/* Opens a file without a name (O_TMPFILE, read-write, the given mode) in the folder of path.
 * -errno (-EOPNOTSUPP: that file system has no O_TMPFILE). */
int diskfile_open_unnamed(const char *path, mode_t mode, int *ret_fd);

/* Gives the unnamed file fd the name path, after an fsync. An existing path is replaced only
 * with force (then through a second temporary name and rename(), so path is never missing);
 * otherwise -EEXIST. -errno. */
int diskfile_link(int fd, const char *path, bool force);

/* The "/proc/self/fd/N" name of fd, for libraries that open paths (libcryptsetup). */
#define DISKFILE_FD_PATH_SIZE 32
void diskfile_fd_path(int fd, char buf[DISKFILE_FD_PATH_SIZE]);
