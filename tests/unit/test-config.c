/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <unistd.h>

#include "unit.h"

#include <json-c/json.h>

#include "base64.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "le.h"

static char dir[] = "/tmp/snpctl-config.XXXXXX";

static int setup(void **state) {
        (void) state;
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[256];

        (void) state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static char *path_in(const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void write_file(const char *name, const void *data, size_t size) {
        _cleanup_(freep) char *p = path_in(name);

        assert_int_equal(fileio_write_atomic(p, data, size, 0644, FILEIO_FORCE), 0);
}

/* A 4 KiB OVMF image: footer table with an SEV-ES reset block, a kernel-hashes table entry and
 * an SEV metadata entry listing sections of the given types (edk2 ResetVector layout,
 * snp-facts A.3); n_types < 0: no metadata entry at all. */
static void make_ovmf(const char *name, const uint32_t *types, int n_types) {
        static const uint8_t footer[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                            0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
        static const uint8_t meta[16] = { 0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                          0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };
        static const uint8_t reset[16] = { 0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                                           0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e };
        static const uint8_t hashes[16] = { 0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                                            0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 };
        uint8_t img[4096] = { 0 };
        size_t end = sizeof(img) - 32 - 18, at = end;     /* the footer entry's start */

        /* entries backwards from the footer: data, u16 size, GUID */
        if (n_types >= 0) {
                memcpy(img + 0x100, "ASEV", 4);
                le32_put(img + 0x104, 16 + 12 * (uint32_t) n_types);
                le32_put(img + 0x108, 1);
                le32_put(img + 0x10c, (uint32_t) n_types);
                for (int i = 0; i < n_types; i++) {
                        le32_put(img + 0x110 + 12 * i, 0x800000 + 0x1000 * (uint32_t) i);
                        le32_put(img + 0x114 + 12 * i, 0x1000);
                        le32_put(img + 0x118 + 12 * i, types[i]);
                }
                at -= 22;
                le32_put(img + at, sizeof(img) - 0x100);
                le16_put(img + at + 4, 22);
                memcpy(img + at + 6, meta, 16);
        }
        at -= 22;
        le32_put(img + at, 0xfffff000);
        le16_put(img + at + 4, 22);
        memcpy(img + at + 6, reset, 16);
        at -= 26;
        le32_put(img + at, 0x803c00);   /* in the 4th section: types[3] is the hashes one */
        le32_put(img + at + 4, 0x400);
        le16_put(img + at + 8, 26);
        memcpy(img + at + 10, hashes, 16);
        le16_put(img + end, (uint16_t) (end + 18 - at));
        memcpy(img + end + 2, footer, 16);
        write_file(name, img, sizeof(img));
}

static int load(const char *text, unsigned flags, struct config_problems *p,
                struct vm_config **ret) {
        return config_load_string(text, "vm.json", dir, flags, p, ret);
}

/* text equals a problem's text; a text ending in a space is a prefix (for values computed at
 * run time). */
static bool has_problem(const struct config_problems *p, const char *text) {
        size_t n = strlen(text);
        bool prefix = n > 0 && text[n - 1] == ' ';

        for (size_t i = 0; i < p->n; i++)
                if (prefix ? strncmp(p->items[i].text, text, n) == 0 :
                             strcmp(p->items[i].text, text) == 0)
                        return true;
        return false;
}

static void print_problems(const struct config_problems *p) {
        for (size_t i = 0; i < p->n; i++)
                print_message("    problem: %s\n", p->items[i].text);
}

static void defaults(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(load("{\"host_cpu_family\": \"Milan\", \"ovmf_file\": \"OVMF.fd\"}",
                              CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
        assert_int_equal(p.n, 0);
        assert_int_equal(c->host_cpu_family, SNP_GEN_MILAN);
        assert_int_equal(c->vcpu_count, 1);
        assert_string_equal(c->vcpu_type, "EPYC-v4");
        assert_int_equal(c->vcpu_sig, 0x800f12);
        assert_int_equal(c->vmm_type, MEASURE_VMM_QEMU);
        assert_true(c->guest_features == 0x1);
        assert_true(c->guest_policy == 0x30000);
        assert_false(c->has_platform_info);
        assert_true(c->platform_info_mask == UINT64_MAX);
        assert_false(c->has_host_data);
        assert_int_equal(c->vmpl, 0);
        assert_int_equal(c->signer, CONFIG_SIGNER_VCEK);
        assert_int_equal(c->min_report_version, 2);
        assert_string_equal(c->qemu_binary, "qemu-system-x86_64");
        assert_true(c->memory_mb == 2048);
        assert_int_equal(c->cbitpos, 0);
        assert_int_equal(c->reduced_phys_bits, 1);
        assert_int_equal(c->network, CONFIG_NETWORK_USER);
        assert_int_equal(c->n_disks, 0);
        assert_int_equal(c->n_forwards, 0);
        assert_null(c->kernel_file);
        assert_null(c->kernel_cmdline);
        {
                _cleanup_(freep) char *want = path_in("OVMF.fd");

                assert_string_equal(c->ovmf_file, want);
        }
}

static void full_config(void **state) {
        static const char text[] =
                "{ \"host_cpu_family\": \"turin\", \"vcpu_count\": 4, \"vcpu_type\": \"EPYC-Turin\","
                "  \"vmm_type\": \"ec2\", \"guest_features\": 33, \"ovmf_file\": \"/abs/OVMF.fd\","
                "  \"kernel_file\": \"k/bzImage\", \"initrd_file\": \"initrd\", \"kernel_cmdline\": \"\","
                "  \"guest_policy\": \"0x3001f\", \"host_data\": \"0x" "0102030405060708091011121314151617181920212223242526272829303132\","
                "  \"platform_info\": \"0x25\", \"platform_info_mask\": \"0x21\","
                "  \"min_committed_tcb\": { \"bootloader\": 1, \"tee\": 2, \"snp\": 3, \"microcode\": 255, \"fmc\": 5 },"
                "  \"family_id\": \"00112233445566778899aabbccddeeff\", \"guest_svn\": 4294967295,"
                "  \"vmpl\": 3, \"signer\": \"VLEK\", \"min_report_version\": 5, \"qemu_binary\": \"bin/qemu\","
                "  \"memory_mb\": \"0x1000\", \"cbitpos\": 51, \"reduced_phys_bits\": 5,"
                "  \"disks\": [ { \"file\": \"d.qcow2\" }, { \"file\": \"/dev/sdz\", \"bus\": \"blk\", \"format\": \"raw\", \"readonly\": true } ],"
                "  \"forwards\": [ { \"host_port\": 2222, \"guest_port\": 22 }, { \"proto\": \"udp\", \"host_addr\": \"0.0.0.0\", \"host_port\": 53, \"guest_port\": 53 } ] }";
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };
        _cleanup_(freep) char *kernel = path_in("k/bzImage"), *qemu = path_in("bin/qemu");

        (void) state;
        assert_int_equal(load(text, CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
        print_problems(&p);
        assert_int_equal(p.n_errors, 0);
        assert_int_equal(c->host_cpu_family, SNP_GEN_TURIN);
        assert_int_equal(c->vcpu_count, 4);
        assert_int_equal(c->vcpu_sig, 0xb00f00);
        assert_int_equal(c->vmm_type, MEASURE_VMM_EC2);
        assert_true(c->guest_features == 0x21);
        assert_string_equal(c->ovmf_file, "/abs/OVMF.fd");
        assert_string_equal(c->kernel_file, kernel);
        assert_string_equal(c->kernel_cmdline, "");
        assert_true(c->guest_policy == 0x3001f);
        assert_true(c->has_host_data);
        assert_int_equal(c->host_data[0], 0x01);
        assert_int_equal(c->host_data[31], 0x32);
        assert_true(c->has_platform_info && c->platform_info == 0x25 && c->platform_info_mask == 0x21);
        assert_int_equal(c->min_committed_tcb.bootloader, 1);
        assert_int_equal(c->min_committed_tcb.tee, 2);
        assert_int_equal(c->min_committed_tcb.snp, 3);
        assert_int_equal(c->min_committed_tcb.microcode, 255);
        assert_int_equal(c->min_committed_tcb.fmc, 5);
        assert_int_equal(c->family_id[15], 0xff);
        assert_true(c->guest_svn == UINT32_MAX);
        assert_int_equal(c->vmpl, 3);
        assert_int_equal(c->signer, CONFIG_SIGNER_VLEK);
        assert_string_equal(c->qemu_binary, qemu);
        assert_true(c->memory_mb == 4096);
        assert_int_equal(c->cbitpos, 51);
        assert_int_equal(c->n_disks, 2);
        assert_int_equal(c->disks[0].format, QEMU_DISK_FORMAT_QCOW2);     /* from the name */
        assert_int_equal(c->disks[0].bus, QEMU_DISK_BUS_SCSI);
        assert_int_equal(c->disks[1].format, QEMU_DISK_FORMAT_RAW);
        assert_int_equal(c->disks[1].bus, QEMU_DISK_BUS_BLK);
        assert_true(c->disks[1].readonly);
        assert_string_equal(c->disks[1].file, "/dev/sdz");
        assert_int_equal(c->n_forwards, 2);
        assert_string_equal(c->forwards[0].host_addr, "127.0.0.1");
        assert_int_equal(c->forwards[0].proto, CONFIG_NET_TCP);
        assert_int_equal(c->forwards[1].proto, CONFIG_NET_UDP);
        assert_int_equal(c->forwards[1].host_port, 53);
        config_problems_clear(&p);
}

/* Every rejection with its exact message. The base has what a valid config needs; each case adds
 * members (a later duplicate key replaces the earlier one in json-c). */
static void rejections(void **state) {
        static const struct {
                const char *members;
                const char *message;
        } cases[] = {
                { "\"guest_policy\": \"0x10000\"", "vm.json: guest_policy: bit 17 must be set (0x20000)" },
                { "\"guest_policy\": \"0x8000000030000\"",
                  "vm.json: guest_policy: reserved bits must be zero: 0x8000000000000 (bit 51)" },
                { "\"guest_policy\": 1.5", "vm.json: guest_policy: must be a number, not a fractional number" },
                { "\"guest_policy\": null", "vm.json: guest_policy: must not be null (leave the key out for the default)" },
                { "\"guest_polcy\": 1", "vm.json: guest_polcy: unknown key (did you mean 'guest_policy'?)" },
                { "\"whatever\": 1", "vm.json: whatever: unknown key" },
                { "\"vcpu_count\": 0", "vm.json: vcpu_count: 0 is out of range 1..4096" },
                { "\"vcpu_count\": 4097", "vm.json: vcpu_count: 4097 is out of range 1..4096" },
                { "\"vcpu_count\": \"1k\"", "vm.json: vcpu_count: '1k' is not a number (decimal or 0x-hex)" },
                { "\"vcpu_count\": true", "vm.json: vcpu_count: must be a number, not a boolean" },
                { "\"vmpl\": -1", "vm.json: vmpl: must not be negative (-1)" },
                { "\"vmpl\": 4", "vm.json: vmpl: 4 is out of range 0..3" },
                { "\"guest_svn\": 4294967296", "vm.json: guest_svn: 4294967296 is out of range 0..4294967295" },
                { "\"guest_features\": 0", "vm.json: guest_features: bit 0 (SNPActive) must be set for an SNP guest (0x1)" },
                { "\"platform_info\": \"0x140\"", "vm.json: platform_info: reserved bits must be zero: 0x140 (bit 6, 8)" },
                { "\"host_data\": \"abcd\"", "vm.json: host_data: must be 32 bytes (64 hex digits), got 4 digits" },
                { "\"image_id\": \"0x0123456789abcdef0123456789abcdeg\"", "vm.json: image_id: '0123456789abcdef0123456789abcdeg' is not hexadecimal" },
                { "\"id_key_digest\": \"00\"", "vm.json: id_key_digest: must be 48 bytes (96 hex digits), got 2 digits" },
                { "\"family_id\": 5", "vm.json: family_id: must be a string, not an integer" },
                { "\"host_cpu_family\": \"Naples\"", "vm.json: host_cpu_family: unknown value 'Naples' (expected one of: Milan, Genoa, Turin)" },
                { "\"vmm_type\": \"xen\"", "vm.json: vmm_type: unknown value 'xen' (expected one of: QEMU, EC2, GCE)" },
                { "\"signer\": \"ark\"", "vm.json: signer: unknown value 'ark' (expected one of: vcek, vlek)" },
                { "\"min_report_version\": 1", "vm.json: min_report_version: 1 is out of range 2..5" },
                { "\"memory_mb\": 32", "vm.json: memory_mb: 32 is out of range 64..16777216" },
                { "\"cbitpos\": 64", "vm.json: cbitpos: 64 is out of range 0..63" },
                { "\"reduced_phys_bits\": 0", "vm.json: reduced_phys_bits: 0 is out of range 1..63" },
                { "\"kernel_cmdline\": \"a\"", "vm.json: kernel_cmdline: needs kernel_file (direct boot)" },
                { "\"initrd_file\": \"i\"", "vm.json: initrd_file: needs kernel_file (direct boot)" },
                { "\"id_auth_file\": \"a\"", "vm.json: id_auth_file: needs id_block_file" },
                { "\"ovmf_file\": \"\"", "vm.json: ovmf_file: must not be empty" },
                { "\"ovmf_file\": null", "vm.json: ovmf_file: must not be null (leave the key out for the default)" },
                { "\"ovmf_file\": \"<OVMF.fd>\"", "vm.json: ovmf_file: placeholder not filled in: <OVMF.fd>" },
                { "\"vcpu_type\": \"EPYC-Zen9\"", "vm.json: vcpu_type: unknown vCPU model 'EPYC-Zen9': give its CPUID signature as vcpu_sig" },
                { "\"vcpu_type\": \"epyc-v4\"", "vm.json: vcpu_type: unknown vCPU model 'epyc-v4': give its CPUID signature as vcpu_sig" },
                { "\"vcpu_type\": null", "vm.json: vcpu_type: vcpu_type or vcpu_sig is required" },
                { "\"vcpu_sig\": \"0xa10f10\"", "vm.json: vcpu_sig: 0xa10f10 differs from the signature of vcpu_type EPYC-v4 (0x800f12)" },
                { "\"min_committed_tcb\": { \"fmc\": 1 }", "vm.json: min_committed_tcb.fmc: must be 0: Genoa has no FMC SPL (Turin and later only)" },
                { "\"min_committed_tcb\": { \"snp\": 256 }", "vm.json: min_committed_tcb.snp: 256 is out of range 0..255" },
                { "\"min_committed_tcb\": { \"ucode\": 1 }", "vm.json: min_committed_tcb.ucode: unknown key" },
                { "\"min_committed_tcb\": { \"microcod\": 1 }", "vm.json: min_committed_tcb.microcod: unknown key (did you mean 'microcode'?)" },
                { "\"min_committed_tcb\": { \"_reserved\": [0, 1, 0, 0] }", "vm.json: min_committed_tcb._reserved: must be an array of zeros (reserved bytes)" },
                { "\"min_commited_tcb\": { \"_reserved\": 0 }", "vm.json: min_commited_tcb._reserved: must be an array of zeros (reserved bytes)" },
                { "\"min_committed_tcb\": [1]", "vm.json: min_committed_tcb: must be an object {bootloader, tee, snp, microcode, fmc}, not an array" },
                { "\"min_committed_tcb\": {}, \"min_commited_tcb\": {}", "vm.json: min_commited_tcb: given twice (min_committed_tcb and min_commited_tcb)" },
                { "\"disks\": [ { \"format\": \"raw\" } ]", "vm.json: disks[0].file: required" },
                { "\"disks\": [ { \"file\": \"d\", \"format\": \"vmdk\" } ]", "vm.json: disks[0].format: unknown value 'vmdk' (expected one of: raw, qcow2)" },
                { "\"disks\": [ { \"file\": \"d\", \"bus\": \"ide\" } ]", "vm.json: disks[0].bus: unknown value 'ide' (expected one of: scsi, blk)" },
                { "\"disks\": [ { \"file\": \"d\", \"readonly\": 1 } ]", "vm.json: disks[0].readonly: must be true or false, not an integer" },
                { "\"disks\": [ { \"file\": \"d\", \"size\": 1 } ]", "vm.json: disks[0].size: unknown key" },
                { "\"disks\": { \"file\": \"d\" }", "vm.json: disks: must be an array of disks, not an object" },
                { "\"disks\": [ \"d\" ]", "vm.json: disks[0]: must be an object {file, format, bus, readonly}, not a string" },
                { "\"network\": \"bridge\"", "vm.json: network: unknown value 'bridge' (expected one of: user, none)" },
                { "\"forwards\": [ { \"guest_port\": 22 } ]", "vm.json: forwards[0]: host_port is required" },
                { "\"forwards\": [ { \"host_port\": 22 } ]", "vm.json: forwards[0]: guest_port is required" },
                { "\"forwards\": [ { \"host_port\": 0, \"guest_port\": 22 } ]", "vm.json: forwards[0].host_port: 0 is out of range 1..65535" },
                { "\"forwards\": [ { \"host_port\": 1, \"guest_port\": 2, \"host_addr\": \"localhost\" } ]", "vm.json: forwards[0].host_addr: 'localhost' is not an IPv4 address" },
                { "\"forwards\": [ { \"host_port\": 1, \"guest_port\": 2, \"proto\": \"sctp\" } ]", "vm.json: forwards[0].proto: unknown value 'sctp' (expected one of: tcp, udp)" },
                { "\"forwards\": [ { \"host_port\": 1, \"guest_port\": 2 }, { \"host_port\": 1, \"guest_port\": 3 } ]", "vm.json: forwards[1].host_port: tcp port 1 is forwarded twice (also forwards[0])" },
                { "\"network\": \"none\", \"forwards\": [ { \"host_port\": 1, \"guest_port\": 2 } ]", "vm.json: forwards: need network \"user\"" },
                { "\"qemu_binary\": \"\"", "vm.json: qemu_binary: must not be empty" },
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_freep) struct vm_config *c = NULL;
                _cleanup_(freep) char *text = NULL;
                struct config_problems p = { 0 };
                int r;

                /* A case that sets a base member replaces it: a key given twice is an error
                 * of its own (duplicate_keys). */
                assert_true(asprintf(&text, "{ %s%s%s }",
                                     strstr(cases[i].members, "\"host_cpu_family\"") ? "" :
                                     "\"host_cpu_family\": \"Genoa\", ",
                                     strstr(cases[i].members, "\"ovmf_file\"") ? "" :
                                     "\"ovmf_file\": \"OVMF.fd\", ", cases[i].members) > 0);
                r = load(text, CONFIG_SKIP_FILE_CHECKS, &p, &c);
                if (r != -EINVAL || !has_problem(&p, cases[i].message) || p.n_errors != 1) {
                        print_message("case %zu: %s\n  want: %s\n", i, cases[i].members,
                                      cases[i].message);
                        print_problems(&p);
                        fail();
                }
                assert_null(c);
                config_problems_clear(&p);
        }
}

/* A key given twice is an error naming both lines (json-c alone keeps the last one silently). */
static void duplicate_keys(void **state) {
        static const char *const texts[] = {
                "{\n\"host_cpu_family\": \"Genoa\",\n\"ovmf_file\": \"OVMF.fd\",\n"
                "\"vmpl\": 0,\n\"vmpl\": 3\n}",
                "{\n\"host_cpu_family\": \"Genoa\",\n\"ovmf_file\": \"OVMF.fd\",\n"
                "\"vmpl\": 0,\n\"vmp\\u006c\": 3\n}",
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_(config_freep) struct vm_config *c = NULL;
                struct config_problems p = { 0 };

                assert_int_equal(load(texts[i], CONFIG_SKIP_FILE_CHECKS, &p, &c), -EINVAL);
                assert_true(has_problem(&p, "vm.json: vmpl: given twice, on lines 4 and 5"));
                assert_null(c);
                config_problems_clear(&p);
        }
}

/* A JSON rendition of SNPGuard's example vm-config (its field names and TCB shape) loads. */
static void snpguard_shape(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(load("{ \"host_cpu_family\": \"Milan\", \"vcpu_count\": 1, "
                              "\"ovmf_file\": \"OVMF.fd\", \"guest_features\": 33, "
                              "\"kernel_file\": \"k\", \"initrd_file\": \"i\", \"kernel_cmdline\": \"\", "
                              "\"platform_info\": 1, \"guest_policy\": 196608, "
                              "\"family_id\": \"00000000000000000000000000000000\", "
                              "\"image_id\": \"00000000000000000000000000000000\", "
                              "\"min_commited_tcb\": { \"bootloader\": 3, \"tee\": 0, "
                              "\"_reserved\": [0, 0, 0, 0], \"snp\": 20, \"microcode\": 209 } }",
                              CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
        assert_int_equal(p.n, 0);
        assert_int_equal(c->min_committed_tcb.snp, 20);
        assert_int_equal(c->min_committed_tcb.microcode, 209);
        assert_true(c->guest_policy == 0x30000 && c->guest_features == 0x21);
}

static void syntax_and_shape(void **state) {
        static const struct {
                const char *text;
                const char *message;
        } cases[] = {
                { "", "vm.json: line 1: JSON syntax error: unexpected end of data" },
                { "{\n\"vmpl\": 1,\n}", "vm.json: line 3: JSON syntax error: unexpected character" },
                { "[1]", "vm.json: must be a JSON object, not an array" },
                { "{} {}", "vm.json: line 1: JSON syntax error: unexpected character" },
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_freep) struct vm_config *c = NULL;
                struct config_problems p = { 0 };

                assert_int_equal(load(cases[i].text, CONFIG_SKIP_FILE_CHECKS, &p, &c), -EINVAL);
                if (!has_problem(&p, cases[i].message)) {
                        print_message("case %zu: want %s\n", i, cases[i].message);
                        print_problems(&p);
                        fail();
                }
                config_problems_clear(&p);
        }
}

static void all_problems_listed(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(load("{ \"vmpl\": 9, \"signer\": 1, \"guest_policy\": 0, \"typo\": 1, "
                              "\"vcpu_count\": 0 }", CONFIG_SKIP_FILE_CHECKS, &p, &c), -EINVAL);
        assert_true(has_problem(&p, "vm.json: vmpl: 9 is out of range 0..3"));
        assert_true(has_problem(&p, "vm.json: signer: must be a string, not an integer"));
        assert_true(has_problem(&p, "vm.json: guest_policy: bit 17 must be set (0x20000)"));
        assert_true(has_problem(&p, "vm.json: typo: unknown key"));
        assert_true(has_problem(&p, "vm.json: vcpu_count: 0 is out of range 1..4096"));
        assert_true(has_problem(&p, "vm.json: host_cpu_family: required (Milan, Genoa or Turin)"));
        assert_true(has_problem(&p, "vm.json: ovmf_file: required"));
        assert_int_equal(p.n_errors, 7);
        config_problems_clear(&p);
}

static void warnings_keep_it_valid(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(load("{ \"host_cpu_family\": \"Milan\", \"ovmf_file\": \"O\", "
                              "\"guest_policy\": \"0x1e0000\", \"guest_features\": "
                              "\"0x8000000000010801\" }", CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
        assert_non_null(c);
        assert_int_equal(p.n_errors, 0);
        assert_true(has_problem(&p, "vm.json: guest_policy: warning: bit 19 (DEBUG) lets the host "
                                "read and change guest memory; never for production"));
        assert_true(has_problem(&p, "vm.json: guest_policy: warning: bit 18 (MIGRATE_MA): upstream "
                                "KVM refuses to launch with it"));
        assert_true(has_problem(&p, "vm.json: guest_policy: warning: bit 20 (SINGLE_SOCKET): upstream "
                                "KVM refuses to launch with it"));
        assert_true(has_problem(&p, "vm.json: guest_policy: warning: bit 16 (SMT) is clear: the "
                                "launch fails on a host with SMT enabled"));
        /* Any 64-bit SEV_FEATURES is measured as given (sev-snp-measure, QEMU). */
        assert_true(has_problem(&p, "vm.json: guest_features: warning: bits this version does not "
                                "know: 0x8000000000010800 (bit 11, 16, 63); measured as given"));
        assert_true(c->guest_features == UINT64_C(0x8000000000010801));
        assert_int_equal(p.n, 5);
        config_problems_clear(&p);
}

/* msg with its '@' replaced by the test folder. */
static char *with_dir(const char *msg) {
        const char *at = strchr(msg, '@');
        char *s;

        if (!at)
                s = strdup(msg);
        else if (asprintf(&s, "%.*s%s%s", (int) (at - msg), msg, dir, at + 1) < 0)
                s = NULL;
        assert_non_null(s);
        return s;
}

static void files(void **state) {
        static const uint32_t with_hashes[] = { 1, 2, 3, 0x10 }, without[] = { 1, 2, 3 };
        uint8_t blk[96] = { 0 };
        _cleanup_(freep) char *b64 = NULL;
        struct {
                const char *members;
                const char *message;            /* NULL: valid */
        } cases[] = {
                { "\"ovmf_file\": \"ok.fd\", \"kernel_file\": \"k\"", NULL },
                { "\"ovmf_file\": \"nohashes.fd\"", NULL },
                { "\"ovmf_file\": \"nohashes.fd\", \"kernel_file\": \"k\"",
                  "vm.json: kernel_file: '@/nohashes.fd' has no SNP kernel-hashes section, so the "
                  "kernel cannot be measured: use an OVMF built from OvmfPkg/AmdSev/AmdSevX64.dsc" },
                { "\"ovmf_file\": \"nometa.fd\"",
                  "vm.json: ovmf_file: '@/nometa.fd' has no SEV metadata: not an OVMF that can boot an SNP guest" },
                { "\"ovmf_file\": \"k\"", "vm.json: ovmf_file: firmware image '@/k': size 6 is not a multiple of the 4096-byte page" },
                { "\"ovmf_file\": \"zero.fd\"", "vm.json: ovmf_file: '@/zero.fd' has no OVMF footer table: not an OVMF that can boot an SNP guest" },
                { "\"ovmf_file\": \"missing.fd\"", "vm.json: ovmf_file: '@/missing.fd': No such file or directory" },
                { "\"ovmf_file\": \".\"", "vm.json: ovmf_file: '@/.' is a folder, not a file" },
                { "\"ovmf_file\": \"ok.fd\", \"disks\": [{\"file\": \"nodisk\"}]",
                  "vm.json: disks[0].file: '@/nodisk': No such file or directory" },
                { "\"ovmf_file\": \"ok.fd\", \"qemu_binary\": \"./noqemu\"",
                  "vm.json: qemu_binary: '@/./noqemu': No such file or directory" },
                { "\"ovmf_file\": \"ok.fd\", \"id_block_file\": \"id.b64\"", NULL },
                { "\"ovmf_file\": \"ok.fd\", \"id_block_file\": \"id.b64\", \"guest_policy\": \"0x30001\"",
                  "vm.json: id_block_file: ID block policy 0x30000 differs from guest_policy 0x30001" },
                { "\"ovmf_file\": \"ok.fd\", \"id_block_file\": \"id.b64\", \"guest_svn\": 2",
                  "vm.json: id_block_file: ID block guest_svn 0 differs from guest_svn 2" },
                { "\"ovmf_file\": \"ok.fd\", \"id_block_file\": \"id.b64\", \"image_id\": \"01000000000000000000000000000000\"",
                  "vm.json: id_block_file: ID block image_id differs from image_id" },
                { "\"ovmf_file\": \"ok.fd\", \"id_block_file\": \"id.b64\", \"vcpu_count\": 2",
                  "vm.json: id_block_file: ID block launch digest " },
                { "\"ovmf_file\": \"ok.fd\", \"id_block_file\": \"k\"",
                  "vm.json: id_block_file: '@/k' is not base64 of a 96-byte ID block" },
        };

        (void) state;
        make_ovmf("ok.fd", with_hashes, 4);
        make_ovmf("nohashes.fd", without, 3);
        make_ovmf("nometa.fd", NULL, -1);
        write_file("k", "kernel", 6);
        {
                _cleanup_(config_freep) struct vm_config *c = NULL;
                struct config_problems p = { 0 };
                _cleanup_(freep) char *why = NULL;

                assert_int_equal(load("{ \"host_cpu_family\": \"Genoa\", \"ovmf_file\": \"ok.fd\" }",
                                      0, &p, &c), 0);
                if (config_expected_digest(c, blk, &why) < 0)
                        fail_msg("digest of ok.fd: %s", why);
        }
        {
                static const uint8_t zero[8192];

                write_file("zero.fd", zero, sizeof(zero));
        }
        le32_put(blk + 0x50, 1);
        le64_put(blk + 0x58, 0x30000);
        b64 = base64_encode(blk, sizeof(blk));
        assert_non_null(b64);
        write_file("id.b64", b64, strlen(b64));

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(config_freep) struct vm_config *c = NULL;
                _cleanup_(freep) char *text = NULL, *want = NULL;
                struct config_problems p = { 0 };
                int r;

                assert_true(asprintf(&text, "{ \"host_cpu_family\": \"Genoa\", %s }",
                                     cases[i].members) > 0);
                if (cases[i].message)
                        want = with_dir(cases[i].message);
                r = load(text, 0, &p, &c);
                if (want ? (r != -EINVAL || !has_problem(&p, want) || p.n_errors != 1) : r != 0) {
                        print_message("case %zu: %s\n  want: %s\n", i, cases[i].members,
                                      want ? want : "valid");
                        print_problems(&p);
                        fail();
                }
                config_problems_clear(&p);
        }
}

/* The launch digest is computed once (the check's) and kept while the measured inputs stay the
 * same: with the kernel gone it still answers, and a changed command line measures again. */
/* config_check_id_files(), the one cross-file check, on a config loaded without file checks (as
 * attest-verify does): the files written by files() above. */
static void id_files_check(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };
        struct config_id_keys keys;

        (void) state;
        assert_int_equal(load("{ \"host_cpu_family\": \"Genoa\", \"ovmf_file\": \"ok.fd\", "
                              "\"id_block_file\": \"id.b64\" }", CONFIG_SKIP_FILE_CHECKS, &p,
                              &c), 0);
        assert_int_equal(config_check_id_files(c, 0, &p, &keys), 0);
        assert_int_equal(p.n, 0);
        c->guest_svn = 2;
        assert_int_equal(config_check_id_files(c, CONFIG_SKIP_LAUNCH_DIGEST, &p, &keys), -EINVAL);
        assert_true(has_problem(&p, "vm.json: id_block_file: ID block guest_svn 0 differs from "
                                "guest_svn 2"));
        config_problems_clear(&p);
        c->guest_svn = 0;
        c->vcpu_count = 2;      /* another launch digest */
        assert_int_equal(config_check_id_files(c, 0, &p, NULL), -EINVAL);
        assert_true(p.n == 1 && strstr(p.items[0].text, "ID block launch digest "));
        config_problems_clear(&p);
}

static void digest_kept(void **state) {
        static const uint32_t with_hashes[] = { 1, 2, 3, 0x10 };
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct config_problems p = { 0 };
        _cleanup_(freep) char *why = NULL, *kpath = NULL;
        uint8_t d1[CONFIG_DIGEST_SIZE], d2[CONFIG_DIGEST_SIZE];

        (void) state;
        make_ovmf("kept.fd", with_hashes, 4);
        write_file("kept-kernel", "kernel", 6);
        assert_int_equal(load("{ \"host_cpu_family\": \"Genoa\", \"ovmf_file\": \"kept.fd\", "
                              "\"kernel_file\": \"kept-kernel\" }", 0, &p, &c), 0);
        config_problems_clear(&p);
        assert_int_equal(asprintf(&kpath, "%s/kept-kernel", dir) > 0, 1);
        assert_int_equal(unlink(kpath), 0);
        assert_int_equal(config_expected_digest(c, d1, &why), 0);
        assert_int_equal(config_expected_digest(c, d2, &why), 0);
        assert_memory_equal(d1, d2, sizeof(d1));
        assert_int_equal(config_set_kernel_cmdline(c, "console=ttyS0"), 0);
        assert_true(config_expected_digest(c, d2, &why) < 0);
        assert_non_null(why);
}

static void round_trip(void **state) {
        static const char text[] =
                "{ \"host_cpu_family\": \"Turin\", \"vcpu_count\": 8, \"vcpu_type\": \"EPYC-Milan\","
                "  \"ovmf_file\": \"OVMF.fd\", \"kernel_file\": \"bz\", \"kernel_cmdline\": \"console=ttyS0\","
                "  \"guest_policy\": \"0xb0000\", \"host_data\": \"ab000000000000000000000000000000000000000000000000000000000000cd\","
                "  \"platform_info\": 5, \"min_committed_tcb\": { \"snp\": 9, \"fmc\": 2 },"
                "  \"id_key_digest\": \"110000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000022\","
                "  \"cbitpos\": 51, \"disks\": [ { \"file\": \"a.img\", \"readonly\": true } ],"
                "  \"forwards\": [ { \"host_port\": 8080, \"guest_port\": 80 } ] }";
        _cleanup_(config_freep) struct vm_config *c = NULL, *c2 = NULL;
        _cleanup_(freep) char *out = NULL, *out2 = NULL;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(load(text, CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
        print_problems(&p);
        assert_int_equal(p.n, 1);       /* the DEBUG warning */
        config_problems_clear(&p);
        assert_int_equal(config_format(c, &out), 0);
        /* the output is loaded from a different folder: paths are absolute now */
        assert_int_equal(config_load_string(out, "copy.json", "/nonexistent", CONFIG_SKIP_FILE_CHECKS,
                                            &p, &c2), 0);
        assert_int_equal(p.n, 1);
        assert_int_equal(config_format(c2, &out2), 0);
        assert_string_equal(out, out2);
        assert_non_null(strstr(out, "\"vcpu_sig\": null"));    /* derived from vcpu_type */
        assert_non_null(strstr(out, "\"guest_policy\": \"0xb0000\""));
        assert_non_null(strstr(out, "\"platform_info\": \"0x5\""));
        assert_non_null(strstr(out, "\"cbitpos\": 51"));
        assert_non_null(strstr(out, "\"fmc\": 2"));
        assert_int_equal(c2->vcpu_sig, 0xa00f11);
        assert_true(c2->has_id_key_digest && c2->id_key_digest[0] == 0x11 && c2->id_key_digest[47] == 0x22);
        assert_false(c2->has_author_key_digest);
        assert_true(c->has_min_committed_tcb && c2->has_min_committed_tcb);
        config_problems_clear(&p);
}

/* A config without min_committed_tcb has no TCB floor, and keeps none through a round trip
 * (null, not a floor of zeros that would pass silently). */
static void no_tcb_floor(void **state) {
        static const char *const texts[] = {
                "{\"host_cpu_family\": \"Milan\", \"ovmf_file\": \"OVMF.fd\"}",
                "{\"host_cpu_family\": \"Milan\", \"ovmf_file\": \"OVMF.fd\", \"min_committed_tcb\": null}",
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_(config_freep) struct vm_config *c = NULL, *c2 = NULL;
                _cleanup_(freep) char *out = NULL;
                struct config_problems p = { 0 };

                assert_int_equal(load(texts[i], CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
                assert_int_equal(p.n, 0);
                assert_false(c->has_min_committed_tcb);
                assert_int_equal(config_format(c, &out), 0);
                assert_non_null(strstr(out, "\"min_committed_tcb\": null"));
                assert_int_equal(config_load_string(out, "copy.json", "/nonexistent",
                                                    CONFIG_SKIP_FILE_CHECKS, &p, &c2), 0);
                assert_false(c2->has_min_committed_tcb);
                config_problems_clear(&p);
        }
        {
                _cleanup_(config_freep) struct vm_config *c = NULL;
                struct config_problems p = { 0 };

                assert_int_equal(load("{\"host_cpu_family\": \"Milan\", \"ovmf_file\": \"O\", "
                                      "\"min_committed_tcb\": {}}", CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
                assert_true(c->has_min_committed_tcb);  /* given: all zero, on purpose */
                config_problems_clear(&p);
        }
}

/* The template is invalid until its placeholders are filled, and every field is in it. */
static void template(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL, *c2 = NULL;
        _cleanup_(freep) char *text = NULL;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(config_new(&c), 0);
        assert_int_equal(config_format_template(c, &text), 0);
        assert_int_equal(load(text, CONFIG_SKIP_FILE_CHECKS, &p, &c2), -EINVAL);
        assert_int_equal(p.n_errors, 6);
        for (size_t i = 0; i < p.n; i++)
                assert_non_null(strstr(p.items[i].text, ": placeholder not filled in: <"));
        config_problems_clear(&p);
        assert_int_equal(load(text, CONFIG_SKIP_FILE_CHECKS | CONFIG_ALLOW_PLACEHOLDERS, &p, &c2), 0);
        config_problems_clear(&p);
}

static void vcpu_signatures(void **state) {
        static const struct { const char *type; uint32_t sig; } known[] = {
                { "EPYC", 0x800f12 }, { "EPYC-v4", 0x800f12 }, { "EPYC-IBPB", 0x800f12 },
                { "EPYC-Rome", 0x830f10 }, { "EPYC-Milan", 0xa00f11 }, { "EPYC-Milan-v2", 0xa00f11 },
                { "EPYC-Genoa", 0xa10f10 }, { "EPYC-Turin", 0xb00f00 },
        };
        uint32_t sig;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(known); i++) {
                assert_int_equal(config_vcpu_sig_from_type(known[i].type, &sig), 0);
                assert_int_equal(sig, known[i].sig);
        }
        assert_int_equal(config_vcpu_sig_from_type("EPYC-v5", &sig), -ENOENT);
        assert_int_equal(config_vcpu_sig_from_type("host", &sig), -ENOENT);
}

static void make_report(uint8_t r[0x4A0], uint32_t version, uint8_t fam, uint8_t model) {
        memset(r, 0, 0x4A0);
        le32_put(r + 0x000, version);
        le64_put(r + 0x008, 0x3001f);
        le32_put(r + 0x030, 1);
        le32_put(r + 0x034, 1);                 /* ECDSA P-384 with SHA-384 */
        le64_put(r + 0x040, 0x25);
        le32_put(r + 0x048, 1 << 2);            /* VLEK */
        /* bl 1, snp 2, ucode 0x47: Milan/Genoa layout for family 0x19, else Turin's */
        le64_put(r + 0x1E0, fam == 0x19 ? UINT64_C(0x4702000000000001) :
                                          UINT64_C(0x4700000002000100));
        r[0x188] = fam;
        r[0x189] = model;
}

static void from_report(void **state) {
        uint8_t r[0x4A0];
        unsigned filled;

        (void) state;
        {
                _cleanup_(config_freep) struct vm_config *c = NULL;

                assert_int_equal(config_new(&c), 0);
                make_report(r, 5, 0x1a, 0x02);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), &filled), 0);
                assert_int_equal(filled, CONFIG_FILLED_CPU_FAMILY | CONFIG_FILLED_POLICY |
                                 CONFIG_FILLED_PLATFORM_INFO | CONFIG_FILLED_MIN_TCB |
                                 CONFIG_FILLED_VMPL | CONFIG_FILLED_SIGNER);
                assert_int_equal(c->host_cpu_family, SNP_GEN_TURIN);
                assert_true(c->guest_policy == 0x3001f);
                assert_true(c->has_platform_info && c->platform_info == 0x25);
                assert_int_equal(c->min_committed_tcb.fmc, 0);
                assert_int_equal(c->min_committed_tcb.bootloader, 1);
                assert_int_equal(c->min_committed_tcb.snp, 2);
                assert_int_equal(c->min_committed_tcb.microcode, 0x47);
                assert_int_equal(c->vmpl, 1);
                assert_int_equal(c->signer, CONFIG_SIGNER_VLEK);
        }
        {
                _cleanup_(config_freep) struct vm_config *c = NULL;

                assert_int_equal(config_new(&c), 0);
                make_report(r, 2, 0x1a, 0x02);  /* v2: CPUID bytes are reserved, must be 0 */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), &filled), -EBADMSG);
                make_report(r, 2, 0, 0);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), &filled), 0);
                assert_false(filled & CONFIG_FILLED_CPU_FAMILY);
                assert_int_equal(c->host_cpu_family, SNP_GEN_UNKNOWN);
                assert_int_equal(c->min_committed_tcb.bootloader, 0);  /* legacy layout */
                assert_int_equal(c->min_committed_tcb.tee, 1);
                assert_int_equal(c->min_committed_tcb.snp, 0);
        }
        {
                _cleanup_(config_freep) struct vm_config *c = NULL;

                /* v2 with the family given: its layout, and its reserved TCB bytes checked */
                assert_int_equal(config_new(&c), 0);
                c->host_cpu_family = SNP_GEN_TURIN;
                make_report(r, 2, 0, 0);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), 0);
                assert_int_equal(c->host_cpu_family, SNP_GEN_TURIN);
                assert_int_equal(c->min_committed_tcb.bootloader, 1);
                assert_int_equal(c->min_committed_tcb.snp, 2);
                assert_int_equal(c->min_committed_tcb.microcode, 0x47);
                c->host_cpu_family = SNP_GEN_MILAN;   /* byte 3 is reserved there */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                assert_int_equal(c->host_cpu_family, SNP_GEN_MILAN);
                assert_int_equal(c->min_committed_tcb.snp, 2);  /* untouched on error */
        }
        {
                _cleanup_(config_freep) struct vm_config *c = NULL;

                assert_int_equal(config_new(&c), 0);
                make_report(r, 3, 0x19, 0x11);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), 0);
                assert_int_equal(c->host_cpu_family, SNP_GEN_GENOA);
                make_report(r, 3, 0x19, 0xa1);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), 0);
                assert_int_equal(c->host_cpu_family, SNP_GEN_GENOA);
                make_report(r, 3, 0x19, 0x01);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), 0);
                assert_int_equal(c->host_cpu_family, SNP_GEN_MILAN);
                assert_int_equal(c->min_committed_tcb.bootloader, 1);
                assert_int_equal(c->min_committed_tcb.snp, 2);
                assert_int_equal(c->min_committed_tcb.microcode, 0x47);
                le64_put(r + 0x1E0, UINT64_C(0x4700000002000100));      /* Turin's on Milan */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x17, 0x31);  /* Rome: no SNP */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EPROTONOSUPPORT);
                make_report(r, 3, 0x1a, 0x50);  /* Venice: not known here */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EPROTONOSUPPORT);
                make_report(r, 6, 0x19, 0x01);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 1, 0x19, 0x01);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x19, 0x01);
                le32_put(r + 0x048, 7 << 2);    /* no signature */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x19, 0x01);
                le32_put(r + 0x030, 4);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x19, 0x01);
                assert_int_equal(config_fill_from_report(c, r, sizeof(r) - 1, NULL), -EBADMSG);
                make_report(r, 4, 0x19, 0x01);  /* no version 4 reports exist */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x19, 0x01);
                le32_put(r + 0x034, 2);         /* unknown signature algorithm */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x19, 0x01);
                le64_put(r + 0x008, 0x1001f);   /* policy without its must-be-one bit */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
                make_report(r, 3, 0x19, 0x01);
                r[0x200] = 1;                   /* reserved before version 5 */
                assert_int_equal(config_fill_from_report(c, r, sizeof(r), NULL), -EBADMSG);
        }
}

static void set_path(void **state) {
        _cleanup_(freep) char *field = NULL, *cwd = getcwd(NULL, 0), *want = NULL;

        (void) state;
        assert_int_equal(config_set_path(&field, "/abs"), 0);
        assert_string_equal(field, "/abs");
        assert_int_equal(config_set_path(&field, "rel/x"), 0);
        assert_true(asprintf(&want, "%s/rel/x", cwd) > 0);
        assert_string_equal(field, want);
        assert_int_equal(config_set_path(&field, NULL), 0);
        assert_null(field);
}

static bool in_field_names(const char *name) {
        for (size_t i = 0; config_field_names[i]; i++)
                if (strcmp(config_field_names[i], name) == 0)
                        return true;
        return false;
}

/* config_field_names lists every key the serialiser writes (and so the parser takes). */
/* config_apply_options(): only the options given are laid over the config, whatever the
 * order of the table; strings are copied, has_* set, kernel_cmdline recomputes cmdline; a row
 * whose size is not its field's is refused. */
struct opts {
        const char *ovmf;
        const char *cmdline;
        unsigned vcpus;
        uint64_t policy;
        uint8_t host_data[32];
        uint16_t wrong;
};

static void apply_options(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        char ovmf[] = "other.fd";
        struct opts o = { .ovmf = ovmf, .cmdline = "quiet", .vcpus = 7, .policy = 0x70000,
                          .host_data = { 1, 2, 3 } };
        const struct config_option table[] = {
                CONFIG_OPTION(CLI_OPT_BASE + 0, CONFIG_FIELD_OVMF_FILE, struct opts, ovmf),
                CONFIG_OPTION(CLI_OPT_BASE + 1, CONFIG_FIELD_KERNEL_CMDLINE, struct opts, cmdline),
                CONFIG_OPTION(CLI_OPT_BASE + 2, CONFIG_FIELD_VCPU_COUNT, struct opts, vcpus),
                CONFIG_OPTION(CLI_OPT_BASE + 3, CONFIG_FIELD_GUEST_POLICY, struct opts, policy),
                CONFIG_OPTION(CLI_OPT_BASE + 4, CONFIG_FIELD_HOST_DATA, struct opts, host_data),
        };
        const struct config_option bad[] = {
                CONFIG_OPTION(CLI_OPT_BASE + 5, CONFIG_FIELD_VCPU_COUNT, struct opts, wrong),
        };
        struct cli_given given = { 0 };

        (void) state;
        assert_int_equal(config_new(&c), 0);
        assert_int_equal(config_set_string(&c->ovmf_file, "OVMF.fd"), 0);
        c->has_owner_key_digest = true;
        memset(c->owner_key_digest, 0xab, sizeof(c->owner_key_digest));

        /* Nothing given: nothing changes. */
        assert_int_equal(config_apply_options(c, table, ELEMENTSOF(table), &given, &o), 0);
        assert_string_equal(c->ovmf_file, "OVMF.fd");
        assert_int_equal(c->vcpu_count, 1);
        assert_int_equal(c->guest_policy, SNP_POLICY_DEFAULT);
        assert_false(c->has_host_data);

        cli_given_record(&given, CLI_OPT_BASE + 0);
        cli_given_record(&given, CLI_OPT_BASE + 1);
        cli_given_record(&given, CLI_OPT_BASE + 4);
        assert_int_equal(config_apply_options(c, table, ELEMENTSOF(table), &given, &o), 0);
        ovmf[0] = 'X';                  /* a copy, not the option's string */
        assert_string_equal(c->ovmf_file, "other.fd");
        assert_string_equal(c->kernel_cmdline, "quiet");
        assert_non_null(c->cmdline);
        assert_int_equal(strncmp(c->cmdline, "quiet " CONFIG_CMDLINE_OWNER "abab",
                                 strlen("quiet " CONFIG_CMDLINE_OWNER "abab")), 0);
        assert_int_equal(c->vcpu_count, 1);     /* not given */
        assert_int_equal(c->guest_policy, SNP_POLICY_DEFAULT);
        assert_true(c->has_host_data);
        assert_int_equal(c->host_data[2], 3);

        cli_given_record(&given, CLI_OPT_BASE + 5);
        assert_int_equal(config_apply_options(c, bad, ELEMENTSOF(bad), &given, &o), -EINVAL);
}

static void field_names_complete(void **state) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        struct json_object *o = NULL, *v;
        struct config_problems p = { 0 };

        (void) state;
        assert_int_equal(load("{ \"host_cpu_family\": \"Milan\", \"ovmf_file\": \"O\", \"disks\": "
                              "[ { \"file\": \"d\" } ], \"forwards\": [ { \"host_port\": 1, "
                              "\"guest_port\": 1 } ] }", CONFIG_SKIP_FILE_CHECKS, &p, &c), 0);
        assert_int_equal(config_to_json(c, &o), 0);
        json_object_object_foreach(o, key, val) {
                char sub[128];

                if (!in_field_names(key))
                        fail_msg("'%s' is not in config_field_names", key);
                if (json_object_is_type(val, json_type_object)) {
                        json_object_object_foreach(val, k2, v2) {
                                (void) v2;
                                snprintf(sub, sizeof(sub), "%s.%s", key, k2);
                                if (!in_field_names(sub))
                                        fail_msg("'%s' is not in config_field_names", sub);
                        }
                }
                if (json_object_is_type(val, json_type_array)) {
                        v = json_object_array_get_idx(val, 0);
                        json_object_object_foreach(v, k3, v3) {
                                (void) v3;
                                snprintf(sub, sizeof(sub), "%s[].%s", key, k3);
                                if (!in_field_names(sub))
                                        fail_msg("'%s' is not in config_field_names", sub);
                        }
                }
        }
        json_object_put(o);
        config_problems_clear(&p);
}

/* docs/config.md documents every field the parser knows, as `name`. */
static void documented(void **state) {
        const char *root = getenv("SNPCTL_SOURCE_ROOT");
        _cleanup_(freep) char *path = NULL;
        _cleanup_(freep) uint8_t *doc = NULL;
        size_t size;

        (void) state;
        if (!root)
                skip();
        assert_true(asprintf(&path, "%s/docs/config.md", root) > 0);
        assert_int_equal(fileio_read_full(path, 1 << 20, &doc, &size), 0);
        for (size_t i = 0; config_field_names[i]; i++) {
                char quoted[128];

                snprintf(quoted, sizeof(quoted), "`%s`", config_field_names[i]);
                if (!strstr((const char *) doc, quoted))
                        fail_msg("docs/config.md does not document %s", quoted);
        }
        for (const struct snp_bit_name *b = snp_policy_bits; b->name; b++)
                if (!strstr((const char *) doc, b->name))
                        fail_msg("docs/config.md does not name policy bit %s", b->name);
        for (const struct snp_bit_name *b = snp_feature_bits; b->name; b++)
                if (!strstr((const char *) doc, b->name))
                        fail_msg("docs/config.md does not name guest feature %s", b->name);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults),
                cmocka_unit_test(full_config),
                cmocka_unit_test(rejections),
                cmocka_unit_test(duplicate_keys),
                cmocka_unit_test(snpguard_shape),
                cmocka_unit_test(syntax_and_shape),
                cmocka_unit_test(all_problems_listed),
                cmocka_unit_test(warnings_keep_it_valid),
                cmocka_unit_test(files),
                cmocka_unit_test(id_files_check),
                cmocka_unit_test(digest_kept),
                cmocka_unit_test(round_trip),
                cmocka_unit_test(no_tcb_floor),
                cmocka_unit_test(template),
                cmocka_unit_test(vcpu_signatures),
                cmocka_unit_test(from_report),
                cmocka_unit_test(set_path),
                cmocka_unit_test(apply_options),
                cmocka_unit_test(field_names_complete),
                cmocka_unit_test(documented),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
