/* SPDX-License-Identifier: Apache-2.0 */
/* dm-verity for a read-only guest root (issue 15): the hash tree formatted by libcryptsetup,
 * either appended to the image or in a file of its own, and the root hash the measured kernel
 * command line carries (roothash=, read by initramfs/init's boot=verity). Nothing here parses
 * the on-disk format itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define VERITY_BLOCK_SIZE 4096                  /* data and hash blocks */
#define VERITY_HASH "sha256"
#define VERITY_ROOT_HASH_SIZE CRYPTO_SHA256_SIZE
#define VERITY_SALT_SIZE 32                     /* veritysetup's default */
#define VERITY_MAX_SALT_SIZE 256                /* the superblock's salt field */

/* What verity_format() made, and what verity_inspect() read from a superblock. */
struct verity_info {
        char hash_name[32];
        uint32_t data_block_size;
        uint32_t hash_block_size;
        uint64_t data_blocks;
        uint64_t hash_offset;                   /* bytes; 0 in a hash file of its own */
        uint8_t salt[VERITY_MAX_SALT_SIZE];
        size_t salt_size;
        char uuid[40];                          /* the superblock's, or "" */
        uint64_t hash_bytes;                    /* the hash area (superblock included) */
        bool has_root_hash;
        uint8_t root_hash[VERITY_ROOT_HASH_SIZE];
};

/* Formats the dm-verity hash tree of image (its whole size, a multiple of 4096 bytes: sha256,
 * 4096-byte blocks, format 1 with a superblock). hash_file NULL: appended after the data, at
 * hash offset = the data size; the data bytes are never written, and on any failure, SIGINT or
 * SIGTERM the image is cut back to its size. Otherwise the tree goes into hash_file, made
 * without a name and linked in place when complete (an existing file is replaced only with
 * force). salt NULL: 32 random bytes. ret gets the parameters and the root hash. -EALREADY when
 * an appended tree is already there (ret: its superblock; a second one would hash the first as
 * data). -EINVAL when
 * the size is not a multiple of 4096 or the image is empty; -EBUSY when it is in use; -EEXIST
 * (hash_file exists); -EINTR (interrupted); -errno of the I/O; -ENOMEM. */
int verity_format(const char *image, const char *hash_file, const uint8_t *salt, size_t salt_size,
                  bool force, struct verity_info *ret);

/* Reads a verity superblock at offset in path. 1 found (ret filled, has_root_hash false: the
 * root hash is not stored), 0 none there, -errno could not read. */
int verity_inspect(const char *path, uint64_t offset, struct verity_info *ret);

/* Looks for a tree appended as verity_format() appends it: a superblock at the data size D
 * where the file is D plus the tree of D (sha256, 4096-byte blocks). 1 found (ret as
 * verity_inspect()), 0 none, -errno. */
int verity_find_appended(const char *path, struct verity_info *ret);

/* Checks the data of data_path against the hash tree at hash_offset in hash_path (may be the
 * same file) and root_hash, in user space. 1 matches, 0 does not (corrupted block or wrong root
 * hash), -errno could not read. */
int verity_verify(const char *data_path, const char *hash_path, uint64_t hash_offset,
                  const uint8_t root_hash[VERITY_ROOT_HASH_SIZE]);
