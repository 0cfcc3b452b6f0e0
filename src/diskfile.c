/* SPDX-License-Identifier: Apache-2.0 */
/* Disk images for snpctl disk: in-use checks, sizes, outputs written without a name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "cleanup.h"
#include "crypto.h"
#include "diskfile.h"
#include "fileio.h"

DEFINE_FREEP(DIR, closedir)

/* 1 when a loop device is backed by the file (dev, ino). */
static int loop_backed(dev_t dev, ino_t ino) {
        _cleanup_(closedirp) DIR *d = opendir("/sys/block");
        struct dirent *e;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((e = readdir(d))) {
                char path[300], backing[4096];
                _cleanup_(fclosep) FILE *f = NULL;
                struct stat st;
                size_t n;

                if (strncmp(e->d_name, "loop", 4) != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", e->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;               /* an unused loop device has no backing_file */
                if (!fgets(backing, sizeof(backing), f))
                        continue;
                n = strlen(backing);
                while (n > 0 && backing[n - 1] == '\n')
                        backing[--n] = '\0';
                if (stat(backing, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
                        return 1;
        }
        return 0;
}

int diskfile_in_use(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISBLK(st.st_mode)) {
                /* The kernel refuses O_EXCL on a block device that is mounted or held by a
                 * mapping (bd_prepare_to_claim). */
                int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);

                if (fd < 0)
                        return errno == EBUSY ? 1 : -errno;
                close(fd);
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        return loop_backed(st.st_dev, st.st_ino);
}

int diskfile_size(int fd, uint64_t *ret) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode)) {
                *ret = (uint64_t) st.st_size;
                return 0;
        }
        if (S_ISBLK(st.st_mode))
                return ioctl(fd, BLKGETSIZE64, ret) < 0 ? -errno : 0;
        return -EINVAL;
}

void diskfile_fd_path(int fd, char buf[DISKFILE_FD_PATH_SIZE]) {
        snprintf(buf, DISKFILE_FD_PATH_SIZE, "/proc/self/fd/%d", fd);
}

int diskfile_open_unnamed(const char *path, mode_t mode, int *ret_fd) {
        _cleanup_(freep) char *dir = fileio_parent_dir(path);
        int fd;

        if (!dir)
                return -ENOMEM;
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
        if (fd < 0)
                return errno == EISDIR || errno == EINVAL ? -EOPNOTSUPP : -errno;
        if (fchmod(fd, mode) < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

int diskfile_link(int fd, const char *path, bool force) {
        char proc[DISKFILE_FD_PATH_SIZE];

        if (fsync(fd) < 0)
                return -errno;
        diskfile_fd_path(fd, proc);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
                return 0;
        if (errno != EEXIST || !force)
                return -errno;
        for (unsigned i = 0; i < 100; i++) {
                _cleanup_(freep) char *tmp = NULL;
                uint32_t x;

                if (crypto_random(&x, sizeof(x)) < 0)
                        return -EIO;
                if (asprintf(&tmp, "%s.%06x", path, x & 0xffffff) < 0) {
                        tmp = NULL;
                        return -ENOMEM;
                }
                if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return -errno;
                }
                if (rename(tmp, path) < 0) {
                        int r = -errno;

                        unlink(tmp);
                        return r;
                }
                return 0;
        }
        return -EEXIST;
}
