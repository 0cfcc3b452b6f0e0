/* SPDX-License-Identifier: Apache-2.0 */
/* The source image of snpctl disk encrypt (src/disk-source.c): the partition to encrypt, and a
 * qcow2 image read as raw through qemu-img. Both log once and return 0 or -errno. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The byte range of the partition of IN (open as fd) to encrypt: partition_auto picks the single
 * root partition, else partition number `partition`. */
int disk_pick_partition(const char *in, bool partition_auto, unsigned partition, int fd,
                        uint64_t *ret_offset, uint64_t *ret_size);

/* A standalone qcow2 IN (open as in_fd) converted to raw into an unnamed file in out_path's
 * folder; *ret_fd is that file. */
int disk_qcow2_to_raw(const char *in, const char *out_path, int in_fd, int *ret_fd);
