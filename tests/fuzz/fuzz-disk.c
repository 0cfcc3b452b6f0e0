/* SPDX-License-Identifier: Apache-2.0 */
/* A disk image, which the host supplies (src/diskprobe.c, src/verity.c, src/disk-info.c): the
 * input, on a memfd, is the whole image. diskprobe_read() (libblkid: superblocks, partition
 * tables, each partition's content), diskprobe_root_partition(), diskprobe_qcow2_standalone(),
 * verity_inspect() and verity_find_appended() (libcryptsetup), then `disk info` itself, as text
 * and as JSON (disk_info_run(); stdout goes to /dev/null).
 * Oracles: every partition lies inside the image, in number order of the table and numbered
 * once; the root partition is one of them; every string is NUL-terminated within its field; the
 * qcow2 flag is the magic; a dm-verity superblock read has a 512-byte multiple block size and a
 * salt within its field; a tree found appended fills the image after its data exactly. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "disk-info.h"
#include "diskprobe.h"
#include "fuzz.h"
#include "verity.h"

#define TERMINATED(field) FUZZ_CHECK(memchr((field), 0, sizeof(field)) != NULL)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

        (void) argc;
        (void) argv;
        FUZZ_CHECK(null >= 0 && dup2(null, STDOUT_FILENO) == STDOUT_FILENO);
        close(null);
        return 0;
}

static void check_content(const struct diskprobe_content *c) {
        TERMINATED(c->type);
        TERMINATED(c->usage);
        TERMINATED(c->version);
        TERMINATED(c->uuid);
        TERMINATED(c->label);
}

static void check_probe(int fd, size_t size, const uint8_t *data) {
        _cleanup_(diskprobe_done) struct diskprobe d = { 0 };
        const struct diskprobe_part *root;
        int q;

        if (diskprobe_read(fd, 0, 0, &d) < 0)
                return;
        FUZZ_CHECK(d.size == size);
        FUZZ_CHECK(d.qcow2 == (size >= 4 && memcmp(data, "QFI\xfb", 4) == 0));
        check_content(&d.content);
        TERMINATED(d.pttype);
        FUZZ_CHECK(d.n_parts <= DISKPROBE_MAX_PARTS);
        for (size_t i = 0; i < d.n_parts; i++) {
                const struct diskprobe_part *p = &d.parts[i];

                FUZZ_CHECK(p->start <= size && p->size <= size - p->start);
                FUZZ_CHECK(diskprobe_partition(&d, p->number) != NULL);
                TERMINATED(p->type);
                TERMINATED(p->uuid);
                TERMINATED(p->name);
                check_content(&p->content);
        }
        root = diskprobe_root_partition(&d);
        FUZZ_CHECK(!root || (root >= d.parts && root < d.parts + d.n_parts));
        q = diskprobe_qcow2_standalone(fd);
        FUZZ_CHECK(q == -EINVAL || q == 0 || q == 1);
        FUZZ_CHECK((q == -EINVAL) == (size < 20 || memcmp(data, "QFI\xfb", 4) != 0));
}

static void check_verity(const char *path, size_t size) {
        struct verity_info v = { 0 };
        int r;

        r = verity_inspect(path, 0, &v);
        if (r == 1) {
                TERMINATED(v.hash_name);
                TERMINATED(v.uuid);
                FUZZ_CHECK(v.salt_size <= sizeof(v.salt));
        }
        memset(&v, 0, sizeof(v));
        r = verity_find_appended(path, &v);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r == 1)
                FUZZ_CHECK(v.data_blocks * VERITY_BLOCK_SIZE + v.hash_bytes == size &&
                           v.hash_offset == v.data_blocks * VERITY_BLOCK_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[32];
        int fd = fuzz_memfd(data, size, path);

        check_probe(fd, size, data);
        check_verity(path, size);
        for (int json = 0; json <= 1; json++) {
                struct disk_info_args a = { .image = path };
                int r;

                a.common.json = json;
                r = disk_info_run(&a);
                FUZZ_CHECK(r == 1 || r < 0);
        }
        close(fd);
        return 0;
}
