/* SPDX-License-Identifier: Apache-2.0 */
/* What a disk image holds, as libblkid sees it (src/diskprobe.c): the superblock at its start
 * (a file system, LUKS, a dm-verity hash superblock) and its partition table, each partition's
 * own content. Host-supplied input: every string is as libblkid gave it, to be escaped when
 * printed; nothing here parses a format itself beyond the qcow2 magic. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISKPROBE_MAX_PARTS 128                 /* GPT's usual entry count */

/* A superblock found at the start of a range. type "" when none. */
struct diskprobe_content {
        char type[32];                  /* blkid TYPE: ext4, crypto_LUKS, DM_verity_hash, ... */
        char usage[16];                 /* filesystem, crypto, other, raid */
        char version[16];
        char uuid[64];
        char label[128];
};

struct diskprobe_part {
        unsigned number;
        uint64_t start;                 /* bytes */
        uint64_t size;                  /* bytes */
        char type[40];                  /* GPT type UUID, or MBR type as 0xNN */
        char uuid[40];
        char name[128];
        struct diskprobe_content content;
};

struct diskprobe {
        uint64_t size;                  /* bytes probed */
        bool qcow2;                     /* the qcow2 magic: not probed further */
        struct diskprobe_content content;
        char pttype[16];                /* "gpt", "dos", ... or "" */
        struct diskprobe_part *parts;
        size_t n_parts;
};

/* Probes size bytes of fd from offset (size 0: to the end). 0 and *ret (free with
 * diskprobe_done()); -errno; -ENOMEM. Garbage gives an empty result, not an error. */
int diskprobe_read(int fd, uint64_t offset, uint64_t size, struct diskprobe *ret);
void diskprobe_done(struct diskprobe *d);

/* GPT's type for a Linux x86-64 root partition (the Discoverable Partitions Specification), as
 * Debian's cloud images use. */
#define DISKPROBE_GPT_ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"

/* The partition to treat as the root: the one GPT root (x86-64) partition, else the one
 * partition holding a Linux file system (ext2/3/4, xfs, btrfs). NULL when there is none or
 * more than one (the caller asks for a number). */
const struct diskprobe_part *diskprobe_root_partition(const struct diskprobe *d);

/* The partition numbered number, or NULL. */
const struct diskprobe_part *diskprobe_partition(const struct diskprobe *d, unsigned number);

/* Whether the qcow2 image at fd stands alone: no backing file and no external data file (which
 * would make qemu-img read other files than the one given). 1 yes, 0 no, -EINVAL not qcow2,
 * -errno. */
int diskprobe_qcow2_standalone(int fd);
