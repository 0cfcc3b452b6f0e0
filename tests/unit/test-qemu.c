/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU command line: golden argv for each option combination, the sev-snp-guest object
 * property by property (names as upstream QEMU's qapi/qom.json spells them), and every refusal. */
#include <errno.h>
#include <sys/wait.h>

#include "unit.h"

#include "base64.h"
#include "cleanup.h"
#include "qemu.h"

static const char *const golden_snp_minimal[] = {
        "qemu-system-x86_64", "-machine", "q35,confidential-guest-support=sev0",
        "-accel", "kvm", "-cpu", "EPYC-v4", "-smp", "1", "-m", "2048M", "-no-reboot",
        "-nodefaults", "-display", "none",
        "-object", "sev-snp-guest,id=sev0,policy=0x30000,cbitpos=51,reduced-phys-bits=1",
        "-bios", "/fw/OVMF.fd",
        "-netdev", "user,id=net0",
        "-device", "virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,romfile=",
        "-serial", "mon:stdio",
        NULL
};

/* Fills an ID block (snp-facts B.3.6) with version 1, the given policy and an LD of ld_byte. */
static char *make_id_block(uint64_t policy, uint32_t version, uint8_t ld_byte) {
        uint8_t b[96] = { 0 };

        memset(b, ld_byte, 48);
        memset(b + 0x30, 0xf1, 16);             /* family id */
        memset(b + 0x40, 0x1a, 16);             /* image id */
        for (int i = 0; i < 4; i++)
                b[0x50 + i] = (uint8_t) (version >> (8 * i));
        for (int i = 0; i < 8; i++)
                b[0x58 + i] = (uint8_t) (policy >> (8 * i));
        return base64_encode(b, sizeof(b));
}

static char *make_id_auth(size_t size, bool author_key) {
        _cleanup_(freep) uint8_t *b = calloc(1, size);

        assert_non_null(b);
        b[0] = 1;                               /* ID_KEY_ALGO */
        memset(b + 0x240, 0x22, size > 0x300 ? 0x90 : 0);
        if (author_key && size > 0x880 + 0x10) {
                b[4] = 1;
                b[0x880] = 2;                   /* CURVE P-384 */
                memset(b + 0x884, 0x33, 0x48);
        }
        return base64_encode(b, size);
}

static char *make_blob(size_t size, uint8_t fill) {
        uint8_t b[8192];

        memset(b, fill, size);
        return base64_encode(b, size);
}

static void base_snp(struct qemu_params *p) {
        qemu_params_init(p);
        p->ovmf = "/fw/OVMF.fd";
        p->cbitpos = 51;
}

static void assert_argv(char **argv, const char *const *want) {
        size_t i;

        for (i = 0; want[i]; i++) {
                if (!argv[i])
                        fail_msg("argv ends at %zu, expected '%s'", i, want[i]);
                if (strcmp(argv[i], want[i]) != 0)
                        fail_msg("argv[%zu] = '%s', expected '%s'", i, argv[i], want[i]);
        }
        if (argv[i])
                fail_msg("extra argv[%zu] = '%s'", i, argv[i]);
}

/* The value following the first occurrence of opt (and, with prefix, starting with it). */
static const char *arg_after(char **argv, const char *opt, const char *prefix) {
        for (size_t i = 0; argv[i] && argv[i + 1]; i++)
                if (strcmp(argv[i], opt) == 0 &&
                    (!prefix || strncmp(argv[i + 1], prefix, strlen(prefix)) == 0))
                        return argv[i + 1];
        return NULL;
}

static size_t count_opt(char **argv, const char *opt) {
        size_t n = 0;

        for (size_t i = 0; argv[i]; i++)
                if (strcmp(argv[i], opt) == 0)
                        n++;
        return n;
}

static void snp_minimal(void **state) {
        _cleanup_(qemu_argv_freep) char **argv = NULL;
        _cleanup_(freep) char *why = NULL;
        struct qemu_params p;

        (void) state;
        base_snp(&p);
        assert_int_equal(qemu_build_argv(&p, &argv, &why), 0);
        assert_null(why);
        assert_argv(argv, golden_snp_minimal);
}

static void snp_full(void **state) {
        _cleanup_(freep) char *idb = make_id_block(0x30000, 1, 0xab);
        _cleanup_(freep) char *ida = make_id_auth(4096, true);
        _cleanup_(freep) char *hd = make_blob(32, 0x5a);
        _cleanup_(qemu_argv_freep) char **argv = NULL;
        _cleanup_(freep) char *obj = NULL;
        char *extra[] = { (char *) "-s", (char *) "-d", (char *) "guest_errors" };
        struct qemu_disk disks[] = {
                { .file = "/img/root.qcow2", .bus = QEMU_DISK_BUS_SCSI },
                { .file = "/img/data,1.img", .bus = QEMU_DISK_BUS_BLK, .readonly = true },
        };
        struct qemu_forward fwd[] = {
                { .host_port = 2222, .guest_port = 22 },
                { .udp = true, .host_addr = "0.0.0.0", .host_port = 5353, .guest_port = 53 },
        };
        struct qemu_params p;

        (void) state;
        base_snp(&p);
        p.kernel = "/boot/vmlinuz";
        p.initrd = "/boot/initrd.img";
        p.append = "console=ttyS0 root=/dev/sda";
        p.kernel_hashes = true;
        p.vcpus = 4;
        p.cpu_model = "EPYC-Milan";
        p.memory_mib = 4096;
        p.disks = disks;
        p.n_disks = 2;
        p.cdrom = "/img/seed.iso";
        p.forwards = fwd;
        p.n_forwards = 2;
        p.id_block = idb;
        p.id_auth = ida;
        p.host_data = hd;
        p.console = QEMU_CONSOLE_FILE;
        p.console_file = "/var/log/guest.log";
        p.monitor = "/run/mon,1.sock";
        p.extra = extra;
        p.n_extra = 3;
        assert_true(asprintf(&obj, "sev-snp-guest,id=sev0,policy=0x30000,cbitpos=51,"
                             "reduced-phys-bits=1,kernel-hashes=on,id-block=%s,id-auth=%s,"
                             "author-key-enabled=on,host-data=%s", idb, ida, hd) > 0);
        {
                const char *const want[] = {
                        "qemu-system-x86_64", "-machine", "q35,confidential-guest-support=sev0",
                        "-accel", "kvm", "-cpu", "EPYC-Milan", "-smp", "4", "-m", "4096M",
                        "-no-reboot", "-nodefaults", "-display", "none",
                        "-object", obj,
                        "-bios", "/fw/OVMF.fd",
                        "-kernel", "/boot/vmlinuz", "-initrd", "/boot/initrd.img",
                        "-append", "console=ttyS0 root=/dev/sda",
                        "-device", "virtio-scsi-pci,id=scsi0,disable-legacy=on,"
                                "iommu_platform=true",
                        "-drive", "file=/img/root.qcow2,if=none,id=disk0,format=qcow2",
                        "-device", "scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1",
                        "-drive", "file=/img/data,,1.img,if=none,id=disk1,format=raw,"
                                "readonly=on",
                        "-device", "virtio-blk-pci,drive=disk1,disable-legacy=on,"
                                "iommu_platform=true,bootindex=2",
                        "-drive", "file=/img/seed.iso,if=none,id=cd0,format=raw,media=cdrom,"
                                "readonly=on",
                        "-device", "scsi-cd,drive=cd0,bus=scsi0.0,bootindex=3",
                        "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,"
                                "hostfwd=udp:0.0.0.0:5353-:53",
                        "-device", "virtio-net-pci,netdev=net0,disable-legacy=on,"
                                "iommu_platform=true,romfile=",
                        "-serial", "file:/var/log/guest.log",
                        "-monitor", "unix:/run/mon,,1.sock,server=on,wait=off",
                        "-s", "-d", "guest_errors",
                        NULL
                };

                assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
                assert_argv(argv, want);
        }
}

/* Splits the -object value at commas (no value here contains one) and checks every property. */
static void snp_object_properties(void **state) {
        _cleanup_(freep) char *idb = make_id_block(0xb0000, 1, 0x11);
        _cleanup_(freep) char *ida = make_id_auth(4096, false);
        _cleanup_(freep) char *hd = make_blob(32, 0x01);
        _cleanup_(qemu_argv_freep) char **argv = NULL;
        _cleanup_(freep) char *copy = NULL;
        struct qemu_params p;
        const struct { const char *key; const char *value; } want[] = {
                { "id", "sev0" },
                { "policy", "0xb0000" },
                { "cbitpos", "47" },
                { "reduced-phys-bits", "5" },
                { "kernel-hashes", "on" },
                { "id-block", idb },
                { "id-auth", ida },
                { "host-data", hd },
        };
        bool seen[ELEMENTSOF(want)] = { 0 };
        const char *o;
        char *save = NULL;

        (void) state;
        base_snp(&p);
        p.cbitpos = 47;
        p.reduced_phys_bits = 5;
        p.has_policy = true;
        p.policy = 0xb0000;
        p.kernel = "k";
        p.kernel_hashes = true;
        p.id_block = idb;
        p.id_auth = ida;
        p.host_data = hd;
        assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
        assert_int_equal(count_opt(argv, "-object"), 1);
        o = arg_after(argv, "-object", NULL);
        assert_non_null(o);
        copy = strdup(o);
        assert_string_equal(strtok_r(copy, ",", &save), "sev-snp-guest");
        for (char *kv = strtok_r(NULL, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                size_t i;

                assert_non_null(eq);
                *eq = '\0';
                for (i = 0; i < ELEMENTSOF(want); i++)
                        if (strcmp(kv, want[i].key) == 0)
                                break;
                if (i == ELEMENTSOF(want))
                        fail_msg("unexpected property '%s' (no author key in the auth block)", kv);
                if (seen[i])
                        fail_msg("property '%s' twice", kv);
                seen[i] = true;
                assert_string_equal(eq + 1, want[i].value);
        }
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                if (!seen[i])
                        fail_msg("property '%s' missing", want[i].key);
        /* The old AMD-fork spelling must never appear. */
        assert_null(strstr(o, "auth-key-enabled"));
        assert_null(strstr(o, "certs-path"));
        /* SNP firmware comes from -bios; never pflash. */
        assert_string_equal(arg_after(argv, "-bios", NULL), "/fw/OVMF.fd");
        for (size_t i = 0; argv[i]; i++)
                assert_null(strstr(argv[i], "pflash"));
}

static void author_key_auto(void **state) {
        _cleanup_(freep) char *idb = make_id_block(0x30000, 1, 0x11);
        _cleanup_(freep) char *with = make_id_auth(4096, true);
        _cleanup_(freep) char *without = make_id_auth(4096, false);
        struct qemu_params p;

        (void) state;
        base_snp(&p);
        p.id_block = idb;
        for (int i = 0; i < 4; i++) {
                _cleanup_(qemu_argv_freep) char **argv = NULL;
                const char *o;

                p.id_auth = i & 1 ? with : without;
                p.author_key = i < 2 ? QEMU_AUTHOR_KEY_AUTO : QEMU_AUTHOR_KEY_OFF;
                assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
                o = arg_after(argv, "-object", NULL);
                if (i == 1)
                        assert_non_null(strstr(o, ",author-key-enabled=on"));
                else
                        assert_null(strstr(o, "author-key-enabled"));
        }
}

static void sev_es_and_sev(void **state) {
        static const char *const want_es[] = {
                "/opt/qemu/bin/qemu-system-x86_64", "-machine",
                "q35,confidential-guest-support=sev0", "-accel", "kvm", "-cpu", "EPYC-v4",
                "-smp", "2", "-m", "1024M", "-no-reboot", "-nodefaults", "-display", "none",
                "-object", "sev-guest,id=sev0,policy=0x5,cbitpos=51,reduced-phys-bits=1,"
                "kernel-hashes=on",
                "-bios", "/fw/OVMF.fd", "-kernel", "/k", "-append", "quiet",
                "-serial", "pty", NULL
        };
        static const char *const want_sev[] = {
                "qemu-system-x86_64", "-machine", "q35,confidential-guest-support=sev0",
                "-accel", "kvm", "-cpu", "EPYC-v4", "-smp", "1", "-m", "2048M", "-no-reboot",
                "-nodefaults", "-display", "none",
                "-object", "sev-guest,id=sev0,policy=0x3,cbitpos=47,reduced-phys-bits=1",
                "-bios", "/fw/OVMF.fd", NULL
        };
        struct qemu_params p;

        (void) state;
        {
                _cleanup_(qemu_argv_freep) char **argv = NULL;

                base_snp(&p);
                p.mode = QEMU_MODE_SEV_ES;
                p.qemu = "/opt/qemu/bin/qemu-system-x86_64";
                p.vcpus = 2;
                p.memory_mib = 1024;
                p.kernel = "/k";
                p.append = "quiet";
                p.kernel_hashes = true;
                p.network = false;
                p.console = QEMU_CONSOLE_PTY;
                assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
                assert_argv(argv, want_es);
                assert_int_equal(qemu_min_version(&p), 602);
        }
        {
                _cleanup_(qemu_argv_freep) char **argv = NULL;

                base_snp(&p);
                p.mode = QEMU_MODE_SEV;
                p.cbitpos = 47;
                p.has_policy = true;
                p.policy = 0x3;
                p.network = false;
                p.console = QEMU_CONSOLE_NONE;
                assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
                assert_argv(argv, want_sev);
                assert_int_equal(qemu_min_version(&p), 212);
        }
}

static void plain_tcg(void **state) {
        static const char *const want[] = {
                "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "max",
                "-smp", "1", "-m", "256M", "-no-reboot", "-nodefaults", "-display", "none",
                "-kernel", "/k", "-initrd", "/i", "-append", "console=ttyS0",
                "-serial", "mon:stdio", NULL
        };
        _cleanup_(qemu_argv_freep) char **argv = NULL;
        struct qemu_params p;

        (void) state;
        qemu_params_init(&p);
        p.mode = QEMU_MODE_PLAIN;
        p.accel = QEMU_ACCEL_TCG;
        p.memory_mib = 256;
        p.kernel = "/k";
        p.initrd = "/i";
        p.append = "console=ttyS0";
        p.network = false;
        assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
        assert_argv(argv, want);
        assert_int_equal(qemu_min_version(&p), 0);
        p.accel = QEMU_ACCEL_KVM;
        qemu_argv_free(TAKE(argv));
        assert_int_equal(qemu_build_argv(&p, &argv, NULL), 0);
        assert_string_equal(arg_after(argv, "-cpu", NULL), "host");
}

/* Each refusal names the field; nothing is returned. */
static void refusals(void **state) {
        _cleanup_(freep) char *idb = make_id_block(0x30000, 1, 0xab);
        _cleanup_(freep) char *idb_v2 = make_id_block(0x30000, 2, 0xab);
        _cleanup_(freep) char *idb_debug = make_id_block(0xb0000, 1, 0xab);
        _cleanup_(freep) char *ida = make_id_auth(4096, false);
        _cleanup_(freep) char *ida_short = make_id_auth(64, false);
        _cleanup_(freep) char *b95 = make_blob(95, 1), *b97 = make_blob(97, 1);
        _cleanup_(freep) char *b4097 = make_blob(4097, 1);
        _cleanup_(freep) char *b31 = make_blob(31, 1), *b33 = make_blob(33, 1);
        uint8_t digest[48], other[48];
        struct qemu_forward bad_fwd = { .host_addr = "localhost", .host_port = 1,
                                        .guest_port = 1 };
        struct qemu_params p;
        int n = 0;

        (void) state;
        memset(digest, 0xab, sizeof(digest));
        memset(other, 0xac, sizeof(other));
#define REFUSE(setup, text) do {                                                        \
                _cleanup_(qemu_argv_freep) char **argv = NULL;                          \
                _cleanup_(freep) char *why = NULL;                                      \
                base_snp(&p);                                                           \
                setup;                                                                  \
                assert_int_equal(qemu_build_argv(&p, &argv, &why), -EINVAL);            \
                assert_null(argv);                                                      \
                assert_non_null(why);                                                   \
                if (!strstr(why, text))                                                 \
                        fail_msg("case %d: '%s' lacks '%s'", n, why, text);             \
                n++;                                                                    \
        } while (0)

        REFUSE((p.id_block = b95, p.id_auth = ida), "id-block: decodes to 95 bytes, must be 96");
        REFUSE((p.id_block = b97, p.id_auth = ida), "id-block: decodes to 97 bytes, must be 96");
        REFUSE((p.id_block = "AAAA\n", p.id_auth = ida), "id-block: not canonical");
        REFUSE((p.id_block = idb, p.id_auth = b4097), "id-auth: decodes to 4097 bytes");
        REFUSE((p.id_block = idb, p.id_auth = "", p.author_key = QEMU_AUTHOR_KEY_AUTO),
               "id-auth: decodes to 0 bytes");
        REFUSE((p.host_data = b31), "host-data: decodes to 31 bytes, must be 32");
        REFUSE((p.host_data = b33), "host-data: decodes to 33 bytes, must be 32");
        REFUSE((p.host_data = "Zm9v_-=="), "host-data: not canonical");
        REFUSE((p.id_block = idb), "id-block: given without its ID auth info");
        REFUSE((p.id_auth = ida), "id-auth: given without an ID block");
        REFUSE((p.id_block = idb_v2, p.id_auth = ida), "id-block: version 2");
        REFUSE((p.id_block = idb_debug, p.id_auth = ida),
               "id-block: policy 0xb0000 differs from the launch policy 0x30000");
        REFUSE((p.id_block = idb, p.id_auth = ida, p.has_policy = true, p.policy = 0xb0000),
               "id-block: policy 0x30000 differs from the launch policy 0xb0000");
        REFUSE((p.id_block = idb, p.id_auth = ida, p.expected_digest = other),
               "id-block: launch digest differs");
        REFUSE((p.id_block = idb, p.id_auth = ida, p.author_key = QEMU_AUTHOR_KEY_ON),
               "author-key-enabled: the ID auth info carries no author key");
        REFUSE((p.id_block = idb, p.id_auth = ida_short, p.author_key = QEMU_AUTHOR_KEY_ON),
               "carries no author key");
        REFUSE((p.accel = QEMU_ACCEL_TCG), "accel tcg: SEV, SEV-ES and SEV-SNP guests need kvm");
        REFUSE((p.ovmf = NULL), "ovmf: an OVMF image is required for snp guests");
        REFUSE((p.cbitpos = 0), "cbitpos: 0 is out of range 1..63");
        REFUSE((p.cbitpos = 64), "cbitpos: 64 is out of range");
        REFUSE((p.reduced_phys_bits = 0), "reduced-phys-bits: 0 is out of range");
        REFUSE((p.has_policy = true, p.policy = 0x10000), "policy: 0x10000 lacks bit 17");
        REFUSE((p.has_policy = true, p.policy = 0x4030000), "reserved bits 63:26");
        REFUSE((p.mode = QEMU_MODE_SEV_ES, p.has_policy = true, p.policy = 0x1),
               "lacks the ES bit");
        REFUSE((p.mode = QEMU_MODE_SEV, p.has_policy = true, p.policy = 0x5),
               "sets the ES bit");
        REFUSE((p.mode = QEMU_MODE_SEV, p.has_policy = true, p.policy = 0x100000001),
               "does not fit the 32-bit SEV policy");
        REFUSE((p.mode = QEMU_MODE_SEV_ES, p.host_data = b31), "host-data: only for SEV-SNP");
        REFUSE((p.mode = QEMU_MODE_PLAIN, p.id_block = idb), "id-block: only for SEV-SNP");
        REFUSE((p.mode = QEMU_MODE_PLAIN, p.has_policy = true), "no guest policy in plain");
        REFUSE((p.initrd = "/i"), "initrd: needs a kernel");
        REFUSE((p.append = "x"), "append: needs a kernel");
        REFUSE((p.kernel_hashes = true), "kernel-hashes: needs a kernel");
        REFUSE((p.mode = QEMU_MODE_PLAIN, p.kernel = "/k", p.kernel_hashes = true),
               "no measurement in plain mode");
        REFUSE((p.vcpus = 0), "vcpus: 0 is out of range");
        REFUSE((p.vcpus = SNP_MAX_VCPUS + 1), "vcpus: 4097 is out of range");
        REFUSE((p.memory_mib = 0), "memory: 0 MiB");
        REFUSE((p.forwards = &bad_fwd, p.n_forwards = 1), "not an IPv4 address");
        REFUSE((p.forwards = &bad_fwd, p.n_forwards = 1, p.network = false),
               "forwards: given with networking off");
        REFUSE((p.console = QEMU_CONSOLE_FILE), "console: no file");
        REFUSE((p.cpu_model = ""), "cpu: empty model name");
#undef REFUSE
        /* The matching digest is accepted. */
        base_snp(&p);
        p.id_block = idb;
        p.id_auth = ida;
        p.expected_digest = digest;
        assert_int_equal(qemu_check(&p, NULL), 0);
}

/* The shell line reads back into the same words (checked with /bin/sh itself). */
static void shell_quoting(void **state) {
        char *argv[] = {
                (char *) "qemu-system-x86_64", (char *) "-append",
                (char *) "console=ttyS0 root='/dev/sda' $HOME `x` \"q\" \\ !",
                (char *) "", (char *) "a,b=c:d/e.f@g%h+i-j_k", (char *) "tab\there", NULL
        };
        _cleanup_(freep) char *line = qemu_argv_to_shell(argv);
        _cleanup_(freep) char *cmd = NULL;
        char buf[1024];
        size_t n = 0;
        FILE *f;

        (void) state;
        assert_non_null(line);
        assert_non_null(strstr(line, "qemu-system-x86_64 -append '"));
        assert_non_null(strstr(line, " a,b=c:d/e.f@g%h+i-j_k "));
        assert_non_null(strstr(line, " '' "));
        assert_true(asprintf(&cmd, "printf '%%s\\n' %s", line) > 0);
        f = popen(cmd, "r");
        assert_non_null(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        assert_int_equal(WEXITSTATUS(pclose(f)), 0);
        buf[n] = '\0';
        assert_string_equal(buf, "qemu-system-x86_64\n-append\n"
                            "console=ttyS0 root='/dev/sda' $HOME `x` \"q\" \\ !\n\n"
                            "a,b=c:d/e.f@g%h+i-j_k\ntab\there\n");
}

static void names(void **state) {
        enum qemu_mode m;
        enum qemu_accel a;

        (void) state;
        assert_int_equal(qemu_mode_from_string("sev-es", &m), 0);
        assert_int_equal(m, QEMU_MODE_SEV_ES);
        assert_int_equal(qemu_mode_from_string("plain", &m), 0);
        assert_int_equal(m, QEMU_MODE_PLAIN);
        assert_int_equal(qemu_mode_from_string("SNP", &m), -EINVAL);
        assert_int_equal(qemu_mode_from_string("seves", &m), -EINVAL);
        assert_int_equal(qemu_accel_from_string("tcg", &a), 0);
        assert_int_equal(a, QEMU_ACCEL_TCG);
        assert_int_equal(qemu_accel_from_string("hvf", &a), -EINVAL);
        assert_string_equal(qemu_mode_to_string(QEMU_MODE_SNP), "snp");
        assert_string_equal(qemu_accel_to_string(QEMU_ACCEL_KVM), "kvm");
}

/* qemu_forward_from_string(): [ADDR:]HOST:GUEST[/tcp|/udp]. */
static void forwards(void **state) {
        struct qemu_forward f;
        char *addr = NULL;

        (void) state;
        assert_int_equal(qemu_forward_from_string("2222:22", &f, &addr), 0);
        assert_int_equal(f.host_port, 2222);
        assert_int_equal(f.guest_port, 22);
        assert_false(f.udp);
        assert_null(f.host_addr);
        assert_null(addr);
        assert_int_equal(qemu_forward_from_string("0.0.0.0:5353:53/udp", &f, &addr), 0);
        assert_true(f.udp);
        assert_string_equal(f.host_addr, "0.0.0.0");
        assert_ptr_equal(f.host_addr, addr);
        free(addr);
        addr = NULL;
        assert_int_equal(qemu_forward_from_string("80:8080/tcp", &f, &addr), 0);
        assert_int_equal(qemu_forward_from_string("80", &f, &addr), -EINVAL);
        assert_int_equal(qemu_forward_from_string("0:22", &f, &addr), -EINVAL);
        assert_int_equal(qemu_forward_from_string("22:65536", &f, &addr), -EINVAL);
        assert_int_equal(qemu_forward_from_string("22:22/sctp", &f, &addr), -EINVAL);
        assert_null(addr);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(snp_minimal),
                cmocka_unit_test(snp_full),
                cmocka_unit_test(snp_object_properties),
                cmocka_unit_test(author_key_auto),
                cmocka_unit_test(sev_es_and_sev),
                cmocka_unit_test(plain_tcg),
                cmocka_unit_test(refusals),
                cmocka_unit_test(shell_quoting),
                cmocka_unit_test(names),
                cmocka_unit_test(forwards),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
