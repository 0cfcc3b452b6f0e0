/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl disk info (src/disk-info.c): what an image is (LUKS2 volume, file system, dm-verity
 * tree, partitioned disk, qcow2), probed and printed as text or JSON. The image is
 * host-supplied: it is only read, and what it names is escaped when printed. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "verity.h"

struct disk_info_args {
        struct common_args common;
        const char *image;
        const char *hash_file;
        bool have_offset;
        uint64_t hash_offset;
        bool have_root_hash;
        uint8_t root_hash[VERITY_ROOT_HASH_SIZE];
};

/* Probes a->image (and its dm-verity tree; with have_root_hash, checks the data against it) and
 * prints what it is. 1 described (root hash matches or not asked), 0 the root hash does not
 * match, -errno could not (logged). */
int disk_info_run(const struct disk_info_args *a);
