/* SPDX-License-Identifier: Apache-2.0 */
/* OVMF (and Coconut SVSM) firmware images: the GUIDed footer table at the end of the image
 * (edk2 OvmfPkg/ResetVector), the SEV-ES reset block, the kernel-hashes table address and the
 * SEV metadata sections ("ASEV"). The image is never loaded whole: the parser reads only the
 * table and the metadata; ovmf_read() gives callers the bytes they hash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OVMF_PAGE_SIZE 4096u
#define OVMF_FOUR_GIB  UINT64_C(0x100000000)
#define OVMF_MAX_SIZE  (UINT64_C(64) << 20)     /* larger than any OVMF or SVSM build */
/* Bounds on the SEV metadata, so that measuring any image is bounded work (each page of a
 * section is one page update): real OVMF and SVSM builds have fewer than ten sections covering
 * a few MiB. docs/limits.md lists these with the other input limits. */
#define OVMF_MAX_SECTIONS      64u
#define OVMF_MAX_SECTION_BYTES (UINT64_C(256) << 20)    /* all sections together: 65536 pages */

/* The bytes of an EFI GUID as firmware stores it (first three fields little-endian), written
 * from its text form a-b-c-d0d1-d2..d7: OVMF_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, ...). */
#define OVMF_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                     \
        { (uint8_t) (a), (uint8_t) ((a) >> 8), (uint8_t) ((a) >> 16), (uint8_t) ((a) >> 24),  \
          (uint8_t) (b), (uint8_t) ((b) >> 8), (uint8_t) (c), (uint8_t) ((c) >> 8),            \
          d0, d1, d2, d3, d4, d5, d6, d7 }
#define OVMF_GUID_SIZE 16

/* SEV metadata section types (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm). */
enum ovmf_section_type {
        OVMF_SECTION_SNP_SEC_MEM = 1,
        OVMF_SECTION_SNP_SECRETS = 2,
        OVMF_SECTION_CPUID = 3,
        OVMF_SECTION_SVSM_CAA = 4,
        OVMF_SECTION_SNP_KERNEL_HASHES = 0x10,
};

struct ovmf_section {
        uint32_t gpa;
        uint32_t size;
        uint32_t type;          /* enum ovmf_section_type, or an unknown value as read */
};

struct ovmf_image {
        char *path;             /* NULL for a buffer */
        uint64_t size;          /* bytes, a non-zero multiple of OVMF_PAGE_SIZE */
        uint64_t gpa;           /* GPA of the first byte: end_gpa - size */
        bool has_footer;        /* the footer GUID table was found */
        bool has_reset_block;   /* SEV-ES reset block entry */
        uint32_t reset_eip;     /* AP reset EIP from it */
        bool has_hashes_entry;  /* SEV hashes-table entry */
        uint32_t hashes_table_gpa;      /* 0: unsupported */
        bool has_svsm_info;     /* SVSM info entry (Coconut SVSM images) */
        uint32_t svsm_reset_offset;     /* reset EIP offset from the image GPA */
        bool has_metadata;      /* SEV metadata ("ASEV") found */
        struct ovmf_section *sections;
        size_t n_sections;
        uint32_t metadata_offset;       /* of the "ASEV" header, from the end of the image */
        /* private */
        int fd;
        const uint8_t *buf;
};

/* Opens and parses the image at path, mapped to end at end_gpa (OVMF_FOUR_GIB for OVMF).
 * Returns -errno of open/read, -EINVAL for an empty, short or non-page-multiple image, -EFBIG
 * above OVMF_MAX_SIZE, -EBADMSG for a malformed footer table or metadata (entry sizes or
 * metadata outside the image, a bad "ASEV" signature or version, unaligned sections). On error
 * *ret_why (if not NULL) receives a malloc'd description naming the file and what is wrong. */
int ovmf_open(const char *path, uint64_t end_gpa, struct ovmf_image **ret, char **ret_why);

/* Like ovmf_open() for an image already in memory; data must outlive the image. */
int ovmf_parse_buffer(const uint8_t *data, size_t size, uint64_t end_gpa,
                      struct ovmf_image **ret, char **ret_why);

/* Reads n bytes at offset off of the image into buf: 0, -EINVAL past the end, -errno of pread,
 * -EIO when the file shrank. */
int ovmf_read(const struct ovmf_image *img, uint64_t off, void *buf, size_t n);

/* Whether the metadata lists a section of that type. */
bool ovmf_has_section(const struct ovmf_image *img, uint32_t type);

/* Human name of a section type ("SNP_SEC_MEM", ...), or NULL when unknown. */
const char *ovmf_section_type_name(uint32_t type);

void ovmf_free(struct ovmf_image *img);
static inline void ovmf_freep(struct ovmf_image **p) {
        ovmf_free(*p);
}
