/* SPDX-License-Identifier: Apache-2.0 */
/* A LUKS2 root image made from a plain one, offline (issue 15): libcryptsetup formats the header
 * (and the keyslot) on the new file; the data segment is written here, encrypted with the volume
 * key as dm-crypt's aes-xts-plain64 would (crypto-xts.h), so that neither device-mapper nor root
 * is needed and the input is only read. The output is a file without a name until it is
 * complete and checked: crypt_load() of what was written, the key file's pass phrase opening the
 * keyslot, the volume key matching the digest, luks_inspect()'s policy. Library code: debug
 * logging only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "cleanup.h"
#include "crypto.h"
#include "cryptsetup-private.h"
#include "crypto-xts.h"
#include "diskfile.h"
#include "log.h"
#include "luks.h"

#define SECTOR 512
#define CHUNK (1u << 20)
/* cryptsetup's default LUKS2 layout: 16 MiB for the two metadata copies and the keyslot area. */
#define DATA_OFFSET_SECTORS 32768u

/* Secrets: wiped before they leave (OPENSSL_cleanse). */
struct secrets {
        uint8_t volume_key[LUKS_ALLOWED_KEY_BYTES];
        uint8_t pass[LUKS_KEY_FILE_SIZE];
};

static void secrets_wipe(struct secrets **s) {
        if (*s)
                crypto_wipe_free(*s, sizeof(**s));
}

static int format_header(const char *path, const struct secrets *s, uint64_t *ret_data_offset) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        /* The key file holds 512 random bits: a slow key derivation adds nothing, and a cheap
         * one spares the guest's memory and boot time. PBKDF2 at libcryptsetup's floor. */
        struct crypt_pbkdf_type pbkdf = {
                .type = CRYPT_KDF_PBKDF2,
                .hash = "sha256",
                .iterations = 1000,
                .flags = CRYPT_PBKDF_NO_BENCHMARK,
        };
        struct crypt_params_luks2 params = { .sector_size = SECTOR };
        int r;

        r = crypt_init(&cd, path);
        if (r < 0)
                return r;
        crypt_set_log_callback(cd, crypt_log_debug, NULL);
        r = crypt_set_pbkdf_type(cd, &pbkdf);
        if (r < 0)
                return r;
        r = crypt_set_data_offset(cd, DATA_OFFSET_SECTORS);
        if (r < 0)
                return r;
        r = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL,
                         (const char *) s->volume_key, sizeof(s->volume_key), &params);
        if (r < 0)
                return r;
        r = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, (const char *) s->volume_key,
                                            sizeof(s->volume_key), (const char *) s->pass,
                                            sizeof(s->pass));
        if (r < 0)
                return r;
        *ret_data_offset = crypt_get_data_offset(cd) * SECTOR;
        return 0;
}

/* What was written, read back by a fresh libcryptsetup context: the pass phrase opens a keyslot
 * (activation without a name only checks) and the volume key matches the digest. */
static int check_written(const char *path, const struct secrets *s) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        int r = crypt_init(&cd, path);

        if (r < 0)
                return r;
        crypt_set_log_callback(cd, crypt_log_debug, NULL);
        r = crypt_load(cd, CRYPT_LUKS2, NULL);
        if (r < 0)
                return r;
        r = crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT, (const char *) s->pass,
                                         sizeof(s->pass), 0);
        if (r < 0)
                return r == -EPERM ? -EIO : r;
        r = crypt_volume_key_verify(cd, (const char *) s->volume_key, sizeof(s->volume_key));
        return r < 0 ? (r == -EPERM ? -EIO : r) : 0;
}

static int copy_encrypted(const struct luks_encrypt_params *p, int in_fd, int out_fd,
                          uint64_t data_offset, const struct secrets *s) {
        _cleanup_(crypto_xts_freep) struct crypto_xts *x = NULL;
        _cleanup_(freep) uint8_t *buf = malloc(CHUNK);
        int r;

        if (!buf)
                return -ENOMEM;
        r = crypto_xts_new(s->volume_key, true, &x);
        if (r < 0)
                return r;
        for (uint64_t done = 0; done < p->in_size; ) {
                size_t want = p->in_size - done < CHUNK ? (size_t) (p->in_size - done) : CHUNK;
                ssize_t n = pread(in_fd, buf, want, (off_t) (p->in_offset + done));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO;            /* the input shrank under us */
                want = (size_t) n - (size_t) n % SECTOR;
                if (want == 0)
                        continue;               /* a short read inside a sector: read on */
                /* plain64 with iv_tweak 0: the IV is the sector number within the segment. */
                r = crypto_xts_sectors(x, done / SECTOR, SECTOR, buf, buf, want);
                if (r < 0)
                        return r;
                for (size_t w = 0; w < want; ) {
                        ssize_t m = pwrite(out_fd, buf + w, want - w,
                                           (off_t) (data_offset + done + w));

                        if (m < 0 && errno == EINTR)
                                continue;
                        if (m <= 0)
                                return m < 0 ? -errno : -EIO;
                        w += (size_t) m;
                }
                done += want;
                if (p->progress)
                        p->progress(done, p->in_size, p->userdata);
        }
        return 0;
}

int luks_encrypt_image(const struct luks_encrypt_params *p, struct luks_info *ret) {
        _cleanup_(secrets_wipe) struct secrets *s = NULL;
        _cleanup_(closep) int in_fd = -1, out_fd = -1, key_fd = -1;
        char out_path[DISKFILE_FD_PATH_SIZE];
        struct stat in_st, out_st;
        uint64_t in_total, data_offset = 0;
        int r;

        memset(ret, 0, sizeof(*ret));
        if (p->in_size == 0 || p->in_size % SECTOR != 0 || p->in_offset % SECTOR != 0)
                return -EINVAL;
        if (!p->force && (access(p->out, F_OK) == 0 || access(p->key_file, F_OK) == 0))
                return -EEXIST;
        r = diskfile_in_use(p->in);
        if (r < 0)
                return r;
        if (r > 0)
                return -EBUSY;
        in_fd = open(p->in, O_RDONLY | O_CLOEXEC);
        if (in_fd < 0)
                return -errno;
        if (fstat(in_fd, &in_st) < 0)
                return -errno;
        r = diskfile_size(in_fd, &in_total);
        if (r < 0)
                return r;
        if (p->in_offset > in_total || p->in_size > in_total - p->in_offset)
                return -ERANGE;
        /* --force may replace files, never the input. */
        if ((stat(p->out, &out_st) == 0 && out_st.st_dev == in_st.st_dev &&
             out_st.st_ino == in_st.st_ino) ||
            (stat(p->key_file, &out_st) == 0 && out_st.st_dev == in_st.st_dev &&
             out_st.st_ino == in_st.st_ino))
                return -EXDEV;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        do {
                r = crypto_random(s->volume_key, sizeof(s->volume_key));
                if (r < 0)
                        return r;
        } while (crypto_memeq(s->volume_key, s->volume_key + sizeof(s->volume_key) / 2,
                              sizeof(s->volume_key) / 2));
        r = crypto_random(s->pass, sizeof(s->pass));
        if (r < 0)
                return r;

        r = diskfile_open_unnamed(p->out, 0644, &out_fd);
        if (r < 0)
                return r;
        r = diskfile_open_unnamed(p->key_file, 0600, &key_fd);
        if (r < 0)
                return r;
        if (ftruncate(out_fd, (off_t) ((uint64_t) DATA_OFFSET_SECTORS * SECTOR + p->in_size)) < 0)
                return -errno;
        diskfile_fd_path(out_fd, out_path);
        r = format_header(out_path, s, &data_offset);
        if (r < 0)
                return r;
        if (data_offset != (uint64_t) DATA_OFFSET_SECTORS * SECTOR)
                return -EIO;
        r = copy_encrypted(p, in_fd, out_fd, data_offset, s);
        if (r < 0)
                return r;
        if (fsync(out_fd) < 0)
                return -errno;
        r = check_written(out_path, s);
        if (r < 0)
                return r;
        r = luks_inspect(out_path, ret);
        if (r < 0)
                return r;
        if (r == 0)
                return -EIO;                    /* our own header refused: a bug, not a result */

        for (size_t w = 0; w < sizeof(s->pass); ) {
                ssize_t m = write(key_fd, s->pass + w, sizeof(s->pass) - w);

                if (m < 0 && errno == EINTR)
                        continue;
                if (m <= 0)
                        return m < 0 ? -errno : -EIO;
                w += (size_t) m;
        }
        /* The key first, then the image: a key without its image is harmless; the image goes
         * only beside its key. */
        r = diskfile_link(key_fd, p->key_file, p->force);
        if (r < 0)
                return r;
        r = diskfile_link(out_fd, p->out, p->force);
        if (r < 0) {
                (void) unlink(p->key_file);
                return r;
        }
        return 0;
}
