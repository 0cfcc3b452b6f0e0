/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
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
        struct stat st;

        if (chunk_size == 0)
                return -EINVAL;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        /* Bounded work: a regular file ends; anything else (/dev/zero, a pipe) is read up to a
         * cap. */
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
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
                if (!S_ISREG(st.st_mode) && total + (uint64_t) n > FILEIO_STREAM_NONREGULAR_MAX)
                        return -EFBIG;
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

char *fileio_parent_dir(const char *path) {
        char *dir = strdup(path), *slash;

        if (!dir)
                return NULL;
        slash = strrchr(dir, '/');
        if (!slash)
                strcpy(dir, ".");
        else if (slash == dir)
                dir[1] = '\0';
        else
                *slash = '\0';
        return dir;
}

static int fsync_parent(const char *path) {
        _cleanup_(freep) char *dir = fileio_parent_dir(path);
        _cleanup_(closep) int fd = -1;

        if (!dir)
                return -ENOMEM;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

/* ---- Named temporary files and signals ----
 * Where the file system has no O_TMPFILE an output is staged under "PATH.XXXXXX" (or, for a
 * secret, under PATH itself). Those names are kept in a fixed table that a handler of SIGINT,
 * SIGTERM and SIGHUP unlinks (async-signal-safe: it reads the table and calls unlink() only)
 * before the process ends by the signal as it would have. The handler is installed, once, only
 * for a signal whose action is the default one, so that a program's own handling stays in
 * charge. The commit of a set (links and renames) runs with these signals blocked, so a set is
 * complete or untouched when one arrives. SIGKILL cannot be caught: O_TMPFILE is the only
 * protection from it. */

#define TEMP_SLOTS 8

enum { SLOT_FREE, SLOT_FILLING, SLOT_NAMED };

static struct {
        int state;
        char name[PATH_MAX];
} temps[TEMP_SLOTS];

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
static unsigned test_flags;

static void on_signal(int sig) {
        int saved = errno;

        for (size_t i = 0; i < TEMP_SLOTS; i++)
                if (__atomic_load_n(&temps[i].state, __ATOMIC_ACQUIRE) == SLOT_NAMED)
                        (void) unlink(temps[i].name);
        /* SA_RESETHAND made the action the default one again: the signal, still blocked in its
         * handler, ends the process once the handler returns. */
        (void) raise(sig);
        errno = saved;
}

static void install_handlers(void) {
        struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND | SA_RESTART };

        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
                sigaddset(&sa.sa_mask, cleanup_signals[i]);
        for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
                struct sigaction old;

                if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
                    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
                        (void) sigaction(cleanup_signals[i], &sa, NULL);
        }
}

/* Blocks (block true) or restores the cleanup signals; *saved holds the old mask. */
static void block_signals(bool block, sigset_t *saved) {
        sigset_t set;

        if (!block) {
                pthread_sigmask(SIG_SETMASK, saved, NULL);
                return;
        }
        sigemptyset(&set);
        for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
                sigaddset(&set, cleanup_signals[i]);
        pthread_sigmask(SIG_BLOCK, &set, saved);
}

/* A slot of the table, not yet named (the handler skips it); -1 when the table is full (the
 * file is then not removed on a signal). */
static int temp_claim(void) {
        (void) pthread_once(&handlers_once, install_handlers);
        for (int i = 0; i < TEMP_SLOTS; i++) {
                int expected = SLOT_FREE;

                if (__atomic_compare_exchange_n(&temps[i].state, &expected, SLOT_FILLING, false,
                                                __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                        return i;
        }
        return -1;
}

/* Names the slot once the file exists, so that the handler never unlinks a file that is not
 * ours (O_EXCL/mkostemp created it); -1 and the slot freed for a name too long. */
static void temp_name(int *slot, const char *name) {
        size_t len = strlen(name);

        if (*slot < 0)
                return;
        if (len >= PATH_MAX) {
                __atomic_store_n(&temps[*slot].state, SLOT_FREE, __ATOMIC_RELEASE);
                *slot = -1;
                return;
        }
        memcpy(temps[*slot].name, name, len + 1);
        __atomic_store_n(&temps[*slot].state, SLOT_NAMED, __ATOMIC_RELEASE);
}

static void temp_unregister(int *slot) {
        if (*slot >= 0)
                __atomic_store_n(&temps[*slot].state, SLOT_FREE, __ATOMIC_RELEASE);
        *slot = -1;
}

void fileio_test_set_flags(unsigned flags) {
        test_flags = flags;
}

/* One output on its way: its data in a file with no name (O_TMPFILE), or, where the file system
 * has no O_TMPFILE, under tmp ("PATH.XXXXXX", or PATH itself for a secret: direct), in the
 * signal table as slot; backup is the old file's second name while a set is being replaced. */
struct pending {
        const struct fileio_output *out;
        int fd;
        char *tmp;
        int slot;
        bool direct;
        char *backup;
        bool committed;
};

/* Creates the named file of an output staged without O_TMPFILE, entered in the signal table
 * before it exists. */
static int stage_named(struct pending *p, bool secret, bool force) {
        sigset_t saved;
        int r = 0;

        if (secret && force)
                return -EOPNOTSUPP;     /* no atomic replacement without a temporary name */
        p->direct = secret;
        if (p->direct)
                p->tmp = strdup(p->out->path);
        else if (asprintf(&p->tmp, "%s.XXXXXX", p->out->path) < 0)
                p->tmp = NULL;
        if (!p->tmp)
                return -ENOMEM;
        /* Blocked here; a signal handled by another thread meanwhile may leave the file. */
        block_signals(true, &saved);
        p->slot = temp_claim();
        if (p->direct)
                p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, p->out->mode);
        else
                p->fd = mkostemp(p->tmp, O_CLOEXEC);
        if (p->fd < 0) {
                r = -errno;
                temp_unregister(&p->slot);
                free(TAKE(p->tmp));
        } else
                temp_name(&p->slot, p->tmp);
        block_signals(false, &saved);
        return r;
}

static int stage(struct pending *p, unsigned flags) {
        _cleanup_(freep) char *dir = fileio_parent_dir(p->out->path);
        int r;

        if (!dir)
                return -ENOMEM;
        /* No name while it is written: a SIGKILL leaves nothing behind, a key included. */
        if (test_flags & FILEIO_TEST_NO_TMPFILE)
                errno = EOPNOTSUPP;
        else
                p->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, p->out->mode);
        if (p->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
                r = stage_named(p, flags & FILEIO_SECRET, flags & FILEIO_FORCE);
                if (r < 0)
                        return r;
        }
        if (p->fd < 0)
                return -errno;
        if (test_flags & FILEIO_TEST_RAISE_SIGTERM)
                (void) raise(SIGTERM);
        if (fchmod(p->fd, p->out->mode) < 0)
                return -errno;
        r = write_all(p->fd, p->out->data, p->out->size);
        if (r < 0)
                return r;
        return fsync(p->fd) < 0 ? -errno : 0;
}

/* Gives the staged file the name to, which must not exist (EEXIST, atomically). */
static int link_new(struct pending *p, const char *to) {
        char proc[64];

        if (p->direct) {                /* already at its name */
                temp_unregister(&p->slot);
                free(TAKE(p->tmp));
                return 0;
        }
        if (p->tmp) {
                if (link(p->tmp, to) < 0)
                        return -errno;
                (void) unlink(p->tmp);
                temp_unregister(&p->slot);
                free(TAKE(p->tmp));
                return 0;
        }
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p->fd);
        return linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

/* A fresh name beside path that nothing has: "PATH.XXXXXX", made by linking, never opened. */
static int link_temp(struct pending *p, char **ret) {
        for (unsigned i = 0; i < 100; i++) {
                char *name = NULL;
                uint32_t x;
                int r;

                if (getentropy(&x, sizeof(x)) < 0)
                        return -errno;
                if (asprintf(&name, "%s.%06x", p->out->path, x & 0xffffff) < 0)
                        return -ENOMEM;
                r = link_new(p, name);
                if (r == 0) {
                        *ret = name;
                        return 0;
                }
                free(name);
                if (r != -EEXIST)
                        return r;
        }
        return -EEXIST;
}

/* Puts the staged file at its path. Without force: never replaces (EEXIST). With force: renames
 * over it, keeping the old file under a second name (p->backup) when keep_old, so that a set can
 * be rolled back; a temporary name exists only between the link and the rename. */
static int commit_one(struct pending *p, bool force, bool keep_old) {
        char *name = NULL;
        struct stat st;
        int r;

        if (!force)
                return link_new(p, p->out->path);
        if (keep_old && lstat(p->out->path, &st) == 0 && S_ISREG(st.st_mode)) {
                for (unsigned i = 0; i < 100 && !p->backup; i++) {
                        uint32_t x;

                        if (getentropy(&x, sizeof(x)) < 0)
                                return -errno;
                        if (asprintf(&name, "%s.old-%06x", p->out->path, x & 0xffffff) < 0)
                                return -ENOMEM;
                        if (link(p->out->path, name) == 0)
                                p->backup = name;
                        else {
                                r = -errno;
                                free(name);
                                if (r != -EEXIST)
                                        return r;
                        }
                }
                if (!p->backup)
                        return -EEXIST;
        }
        r = link_temp(p, &name);
        if (r < 0)
                return r;
        if (rename(name, p->out->path) < 0) {
                r = -errno;
                (void) unlink(name);
                free(name);
                return r;
        }
        free(name);
        return 0;
}

/* Undoes a commit: the old file back (force) or the new one removed. */
static void roll_back(struct pending *p) {
        if (p->backup)
                (void) rename(p->backup, p->out->path);
        else
                (void) unlink(p->out->path);
        free(TAKE(p->backup));
}

int fileio_write_set(const struct fileio_output *outs, size_t n, unsigned flags,
                     size_t *ret_failed) {
        _cleanup_(freep) struct pending *p = calloc(n ? n : 1, sizeof(*p));
        bool force = flags & FILEIO_FORCE;
        size_t i, failed = 0;
        struct stat st;
        sigset_t saved;
        int r = 0;

        if (!p)
                return -ENOMEM;
        for (i = 0; i < n; i++)
                p[i] = (struct pending) { .out = &outs[i], .fd = -1, .slot = -1 };
        /* Checked early to fail before any work; the commit checks again, atomically. */
        for (i = 0; i < n && !force; i++)
                if (lstat(outs[i].path, &st) == 0) {
                        if (ret_failed)
                                *ret_failed = i;
                        return -EEXIST;
                }
        for (i = 0; i < n && r >= 0; i++) {
                r = stage(&p[i], flags);
                failed = i;
        }
        /* From the first name on, a signal waits until the set is complete or rolled back. */
        block_signals(true, &saved);
        for (i = 0; i < n && r >= 0; i++) {
                r = commit_one(&p[i], force, n > 1);
                p[i].committed = r >= 0;
                failed = i;
        }
        if (r < 0)
                for (i = 0; i < n; i++)
                        if (p[i].committed)
                                roll_back(&p[i]);
        for (i = 0; i < n; i++) {
                if (p[i].backup)
                        (void) unlink(p[i].backup);
                free(p[i].backup);
                if (p[i].tmp)
                        (void) unlink(p[i].tmp);
                temp_unregister(&p[i].slot);
                free(p[i].tmp);
                if (p[i].fd >= 0)
                        close(p[i].fd);
        }
        block_signals(false, &saved);
        if (r < 0) {
                if (ret_failed)
                        *ret_failed = failed;
                return r;
        }
        for (i = 0; i < n; i++)
                (void) fsync_parent(outs[i].path);
        return 0;
}

int fileio_write_atomic(const char *path, const void *data, size_t size, mode_t mode,
                        unsigned flags) {
        const struct fileio_output out = { .path = path, .data = data, .size = size,
                                           .mode = mode };

        return fileio_write_set(&out, 1, flags, NULL);
}
