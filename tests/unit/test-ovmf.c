/* SPDX-License-Identifier: Apache-2.0 */
/* The OVMF parser on synthetic images: what it finds in a good one, and a clear error (never a
 * crash or a silent default) for each way an image can be malformed. Also the real fixtures. */
#include "unit.h"

#include <errno.h>

#include "cleanup.h"
#include "ovmf.h"
#include "synth-ovmf.h"

/* Parses s; returns the parser's result and keeps the message in *ret_why. */
static int parse_synth(const struct synth *s, struct ovmf_image **ret, char **ret_why) {
        _cleanup_(freep) uint8_t *img = NULL;
        size_t size;
        int r;

        img = synth_build(s, &size);
        *ret_why = NULL;
        r = ovmf_open(synth_write("img.fd", img, size), OVMF_FOUR_GIB, ret, ret_why);
        return r;
}

static void expect_error(const struct synth *s, int err, const char *words) {
        struct ovmf_image *img = NULL;
        char *why = NULL;
        int r = parse_synth(s, &img, &why);

        if (r != err)
                fail_msg("expected %d, got %d (%s)", err, r, why ? why : "no message");
        assert_null(img);
        assert_non_null(why);
        if (!strstr(why, words))
                fail_msg("message '%s' lacks '%s'", why, words);
        assert_non_null(strstr(why, "img.fd"));         /* names the file */
        free(why);
}

static void good_image(void **state) {
        struct synth s;
        struct ovmf_image *img = NULL;
        char *why = NULL;

        (void) state;
        synth_init(&s, 16, 0xffffa000, 0xfff0c400);
        synth_section(&s, 0xfff00000, 0x3000, OVMF_SECTION_SNP_SEC_MEM);
        synth_section(&s, 0xfff03000, 0x1000, OVMF_SECTION_SNP_SECRETS);
        synth_section(&s, 0xfff04000, 0x1000, OVMF_SECTION_CPUID);
        synth_section(&s, 0xfff05000, 0x1000, OVMF_SECTION_SVSM_CAA);
        synth_section(&s, 0xfff0c000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES);
        assert_int_equal(parse_synth(&s, &img, &why), 0);
        assert_null(why);
        assert_int_equal(img->size, 16 * 4096);
        assert_int_equal(img->gpa, OVMF_FOUR_GIB - 16 * 4096);
        assert_true(img->has_footer);
        assert_true(img->has_reset_block);
        assert_int_equal(img->reset_eip, 0xffffa000);
        assert_true(img->has_hashes_entry);
        assert_int_equal(img->hashes_table_gpa, 0xfff0c400);
        assert_false(img->has_svsm_info);
        assert_true(img->has_metadata);
        assert_int_equal(img->n_sections, 5);
        assert_int_equal(img->sections[1].gpa, 0xfff03000);
        assert_int_equal(img->sections[4].type, OVMF_SECTION_SNP_KERNEL_HASHES);
        assert_true(ovmf_has_section(img, OVMF_SECTION_CPUID));
        assert_string_equal(ovmf_section_type_name(OVMF_SECTION_SVSM_CAA), "SVSM_CAA");
        assert_null(ovmf_section_type_name(7));
        ovmf_free(img);
}

static void unknown_entries_are_skipped(void **state) {
        struct synth s;
        struct ovmf_image *img = NULL;
        char *why = NULL;
        struct synth_entry *e;

        (void) state;
        synth_init(&s, 4, 0xffffb000, 0);
        e = &s.entries[s.n_entries++];
        e->guid = synth_other_guid;
        e->data_len = 6;
        assert_int_equal(parse_synth(&s, &img, &why), 0);
        assert_true(img->has_reset_block);
        assert_false(img->has_hashes_entry);
        assert_int_equal(img->n_sections, 0);
        ovmf_free(img);
}

static void no_footer_is_reported_not_fatal(void **state) {
        struct synth s;
        struct ovmf_image *img = NULL;
        char *why = NULL;

        (void) state;
        synth_init(&s, 4, 0xffffb000, 0);
        s.footer = false;
        assert_int_equal(parse_synth(&s, &img, &why), 0);
        assert_false(img->has_footer);
        assert_false(img->has_reset_block);
        assert_false(img->has_metadata);
        ovmf_free(img);
}

static void bad_sizes(void **state) {
        struct ovmf_image *img = NULL;
        char *why = NULL;
        uint8_t page[4096 + 100] = { 0 };

        (void) state;
        assert_int_equal(ovmf_open(synth_write("img.fd", page, 0), OVMF_FOUR_GIB, &img, &why),
                         -EINVAL);
        assert_non_null(strstr(why, "empty"));
        free(why);
        assert_int_equal(ovmf_open(synth_write("img.fd", page, 4096 + 100), OVMF_FOUR_GIB, &img,
                                   &why), -EINVAL);
        assert_non_null(strstr(why, "not a multiple"));
        free(why);
        assert_int_equal(ovmf_open(synth_write("img.fd", page, 100), OVMF_FOUR_GIB, &img, &why),
                         -EINVAL);
        free(why);
        assert_int_equal(ovmf_open("/nonexistent/ovmf.fd", OVMF_FOUR_GIB, &img, &why), -ENOENT);
        assert_non_null(strstr(why, "/nonexistent/ovmf.fd"));
        free(why);
        assert_int_equal(ovmf_open("/tmp", OVMF_FOUR_GIB, &img, &why), -EISDIR);
        free(why);
        assert_null(img);
        /* The buffer variant checks the same; NULL ret_why is allowed. */
        assert_int_equal(ovmf_parse_buffer(page, 4095, OVMF_FOUR_GIB, &img, NULL), -EINVAL);
        /* An image cannot end below its own size. */
        assert_int_equal(ovmf_parse_buffer(page, 4096, 0, &img, NULL), -EINVAL);
}

static void footer_errors(void **state) {
        struct synth s;

        (void) state;
        synth_init(&s, 4, 0xffffb000, 0);
        s.footer_size_override = 10;
        expect_error(&s, -EBADMSG, "smaller than its own");

        synth_init(&s, 4, 0xffffb000, 0);
        s.footer_size_override = 0xfff0;
        expect_error(&s, -EBADMSG, "runs outside the image");

        synth_init(&s, 4, 0xffffb000, 0);
        s.entries[0].size_override = 5;
        expect_error(&s, -EBADMSG, "below the 18-byte minimum");

        synth_init(&s, 4, 0xffffb000, 0);
        s.entries[0].size_override = 200;
        expect_error(&s, -EBADMSG, "running outside the");

        synth_init(&s, 4, 0xffffb000, 0);
        s.entries[0].data_len = 2;              /* reset block too short for its EIP */
        expect_error(&s, -EBADMSG, "needs at least 4");

        synth_init(&s, 4, 0xffffb000, 0);
        s.entries[1] = s.entries[0];            /* the reset block twice */
        s.n_entries = 2;
        expect_error(&s, -EBADMSG, "twice");
}

static void metadata_errors(void **state) {
        struct synth s;

        (void) state;
        synth_init(&s, 4, 0xffffb000, 0);
        memcpy(s.signature, "ASEW", 5);
        expect_error(&s, -EBADMSG, "wrong SEV metadata signature");

        synth_init(&s, 4, 0xffffb000, 0);
        s.version = 2;
        expect_error(&s, -EBADMSG, "wrong SEV metadata version 2");

        synth_init(&s, 4, 0xffffb000, 0);
        s.metadata_offset_override = 5 * 4096;  /* before the start of a 4-page image */
        expect_error(&s, -EBADMSG, "outside the image");

        synth_init(&s, 4, 0xffffb000, 0);
        s.metadata_offset_override = 8;         /* header would cross the end */
        expect_error(&s, -EBADMSG, "outside the image");

        synth_init(&s, 4, 0xffffb000, 0);
        s.meta_size_override = 3 * 4096;        /* size runs past the end */
        expect_error(&s, -EBADMSG, "runs outside the image");

        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0xffc00000, 0x1000, 1);
        s.n_items_override = 1000;              /* more items than the size holds */
        expect_error(&s, -EBADMSG, "more than its size");

        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0xffc00800, 0x1000, 1);
        expect_error(&s, -EBADMSG, "not page-aligned");

        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0xffc00000, 0x1800, 1);
        expect_error(&s, -EBADMSG, "not page-aligned");

        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0xfffff000, 0x2000, 1);
        expect_error(&s, -EBADMSG, "past 4 GiB");

        /* Bounded work (issue 17): a metadata block may list (size-16)/12 sections of up to
         * 4 GiB each; measuring 80,000 of them took hours. */
        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0x1000, 0x1000, 1);
        s.n_items_override = OVMF_MAX_SECTIONS + 1;
        s.meta_size_override = 16 + 12 * (OVMF_MAX_SECTIONS + 1);
        s.pages = 8;
        expect_error(&s, -EBADMSG, "more than the 64 snpctl accepts");

        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0x00000000, 0x08000000, 1);   /* 128 MiB */
        synth_section(&s, 0x10000000, 0x08000000, 1);
        synth_section(&s, 0x20000000, 0x00001000, 1);   /* one page over 256 MiB */
        expect_error(&s, -EBADMSG, "cover more than 256 MiB (section 2");

        synth_init(&s, 4, 0xffffb000, 0);
        synth_section(&s, 0x800000, 0x3000, 1);
        synth_section(&s, 0x802000, 0x1000, 2);          /* inside the first */
        expect_error(&s, -EBADMSG, "sections 0 (GPA 0x800000 size 0x3000) and 1 (GPA 0x802000 size 0x1000) overlap");
}

/* The real images: AmdSev has the hashes table and five sections, OvmfX64 no hashes (their 4 KiB
 * footers are in tests/data); Debian's OVMF_CODE_4M.fd, from ../shared, no SEV metadata. */
static void fixtures(void **state) {
        const char *td = getenv("SNPCTL_TESTDATA");
        _cleanup_(freep) char *amdsev = NULL, *x64 = NULL, *deb4m = NULL;
        struct ovmf_image *img = NULL;

        (void) state;
        if (!td || asprintf(&amdsev, "%s/measure/ovmf_AmdSev_suffix.bin", td) < 0 ||
            access(amdsev, R_OK) != 0) {
                skip();
                return;
        }
        assert_int_equal(ovmf_open(amdsev, OVMF_FOUR_GIB, &img, NULL), 0);
        assert_true(img->has_reset_block && img->has_hashes_entry && img->has_metadata);
        assert_int_not_equal(img->hashes_table_gpa, 0);
        assert_true(ovmf_has_section(img, OVMF_SECTION_SNP_KERNEL_HASHES));
        ovmf_free(img);

        assert_true(asprintf(&x64, "%s/measure/ovmf_OvmfX64_suffix.bin", td) > 0);
        assert_int_equal(ovmf_open(x64, OVMF_FOUR_GIB, &img, NULL), 0);
        assert_true(img->has_reset_block && img->has_metadata);
        assert_false(ovmf_has_section(img, OVMF_SECTION_SNP_KERNEL_HASHES));
        ovmf_free(img);

        assert_true(asprintf(&deb4m, "%s/measure/debian/OVMF_CODE_4M.fd", td) > 0);
        if (access(deb4m, R_OK) != 0) {         /* a firmware image: only in ../shared */
                print_message("no %s: Debian's OVMF not checked\n", deb4m);
                return;
        }
        assert_int_equal(ovmf_open(deb4m, OVMF_FOUR_GIB, &img, NULL), 0);
        assert_false(img->has_metadata);
        assert_int_equal(img->gpa, OVMF_FOUR_GIB - img->size);
        ovmf_free(img);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(good_image),
                cmocka_unit_test(unknown_entries_are_skipped),
                cmocka_unit_test(no_footer_is_reported_not_fatal),
                cmocka_unit_test(bad_sizes),
                cmocka_unit_test(footer_errors),
                cmocka_unit_test(metadata_errors),
                cmocka_unit_test(fixtures),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
