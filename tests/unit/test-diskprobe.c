/* SPDX-License-Identifier: Apache-2.0 */
/* The root partition disk encrypt --partition auto picks (diskprobe.h), and the qcow2 header
 * check that keeps qemu-img from reading other files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "cleanup.h"
#include "diskprobe.h"

static void part(struct diskprobe_part *p, unsigned n, const char *type, const char *content) {
        memset(p, 0, sizeof(*p));
        p->number = n;
        p->start = n * 1048576;
        p->size = 1048576;
        snprintf(p->type, sizeof(p->type), "%s", type);
        snprintf(p->content.type, sizeof(p->content.type), "%s", content);
}

#define EFI "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define LINUX_FS "0fc63daf-8483-4772-8e79-3d69d8477de4"

static void root_partition(void **state) {
        struct diskprobe_part parts[4];
        struct diskprobe d = { .parts = parts };

        (void) state;
        /* A Debian cloud image: root (1), BIOS boot (14), EFI (15). */
        part(&parts[0], 1, DISKPROBE_GPT_ROOT_X86_64, "ext4");
        part(&parts[1], 14, "21686148-6449-6e6f-744e-656564454649", "");
        part(&parts[2], 15, EFI, "vfat");
        d.n_parts = 3;
        assert_ptr_equal(diskprobe_root_partition(&d), &parts[0]);
        assert_ptr_equal(diskprobe_partition(&d, 15), &parts[2]);
        assert_null(diskprobe_partition(&d, 2));
        /* The GPT type wins over content, and its case does not matter. */
        part(&parts[0], 1, LINUX_FS, "ext4");
        part(&parts[3], 4, "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "");
        d.n_parts = 4;
        assert_ptr_equal(diskprobe_root_partition(&d), &parts[3]);
        /* Two root partitions: none is picked. */
        part(&parts[2], 3, DISKPROBE_GPT_ROOT_X86_64, "ext4");
        assert_null(diskprobe_root_partition(&d));
        /* No root type: the one Linux file system; two: none. */
        part(&parts[0], 1, LINUX_FS, "xfs");
        part(&parts[1], 2, EFI, "vfat");
        part(&parts[2], 3, "0x83", "swap");
        d.n_parts = 3;
        assert_ptr_equal(diskprobe_root_partition(&d), &parts[0]);
        part(&parts[2], 3, "0x83", "ext4");
        assert_null(diskprobe_root_partition(&d));
        d.n_parts = 0;
        assert_null(diskprobe_root_partition(&d));
}

static int header_fd(const void *h, size_t n) {
        char path[] = "/tmp/snpctl-qcow2-XXXXXX";
        int fd = mkstemp(path);

        assert_true(fd >= 0);
        unlink(path);
        assert_int_equal(write(fd, h, n), (ssize_t) n);
        return fd;
}

static void qcow2_standalone(void **state) {
        uint8_t h[104] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
        int fd;

        (void) state;
        fd = header_fd(h, sizeof(h));
        assert_int_equal(diskprobe_qcow2_standalone(fd), 1);
        close(fd);
        h[15] = 0x70;                           /* backing_file_offset = 0x70 */
        fd = header_fd(h, sizeof(h));
        assert_int_equal(diskprobe_qcow2_standalone(fd), 0);
        close(fd);
        h[15] = 0;
        h[79] = 0x04;                           /* incompatible bit 2: external data file */
        fd = header_fd(h, sizeof(h));
        assert_int_equal(diskprobe_qcow2_standalone(fd), 0);
        close(fd);
        h[7] = 2;                               /* version 2 has no such field */
        fd = header_fd(h, sizeof(h));
        assert_int_equal(diskprobe_qcow2_standalone(fd), 1);
        close(fd);
        h[0] = 'X';
        fd = header_fd(h, sizeof(h));
        assert_int_equal(diskprobe_qcow2_standalone(fd), -EINVAL);
        close(fd);
        fd = header_fd("QFI\xfb", 4);
        assert_int_equal(diskprobe_qcow2_standalone(fd), -EINVAL);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(root_partition),
                cmocka_unit_test(qcow2_standalone),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
