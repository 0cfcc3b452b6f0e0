/* SPDX-License-Identifier: Apache-2.0 */
/* OVMF / SVSM image parser. Layouts: edk2 OvmfPkg/ResetVector (footer GUID table, SEV-ES reset
 * block, SEV hashes-table entry, "ASEV" metadata) and Coconut SVSM's info entry; the same
 * structures QEMU's target/i386/sev.c and pc_sysfw_ovmf.c walk. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "le.h"
#include "log.h"
#include "ovmf.h"

/* The table ends 32 bytes before the end of the image; each entry ends with {u16 size, GUID}. */
#define FOOTER_GAP 32
#define ENTRY_TAIL (2 + OVMF_GUID_SIZE)
#define METADATA_HEADER_SIZE 16
#define METADATA_DESC_SIZE 12

static const uint8_t footer_guid[] =
        OVMF_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
static const uint8_t reset_block_guid[] =
        OVMF_GUID(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
static const uint8_t metadata_guid[] =
        OVMF_GUID(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);
static const uint8_t hashes_table_guid[] =
        OVMF_GUID(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);
static const uint8_t svsm_info_guid[] =
        OVMF_GUID(0xa789a612, 0x0597, 0x4c4b, 0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd);

static const char *image_name(const struct ovmf_image *img) {
        return img->path ? img->path : "(buffer)";
}

/* Sets *ret_why to "image 'path': <message>" and returns err. */
__attribute__((format(printf, 4, 5)))
static int fail(const struct ovmf_image *img, char **ret_why, int err, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int n;

        if (!ret_why)
                return err;
        va_start(ap, fmt);
        n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0) {
                msg = NULL;
                return err;
        }
        if (asprintf(ret_why, "firmware image '%s': %s", image_name(img), msg) < 0)
                *ret_why = NULL;
        return err;
}

int ovmf_read(const struct ovmf_image *img, uint64_t off, void *buf, size_t n) {
        uint8_t *p = buf;

        if (off > img->size || n > img->size - off)
                return -EINVAL;
        if (img->buf) {
                memcpy(buf, img->buf + off, n);
                return 0;
        }
        while (n > 0) {
                ssize_t k = pread(img->fd, p, n, (off_t) off);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;    /* the file shrank under us */
                p += k;
                off += (uint64_t) k;
                n -= (size_t) k;
        }
        return 0;
}

bool ovmf_has_section(const struct ovmf_image *img, uint32_t type) {
        for (size_t i = 0; i < img->n_sections; i++)
                if (img->sections[i].type == type)
                        return true;
        return false;
}

const char *ovmf_section_type_name(uint32_t type) {
        switch (type) {
        case OVMF_SECTION_SNP_SEC_MEM:          return "SNP_SEC_MEM";
        case OVMF_SECTION_SNP_SECRETS:          return "SNP_SECRETS";
        case OVMF_SECTION_CPUID:                return "CPUID";
        case OVMF_SECTION_SVSM_CAA:             return "SVSM_CAA";
        case OVMF_SECTION_SNP_KERNEL_HASHES:    return "SNP_KERNEL_HASHES";
        default:                                return NULL;
        }
}

void ovmf_free(struct ovmf_image *img) {
        if (!img)
                return;
        if (img->fd >= 0)
                close(img->fd);
        free(img->sections);
        free(img->path);
        free(img);
}

/* Records the entry with that GUID (data of data_size bytes starting at image offset data_off),
 * once each; unknown GUIDs are skipped, as edk2 and QEMU do. */
static int take_entry(struct ovmf_image *img, const uint8_t *guid, uint64_t data_off,
                      size_t data_size, char **ret_why) {
        static const struct {
                const uint8_t *guid;
                const char *name;
        } known[] = {
                { reset_block_guid,  "SEV-ES reset block" },
                { metadata_guid,     "SEV metadata" },
                { hashes_table_guid, "SEV hashes table" },
                { svsm_info_guid,    "SVSM info" },
        };
        uint8_t field[4];
        bool *seen;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(known); i++) {
                if (memcmp(guid, known[i].guid, OVMF_GUID_SIZE) != 0)
                        continue;
                if (data_size < sizeof(field))
                        return fail(img, ret_why, -EBADMSG,
                                    "footer table entry '%s' holds %zu bytes, needs at least 4",
                                    known[i].name, data_size);
                r = ovmf_read(img, data_off, field, sizeof(field));
                if (r < 0)
                        return fail(img, ret_why, r, "reading footer table: %s", strerror(-r));
                switch (i) {
                case 0: seen = &img->has_reset_block; img->reset_eip = le32_get(field); break;
                case 1: seen = &img->has_metadata; break;
                case 2: seen = &img->has_hashes_entry; img->hashes_table_gpa = le32_get(field); break;
                default: seen = &img->has_svsm_info; img->svsm_reset_offset = le32_get(field); break;
                }
                if (*seen)
                        return fail(img, ret_why, -EBADMSG,
                                    "footer table lists entry '%s' twice", known[i].name);
                *seen = true;
                if (i == 1)
                        img->metadata_offset = le32_get(field);
                return 0;
        }
        return 0;
}

static int parse_footer(struct ovmf_image *img, char **ret_why) {
        uint8_t tail[ENTRY_TAIL];
        uint64_t footer_off, start, end;
        uint16_t table_size;
        int r;

        if (img->size < FOOTER_GAP + ENTRY_TAIL)
                return 0;
        footer_off = img->size - FOOTER_GAP - ENTRY_TAIL;
        r = ovmf_read(img, footer_off, tail, sizeof(tail));
        if (r < 0)
                return fail(img, ret_why, r, "reading footer table: %s", strerror(-r));
        if (memcmp(tail + 2, footer_guid, OVMF_GUID_SIZE) != 0)
                return 0;       /* no table: not an error by itself, callers decide */
        img->has_footer = true;

        table_size = le16_get(tail);
        if (table_size < ENTRY_TAIL)
                return fail(img, ret_why, -EBADMSG,
                            "footer table size %u is smaller than its own %d-byte entry",
                            table_size, ENTRY_TAIL);
        if ((uint64_t) table_size - ENTRY_TAIL > footer_off)
                return fail(img, ret_why, -EBADMSG,
                            "footer table size %u runs outside the image", table_size);

        /* Walk backwards from the footer entry; each entry's size covers its data and tail. */
        start = footer_off - (table_size - ENTRY_TAIL);
        end = footer_off;
        while (end - start >= ENTRY_TAIL) {
                uint16_t size;

                r = ovmf_read(img, end - ENTRY_TAIL, tail, sizeof(tail));
                if (r < 0)
                        return fail(img, ret_why, r, "reading footer table: %s", strerror(-r));
                size = le16_get(tail);
                if (size < ENTRY_TAIL)
                        return fail(img, ret_why, -EBADMSG,
                                    "footer table entry at offset 0x%" PRIx64 " has size %u, "
                                    "below the %d-byte minimum", end - ENTRY_TAIL, size,
                                    ENTRY_TAIL);
                if (size > end - start)
                        return fail(img, ret_why, -EBADMSG,
                                    "footer table entry at offset 0x%" PRIx64 " has size %u, "
                                    "running outside the %u-byte table", end - ENTRY_TAIL, size,
                                    table_size);
                r = take_entry(img, tail + 2, end - size, size - ENTRY_TAIL, ret_why);
                if (r < 0)
                        return r;
                end -= size;
        }
        return 0;
}

static int parse_metadata(struct ovmf_image *img, uint64_t offset_from_end, char **ret_why) {
        uint8_t hdr[METADATA_HEADER_SIZE];
        uint32_t size, version, n_items;
        uint64_t start, total = 0;
        _cleanup_(freep) uint8_t *descs = NULL;
        _cleanup_(freep) struct ovmf_section *sections = NULL;
        int r;

        if (offset_from_end < METADATA_HEADER_SIZE || offset_from_end > img->size)
                return fail(img, ret_why, -EBADMSG,
                            "SEV metadata offset 0x%" PRIx64 " from the end lies outside the image",
                            offset_from_end);
        start = img->size - offset_from_end;
        r = ovmf_read(img, start, hdr, sizeof(hdr));
        if (r < 0)
                return fail(img, ret_why, r, "reading SEV metadata: %s", strerror(-r));
        if (memcmp(hdr, "ASEV", 4) != 0)
                return fail(img, ret_why, -EBADMSG,
                            "wrong SEV metadata signature %02x%02x%02x%02x (expected \"ASEV\")",
                            hdr[0], hdr[1], hdr[2], hdr[3]);
        size = le32_get(hdr + 4);
        version = le32_get(hdr + 8);
        n_items = le32_get(hdr + 12);
        if (version != 1)
                return fail(img, ret_why, -EBADMSG,
                            "wrong SEV metadata version %u (only 1 is known)", version);
        if (size > offset_from_end)
                return fail(img, ret_why, -EBADMSG,
                            "SEV metadata size %u runs outside the image", size);
        if (n_items > (size - (uint64_t) METADATA_HEADER_SIZE) / METADATA_DESC_SIZE ||
            size < METADATA_HEADER_SIZE)
                return fail(img, ret_why, -EBADMSG,
                            "SEV metadata lists %u sections, more than its size %u holds",
                            n_items, size);
        if (n_items == 0)
                return 0;
        if (n_items > OVMF_MAX_SECTIONS)
                return fail(img, ret_why, -EBADMSG,
                            "SEV metadata lists %u sections, more than the %u snpctl accepts",
                            n_items, OVMF_MAX_SECTIONS);

        descs = malloc((size_t) n_items * METADATA_DESC_SIZE);
        sections = calloc(n_items, sizeof(*sections));
        if (!descs || !sections)
                return fail(img, ret_why, -ENOMEM, "out of memory");
        r = ovmf_read(img, start + METADATA_HEADER_SIZE, descs,
                      (size_t) n_items * METADATA_DESC_SIZE);
        if (r < 0)
                return fail(img, ret_why, r, "reading SEV metadata: %s", strerror(-r));
        for (uint32_t i = 0; i < n_items; i++) {
                struct ovmf_section *s = &sections[i];
                const uint8_t *d = descs + (size_t) i * METADATA_DESC_SIZE;

                s->gpa = le32_get(d);
                s->size = le32_get(d + 4);
                s->type = le32_get(d + 8);
                if (s->gpa % OVMF_PAGE_SIZE != 0 || s->size % OVMF_PAGE_SIZE != 0)
                        return fail(img, ret_why, -EBADMSG,
                                    "SEV metadata section %u (type 0x%x) at GPA 0x%x size 0x%x is "
                                    "not page-aligned", i, s->type, s->gpa, s->size);
                if ((uint64_t) s->gpa + s->size > OVMF_FOUR_GIB)
                        return fail(img, ret_why, -EBADMSG,
                                    "SEV metadata section %u at GPA 0x%x size 0x%x runs past 4 GiB",
                                    i, s->gpa, s->size);
                total += s->size;
                if (total > OVMF_MAX_SECTION_BYTES)
                        return fail(img, ret_why, -EBADMSG,
                                    "SEV metadata sections cover more than %" PRIu64 " MiB "
                                    "(section %u at GPA 0x%x size 0x%x)",
                                    OVMF_MAX_SECTION_BYTES >> 20, i, s->gpa, s->size);
                /* A page can be launched once: overlapping sections cannot be a real guest. */
                for (uint32_t j = 0; j < i; j++) {
                        const struct ovmf_section *o = &sections[j];

                        if (s->size && o->size && s->gpa < (uint64_t) o->gpa + o->size &&
                            o->gpa < (uint64_t) s->gpa + s->size)
                                return fail(img, ret_why, -EBADMSG,
                                            "SEV metadata sections %u (GPA 0x%x size 0x%x) and %u "
                                            "(GPA 0x%x size 0x%x) overlap", j, o->gpa, o->size,
                                            i, s->gpa, s->size);
                }
        }
        img->sections = TAKE(sections);
        img->n_sections = n_items;
        return 0;
}

static int parse(struct ovmf_image *img, uint64_t end_gpa, char **ret_why) {
        int r;

        if (img->size == 0)
                return fail(img, ret_why, -EINVAL, "empty file");
        if (img->size > OVMF_MAX_SIZE)
                return fail(img, ret_why, -EFBIG, "size %" PRIu64 " is above the %" PRIu64
                            "-byte limit", img->size, OVMF_MAX_SIZE);
        if (img->size % OVMF_PAGE_SIZE != 0)
                return fail(img, ret_why, -EINVAL,
                            "size %" PRIu64 " is not a multiple of the %u-byte page", img->size,
                            OVMF_PAGE_SIZE);
        if (end_gpa < img->size || end_gpa % OVMF_PAGE_SIZE != 0)
                return fail(img, ret_why, -EINVAL, "cannot end at GPA 0x%" PRIx64
                            " (%" PRIu64 " bytes)", end_gpa, img->size);
        img->gpa = end_gpa - img->size;

        r = parse_footer(img, ret_why);
        if (r < 0)
                return r;
        if (img->has_metadata)
                return parse_metadata(img, img->metadata_offset, ret_why);
        return 0;
}

int ovmf_parse_buffer(const uint8_t *data, size_t size, uint64_t end_gpa,
                      struct ovmf_image **ret, char **ret_why) {
        _cleanup_(ovmf_freep) struct ovmf_image *img = calloc(1, sizeof(*img));
        int r;

        if (!img)
                return -ENOMEM;
        img->fd = -1;
        img->buf = data;
        img->size = size;
        r = parse(img, end_gpa, ret_why);
        if (r < 0)
                return r;
        *ret = TAKE(img);
        return 0;
}

int ovmf_open(const char *path, uint64_t end_gpa, struct ovmf_image **ret, char **ret_why) {
        _cleanup_(ovmf_freep) struct ovmf_image *img = calloc(1, sizeof(*img));
        struct stat st;
        int r;

        if (!img)
                return -ENOMEM;
        img->fd = -1;
        img->path = strdup(path);
        if (!img->path)
                return -ENOMEM;
        img->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (img->fd < 0)
                return fail(img, ret_why, -errno, "%s", strerror(errno));
        if (fstat(img->fd, &st) < 0)
                return fail(img, ret_why, -errno, "%s", strerror(errno));
        if (!S_ISREG(st.st_mode))
                return fail(img, ret_why, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
                            "not a regular file");
        img->size = (uint64_t) st.st_size;
        r = parse(img, end_gpa, ret_why);
        if (r < 0)
                return r;
        *ret = TAKE(img);
        return 0;
}
