/* SPDX-License-Identifier: Apache-2.0 */
/* dm-verity hash trees (issue 15), made and read with libcryptsetup as veritysetup does:
 * crypt_format(CRYPT_VERITY), crypt_load, crypt_get_verity_info, and for the user-space check
 * crypt_load with CRYPT_VERITY_CHECK_HASH then crypt_activate_by_volume_key without a name.
 * Nothing here parses the superblock. Library code: debug logging only. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "cleanup.h"
#include "crypto.h"
#include "cryptsetup-private.h"
#include "diskfile.h"
#include "log.h"
#include "verity.h"

/* ---- helpers ---- */

/* The appended tree's undo, for the signal handler: the image is cut back to its size. */
static volatile sig_atomic_t undo_fd = -1;
static off_t undo_size;

static void undo_on_signal(int sig) {
        int saved = errno;

        if (undo_fd >= 0 && ftruncate(undo_fd, undo_size) == 0)
                (void) fsync(undo_fd);
        signal(sig, SIG_DFL);
        raise(sig);
        errno = saved;
}

struct undo_guard {
        struct sigaction old_int, old_term, old_hup;
        bool armed;
};

static void undo_arm(struct undo_guard *g, int fd, off_t size) {
        struct sigaction sa = { .sa_handler = undo_on_signal };

        sigemptyset(&sa.sa_mask);
        undo_size = size;
        undo_fd = fd;
        sigaction(SIGINT, &sa, &g->old_int);
        sigaction(SIGTERM, &sa, &g->old_term);
        sigaction(SIGHUP, &sa, &g->old_hup);
        g->armed = true;
}

static void undo_disarm(struct undo_guard *g) {
        if (!g->armed)
                return;
        sigaction(SIGINT, &g->old_int, NULL);
        sigaction(SIGTERM, &g->old_term, NULL);
        sigaction(SIGHUP, &g->old_hup, NULL);
        undo_fd = -1;
        g->armed = false;
}

static int fill_info(struct crypt_device *cd, uint64_t offset, struct verity_info *ret) {
        struct crypt_params_verity vp;
        const char *uuid;
        int r;

        memset(&vp, 0, sizeof(vp));
        r = crypt_get_verity_info(cd, &vp);
        if (r < 0)
                return r;
        memset(ret, 0, sizeof(*ret));
        snprintf(ret->hash_name, sizeof(ret->hash_name), "%s", vp.hash_name ?: "");
        ret->data_block_size = vp.data_block_size;
        ret->hash_block_size = vp.hash_block_size;
        ret->data_blocks = vp.data_size;
        ret->hash_offset = offset;
        if (vp.salt_size > sizeof(ret->salt))
                return -EBADMSG;
        if (vp.salt_size)
                memcpy(ret->salt, vp.salt, vp.salt_size);
        ret->salt_size = vp.salt_size;
        uuid = crypt_get_uuid(cd);
        snprintf(ret->uuid, sizeof(ret->uuid), "%s", uuid ?: "");
        return 0;
}

/* The hash area's size in bytes (format 1: the superblock block, then the levels of hash blocks
 * with digests padded to a power of two), as the kernel's dm-verity lays it out. */
static uint64_t hash_area_bytes(uint64_t data_blocks, uint32_t hash_block_size, size_t digest) {
        size_t per_block, pad = 1;
        uint64_t total = 1, n = data_blocks;

        while (pad < digest)
                pad <<= 1;
        per_block = hash_block_size / pad;
        do {
                n = (n + per_block - 1) / per_block;
                total += n;
        } while (n > 1);
        return total * hash_block_size;
}

/* ---- reading ---- */

/* A libcryptsetup context of the hash and data devices, its messages at debug level. */
static int init_device(const char *hash_path, const char *data_path, struct crypt_device **ret) {
        int r;

        crypt_set_log_callback(NULL, crypt_log_debug, NULL);
        r = crypt_init_data_device(ret, hash_path, data_path);
        if (r < 0)
                return r;
        crypt_set_log_callback(*ret, crypt_log_debug, NULL);
        return 0;
}

static int load(const char *data_path, const char *hash_path, uint64_t offset, uint32_t flags,
                struct crypt_device **ret) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        struct crypt_params_verity vp;
        int r;

        r = init_device(hash_path, data_path, &cd);
        if (r < 0)
                return r;
        memset(&vp, 0, sizeof(vp));
        vp.hash_area_offset = offset;
        vp.flags = flags;
        r = crypt_load(cd, CRYPT_VERITY, &vp);
        if (r < 0)
                return r;
        *ret = TAKE(cd);
        return 0;
}

int verity_inspect(const char *path, uint64_t offset, struct verity_info *ret) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        uint64_t size;
        int r;

        if (fd < 0)
                return -errno;
        r = diskfile_size(fd, &size);
        if (r < 0)
                return r;
        if (offset % 512 != 0 || size < offset || size - offset < 512)
                return 0;
        r = load(path, path, offset, 0, &cd);
        if (r == -EINVAL || r == -ENOTSUP || r == -EBADMSG)
                return 0;                       /* no superblock, or one this library refuses */
        if (r < 0)
                return r;
        r = fill_info(cd, offset, ret);
        if (r < 0)
                return r == -EBADMSG ? 0 : r;
        if (ret->hash_block_size >= 512 && ret->data_blocks < UINT64_MAX / 2 &&
            strcmp(ret->hash_name, VERITY_HASH) == 0)
                ret->hash_bytes = hash_area_bytes(ret->data_blocks, ret->hash_block_size,
                                                  VERITY_ROOT_HASH_SIZE);
        return 1;
}

int verity_find_appended(const char *path, struct verity_info *ret) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        uint64_t size, lo = 1, hi;
        int r;

        if (fd < 0)
                return -errno;
        r = diskfile_size(fd, &size);
        if (r < 0)
                return r;
        if (size < 2 * VERITY_BLOCK_SIZE || size % VERITY_BLOCK_SIZE != 0)
                return 0;
        /* size = D + tree(D) for the data size D in blocks: D + tree(D) grows with D, so a
         * bisection finds the one D, if any. */
        hi = size / VERITY_BLOCK_SIZE;
        while (lo <= hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                uint64_t total = mid * VERITY_BLOCK_SIZE +
                                 hash_area_bytes(mid, VERITY_BLOCK_SIZE, VERITY_ROOT_HASH_SIZE);

                if (total == size) {
                        r = verity_inspect(path, mid * VERITY_BLOCK_SIZE, ret);
                        if (r <= 0)
                                return r;
                        /* The superblock must describe the tree that fills the rest: one
                         * with other block sizes (or another hash) only looks appended. */
                        return ret->data_blocks == mid &&
                               ret->data_block_size == VERITY_BLOCK_SIZE &&
                               ret->hash_block_size == VERITY_BLOCK_SIZE &&
                               ret->hash_bytes == size - mid * VERITY_BLOCK_SIZE ? 1 : 0;
                }
                if (total < size)
                        lo = mid + 1;
                else
                        hi = mid - 1;
        }
        return 0;
}

int verity_verify(const char *data_path, const char *hash_path, uint64_t hash_offset,
                  const uint8_t root_hash[VERITY_ROOT_HASH_SIZE]) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        /* As veritysetup verify: CRYPT_VERITY_CHECK_HASH is a load flag; activation without a
         * name then hashes the whole tree in user space. (Without the flag it checks nothing.) */
        int r = load(data_path, hash_path, hash_offset, CRYPT_VERITY_CHECK_HASH, &cd);

        if (r < 0)
                return r;
        r = crypt_activate_by_volume_key(cd, NULL, (const char *) root_hash, VERITY_ROOT_HASH_SIZE,
                                         CRYPT_ACTIVATE_READONLY);
        /* libcryptsetup's VERITY_verify(): -EPERM for a block that does not match its hash,
         * -EFAULT when the tree does not end in root_hash ("Verification of root hash failed"). */
        if (r == -EPERM || r == -EFAULT)
                return 0;
        return r < 0 ? r : 1;
}

/* ---- format ---- */

int verity_format(const char *image, const char *hash_file, const uint8_t *salt, size_t salt_size,
                  bool force, struct verity_info *ret) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        _cleanup_(closep) int image_fd = -1, hash_fd = -1;
        struct crypt_params_verity vp;
        struct undo_guard guard = { .armed = false };
        uint8_t random_salt[VERITY_SALT_SIZE];
        char hash_path[DISKFILE_FD_PATH_SIZE], data_path[DISKFILE_FD_PATH_SIZE];
        struct verity_info info;
        uint64_t data_size;
        size_t root_size = VERITY_ROOT_HASH_SIZE;
        int r;

        if (salt && (salt_size == 0 || salt_size > VERITY_MAX_SALT_SIZE))
                return -EINVAL;
        r = diskfile_in_use(image);
        if (r < 0)
                return r;
        if (r > 0)
                return -EBUSY;
        image_fd = open(image, (hash_file ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (image_fd < 0)
                return -errno;
        r = diskfile_size(image_fd, &data_size);
        if (r < 0)
                return r;
        if (data_size == 0 || data_size % VERITY_BLOCK_SIZE != 0)
                return -EINVAL;
        if (!hash_file) {
                struct stat st;
                struct verity_info old;

                if (fstat(image_fd, &st) < 0)
                        return -errno;
                if (!S_ISREG(st.st_mode))
                        return -ENOTSUP;        /* a device has no room after its data */
                /* A second run would hash the first tree as data. */
                r = verity_find_appended(image, &old);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret = old;
                        return -EALREADY;
                }
        } else {
                if (!force && access(hash_file, F_OK) == 0)
                        return -EEXIST;
                r = diskfile_open_unnamed(hash_file, 0644, &hash_fd);
                if (r < 0)
                        return r;
        }
        if (!salt) {
                r = crypto_random(random_salt, sizeof(random_salt));
                if (r < 0)
                        return r;
                salt = random_salt;
                salt_size = sizeof(random_salt);
        }

        /* libcryptsetup opens paths; /proc/self/fd keeps them on the files checked above. */
        diskfile_fd_path(image_fd, data_path);
        diskfile_fd_path(hash_file ? hash_fd : image_fd, hash_path);
        r = init_device(hash_path, data_path, &cd);
        if (r < 0)
                return r;

        memset(&vp, 0, sizeof(vp));
        vp.hash_name = VERITY_HASH;
        vp.data_device = data_path;
        vp.salt = (const char *) salt;
        vp.salt_size = (uint32_t) salt_size;
        vp.hash_type = 1;
        vp.data_block_size = VERITY_BLOCK_SIZE;
        vp.hash_block_size = VERITY_BLOCK_SIZE;
        vp.data_size = data_size / VERITY_BLOCK_SIZE;
        vp.hash_area_offset = hash_file ? 0 : data_size;
        vp.flags = CRYPT_VERITY_CREATE_HASH;

        if (!hash_file)
                undo_arm(&guard, image_fd, (off_t) data_size);
        r = crypt_format(cd, CRYPT_VERITY, NULL, NULL, NULL, NULL, 0, &vp);
        if (r < 0)
                goto undo;
        r = fill_info(cd, vp.hash_area_offset, &info);
        if (r < 0)
                goto undo;
        r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *) info.root_hash, &root_size, NULL, 0);
        if (r < 0)
                goto undo;
        if (root_size != VERITY_ROOT_HASH_SIZE) {
                r = -EIO;
                goto undo;
        }
        info.has_root_hash = true;
        info.hash_bytes = hash_area_bytes(info.data_blocks, info.hash_block_size,
                                          VERITY_ROOT_HASH_SIZE);
        if (fsync(hash_file ? hash_fd : image_fd) < 0) {
                r = -errno;
                goto undo;
        }
        if (hash_file) {
                r = diskfile_link(hash_fd, hash_file, force);
                if (r < 0)
                        goto undo;
        }
        undo_disarm(&guard);
        *ret = info;
        return 0;

undo:
        /* The data bytes were never written; only what was appended goes. */
        if (!hash_file && ftruncate(image_fd, (off_t) data_size) == 0)
                (void) fsync(image_fd);
        undo_disarm(&guard);
        return r;
}
