/* SPDX-License-Identifier: Apache-2.0 */
/* snp-abi.c: the policy rule, TCB_VERSION per generation (values from real reports in
 * ../shared/testdata/attest: oak-turin-vcek-v5-3f44a09b REPORTED_TCB 00 01 00 02 00 00 00 47,
 * ccf-milan-vcek-v3-e75e8d4e 04 00 00 00 00 00 18 db; and every report there round-trips), the ID
 * block reader on sev-snp-measure's ID block vector (vectors.json "ssm-id_block"), the ID auth
 * peeks and the signer-info peek. */
#include <dirent.h>
#include <errno.h>

#include "unit.h"

#include "cleanup.h"
#include "fileio.h"
#include "hex.h"
#include "le.h"
#include "report.h"
#include "snp-abi.h"

static void policy_rule(void **state) {
        (void) state;
        assert_int_equal(SNP_POLICY_DEFAULT, 0x30000);
        assert_int_equal(snp_policy_check(SNP_POLICY_DEFAULT), 0);
        assert_int_equal(snp_policy_check(UINT64_C(0x20000)), 0);             /* SMT clear */
        assert_int_equal(snp_policy_check(UINT64_C(0xb0000)), 0);             /* DEBUG */
        assert_int_equal(snp_policy_check(UINT64_C(0x3ff0000)), 0);           /* bits 16-25 */
        assert_int_equal(snp_policy_check(UINT64_C(0x10000)), SNP_POLICY_LACKS_MBO);
        assert_int_equal(snp_policy_check(0), SNP_POLICY_LACKS_MBO);
        assert_int_equal(snp_policy_check(UINT64_C(0x4030000)), SNP_POLICY_SETS_MBZ); /* bit 26 */
        assert_int_equal(snp_policy_check(UINT64_C(1) << 63 | 0x30000), SNP_POLICY_SETS_MBZ);
        assert_int_equal(snp_policy_check(UINT64_C(0x4010000)),
                         SNP_POLICY_LACKS_MBO | SNP_POLICY_SETS_MBZ);
        assert_true(SNP_POLICY_MBZ_MASK == UINT64_C(0xfffffffffc000000));
}

static uint64_t named_mask(const struct snp_bit_name *table) {
        uint64_t named = 0;

        for (const struct snp_bit_name *b = table; b->name; b++)
                named |= UINT64_C(1) << b->bit;
        return named;
}

static void bit_names(void **state) {
        (void) state;
        assert_string_equal(snp_bit_name(snp_policy_bits, 19), "DEBUG");
        assert_string_equal(snp_bit_name(snp_policy_bits, 17), "RESERVED_MBO");
        assert_null(snp_bit_name(snp_policy_bits, 3));          /* ABI minor, no flag */
        assert_null(snp_bit_name(snp_policy_bits, 26));
        assert_string_equal(snp_bit_name(snp_feature_bits, 0), "SNPActive");
        assert_null(snp_bit_name(snp_feature_bits, 11));
        assert_string_equal(snp_bit_name(snp_platform_info_bits, 7), "SEV_TIO_EN");
        assert_null(snp_bit_name(snp_platform_info_bits, 6));
        /* The known-bits masks are exactly the named bits. */
        assert_true(named_mask(snp_feature_bits) == SNP_FEATURES_KNOWN_MASK);
        assert_true(named_mask(snp_platform_info_bits) == SNP_PLATFORM_INFO_KNOWN_MASK);
}

static void tcb_layouts(void **state) {
        struct snp_tcb t = { .bootloader = 10, .tee = 0, .snp = 23, .microcode = 84 }, d;
        struct snp_tcb turin = { .fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 5,
                                 .has_fmc = true };

        (void) state;
        /* snp-facts B.3.3 byte positions */
        assert_true(snp_tcb_encode(&t, SNP_GEN_GENOA) == UINT64_C(0x541700000000000a));
        assert_true(snp_tcb_encode(&t, SNP_GEN_MILAN) == UINT64_C(0x541700000000000a));
        assert_true(snp_tcb_encode(&t, SNP_GEN_UNKNOWN) == UINT64_C(0x541700000000000a));
        assert_true(snp_tcb_encode(&turin, SNP_GEN_TURIN) == UINT64_C(0x0500000004030201));
        assert_int_equal(snp_tcb_decode(UINT64_C(0x0500000004030201), SNP_GEN_TURIN, &d), 0);
        assert_memory_equal(&d, &turin, sizeof(d));

        /* Real reports (test-report.c decodes the same two): encoding gives the bytes back. */
        assert_true(snp_tcb_encode(&(struct snp_tcb) { .bootloader = 1, .snp = 2, .microcode = 71,
                                                       .has_fmc = true }, SNP_GEN_TURIN) ==
                    UINT64_C(0x4700000002000100));
        assert_true(snp_tcb_encode(&(struct snp_tcb) { .bootloader = 4, .snp = 24,
                                                       .microcode = 219 }, SNP_GEN_MILAN) ==
                    UINT64_C(0xdb18000000000004));
        assert_int_equal(snp_tcb_decode(UINT64_C(0xdb18000000000004), SNP_GEN_GENOA, &d), 0);
        assert_false(d.has_fmc);
        assert_int_equal(d.fmc, 0);

        /* Reserved bytes: Milan/Genoa 2-5, Turin 4-6; *ret is still filled. */
        assert_int_equal(snp_tcb_decode(UINT64_C(0x4700000002000100), SNP_GEN_MILAN, &d), -EBADMSG);
        assert_int_equal(d.bootloader, 0);
        assert_int_equal(snp_tcb_decode(UINT64_C(0xdb18000001000004), SNP_GEN_GENOA, &d), -EBADMSG);
        assert_int_equal(snp_tcb_decode(UINT64_C(0x4700010002000100), SNP_GEN_TURIN, &d), -EBADMSG);
        d.snp = 99;
        assert_int_equal(snp_tcb_decode(0, SNP_GEN_UNKNOWN, &d), -EINVAL);
        assert_int_equal(d.snp, 99);                            /* untouched */
}

/* Every real report's four TCBs decode in the layout of its generation (named by the folder)
 * and encode back to the same 64 bits. */
static void tcb_real_reports(void **state) {
        static const struct { const char *prefix; enum snp_generation gen; } gens[] = {
                { "milan", SNP_GEN_MILAN }, { "genoa", SNP_GEN_GENOA }, { "turin", SNP_GEN_TURIN },
        };
        const char *td = getenv("SNPCTL_TESTDATA");
        _cleanup_(freep) char *top = NULL;
        unsigned checked = 0;
        struct dirent *e;
        DIR *d;

        (void) state;
        if (!td || !*td) {
                print_message("skipped: no SNPCTL_TESTDATA\n");
                return;
        }
        assert_true(asprintf(&top, "%s/attest", td) > 0);
        d = opendir(top);
        if (!d) {
                print_message("skipped: no %s\n", top);
                return;
        }
        while ((e = readdir(d))) {
                _cleanup_(freep) uint8_t *data = NULL;
                _cleanup_(freep) char *path = NULL;
                enum snp_generation gen = SNP_GEN_UNKNOWN;
                struct snp_report rep;
                size_t size;

                for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++)
                        if (strstr(e->d_name, gens[i].prefix))
                                gen = gens[i].gen;
                assert_true(asprintf(&path, "%s/%s/report.bin", top, e->d_name) > 0);
                if (gen == SNP_GEN_UNKNOWN || fileio_read_full(path, 1 << 20, &data, &size) < 0)
                        continue;
                assert_int_equal(report_parse(data, size, &rep, NULL), 0);
                assert_int_equal(snp_report_peek_signing_key(data, size), rep.signing_key);
                if (rep.version >= 3)
                        assert_int_equal(report_generation_from_cpuid(&rep), gen);
                const uint64_t tcbs[] = { rep.current_tcb, rep.reported_tcb, rep.committed_tcb,
                                          rep.launch_tcb };
                for (size_t i = 0; i < 4; i++) {
                        struct snp_tcb t;

                        if (snp_tcb_decode(tcbs[i], gen, &t) != 0)
                                fail_msg("%s: TCB %zu 0x%016llx has reserved bytes set", path, i,
                                         (unsigned long long) tcbs[i]);
                        assert_true(t.has_fmc == (gen == SNP_GEN_TURIN));
                        assert_true(snp_tcb_encode(&t, gen) == tcbs[i]);
                }
                checked++;
        }
        closedir(d);
        print_message("TCBs of %u real reports round-trip\n", checked);
        assert_true(checked > 0);
}

/* vectors.json "ssm-id_block" (virtee/sev-snp-measure's test): LD, zero IDs, version 1, SVN 0,
 * policy 0x30000. */
static const char ssm_id_block[] =
        "076f052d08bda7a700aa2a608c5caa6b00ebad297b6d68a85a45b1e669a558b67e1b91d284a301fe63c4fa07"
        "50467eed000000000000000000000000000000000000000000000000000000000000000001000000000000"
        "000000030000000000";

static void id_block_parse(void **state) {
        uint8_t raw[SNP_ID_BLOCK_SIZE + 1], zero[SNP_ID_SIZE] = { 0 };
        struct snp_id_block_fields f;

        (void) state;
        assert_int_equal(hex_decode_exact(ssm_id_block, raw, SNP_ID_BLOCK_SIZE), 0);
        assert_int_equal(snp_id_block_parse(raw, SNP_ID_BLOCK_SIZE, &f), 0);
        assert_memory_equal(f.ld, raw, SNP_LD_SIZE);
        assert_int_equal(f.ld[0], 0x07);
        assert_int_equal(f.ld[47], 0xed);
        assert_memory_equal(f.family_id, zero, SNP_ID_SIZE);
        assert_memory_equal(f.image_id, zero, SNP_ID_SIZE);
        assert_int_equal(f.version, 1);
        assert_int_equal(f.guest_svn, 0);
        assert_true(f.policy == SNP_POLICY_DEFAULT);

        /* Each field at its own offset, from an unaligned buffer. */
        memset(raw, 0, sizeof(raw));
        uint8_t *b = raw + 1;
        memset(b + 0x30, 0xf1, SNP_ID_SIZE);
        memset(b + 0x40, 0x1a, SNP_ID_SIZE);
        le32_put(b + 0x50, 1);
        le32_put(b + 0x54, 7);
        le64_put(b + 0x58, UINT64_C(0xb0000));
        assert_int_equal(snp_id_block_parse(b, SNP_ID_BLOCK_SIZE, &f), 0);
        assert_int_equal(f.family_id[15], 0xf1);
        assert_int_equal(f.image_id[0], 0x1a);
        assert_int_equal(f.guest_svn, 7);
        assert_true(f.policy == UINT64_C(0xb0000));

        /* Wrong size: untouched; wrong version: filled, so the caller can name it. */
        f.guest_svn = 99;
        assert_int_equal(snp_id_block_parse(b, SNP_ID_BLOCK_SIZE - 1, &f), -EBADMSG);
        assert_int_equal(snp_id_block_parse(b, SNP_ID_BLOCK_SIZE + 1, &f), -EBADMSG);
        assert_int_equal(f.guest_svn, 99);
        le32_put(b + 0x50, 2);
        assert_int_equal(snp_id_block_parse(b, SNP_ID_BLOCK_SIZE, &f), -EPROTONOSUPPORT);
        assert_int_equal(f.version, 2);
        assert_int_equal(f.guest_svn, 7);
}

static void id_auth_peeks(void **state) {
        _cleanup_(freep) uint8_t *a = calloc(1, SNP_ID_AUTH_SIZE);

        (void) state;
        assert_non_null(a);
        assert_int_equal(snp_id_auth_id_key_algo(a, SNP_ID_AUTH_SIZE), 0);
        le32_put(a, SNP_ALGO_ECDSA_P384_SHA384);
        assert_int_equal(snp_id_auth_id_key_algo(a, SNP_ID_AUTH_SIZE), 1);
        assert_int_equal(snp_id_auth_id_key_algo(a, 3), 0);
        assert_false(snp_id_auth_has_author_key(a, SNP_ID_AUTH_SIZE));
        a[0xC83] = 1;                                   /* last byte of AUTHOR_KEY */
        assert_true(snp_id_auth_has_author_key(a, SNP_ID_AUTH_SIZE));
        assert_false(snp_id_auth_has_author_key(a, 0xC83));    /* shorter: not reached */
        a[0xC83] = 0;
        a[0xC84] = 1;                                   /* reserved, past the key */
        assert_false(snp_id_auth_has_author_key(a, SNP_ID_AUTH_SIZE));
        a[0x880] = 2;
        assert_true(snp_id_auth_has_author_key(a, 0x881));
        assert_false(snp_id_auth_has_author_key(a, 0x880));
}

static void signer_peek(void **state) {
        uint8_t r[SNP_REPORT_SIZE] = { 0 };

        (void) state;
        le32_put(r + 0x48, 1u << 2);                    /* SIGNING_KEY 1: VLEK */
        assert_int_equal(snp_report_peek_signing_key(r, sizeof(r)), SNP_SIGNER_VLEK);
        assert_int_equal(snp_report_peek_signing_key(r, 0x4C), SNP_SIGNER_VLEK);
        assert_int_equal(snp_report_peek_signing_key(r, 0x4B), SNP_SIGNER_VCEK);
        le32_put(r + 0x48, 7u << 2 | 3);
        assert_int_equal(snp_report_peek_signing_key(r, sizeof(r)), SNP_SIGNER_NONE);
        assert_int_equal(snp_report_peek_signing_key(NULL, 0), SNP_SIGNER_VCEK);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(policy_rule),
                cmocka_unit_test(bit_names),
                cmocka_unit_test(tcb_layouts),
                cmocka_unit_test(tcb_real_reports),
                cmocka_unit_test(id_block_parse),
                cmocka_unit_test(id_auth_peeks),
                cmocka_unit_test(signer_peek),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
