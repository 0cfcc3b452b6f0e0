/* SPDX-License-Identifier: Apache-2.0 */
/* The OVMF/SVSM footer and SEV metadata parser on any image, from a file (ovmf_open() on a
 * memfd) and from memory (ovmf_parse_buffer()), then a whole launch-digest computation over it
 * in the snp, snp:ovmf-hash and seves modes. Input shorter than a page multiple is padded with
 * zeros at the front, so that the fuzzer's bytes are the footer at the end of the image.
 * Oracles: both parsers agree; the metadata respects its bounds (OVMF_MAX_SECTIONS sections,
 * OVMF_MAX_SECTION_BYTES together), which bounds the work of measure_compute(). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fuzz.h"
#include "measure.h"
#include "ovmf.h"

static void same_image(const struct ovmf_image *a, const struct ovmf_image *b) {
        uint64_t total = 0;

        FUZZ_CHECK(a->size == b->size && a->gpa == b->gpa);
        FUZZ_CHECK(a->has_footer == b->has_footer && a->has_reset_block == b->has_reset_block);
        FUZZ_CHECK(a->reset_eip == b->reset_eip && a->has_hashes_entry == b->has_hashes_entry);
        FUZZ_CHECK(a->hashes_table_gpa == b->hashes_table_gpa);
        FUZZ_CHECK(a->has_svsm_info == b->has_svsm_info);
        FUZZ_CHECK(a->svsm_reset_offset == b->svsm_reset_offset);
        FUZZ_CHECK(a->has_metadata == b->has_metadata && a->n_sections == b->n_sections);
        FUZZ_CHECK(a->n_sections == 0 ||
                   memcmp(a->sections, b->sections, a->n_sections * sizeof(*a->sections)) == 0);
        FUZZ_CHECK(a->n_sections <= OVMF_MAX_SECTIONS);
        for (size_t i = 0; i < a->n_sections; i++) {
                total += a->sections[i].size;
                (void) ovmf_section_type_name(a->sections[i].type);
                (void) ovmf_has_section(a, a->sections[i].type);
        }
        FUZZ_CHECK(total <= OVMF_MAX_SECTION_BYTES);
}

static char ovmf_path[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        fuzz_fixture_path("measure/ovmf_AmdSev_suffix.bin", ovmf_path);
        return 0;
}

static void measure(const char *path, enum measure_mode mode, bool kernel) {
        _cleanup_(measure_result_freep) struct measure_result *res = NULL;
        _cleanup_(freep) char *why = NULL;
        struct measure_params p;

        measure_params_init(&p);
        p.mode = mode;
        p.ovmf = path;
        p.vcpus = 2;
        if (mode == MEASURE_MODE_SNP_SVSM) {
                p.ovmf = ovmf_path;
                p.svsm = path;
                p.vars_size = 0x20000;
        }
        if (kernel) {
                p.kernel = path;
                p.append = "console=ttyS0";
        }
        FUZZ_CHECK(measure_vcpu_sig_from_type("EPYC-v4", &p.vcpu_sig) == 0);
        if (measure_compute(&p, &res, &why) == 0)
                FUZZ_CHECK(res->digest_size == (mode == MEASURE_MODE_SEVES ? 32u : 48u));
        else
                FUZZ_CHECK(why != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(ovmf_freep) struct ovmf_image *file = NULL, *buf = NULL;
        _cleanup_(freep) char *why_file = NULL, *why_buf = NULL;
        _cleanup_(freep) uint8_t *image = NULL;
        size_t n = size, pad;
        char path[32];
        int fd, rf, rb;

        if (size > OVMF_MAX_SIZE)
                return 0;
        if (n % OVMF_PAGE_SIZE)
                n += OVMF_PAGE_SIZE - n % OVMF_PAGE_SIZE;
        pad = n - size;
        image = calloc(1, n ? n : 1);
        if (!image)
                return 0;
        memcpy(image + pad, data, size);

        fd = fuzz_memfd(image, n, path);
        rf = ovmf_open(path, OVMF_FOUR_GIB, &file, &why_file);
        rb = ovmf_parse_buffer(image, n, OVMF_FOUR_GIB, &buf, &why_buf);
        FUZZ_CHECK(rf == rb);
        if (rf == 0) {
                uint8_t page[OVMF_PAGE_SIZE], page2[OVMF_PAGE_SIZE];

                same_image(file, buf);
                FUZZ_CHECK(ovmf_read(file, file->size - sizeof(page), page, sizeof(page)) == 0);
                FUZZ_CHECK(ovmf_read(buf, buf->size - sizeof(page), page2, sizeof(page2)) == 0);
                FUZZ_CHECK(memcmp(page, page2, sizeof(page)) == 0);
                FUZZ_CHECK(ovmf_read(file, file->size, page, 1) < 0);
                measure(path, MEASURE_MODE_SNP, false);
                measure(path, MEASURE_MODE_SNP, true);
                measure(path, MEASURE_MODE_SNP_OVMF_HASH, false);
                measure(path, MEASURE_MODE_SEVES, false);
                measure(path, MEASURE_MODE_SNP_SVSM, false);
        } else {
                FUZZ_CHECK(why_file != NULL && why_buf != NULL);
        }
        close(fd);
        return 0;
}
