/* SPDX-License-Identifier: Apache-2.0 */
/* The source image of snpctl disk encrypt (include/disk-source.h). */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "disk-source.h"
#include "diskfile.h"
#include "diskprobe.h"
#include "log.h"
#include "output.h"

/* The partition of IN to encrypt: its byte range; logs once. */
int disk_pick_partition(const char *in, bool partition_auto, unsigned partition, int fd,
                        uint64_t *ret_offset, uint64_t *ret_size) {
        _cleanup_(diskprobe_done) struct diskprobe d = { 0 };
        const struct diskprobe_part *part;
        char type[64], content[64];
        int r = diskprobe_read(fd, 0, 0, &d);

        if (r < 0)
                return log_errno(r, "reading the partition table of '%s'", in);
        if (d.n_parts == 0)
                return log_errno(-ENOENT, "'%s' has no partition table that libblkid reads "
                                 "(drop --partition for a file system image)", in);
        part = partition_auto ? diskprobe_root_partition(&d) :
                                   diskprobe_partition(&d, partition);
        if (!part && partition_auto)
                return log_errno(-ENOENT, "'%s' has no single root partition (a GPT root "
                                 "partition, or one Linux file system): give --partition N "
                                 "(snpctl disk info lists them)", in);
        if (!part)
                return log_errno(-ENOENT, "'%s' has no partition %u (snpctl disk info lists "
                                 "them)", in, partition);
        log_notice("partition %u of '%s': %" PRIu64 " bytes at %" PRIu64 ", type %s, holding %s",
                   part->number, in, part->size, part->start,
                   output_escape_str(part->type, type, sizeof(type)),
                   part->content.type[0] ? output_escape_str(part->content.type, content,
                                                             sizeof(content)) : "unknown data");
        *ret_offset = part->start;
        *ret_size = part->size;
        return 0;
}

/* A qcow2 IN as raw, in a file without a name in OUT's folder (gone when we exit): qemu-img
 * convert, run without a shell, with the format named (no probing). A qcow2 image that names a
 * backing or external data file is refused, so that only IN is read. Logs once. */
int disk_qcow2_to_raw(const char *in, const char *out_path, int in_fd, int *ret_fd) {
        _cleanup_(closep) int fd = -1;
        char out[64];
        pid_t pid;
        int r, status;

        r = diskprobe_qcow2_standalone(in_fd);
        if (r < 0)
                return log_errno(r, "reading the qcow2 header of '%s'", in);
        if (r == 0)
                return log_errno(-EPERM, "'%s' names a backing file or an external data file; "
                                 "give a standalone image (qemu-img convert -O qcow2)", in);
        r = diskfile_open_unnamed(out_path, 0600, &fd);
        if (r < 0)
                return log_errno(r, "making a temporary raw image beside '%s'", out_path);
        /* The child opens our descriptor through our /proc entry. */
        snprintf(out, sizeof(out), "/proc/%d/fd/%d", (int) getpid(), fd);
        {
                char *argv[] = { (char *) "qemu-img", (char *) "convert", (char *) "-q",
                                 (char *) "-f", (char *) "qcow2", (char *) "-O", (char *) "raw",
                                 (char *) in, out, NULL };

                r = posix_spawnp(&pid, "qemu-img", NULL, NULL, argv, environ);
        }
        if (r != 0)
                return log_errno(-r, "running qemu-img (Debian: qemu-utils) to read the qcow2 "
                                 "image '%s'", in);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_errno(-errno, "waiting for qemu-img");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_errno(-EIO, "qemu-img convert of '%s' failed (status 0x%x)", in,
                                 (unsigned) status);
        log_info("'%s' is qcow2: read through qemu-img convert", in);
        *ret_fd = TAKE_FD(fd);
        return 0;
}
