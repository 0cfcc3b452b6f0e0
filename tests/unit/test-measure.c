/* SPDX-License-Identifier: Apache-2.0 */
/* The launch-digest engine through its library API: every measurement case of the shared
 * vectors.json (known answers from sev-snp-measure's and virtee/sev's test suites), vCPU
 * signatures, the VMSA fields of each VMM type against the APM/QEMU reset state, and each
 * parameter or firmware error on synthetic images. */
#include "unit.h"

#include <errno.h>
#include <json-c/json.h>

#include "cleanup.h"
#include "crypto.h"
#include "hex.h"
#include "measure.h"
#include "measure-match.h"
#include "synth-ovmf.h"

static void vcpu_signatures(void **state) {
        static const struct {
                const char *type;
                uint32_t sig;
        } known[] = {   /* CPUID 1 EAX of the QEMU models (AMD pub. 25481 encoding) */
                { "EPYC", 0x800f12 }, { "EPYC-v4", 0x800f12 }, { "EPYC-IBPB", 0x800f12 },
                { "EPYC-Rome", 0x830f10 }, { "EPYC-Rome-v3", 0x830f10 },
                { "EPYC-Milan", 0xa00f11 }, { "EPYC-Milan-v2", 0xa00f11 },
                { "EPYC-Genoa", 0xa10f10 }, { "EPYC-Turin", 0xb00f00 },
        };
        uint32_t sig;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(known); i++) {
                assert_int_equal(measure_vcpu_sig_from_type(known[i].type, &sig), 0);
                if (sig != known[i].sig)
                        fail_msg("%s: 0x%x, expected 0x%x", known[i].type, sig, known[i].sig);
        }
        assert_int_equal(measure_vcpu_sig_from_type("epyc-v4", &sig), -ENOENT);
        assert_int_equal(measure_vcpu_sig_from_type("EPYC-v5", &sig), -ENOENT);
        assert_int_equal(measure_vcpu_sig_from_type("", &sig), -ENOENT);
        assert_int_equal(measure_vcpu_sig(23, 1, 2, &sig), 0);
        assert_int_equal(sig, 0x800f12);
        assert_int_equal(measure_vcpu_sig(6, 0x3a, 9, &sig), 0);      /* family <= 15: no ext */
        assert_int_equal(sig, 0x306a9);
        assert_int_equal(measure_vcpu_sig(16, 0, 16, &sig), -ERANGE);
        assert_int_equal(measure_vcpu_sig(16, 256, 0, &sig), -ERANGE);
        assert_int_equal(measure_vcpu_sig(0x10f, 0, 0, &sig), -ERANGE);
        assert_non_null(measure_vcpu_type_name(0));
        assert_null(measure_vcpu_type_name(1000));
}

static void names(void **state) {
        enum measure_mode m;
        enum measure_vmm v;

        (void) state;
        assert_int_equal(measure_mode_from_string("snp:ovmf-hash", &m), 0);
        assert_int_equal(m, MEASURE_MODE_SNP_OVMF_HASH);
        assert_int_equal(measure_mode_from_string("SNP", &m), -EINVAL);
        assert_int_equal(measure_mode_from_string("sev-es", &m), -EINVAL);
        assert_string_equal(measure_mode_to_string(MEASURE_MODE_SNP_SVSM), "snp:svsm");
        assert_int_equal(measure_vmm_from_string("ec2", &v), 0);
        assert_int_equal(v, MEASURE_VMM_EC2);
        assert_int_equal(measure_vmm_from_string("qemu", &v), -EINVAL);
        assert_string_equal(measure_vmm_to_string(MEASURE_VMM_GCE), "gce");
}

/* Runs p and expects failure err with words in the message. */
static void expect_fail(const struct measure_params *p, int err, const char *words) {
        struct measure_result *res = NULL;
        char *why = NULL;
        int r = measure_compute(p, &res, &why);

        if (r != err)
                fail_msg("expected %d, got %d (%s)", err, r, why ? why : "no message");
        assert_null(res);
        assert_non_null(why);
        if (!strstr(why, words))
                fail_msg("message '%s' lacks '%s'", why, words);
        free(why);
}

static void parameter_errors(void **state) {
        struct measure_params p;

        (void) state;
        measure_params_init(&p);
        expect_fail(&p, -EINVAL, "no firmware image");
        p.ovmf = "/nonexistent.fd";
        p.vcpus = 0;
        expect_fail(&p, -EINVAL, "vCPU count 0");
        p.vcpus = SNP_MAX_VCPUS + 1;
        expect_fail(&p, -EINVAL, "vCPU count 4097");
        p.vcpus = 1;
        p.guest_features = 0x20;        /* an SNP vCPU always has SNPActive */
        expect_fail(&p, -EINVAL, "guest features 0x20 lack bit 0 (SNPActive)");
        p.guest_features = 0xd7ff;      /* every defined bit is fine */
        expect_fail(&p, -ENOENT, "/nonexistent.fd");
        p.guest_features = UINT64_MAX;  /* and any other, as sev-snp-measure and QEMU take it */
        expect_fail(&p, -ENOENT, "/nonexistent.fd");
        p.guest_features = 1;
        p.initrd = "/dev/null";
        expect_fail(&p, -EINVAL, "needs a kernel");
        p.initrd = NULL;
        p.mode = MEASURE_MODE_SEVES;
        p.have_ovmf_hash = true;
        expect_fail(&p, -EINVAL, "only works in snp mode");
        p.have_ovmf_hash = false;
        p.mode = MEASURE_MODE_SNP_SVSM;
        expect_fail(&p, -EINVAL, "needs an SVSM image");
        p.svsm = "/nonexistent-svsm.bin";
        p.vars_size = 1000;
        expect_fail(&p, -EINVAL, "OVMF_VARS size 1000");
        p.vars_size = 0x84000;
        p.vmm = MEASURE_VMM_EC2;
        expect_fail(&p, -EINVAL, "only defined for QEMU");
        p.mode = MEASURE_MODE_SNP;
        expect_fail(&p, -EINVAL, "need snp:svsm mode");
}

/* ---- synthetic images ---------------------------------------------------------------------- */

/* An 8-page image with AP reset EIP 0xfffff123, the kernel-hashes table at offset 0x400 of its
 * page, and sections of every type. */
static const char *write_synth(struct synth *s) {
        _cleanup_(freep) uint8_t *img = NULL;
        size_t size;

        img = synth_build(s, &size);
        return synth_write("syn.fd", img, size);
}

static void synth_full(struct synth *s) {
        synth_init(s, 8, 0xfffff123, 0x00810400);
        synth_section(s, 0x00800000, 0x3000, OVMF_SECTION_SNP_SEC_MEM);
        synth_section(s, 0x00803000, 0x1000, OVMF_SECTION_SNP_SECRETS);
        synth_section(s, 0x00804000, 0x1000, OVMF_SECTION_CPUID);
        synth_section(s, 0x00805000, 0x2000, OVMF_SECTION_SVSM_CAA);
        synth_section(s, 0x00810000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES);
}

static int compute(const struct measure_params *p, struct measure_result **ret) {
        char *why = NULL;
        int r = measure_compute(p, ret, &why);

        if (r < 0)
                print_message("measure_compute: %d %s\n", r, why ? why : "");
        free(why);
        return r;
}

static void vmsa_fields(void **state) {
        static const enum measure_vmm vmms[] = { MEASURE_VMM_QEMU, MEASURE_VMM_EC2,
                                                 MEASURE_VMM_GCE };
        struct synth s;
        struct measure_params p;

        (void) state;
        synth_full(&s);
        measure_params_init(&p);
        p.ovmf = write_synth(&s);
        p.vcpus = 3;
        p.vcpu_sig = 0xa00f11;
        p.guest_features = 0x21;
        for (size_t i = 0; i < ELEMENTSOF(vmms); i++) {
                _cleanup_(measure_result_freep) struct measure_result *res = NULL;
                const uint8_t *b, *a;
                uint8_t h[48];

                p.vmm = vmms[i];
                assert_int_equal(compute(&p, &res), 0);
                b = res->bsp_vmsa;
                a = res->ap_vmsa;
                assert_int_equal(res->n_vmsas, 3);
                assert_int_equal(res->ap_eip, 0xfffff123);
                /* APM vol. 2 B-4 and QEMU reset state (snp-facts A.5) */
                assert_int_equal(le16_get(b + 0x10), 0xf000);                   /* cs.sel */
                assert_int_equal(le64_get(b + 0x18), 0xffff0000);               /* cs.base */
                assert_int_equal(le64_get(b + 0x178), 0xfff0);                  /* rip */
                assert_int_equal(le64_get(a + 0x18), 0xffff0000);
                assert_int_equal(le64_get(a + 0x178), 0xf123);
                assert_int_equal(le64_get(b + 0xd0), 0x1000);                   /* efer */
                assert_int_equal(le64_get(b + 0x148), 0x40);                    /* cr4 */
                assert_int_equal(le64_get(b + 0x158), 0x10);                    /* cr0 */
                assert_int_equal(le64_get(b + 0x168), 0xffff0ff0);              /* dr6 */
                assert_int_equal(le64_get(b + 0x3b0), 0x21);                    /* sev_features */
                assert_int_equal(le64_get(b + 0x3e8), 1);                       /* xcr0 */
                assert_int_equal(le16_get(b + 0x72), 0x82);                     /* ldtr.attr */
                assert_int_equal(le16_get(b + 0x12), vmms[i] == MEASURE_VMM_EC2 ? 0x9a : 0x9b);
                assert_int_equal(le16_get(a + 0x12), 0x9b);
                assert_int_equal(le16_get(b + 0x22), vmms[i] == MEASURE_VMM_EC2 ? 0x92 : 0x93);
                assert_int_equal(le16_get(b + 0x92), vmms[i] == MEASURE_VMM_EC2 ? 0x83 : 0x8b);
                assert_int_equal(le64_get(b + 0x310), vmms[i] == MEASURE_VMM_QEMU ? 0xa00f11 :
                                 0x600);                                        /* rdx */
                assert_int_equal(le64_get(b + 0x268), vmms[i] == MEASURE_VMM_GCE ? 0x70106 :
                                 UINT64_C(0x0007040600070406));                 /* g_pat */
                assert_int_equal(le32_get(b + 0x408), vmms[i] == MEASURE_VMM_QEMU ? 0x1f80 : 0);
                assert_int_equal(le16_get(b + 0x410), vmms[i] == MEASURE_VMM_QEMU ? 0x37f : 0);
                /* the reported digests are those of the pages */
                assert_int_equal(crypto_sha384(b, 4096, h), 0);
                assert_memory_equal(h, res->vmsa_sha384[0], 48);
                assert_int_equal(crypto_sha384(a, 4096, h), 0);
                assert_memory_equal(h, res->vmsa_sha384[2], 48);
                assert_memory_not_equal(res->vmsa_sha384[0], res->vmsa_sha384[1], 48);
        }
}

/* Properties that tie the parts together: the ovmf-hash start gives the same digest; every
 * input that the digest covers changes it. */
static void digest_properties(void **state) {
        _cleanup_(measure_result_freep) struct measure_result *full = NULL, *seeded = NULL,
                *oh = NULL, *other = NULL;
        struct synth s;
        struct measure_params p;
        const char *kernel;

        (void) state;
        synth_full(&s);
        kernel = "/dev/null";
        measure_params_init(&p);
        p.ovmf = write_synth(&s);
        p.vcpus = 2;
        p.vcpu_sig = 0x800f12;
        p.kernel = kernel;
        p.append = "console=ttyS0";
        assert_int_equal(compute(&p, &full), 0);
        assert_true(full->has_kernel_hashes);
        assert_int_equal(full->kernel_hashes_table_gpa, 0x00810400);

        p.mode = MEASURE_MODE_SNP_OVMF_HASH;
        p.kernel = p.append = NULL;
        assert_int_equal(compute(&p, &oh), 0);
        assert_memory_equal(oh->digest, full->ovmf_hash, 48);

        p.mode = MEASURE_MODE_SNP;
        p.kernel = kernel;
        p.append = "console=ttyS0";
        p.have_ovmf_hash = true;
        memcpy(p.ovmf_hash, oh->digest, 48);
        assert_int_equal(compute(&p, &seeded), 0);
        assert_memory_equal(seeded->digest, full->digest, 48);

        /* A different command line changes only the cmdline entry and the digest. */
        p.append = "console=ttyS1";
        assert_int_equal(compute(&p, &other), 0);
        assert_memory_not_equal(other->digest, full->digest, 48);
        assert_memory_not_equal(other->cmdline_sha256, full->cmdline_sha256, 32);
        assert_memory_equal(other->kernel_sha256, full->kernel_sha256, 32);
}

/* The digest before the VMSA pages extends one page per vCPU (what measure --match relies on);
 * kernel/initrd hashes given are used instead of reading the files. */
static void vmsa_chain(void **state) {
        _cleanup_(measure_result_freep) struct measure_result *one = NULL, *five = NULL,
                *given = NULL;
        _cleanup_(crypto_hash_freep) struct crypto_hash_ctx *ctx =
                crypto_hash_new(CRYPTO_HASH_SHA384);
        uint8_t ld[48], ap[48];
        struct synth s;
        struct measure_params p;

        (void) state;
        assert_non_null(ctx);
        synth_full(&s);
        measure_params_init(&p);
        p.ovmf = write_synth(&s);
        p.vcpu_sig = 0xa10f10;
        p.guest_features = 0x21;
        p.kernel = "/dev/null";
        p.append = "x";
        assert_int_equal(compute(&p, &one), 0);
        p.vcpus = 5;
        assert_int_equal(compute(&p, &five), 0);
        assert_memory_equal(one->pre_vmsa_digest, five->pre_vmsa_digest, 48);
        memcpy(ld, one->pre_vmsa_digest, 48);
        assert_int_equal(measure_extend_vmsa(ctx, ld, one->vmsa_sha384[0]), 0);
        assert_memory_equal(ld, one->digest, 48);
        assert_int_equal(crypto_sha384(five->ap_vmsa, MEASURE_VMSA_SIZE, ap), 0);
        for (unsigned n = 2; n <= 5; n++)
                assert_int_equal(measure_extend_vmsa(ctx, ld, ap), 0);
        assert_memory_equal(ld, five->digest, 48);

        p.kernel = "/nonexistent/vmlinuz";      /* not read: its hash is given */
        p.have_file_hashes = true;
        memcpy(p.kernel_sha256, five->kernel_sha256, 32);
        memcpy(p.initrd_sha256, five->initrd_sha256, 32);
        assert_int_equal(compute(&p, &given), 0);
        assert_memory_equal(given->digest, five->digest, 48);
}

static void match_search(void **state) {
        _cleanup_(measure_result_freep) struct measure_result *want = NULL;
        _cleanup_(freep) struct measure_match_result *res = NULL;
        struct measure_match_query q = { .max_vcpus = 8 };
        struct synth s;
        size_t n;

        (void) state;
        for (n = 0; measure_match_common_features(n); n++) {
                assert_true(measure_match_common_features(n) & SNP_FEATURE_SNP_ACTIVE);
                for (size_t j = 0; j < n; j++)
                        assert_true(measure_match_common_features(j) !=
                                    measure_match_common_features(n));
        }
        assert_int_equal(n, 26);        /* 0x1; 13 other named bits; 12 with DebugSwap */

        synth_full(&s);
        measure_params_init(&q.p);
        q.p.ovmf = write_synth(&s);
        q.p.kernel = "/dev/null";
        q.p.vcpus = 6;
        q.p.vmm = MEASURE_VMM_GCE;
        q.p.guest_features = 0x221;
        assert_int_equal(compute(&q.p, &want), 0);
        memcpy(q.digest, want->digest, 48);
        measure_params_init(&q.p);      /* only the files are known */
        q.p.ovmf = write_synth(&s);
        q.p.kernel = "/dev/null";
        assert_int_equal(measure_match_search(&q, &res, NULL), 0);
        assert_int_equal(res->n_found, 1);
        assert_int_equal(res->matches[0].vcpus, 6);
        assert_int_equal(res->matches[0].vmm, MEASURE_VMM_GCE);
        assert_false(res->matches[0].vcpu_sig_measured);
        assert_int_equal(res->matches[0].guest_features, 0x221);
        assert_true(res->matches[0].kernel_hashes);
        /* (5 signatures under QEMU + EC2 + GCE) x 26 feature sets x kernel hashes on/off x 8 */
        assert_int_equal(res->n_candidates, 7 * 26 * 2 * 8);
        free(TAKE(res));

        q.fix_vcpus = true;             /* a fixed parameter is not searched */
        q.p.vcpus = 5;
        assert_int_equal(measure_match_search(&q, &res, NULL), 0);
        assert_int_equal(res->n_found, 0);
        assert_int_equal(res->n_candidates, 7 * 26 * 2);
        q.max_vcpus = 0;
        assert_int_equal(measure_match_search(&q, &res, NULL), -EINVAL);
}

static void firmware_errors(void **state) {
        struct synth s;
        struct measure_params p;

        (void) state;
        measure_params_init(&p);
        p.vcpus = 2;
        p.vcpu_sig = 0x800f12;

        /* A kernel needs the SNP_KERNEL_HASHES section (snp) / the hashes-table entry (sev). */
        synth_init(&s, 8, 0xfffff123, 0x00810400);
        synth_section(&s, 0x00800000, 0x1000, OVMF_SECTION_SNP_SECRETS);
        p.ovmf = write_synth(&s);
        p.kernel = "/dev/null";
        expect_fail(&p, -EBADMSG, "doesn't include SNP_KERNEL_HASHES section");
        synth_init(&s, 8, 0xfffff123, 0);
        p.ovmf = write_synth(&s);
        p.mode = MEASURE_MODE_SEV;
        expect_fail(&p, -EBADMSG, "doesn't support kernel/initrd/cmdline measurement");
        p.mode = MEASURE_MODE_SEVES;
        expect_fail(&p, -EBADMSG, "doesn't support kernel/initrd/cmdline measurement");
        p.mode = MEASURE_MODE_SNP;

        /* Unknown section type. */
        synth_full(&s);
        synth_section(&s, 0x00820000, 0x1000, 7);
        p.ovmf = write_synth(&s);
        p.kernel = NULL;
        expect_fail(&p, -EBADMSG, "unknown SEV metadata section type 0x7");

        /* Kernel-hashes section of two pages, or a table that leaves its page. */
        synth_init(&s, 8, 0xfffff123, 0x00810400);
        synth_section(&s, 0x00810000, 0x2000, OVMF_SECTION_SNP_KERNEL_HASHES);
        p.ovmf = write_synth(&s);
        p.kernel = "/dev/null";
        expect_fail(&p, -EBADMSG, "expected one page");
        synth_init(&s, 8, 0xfffff123, 0x00810fa0);
        synth_section(&s, 0x00810000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES);
        p.ovmf = write_synth(&s);
        expect_fail(&p, -EBADMSG, "does not fit");

        /* No reset block, no footer at all. */
        synth_full(&s);
        s.entries[0] = s.entries[1];
        s.n_entries = 1;
        p.ovmf = write_synth(&s);
        p.kernel = NULL;
        expect_fail(&p, -EBADMSG, "no SEV-ES reset block");
        s.footer = false;
        p.ovmf = write_synth(&s);
        expect_fail(&p, -EBADMSG, "no footer GUID table");
        p.mode = MEASURE_MODE_SEVES;
        expect_fail(&p, -EBADMSG, "no footer GUID table");
        p.mode = MEASURE_MODE_SNP;

        /* Parser errors come through with the file named. */
        synth_full(&s);
        memcpy(s.signature, "XSEV", 5);
        p.ovmf = write_synth(&s);
        expect_fail(&p, -EBADMSG, "syn.fd");

        /* Unreadable kernel / initrd, named. */
        synth_full(&s);
        p.ovmf = write_synth(&s);
        p.kernel = "/nonexistent/vmlinuz";
        expect_fail(&p, -ENOENT, "kernel '/nonexistent/vmlinuz'");
        p.kernel = "/dev/null";
        p.initrd = "/nonexistent/initrd";
        expect_fail(&p, -ENOENT, "initrd '/nonexistent/initrd'");
        p.initrd = NULL;

        /* No signature for a QEMU guest: reported after the firmware checks. */
        p.vcpu_sig_missing = true;
        expect_fail(&p, -ENOKEY, "no vCPU signature");
        p.vmm = MEASURE_VMM_GCE;        /* GCE and EC2 do not put it in the VMSA */
        {
                struct measure_result *res = NULL;

                assert_int_equal(compute(&p, &res), 0);
                measure_result_free(res);
        }
}

/* ---- the shared vectors -------------------------------------------------------------------- */

static const char *jstr(struct json_object *o, const char *key) {
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return json_object_get_string(v);
}

static void shared_vectors(void **state) {
        const char *td = getenv("SNPCTL_TESTDATA");
        _cleanup_(freep) char *path = NULL;
        struct json_object *all;
        size_t passed = 0, total = 0, absent = 0;
        char bufs[6][512];

        (void) state;
        if (!td || asprintf(&path, "%s/measure/vectors.json", td) < 0 || access(path, R_OK) != 0) {
                print_message("skipped: no test data\n");
                skip();
                return;
        }
        all = json_object_from_file(path);
        assert_non_null(all);
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                struct json_object *c = json_object_array_get_idx(all, i);
                const char *id = jstr(c, "id"), *mode = jstr(c, "mode"), *s;
                _cleanup_(measure_result_freep) struct measure_result *res = NULL;
                _cleanup_(freep) char *why = NULL, *hex = NULL;
                struct measure_params p;
                int r;

                measure_params_init(&p);
                if (measure_mode_from_string(mode, &p.mode) < 0)
                        continue;               /* id-block cases: another applet's */
                total++;
#define FILE_ARG(key, n) ((s = jstr(c, key)) ? (s[0] == '/' ? s : \
        (snprintf(bufs[n], sizeof(bufs[n]), "%s/measure/%s", td, s), bufs[n])) : NULL)
                p.ovmf = FILE_ARG("ovmf", 0);
                if (p.mode != MEASURE_MODE_SNP_OVMF_HASH) {
                        p.kernel = FILE_ARG("kernel", 1);
                        p.initrd = FILE_ARG("initrd", 2);
                        p.svsm = FILE_ARG("svsm", 3);
                        p.append = jstr(c, "append");
                        if ((s = jstr(c, "vcpus")))
                                p.vcpus = (unsigned) atoi(s);
                        if ((s = jstr(c, "vcpu_type")))
                                assert_int_equal(measure_vcpu_sig_from_type(s, &p.vcpu_sig), 0);
                        if ((s = jstr(c, "vmm_type")))
                                assert_int_equal(measure_vmm_from_string(s, &p.vmm), 0);
                        if ((s = jstr(c, "guest_features")))
                                p.guest_features = strtoull(s, NULL, 16);
                        if ((s = jstr(c, "vars_size")))
                                p.vars_size = strtoull(s, NULL, 10);
                        if ((s = jstr(c, "ovmf_hash"))) {
                                assert_int_equal(hex_decode_exact(s, p.ovmf_hash, 48), 0);
                                p.have_ovmf_hash = true;
                        }
                }
#undef FILE_ARG
                /* The snp:svsm cases' images (svsm.bin, svsm_ovmf.fd) are only in ../shared. */
                s = p.ovmf && access(p.ovmf, R_OK) != 0 ? p.ovmf :
                    p.svsm && access(p.svsm, R_OK) != 0 ? p.svsm : NULL;
                if (s) {
                        print_message("not run %s: %s missing\n", id, s);
                        total--;
                        absent++;
                        continue;
                }
                r = measure_compute(&p, &res, &why);
                if ((s = jstr(c, "expect_error"))) {
                        if (r < 0 && why && strstr(why, s))
                                passed++;
                        else
                                print_message("FAIL %s: r=%d why=%s\n", id, r, why ? why : "");
                        continue;
                }
                if (r < 0) {
                        print_message("FAIL %s: %d %s\n", id, r, why ? why : "");
                        continue;
                }
                hex = hex_encode(res->digest, res->digest_size);
                if (strcmp(hex, jstr(c, "expected")) == 0)
                        passed++;
                else
                        print_message("FAIL %s: %s, expected %s\n", id, hex, jstr(c, "expected"));
        }
        json_object_put(all);
        print_message("library: %zu of %zu measure vectors passed, %zu not run (firmware image absent)\n",
                      passed, total, absent);
        assert_true(total > 0);
        assert_int_equal(passed, total);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vcpu_signatures),
                cmocka_unit_test(names),
                cmocka_unit_test(parameter_errors),
                cmocka_unit_test(vmsa_fields),
                cmocka_unit_test(digest_properties),
                cmocka_unit_test(vmsa_chain),
                cmocka_unit_test(match_search),
                cmocka_unit_test(firmware_errors),
                cmocka_unit_test(shared_vectors),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
