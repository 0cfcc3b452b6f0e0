/* SPDX-License-Identifier: Apache-2.0 */
/* Host probing: CPUID 0x8000001F decoding, QEMU version lines, and the preflight over a fake
 * /sys, /dev and /proc tree the test builds. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "cleanup.h"
#include "hostinfo.h"
#include "synth-ovmf.h"

static void decode_cpu(void **state) {
        struct hostinfo_cpu c;

        (void) state;
        /* EAX: SME, SEV, SEV-ES, SNP (bits 0, 1, 3, 4); EBX 0x173: C-bit 51, reduction 5. */
        hostinfo_decode_cpu("AuthenticAMD", 0x80000028, 0x1b, 0x173, &c);
        assert_true(c.probed && c.amd && c.has_sev_leaf);
        assert_true(c.sme && c.sev && c.sev_es && c.sev_snp);
        assert_int_equal(c.cbitpos, 51);
        assert_int_equal(c.phys_addr_reduction, 5);
        assert_string_equal(c.vendor, "AuthenticAMD");
        /* Rome: SEV and SEV-ES, no SNP, C-bit 47. */
        hostinfo_decode_cpu("AuthenticAMD", 0x8000001f, 0x0b, 0x16f, &c);
        assert_true(c.sev && c.sev_es && !c.sev_snp);
        assert_int_equal(c.cbitpos, 47);
        /* The leaf is not there: nothing is read from it. */
        hostinfo_decode_cpu("AuthenticAMD", 0x8000001e, 0x1b, 0x173, &c);
        assert_false(c.has_sev_leaf || c.sev || c.sev_snp);
        assert_int_equal(c.cbitpos, 0);
        hostinfo_decode_cpu("GenuineIntel", 0x80000008, 0, 0, &c);
        assert_false(c.amd);
}

static void qemu_version(void **state) {
        unsigned v;

        (void) state;
        assert_int_equal(hostinfo_parse_qemu_version(
                "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)", &v), 0);
        assert_int_equal(v, 702);
        assert_int_equal(hostinfo_parse_qemu_version("QEMU emulator version 9.1.0", &v), 0);
        assert_int_equal(v, 901);
        assert_int_equal(hostinfo_parse_qemu_version("QEMU emulator version 10.0.2", &v), 0);
        assert_int_equal(v, 1000);
        assert_int_equal(hostinfo_parse_qemu_version("qemu", &v), -EINVAL);
        assert_int_equal(hostinfo_parse_qemu_version("version x.y", &v), -EINVAL);
        /* Not found is -ENOENT, whatever the PATH holds. */
        {
                char *text = NULL;

                assert_int_equal(hostinfo_qemu_version_text("/nonexistent/qemu", &text), -ENOENT);
                assert_null(text);
        }
}

static void put(const char *root, const char *path, const char *content) {
        _cleanup_(freep) char *full = NULL, *dir = NULL;
        FILE *f;

        assert_true(asprintf(&full, "%s%s", root, path) > 0);
        dir = strdup(full);
        for (char *s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                (void) mkdir(dir, 0755);
                *s = '/';
        }
        f = fopen(full, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static const struct hostinfo_finding *find(const struct hostinfo_findings *f, const char *check) {
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->items[i].check, check) == 0)
                        return &f->items[i];
        return NULL;
}

static void preflight(void **state) {
        char root[] = "/tmp/snpctl-hostinfo.XXXXXX";
        struct hostinfo_cpu cpu;
        struct hostinfo_findings f = { 0 };
        struct hostinfo_preflight_params p = {
                .root = root, .cpu = &cpu, .mode = QEMU_MODE_SNP, .accel = QEMU_ACCEL_KVM,
                .qemu = "qemu-system-x86_64",
                .qemu_version_text = "QEMU emulator version 9.2.0",
                .min_qemu_version = 901,
        };
        const struct hostinfo_finding *x;
        _cleanup_(freep) char *cmd = NULL;

        (void) state;
        assert_non_null(mkdtemp(root));
        hostinfo_decode_cpu("AuthenticAMD", 0x80000028, 0x1b, 0x173, &cpu);
        put(root, "/dev/kvm", "");
        put(root, "/dev/sev", "");
        put(root, "/sys/module/kvm_amd/parameters/sev", "Y\n");
        put(root, "/sys/module/kvm_amd/parameters/sev_es", "Y\n");
        put(root, "/sys/module/kvm_amd/parameters/sev_snp", "Y\n");
        put(root, "/sys/class/iommu/ivhd0/x", "");
        put(root, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 mem_encrypt=on\n");

        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        for (size_t i = 0; i < f.n; i++)
                if (f.items[i].status != HOSTINFO_OK)
                        fail_msg("%s: %s", f.items[i].check, f.items[i].text);
        assert_int_equal(f.n_fail, 0);
        assert_non_null(find(&f, "kvm_amd.sev_snp"));
        assert_non_null(find(&f, "cpu.sev_snp"));
        assert_non_null(find(&f, "iommu"));
        hostinfo_findings_clear(&f);

        /* Each problem is found, with a fix. */
        put(root, "/sys/module/kvm_amd/parameters/sev_snp", "N\n");
        put(root, "/proc/cmdline", "root=/dev/sda1 iommu=pt\n");
        p.qemu_version_text = "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)";
        hostinfo_decode_cpu("AuthenticAMD", 0x80000028, 0x0b, 0x16f, &cpu);
        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        assert_int_equal(f.n_fail, 4);
        x = find(&f, "kvm_amd.sev_snp");
        assert_int_equal(x->status, HOSTINFO_FAIL);
        assert_non_null(strstr(x->fix, "sev_snp=1"));
        x = find(&f, "iommu");
        assert_int_equal(x->status, HOSTINFO_FAIL);
        assert_non_null(strstr(x->text, "passthrough"));
        x = find(&f, "qemu");
        assert_int_equal(x->status, HOSTINFO_FAIL);
        assert_non_null(strstr(x->text, "is 7.2; snp guests need 9.1"));
        x = find(&f, "cpu.sev_snp");
        assert_int_equal(x->status, HOSTINFO_FAIL);
        assert_non_null(x->fix);
        assert_int_equal(find(&f, "cpu.sev_es")->status, HOSTINFO_OK);
        hostinfo_findings_clear(&f);

        /* Passthrough seen in the IOMMU group's domain type. */
        put(root, "/proc/cmdline", "root=/dev/sda1\n");
        put(root, "/sys/kernel/iommu_groups/0/type", "identity\n");
        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        x = find(&f, "iommu");
        assert_int_equal(x->status, HOSTINFO_FAIL);
        assert_non_null(strstr(x->text, "type identity"));
        hostinfo_findings_clear(&f);
        put(root, "/sys/kernel/iommu_groups/0/type", "DMA-FQ\n");
        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        assert_int_equal(find(&f, "iommu")->status, HOSTINFO_OK);
        assert_non_null(strstr(find(&f, "iommu")->text, "ivhd0"));
        hostinfo_findings_clear(&f);
        put(root, "/proc/cmdline", "root=/dev/sda1 iommu=pt\n");

        /* The same host is fine for SEV-ES guests, but for the IOMMU. */
        p.mode = QEMU_MODE_SEV_ES;
        p.min_qemu_version = 212;
        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        assert_int_equal(f.n_fail, 1);
        assert_null(find(&f, "kvm_amd.sev_snp"));
        hostinfo_findings_clear(&f);

        /* Missing module, device and IOMMU; QEMU not found; an Intel CPU. */
        assert_true(asprintf(&cmd, "rm -rf '%s/sys' '%s/dev'", root, root) > 0);
        assert_int_equal(system(cmd), 0);
        put(root, "/proc/cmdline", "root=/dev/sda1\n");
        hostinfo_decode_cpu("GenuineIntel", 0x80000008, 0, 0, &cpu);
        p.mode = QEMU_MODE_SNP;
        p.qemu_version_text = NULL;
        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        assert_int_equal(find(&f, "cpu")->status, HOSTINFO_FAIL);
        assert_int_equal(find(&f, "kvm")->status, HOSTINFO_FAIL);
        assert_int_equal(find(&f, "kvm_amd.sev")->status, HOSTINFO_FAIL);
        assert_non_null(strstr(find(&f, "kvm_amd.sev_snp")->fix, "6.11"));
        assert_int_equal(find(&f, "dev.sev")->status, HOSTINFO_FAIL);
        assert_int_equal(find(&f, "iommu")->status, HOSTINFO_FAIL);
        assert_int_equal(find(&f, "qemu")->status, HOSTINFO_FAIL);
        hostinfo_findings_clear(&f);

        /* Plain TCG needs only QEMU. */
        p.mode = QEMU_MODE_PLAIN;
        p.accel = QEMU_ACCEL_TCG;
        p.min_qemu_version = 0;
        p.qemu_version_text = "QEMU emulator version 7.2.22";
        assert_int_equal(hostinfo_preflight(&p, &f), 0);
        assert_int_equal(f.n, 1);
        assert_int_equal(f.n_fail, 0);
        hostinfo_findings_clear(&f);

        free(cmd);
        assert_true(asprintf(&cmd, "rm -rf '%s'", root) > 0);
        assert_int_equal(system(cmd), 0);
}

/* Writes a synthetic OVMF (tests/unit/synth-ovmf.h) and returns its path (strdup'd). */
static char *write_ovmf(const char *name, bool metadata, uint32_t hashes_gpa, bool section) {
        _cleanup_(freep) uint8_t *img = NULL;
        struct synth s;
        size_t size;

        synth_init(&s, 16, 0xffffa000, hashes_gpa);
        s.metadata = metadata;
        synth_section(&s, 0xfff00000, 0x3000, OVMF_SECTION_SNP_SEC_MEM);
        synth_section(&s, 0xfff03000, 0x1000, OVMF_SECTION_SNP_SECRETS);
        synth_section(&s, 0xfff04000, 0x1000, OVMF_SECTION_CPUID);
        if (section)
                synth_section(&s, 0xfff0c000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES);
        img = synth_build(&s, &size);
        return strdup(synth_write(name, img, size));
}

/* The OVMF finding: SEV metadata for SNP and SEV-ES, the hashes table for a measured kernel. */
static void preflight_ovmf(void **state) {
        _cleanup_(freep) char *good = write_ovmf("good.fd", true, 0xfff0c400, true);
        _cleanup_(freep) char *no_hashes = write_ovmf("nohashes.fd", true, 0, false);
        _cleanup_(freep) char *no_section = write_ovmf("nosection.fd", true, 0xfff0c400, false);
        _cleanup_(freep) char *no_meta = write_ovmf("nometa.fd", false, 0, false);
        struct hostinfo_cpu cpu;
        struct hostinfo_preflight_params p = {
                .root = "/nonexistent", .cpu = &cpu, .mode = QEMU_MODE_SNP,
                .accel = QEMU_ACCEL_TCG, .qemu_version_text = "QEMU emulator version 9.1.0",
                .min_qemu_version = 901,
        };
        const struct {
                const char *ovmf;
                enum qemu_mode mode;
                bool kernel;
                enum hostinfo_status want;
                const char *text;
        } cases[] = {
                { good, QEMU_MODE_SNP, true, HOSTINFO_OK, "can measure a kernel" },
                { good, QEMU_MODE_SNP, false, HOSTINFO_OK, "has SEV metadata" },
                { no_hashes, QEMU_MODE_SNP, false, HOSTINFO_OK, "has SEV metadata" },
                { no_hashes, QEMU_MODE_SNP, true, HOSTINFO_FAIL, "no kernel-hashes table" },
                { no_hashes, QEMU_MODE_SEV, true, HOSTINFO_FAIL, "no kernel-hashes table" },
                { no_section, QEMU_MODE_SNP, true, HOSTINFO_FAIL, "no kernel-hashes table" },
                { no_section, QEMU_MODE_SEV_ES, true, HOSTINFO_OK, "can measure a kernel" },
                { no_meta, QEMU_MODE_SNP, false, HOSTINFO_FAIL, "no SEV metadata" },
                { no_meta, QEMU_MODE_SEV_ES, false, HOSTINFO_FAIL, "no SEV metadata" },
                { no_meta, QEMU_MODE_SEV, false, HOSTINFO_OK, "readable" },
                { "/nonexistent/OVMF.fd", QEMU_MODE_SNP, false, HOSTINFO_FAIL, "OVMF.fd" },
        };

        (void) state;
        hostinfo_decode_cpu("AuthenticAMD", 0x80000028, 0x1b, 0x173, &cpu);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct hostinfo_findings f = { 0 };
                const struct hostinfo_finding *x;

                p.ovmf = cases[i].ovmf;
                p.mode = cases[i].mode;
                p.kernel_hashes = cases[i].kernel;
                assert_int_equal(hostinfo_preflight(&p, &f), 0);
                x = find(&f, "ovmf");
                assert_non_null(x);
                if (x->status != cases[i].want || !strstr(x->text, cases[i].text))
                        fail_msg("case %zu: %s: %s", i, hostinfo_status_to_string(x->status),
                                 x->text);
                if (x->status == HOSTINFO_FAIL)
                        assert_non_null(x->fix);
                hostinfo_findings_clear(&f);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(decode_cpu),
                cmocka_unit_test(qemu_version),
                cmocka_unit_test(preflight),
                cmocka_unit_test(preflight_ovmf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
