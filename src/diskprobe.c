/* SPDX-License-Identifier: Apache-2.0 */
/* Disk image contents through libblkid (util-linux): superblocks and partition tables, read
 * from a file descriptor and a range of it. Library code: debug logging only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>

#include <blkid/blkid.h>

#include "cleanup.h"
#include "diskprobe.h"
#include "log.h"

DEFINE_FREEP(struct blkid_struct_probe, blkid_free_probe)

static void copy_value(blkid_probe pr, const char *name, char *buf, size_t size) {
        const char *v = NULL;
        size_t len = 0;

        buf[0] = '\0';
        if (blkid_probe_lookup_value(pr, name, &v, &len) != 0 || !v)
                return;
        /* len counts the NUL libblkid adds; a value with an inner NUL ends there. */
        snprintf(buf, size, "%s", v);
}

static void read_content(blkid_probe pr, struct diskprobe_content *c) {
        copy_value(pr, "TYPE", c->type, sizeof(c->type));
        copy_value(pr, "USAGE", c->usage, sizeof(c->usage));
        copy_value(pr, "VERSION", c->version, sizeof(c->version));
        copy_value(pr, "UUID", c->uuid, sizeof(c->uuid));
        copy_value(pr, "LABEL", c->label, sizeof(c->label));
}

static int new_probe(int fd, uint64_t offset, uint64_t size, bool partitions, blkid_probe *ret) {
        blkid_probe pr = blkid_new_probe();

        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, (blkid_loff_t) offset, (blkid_loff_t) size) != 0) {
                blkid_free_probe(pr);
                return -EIO;
        }
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
                                          BLKID_SUBLKS_VERSION | BLKID_SUBLKS_UUID |
                                          BLKID_SUBLKS_LABEL);
        blkid_probe_enable_partitions(pr, partitions ? 1 : 0);
        if (partitions)
                blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
        *ret = pr;
        return 0;
}

/* The superblock of one partition's range. */
static void probe_part(int fd, struct diskprobe_part *p) {
        _cleanup_(blkid_free_probep) struct blkid_struct_probe *pr = NULL;

        if (p->size == 0 || new_probe(fd, p->start, p->size, false, &pr) < 0)
                return;
        if (blkid_do_safeprobe(pr) == 0)
                read_content(pr, &p->content);
}

static void read_partition(blkid_partition par, struct diskprobe_part *p) {
        const char *s;
        int n = blkid_partition_get_partno(par);
        blkid_loff_t start = blkid_partition_get_start(par), size = blkid_partition_get_size(par);

        memset(p, 0, sizeof(*p));
        p->number = n > 0 ? (unsigned) n : 0;
        /* libblkid counts 512-byte sectors. */
        p->start = start > 0 ? (uint64_t) start * 512 : 0;
        p->size = size > 0 ? (uint64_t) size * 512 : 0;
        s = blkid_partition_get_type_string(par);
        if (s)
                snprintf(p->type, sizeof(p->type), "%s", s);
        else
                snprintf(p->type, sizeof(p->type), "0x%02x", blkid_partition_get_type(par) & 0xff);
        s = blkid_partition_get_uuid(par);
        snprintf(p->uuid, sizeof(p->uuid), "%s", s ? s : "");
        s = blkid_partition_get_name(par);
        snprintf(p->name, sizeof(p->name), "%s", s ? s : "");
}

static bool is_qcow2(int fd, uint64_t offset) {
        uint8_t magic[4];

        return pread(fd, magic, sizeof(magic), (off_t) offset) == (ssize_t) sizeof(magic) &&
               memcmp(magic, "QFI\xfb", 4) == 0;
}

int diskprobe_read(int fd, uint64_t offset, uint64_t size, struct diskprobe *ret) {
        _cleanup_(blkid_free_probep) struct blkid_struct_probe *pr = NULL;
        struct diskprobe d = { 0 };
        blkid_partlist ls;
        int r, n;

        memset(ret, 0, sizeof(*ret));
        r = new_probe(fd, offset, size, true, &pr);
        if (r < 0)
                return r;
        d.size = (uint64_t) blkid_probe_get_size(pr);
        if (is_qcow2(fd, offset)) {
                d.qcow2 = true;
                *ret = d;
                return 0;
        }
        r = blkid_do_safeprobe(pr);
        log_debug("blkid_do_safeprobe: %d", r);
        if (r != 0)
                goto out;               /* nothing, ambiguous, or unreadable: say unknown */
        read_content(pr, &d.content);
        copy_value(pr, "PTTYPE", d.pttype, sizeof(d.pttype));
        if (!d.pttype[0])
                goto out;
        ls = blkid_probe_get_partitions(pr);
        n = ls ? blkid_partlist_numof_partitions(ls) : 0;
        if (n <= 0)
                goto out;
        if (n > DISKPROBE_MAX_PARTS)
                n = DISKPROBE_MAX_PARTS;
        d.parts = calloc((size_t) n, sizeof(*d.parts));
        if (!d.parts)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                blkid_partition par = blkid_partlist_get_partition(ls, i);

                if (!par)
                        continue;
                read_partition(par, &d.parts[d.n_parts]);
                /* A partition is inside the probed range (libblkid checks the table). */
                if (d.parts[d.n_parts].start > d.size ||
                    d.parts[d.n_parts].size > d.size - d.parts[d.n_parts].start)
                        continue;
                probe_part(fd, &d.parts[d.n_parts]);
                d.parts[d.n_parts].start += offset;
                d.n_parts++;
        }
out:
        *ret = d;
        return 0;
}

void diskprobe_done(struct diskprobe *d) {
        free(d->parts);
        d->parts = NULL;
        d->n_parts = 0;
}

const struct diskprobe_part *diskprobe_partition(const struct diskprobe *d, unsigned number) {
        for (size_t i = 0; i < d->n_parts; i++)
                if (d->parts[i].number == number)
                        return &d->parts[i];
        return NULL;
}

static bool linux_fs(const char *type) {
        static const char *const fs[] = { "ext2", "ext3", "ext4", "xfs", "btrfs" };

        for (size_t i = 0; i < ELEMENTSOF(fs); i++)
                if (strcmp(type, fs[i]) == 0)
                        return true;
        return false;
}

const struct diskprobe_part *diskprobe_root_partition(const struct diskprobe *d) {
        const struct diskprobe_part *found = NULL;
        unsigned n = 0;

        for (size_t i = 0; i < d->n_parts; i++)
                if (strcasecmp(d->parts[i].type, DISKPROBE_GPT_ROOT_X86_64) == 0) {
                        found = &d->parts[i];
                        n++;
                }
        if (n == 1)
                return found;
        if (n > 1)
                return NULL;
        for (size_t i = 0; i < d->n_parts; i++)
                if (linux_fs(d->parts[i].content.type)) {
                        found = &d->parts[i];
                        n++;
                }
        return n == 1 ? found : NULL;
}

/* QEMU's qcow2 header (docs/interop/qcow2.txt): big-endian; 0 magic "QFI\xfb", 4 version,
 * 8 backing_file_offset (u64, 0: none), ...; from version 3, 72 incompatible_features (u64),
 * bit 2: an external data file. */
int diskprobe_qcow2_standalone(int fd) {
        uint8_t h[80];
        uint64_t backing, incompat = 0;
        uint32_t version;
        ssize_t n = pread(fd, h, sizeof(h), 0);

        if (n < 0)
                return -errno;
        if (n < 20 || memcmp(h, "QFI\xfb", 4) != 0)
                return -EINVAL;
        memcpy(&version, h + 4, 4);
        version = be32toh(version);
        memcpy(&backing, h + 8, 8);
        backing = be64toh(backing);
        if (version >= 3) {
                if (n < 80)
                        return 0;
                memcpy(&incompat, h + 72, 8);
                incompat = be64toh(incompat);
        }
        return backing == 0 && !(incompat & (UINT64_C(1) << 2));
}
