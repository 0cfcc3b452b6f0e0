/* SPDX-License-Identifier: Apache-2.0 */
/* Builds OVMF-like images for the tests: pages of filler, a footer GUID table in the last page
 * (entries written backwards from the footer entry, which ends 32 bytes before the end, as in
 * edk2's ResetVector) and an "ASEV" metadata block in the page before it. Every field can be
 * spoiled to reach the parser's error paths. Include after unit.h. */
#pragma once

#include "le.h"
#include "ovmf.h"

#define SYNTH_MAX_ENTRIES 8
#define SYNTH_MAX_SECTIONS 16

static const uint8_t synth_footer_guid[] =
        OVMF_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
static const uint8_t synth_reset_guid[] =
        OVMF_GUID(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
static const uint8_t synth_metadata_guid[] =
        OVMF_GUID(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);
static const uint8_t synth_hashes_guid[] =
        OVMF_GUID(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);
static const uint8_t synth_svsm_guid[] =
        OVMF_GUID(0xa789a612, 0x0597, 0x4c4b, 0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd);
static const uint8_t synth_other_guid[] =
        OVMF_GUID(0x11111111, 0x2222, 0x3333, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55);

struct synth_entry {
        const uint8_t *guid;
        uint8_t data[16];
        size_t data_len;
        int size_override;      /* >0: write this as the entry's size field */
};

struct synth {
        size_t pages;                   /* >= 2 */
        bool footer;                    /* write the footer entry */
        int footer_size_override;       /* >0: footer size field */
        struct synth_entry entries[SYNTH_MAX_ENTRIES];
        size_t n_entries;
        bool metadata;                  /* add the metadata entry and block */
        uint32_t metadata_offset_override;      /* !=0: offset written in the entry */
        char signature[5];
        uint32_t version;
        uint32_t meta_size_override;
        uint32_t n_items_override;
        struct ovmf_section sections[SYNTH_MAX_SECTIONS];
        size_t n_sections;
};

/* A well-formed image of `pages` pages: a reset block with AP EIP reset_eip and a hashes-table
 * entry at hashes_gpa (each left out when 0), and empty metadata to which sections are added. */
static inline void synth_init(struct synth *s, size_t pages, uint32_t reset_eip,
                              uint32_t hashes_gpa) {
        memset(s, 0, sizeof(*s));
        s->pages = pages;
        s->footer = true;
        memcpy(s->signature, "ASEV", 5);
        s->version = 1;
        s->metadata = true;
        if (reset_eip) {
                struct synth_entry *e = &s->entries[s->n_entries++];

                e->guid = synth_reset_guid;
                le32_put(e->data, reset_eip);
                e->data_len = 4;
        }
        if (hashes_gpa) {
                struct synth_entry *e = &s->entries[s->n_entries++];

                e->guid = synth_hashes_guid;
                le32_put(e->data, hashes_gpa);
                le32_put(e->data + 4, 0x400);
                e->data_len = 8;
        }
}

static inline void synth_section(struct synth *s, uint32_t gpa, uint32_t size, uint32_t type) {
        s->sections[s->n_sections++] = (struct ovmf_section) { gpa, size, type };
}

/* Returns a malloc'd image of s->pages pages; caller frees. */
static inline uint8_t *synth_build(const struct synth *s, size_t *ret_size) {
        size_t size = s->pages * OVMF_PAGE_SIZE;
        uint8_t *img = malloc(size);
        size_t end, table_start;

        assert_non_null(img);
        for (size_t i = 0; i < size; i++)               /* filler that differs per page */
                img[i] = (uint8_t) (i * 7 + i / OVMF_PAGE_SIZE);
        memset(img + size - OVMF_PAGE_SIZE, 0, OVMF_PAGE_SIZE);

        if (s->metadata) {
                size_t off = size - 2 * OVMF_PAGE_SIZE;
                uint32_t meta_size = 16 + 12 * (uint32_t) s->n_sections;

                memset(img + off, 0, OVMF_PAGE_SIZE);
                memcpy(img + off, s->signature, 4);
                le32_put(img + off + 4, s->meta_size_override ? s->meta_size_override : meta_size);
                le32_put(img + off + 8, s->version);
                le32_put(img + off + 12, s->n_items_override ? s->n_items_override :
                         (uint32_t) s->n_sections);
                for (size_t i = 0; i < s->n_sections; i++) {
                        le32_put(img + off + 16 + 12 * i, s->sections[i].gpa);
                        le32_put(img + off + 20 + 12 * i, s->sections[i].size);
                        le32_put(img + off + 24 + 12 * i, s->sections[i].type);
                }
        }

        /* Entries backwards from the footer entry. */
        end = size - 32 - 18;
        table_start = end;
        for (size_t i = 0; i < s->n_entries + (s->metadata ? 1 : 0); i++) {
                struct synth_entry meta = { .guid = synth_metadata_guid, .data_len = 4 };
                const struct synth_entry *e = i < s->n_entries ? &s->entries[i] : &meta;
                size_t esize = e->data_len + 18;

                if (e == &meta)
                        le32_put(meta.data, s->metadata_offset_override ?
                                 s->metadata_offset_override : 2 * OVMF_PAGE_SIZE);
                memcpy(img + table_start - esize, e->data, e->data_len);
                le16_put(img + table_start - 18, (uint16_t) (e->size_override > 0 ?
                                                              e->size_override : (int) esize));
                memcpy(img + table_start - 16, e->guid, 16);
                table_start -= esize;
        }
        if (s->footer) {
                le16_put(img + end, (uint16_t) (s->footer_size_override > 0 ?
                                                s->footer_size_override :
                                                (int) (end - table_start + 18)));
                memcpy(img + end + 2, synth_footer_guid, 16);
        }
        *ret_size = size;
        return img;
}

/* Writes data to a file in a private temporary folder (removed at exit) and returns its path,
 * valid until the next call with the same name. */
static char synth_dir[64];
static char synth_names[16][32];

static inline void synth_cleanup(void) {
        char path[640];

        for (size_t i = 0; i < 16 && synth_names[i][0]; i++) {
                snprintf(path, sizeof(path), "%s/%s", synth_dir, synth_names[i]);
                (void) unlink(path);
        }
        (void) rmdir(synth_dir);
}

static inline const char *synth_write(const char *name, const void *data, size_t size) {
        static char path[640];
        size_t i;
        FILE *f;

        if (!synth_dir[0]) {
                strcpy(synth_dir, "/tmp/snpctl-unit.XXXXXX");
                assert_non_null(mkdtemp(synth_dir));
                atexit(synth_cleanup);
        }
        for (i = 0; i < 16 && synth_names[i][0]; i++)
                if (strcmp(synth_names[i], name) == 0)
                        break;
        assert_true(i < 16 && strlen(name) < sizeof(synth_names[i]));
        strcpy(synth_names[i], name);
        snprintf(path, sizeof(path), "%s/%s", synth_dir, name);
        f = fopen(path, "wb");
        assert_non_null(f);
        if (size)
                assert_int_equal(fwrite(data, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
        return path;
}
