/* SPDX-License-Identifier: Apache-2.0 */
/* report.c: TCB layouts with values from real reports (oak-turin-vcek-v5-3f44a09b REPORTED_TCB
 * 00 01 00 02 00 00 00 47 = fmc 0 bl 1 tee 0 snp 2 ucode 71; ccf-milan-vcek-v3-e75e8d4e
 * 04 00 00 00 00 00 18 db = bl 4 tee 0 snp 24 ucode 219), version rules, the field table. */
#include <errno.h>

#include "unit.h"

#include "le.h"
#include "report.h"

static void tcb_layouts(void **state) {
        struct snp_tcb t;
        char buf[64];

        (void) state;
        assert_int_equal(snp_tcb_decode(UINT64_C(0x4700000002000100), SNP_GEN_TURIN, &t), 0);
        assert_true(t.has_fmc);
        assert_int_equal(t.fmc, 0);
        assert_int_equal(t.bootloader, 1);
        assert_int_equal(t.tee, 0);
        assert_int_equal(t.snp, 2);
        assert_int_equal(t.microcode, 71);
        report_tcb_format(&t, buf, sizeof(buf));
        assert_string_equal(buf, "fmc=0 bl=1 tee=0 snp=2 ucode=71");
        /* The same bytes read in the Milan layout set a reserved byte (snp at byte 3). */
        assert_int_equal(snp_tcb_decode(UINT64_C(0x4700000002000100), SNP_GEN_MILAN, &t), -EBADMSG);

        assert_int_equal(snp_tcb_decode(UINT64_C(0xdb18000000000004), SNP_GEN_MILAN, &t), 0);
        report_tcb_format(&t, buf, sizeof(buf));
        assert_string_equal(buf, "bl=4 tee=0 snp=24 ucode=219");
        assert_int_equal(snp_tcb_decode(UINT64_C(0xdb18000000000004), SNP_GEN_GENOA, &t), 0);
        /* Milan bytes 2-5 and Turin bytes 4-6 are reserved. */
        assert_int_equal(snp_tcb_decode(UINT64_C(0xdb18000001000004), SNP_GEN_GENOA, &t), -EBADMSG);
        assert_int_equal(snp_tcb_decode(UINT64_C(0x4700010002000100), SNP_GEN_TURIN, &t), -EBADMSG);
        assert_int_equal(snp_tcb_decode(0, SNP_GEN_UNKNOWN, &t), -EINVAL);
}

static void tcb_parse_and_compare(void **state) {
        struct snp_tcb min, t;
        const char *low = NULL;

        (void) state;
        assert_int_equal(report_tcb_parse("bl=3,tee=0,snp=20,ucode=209", &min), 0);
        assert_false(min.has_fmc);
        assert_int_equal(min.snp, 20);
        assert_int_equal(report_tcb_parse("ucode=71,fmc=0,snp=2,tee=0,bl=1", &t), 0);
        assert_true(t.has_fmc);
        assert_int_equal(report_tcb_at_least(&t, &min, NULL), -EINVAL);        /* layouts differ */
        static const char *const bad[] = {
                "", "bl=3", "bl=3,tee=0,snp=20", "bl=3,tee=0,snp=20,ucode=256", "bl=3,bl=3,tee=0,snp=1,ucode=1",
                "bl=3,tee=0,snp=20,ucode=209,", "bl=-1,tee=0,snp=20,ucode=1", "bl=3;tee=0;snp=20;ucode=1",
                "BL=3,tee=0,snp=20,ucode=1", "bl=3,tee=0,snp=20,ucode=1,x=2", "bl=,tee=0,snp=20,ucode=1",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(report_tcb_parse(bad[i], &t), -EINVAL);

        assert_int_equal(snp_tcb_decode(UINT64_C(0xdb18000000000004), SNP_GEN_MILAN, &t), 0);
        assert_int_equal(report_tcb_at_least(&t, &min, NULL), 1);
        /* Component by component: a higher microcode does not make up for a lower bootloader. */
        assert_int_equal(report_tcb_parse("bl=5,tee=0,snp=1,ucode=1", &min), 0);
        assert_int_equal(report_tcb_at_least(&t, &min, &low), 0);
        assert_string_equal(low, "bl");
        assert_int_equal(report_tcb_parse("bl=4,tee=0,snp=24,ucode=220", &min), 0);
        assert_int_equal(report_tcb_at_least(&t, &min, &low), 0);
        assert_string_equal(low, "ucode");
}

static void names(void **state) {
        (void) state;
        assert_int_equal(report_generation_from_name("Milan-B0"), SNP_GEN_MILAN);
        assert_int_equal(report_generation_from_name("Milan"), SNP_GEN_MILAN);
        assert_int_equal(report_generation_from_name("genoa"), SNP_GEN_GENOA);
        assert_int_equal(report_generation_from_name("Turin"), SNP_GEN_TURIN);
        assert_int_equal(report_generation_from_name("Milanx"), SNP_GEN_UNKNOWN);
        assert_int_equal(report_generation_from_name("Rome"), SNP_GEN_UNKNOWN);
        assert_int_equal(report_generation_from_name(NULL), SNP_GEN_UNKNOWN);
        assert_string_equal(snp_bit_name(snp_policy_bits, 19), "DEBUG");
        assert_null(snp_bit_name(snp_policy_bits, 26));
        assert_string_equal(snp_bit_name(snp_platform_info_bits, 5), "ALIAS_CHECK_COMPLETE");
        assert_null(snp_bit_name(snp_platform_info_bits, 6));
        assert_string_equal(report_signer_name(1), "VLEK");
        assert_string_equal(report_signer_name(3), "reserved");
}

static void make(uint8_t *b, uint32_t version, uint8_t fam, uint8_t model) {
        memset(b, 0, SNP_REPORT_SIZE);
        le32_put(b, version);
        le64_put(b + 0x08, 0x30000);
        le32_put(b + 0x34, 1);
        if (version >= 3) {
                b[0x188] = fam;
                b[0x189] = model;
                b[0x18A] = 1;
        }
}

static void versions_and_generations(void **state) {
        uint8_t b[SNP_REPORT_SIZE + 1];
        struct snp_report r;
        const char *why;

        (void) state;
        make(b, 2, 0, 0);
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL), 0);
        assert_int_equal(report_generation_from_cpuid(&r), SNP_GEN_UNKNOWN);
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE - 1, &r, &why), -EBADMSG);
        assert_non_null(strstr(why, "truncated"));
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE + 1, &r, &why), -EBADMSG);
        b[0x18A] = 1;                   /* CPUID byte in a version 2 report */
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, &why), -EBADMSG);

        make(b, 3, 0x19, 0x01);
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL), 0);
        assert_int_equal(report_generation_from_cpuid(&r), SNP_GEN_MILAN);
        le64_put(b + 0x1F8, 1);         /* a mitigation vector before version 5 */
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, &why), -EBADMSG);

        make(b, 5, 0x19, 0x11);
        le64_put(b + 0x1F8, 1);
        le64_put(b + 0x200, 3);
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL), 0);
        assert_int_equal(report_generation_from_cpuid(&r), SNP_GEN_GENOA);
        assert_int_equal(r.launch_mit_vector, 1);
        assert_int_equal(r.current_mit_vector, 3);
        make(b, 5, 0x19, 0xA1);
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL), 0);
        assert_int_equal(report_generation_from_cpuid(&r), SNP_GEN_GENOA);
        make(b, 5, 0x1A, 0x02);
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL), 0);
        assert_int_equal(report_generation_from_cpuid(&r), SNP_GEN_TURIN);
        make(b, 5, 0x1A, 0x50);         /* Venice: not known here */
        assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL), 0);
        assert_int_equal(report_generation_from_cpuid(&r), SNP_GEN_UNKNOWN);

        for (uint32_t v = 0; v < 8; v++) {
                make(b, v, 0x19, 0x01);
                assert_int_equal(report_parse(b, SNP_REPORT_SIZE, &r, NULL),
                                 v == 2 || v == 3 || v == 5 ? 0 : -EBADMSG);
        }
}

/* The field table tiles the signed area except the reserved ranges, in order, without overlap. */
static void field_table(void **state) {
        static const struct { size_t from, to; } reserved[] = {
                { 0x04C, 0x050 }, { 0x18B, 0x1A0 }, { 0x1EB, 0x1EC }, { 0x1EF, 0x1F0 },
                { 0x208, 0x2A0 },
        };
        uint8_t cover[SNP_REPORT_SIGNED_SIZE] = {};
        size_t end = 0;

        (void) state;
        for (const struct report_field *f = report_fields; f->name; f++) {
                assert_true(f->offset >= end);
                end = f->offset + f->size;
                if (!f->is_signed)
                        continue;
                assert_true(end <= SNP_REPORT_SIGNED_SIZE);
                for (size_t i = f->offset; i < end; i++)
                        cover[i]++;
        }
        for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
                for (size_t j = reserved[i].from; j < reserved[i].to; j++)
                        cover[j]++;
        for (size_t i = 0; i < SNP_REPORT_SIGNED_SIZE; i++)
                if (cover[i] != 1)
                        fail_msg("byte 0x%zx covered %u times", i, cover[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(tcb_layouts),
                cmocka_unit_test(tcb_parse_and_compare),
                cmocka_unit_test(names),
                cmocka_unit_test(versions_and_generations),
                cmocka_unit_test(field_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
