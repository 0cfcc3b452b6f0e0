/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU command line builder. Property names and rules are upstream QEMU's (qapi/qom.json
 * SevSnpGuestProperties and SevCommonProperties, target/i386/sev.c; snp-facts B.1). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "parse.h"
#include "qemu.h"

/* SEV API (AMD 55766) guest policy: bit 2 ES; the policy is 32 bits wide. */
#define SEV_POLICY_ES (UINT64_C(1) << 2)

struct argv_builder {
        char **v;
        size_t n;
        size_t cap;
        int err;
};

static void builder_free(struct argv_builder *b) {
        for (size_t i = 0; i < b->n; i++)
                free(b->v[i]);
        free(b->v);
        b->v = NULL;
        b->n = b->cap = 0;
}

/* Takes ownership of s (which may be NULL after a failed allocation). */
static void builder_take(struct argv_builder *b, char *s) {
        if (b->err || !s) {
                free(s);
                b->err = -ENOMEM;
                return;
        }
        if (b->n + 2 > b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 32;
                char **v = realloc(b->v, cap * sizeof(char *));

                if (!v) {
                        free(s);
                        b->err = -ENOMEM;
                        return;
                }
                b->v = v;
                b->cap = cap;
        }
        b->v[b->n++] = s;
        b->v[b->n] = NULL;
}

static void builder_add(struct argv_builder *b, const char *s) {
        builder_take(b, strdup(s));
}

__attribute__((format(printf, 2, 3)))
static void builder_addf(struct argv_builder *b, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        builder_take(b, s);
}

/* A value inside a QEMU option list (key=value,...): a comma is written twice. */
static void put_escaped(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == ',')
                        fputc(',', f);
                fputc(*s, f);
        }
}

__attribute__((format(printf, 2, 3)))
static int why(char **ret_why, const char *fmt, ...) {
        va_list ap;

        if (ret_why) {
                va_start(ap, fmt);
                if (vasprintf(ret_why, fmt, ap) < 0)
                        *ret_why = NULL;
                va_end(ap);
        }
        return -EINVAL;
}

static uint64_t effective_policy(const struct qemu_params *p) {
        if (p->has_policy)
                return p->policy;
        switch (p->mode) {
        case QEMU_MODE_SNP:
                return SNP_POLICY_DEFAULT;
        case QEMU_MODE_SEV_ES:
                return QEMU_SEV_ES_POLICY_DEFAULT;
        case QEMU_MODE_SEV:
                return QEMU_SEV_POLICY_DEFAULT;
        case QEMU_MODE_PLAIN:
                break;
        }
        return 0;
}

static const char *effective_cpu(const struct qemu_params *p) {
        if (p->cpu_model)
                return p->cpu_model;
        if (p->mode != QEMU_MODE_PLAIN)
                return QEMU_DEFAULT_CPU_MODEL;
        return p->accel == QEMU_ACCEL_TCG ? "max" : "host";
}

/* Decodes a blob property; its size must lie in [min, max]. */
static int decode_blob(const char *name, const char *text, size_t min, size_t max,
                       uint8_t **ret, size_t *ret_size, char **ret_why) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t size = 0;
        int r;

        r = base64_decode(text, strlen(text), &data, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return why(ret_why, "%s: not canonical standard base64 (RFC 4648, '=' padded, "
                           "one line)", name);
        if (size < min || size > max) {
                if (min == max)
                        return why(ret_why, "%s: decodes to %zu bytes, must be %zu", name, size,
                                   min);
                return why(ret_why, "%s: decodes to %zu bytes, must be %zu to %zu", name, size,
                           min, max);
        }
        *ret = TAKE(data);
        *ret_size = size;
        return 0;
}

/* Whether the author key is turned on, after the blobs were checked. */
static bool author_key_on(const struct qemu_params *p, const uint8_t *auth, size_t size) {
        if (!auth || p->author_key == QEMU_AUTHOR_KEY_OFF)
                return false;
        if (p->author_key == QEMU_AUTHOR_KEY_ON)
                return true;
        return snp_id_auth_has_author_key(auth, size);
}

static int check_snp_blobs(const struct qemu_params *p, bool *ret_author_key, char **ret_why) {
        _cleanup_(freep) uint8_t *block = NULL, *auth = NULL, *host = NULL;
        size_t block_size = 0, auth_size = 0, host_size = 0;
        struct snp_id_block_fields idb;
        uint64_t policy = effective_policy(p);
        int r;

        if (p->id_auth && !p->id_block)
                return why(ret_why, "id-auth: given without an ID block");
        if (p->id_block && !p->id_auth)
                return why(ret_why, "id-block: given without its ID auth info (id-auth), which "
                           "carries the ID key that signs it");
        if (p->id_block) {
                r = decode_blob("id-block", p->id_block, SNP_ID_BLOCK_SIZE, SNP_ID_BLOCK_SIZE,
                                &block, &block_size, ret_why);
                if (r < 0)
                        return r;
                if (snp_id_block_parse(block, block_size, &idb) < 0)
                        return why(ret_why, "id-block: version %u, the firmware takes 1",
                                   idb.version);
                /* SNP_LAUNCH_FINISH fails when the ID block's policy is not the launch policy. */
                if (idb.policy != policy)
                        return why(ret_why, "id-block: policy 0x%llx differs from the launch "
                                   "policy 0x%llx", (unsigned long long) idb.policy,
                                   (unsigned long long) policy);
                /* ... and with BAD_MEASUREMENT (0x0B) when its LD is not the launch digest. */
                if (p->expected_digest &&
                    memcmp(idb.ld, p->expected_digest, SNP_LD_SIZE) != 0)
                        return why(ret_why, "id-block: launch digest differs from the expected "
                                   "launch digest of this guest");
                r = decode_blob("id-auth", p->id_auth, 1, SNP_ID_AUTH_SIZE, &auth,
                                &auth_size, ret_why);
                if (r < 0)
                        return r;
                if (p->author_key == QEMU_AUTHOR_KEY_ON &&
                    !snp_id_auth_has_author_key(auth, auth_size))
                        return why(ret_why, "author-key-enabled: the ID auth info carries no "
                                   "author key");
        }
        if (p->host_data) {
                r = decode_blob("host-data", p->host_data, SNP_HOST_DATA_SIZE,
                                SNP_HOST_DATA_SIZE, &host, &host_size, ret_why);
                if (r < 0)
                        return r;
        }
        if (ret_author_key)
                *ret_author_key = author_key_on(p, auth, auth_size);
        return 0;
}

static int check_encryption(const struct qemu_params *p, char **ret_why) {
        uint64_t policy = effective_policy(p);

        if (p->accel != QEMU_ACCEL_KVM)
                return why(ret_why, "accel %s: SEV, SEV-ES and SEV-SNP guests need kvm",
                           qemu_accel_to_string(p->accel));
        if (!p->ovmf || !*p->ovmf)
                return why(ret_why, "ovmf: an OVMF image is required for %s guests",
                           qemu_mode_to_string(p->mode));
        /* QEMU compares cbitpos with the host's CPUID 0x8000001F EBX[5:0]; 0 never matches. */
        if (p->cbitpos < 1 || p->cbitpos > 63)
                return why(ret_why, "cbitpos: %u is out of range 1..63", p->cbitpos);
        if (p->reduced_phys_bits < 1 || p->reduced_phys_bits > 63)
                return why(ret_why, "reduced-phys-bits: %u is out of range 1..63",
                           p->reduced_phys_bits);
        if (p->mode == QEMU_MODE_SNP) {
                unsigned bad = snp_policy_check(policy);

                if (bad & SNP_POLICY_LACKS_MBO)
                        return why(ret_why, "policy: 0x%llx lacks bit 17, which SNP requires "
                                   "set (0x%llx)", (unsigned long long) policy,
                                   (unsigned long long) (policy | SNP_POLICY_MBO));
                if (bad & SNP_POLICY_SETS_MBZ)
                        return why(ret_why, "policy: 0x%llx sets reserved bits 63:26",
                                   (unsigned long long) policy);
                return 0;
        }
        if (policy > UINT32_MAX)
                return why(ret_why, "policy: 0x%llx does not fit the 32-bit SEV policy",
                           (unsigned long long) policy);
        if (p->mode == QEMU_MODE_SEV_ES && !(policy & SEV_POLICY_ES))
                return why(ret_why, "policy: 0x%llx lacks the ES bit (0x4) an SEV-ES guest needs",
                           (unsigned long long) policy);
        if (p->mode == QEMU_MODE_SEV && (policy & SEV_POLICY_ES))
                return why(ret_why, "policy: 0x%llx sets the ES bit (0x4); use --mode sev-es",
                           (unsigned long long) policy);
        return 0;
}

static int check_all(const struct qemu_params *p, bool *ret_author_key, char **ret_why) {
        if (ret_author_key)
                *ret_author_key = false;
        if ((unsigned) p->mode > QEMU_MODE_PLAIN)
                return why(ret_why, "mode: unknown value %d", (int) p->mode);
        if ((unsigned) p->accel > QEMU_ACCEL_TCG)
                return why(ret_why, "accel: unknown value %d", (int) p->accel);
        if (p->qemu && !*p->qemu)
                return why(ret_why, "qemu: empty binary name");
        if (p->vcpus < 1 || p->vcpus > SNP_MAX_VCPUS)
                return why(ret_why, "vcpus: %u is out of range 1..%u", p->vcpus, SNP_MAX_VCPUS);
        if (p->memory_mib < 1 || p->memory_mib > (UINT64_C(1) << 32))
                return why(ret_why, "memory: %llu MiB is out of range",
                           (unsigned long long) p->memory_mib);
        if (p->cpu_model && !*p->cpu_model)
                return why(ret_why, "cpu: empty model name");
        if (p->ovmf && !*p->ovmf)
                return why(ret_why, "ovmf: empty path");
        if (p->kernel && !*p->kernel)
                return why(ret_why, "kernel: empty path");
        if (!p->kernel && (p->initrd || p->append))
                return why(ret_why, "%s: needs a kernel", p->initrd ? "initrd" : "append");
        if (p->initrd && !*p->initrd)
                return why(ret_why, "initrd: empty path");
        if (p->kernel_hashes && !p->kernel)
                return why(ret_why, "kernel-hashes: needs a kernel");
        if (p->kernel_hashes && p->mode == QEMU_MODE_PLAIN)
                return why(ret_why, "kernel-hashes: there is no measurement in plain mode");
        for (size_t i = 0; i < p->n_disks; i++) {
                const struct qemu_disk *d = &p->disks[i];

                if (!d->file || !*d->file)
                        return why(ret_why, "disks[%zu]: no file", i);
                if ((unsigned) d->format > QEMU_DISK_FORMAT_QCOW2 ||
                    (unsigned) d->bus > QEMU_DISK_BUS_BLK)
                        return why(ret_why, "disks[%zu]: unknown format or bus", i);
        }
        if (p->cdrom && !*p->cdrom)
                return why(ret_why, "cdrom: empty path");
        if (p->n_forwards && !p->network)
                return why(ret_why, "forwards: given with networking off");
        for (size_t i = 0; i < p->n_forwards; i++) {
                const struct qemu_forward *f = &p->forwards[i];
                struct in_addr a;

                if (f->host_addr && inet_pton(AF_INET, f->host_addr, &a) != 1)
                        return why(ret_why, "forwards[%zu]: host address '%s' is not an IPv4 "
                                   "address", i, f->host_addr);
                if (f->host_port == 0 || f->guest_port == 0)
                        return why(ret_why, "forwards[%zu]: port 0", i);
        }
        if ((unsigned) p->console > QEMU_CONSOLE_NONE)
                return why(ret_why, "console: unknown value %d", (int) p->console);
        if (p->console == QEMU_CONSOLE_FILE && (!p->console_file || !*p->console_file))
                return why(ret_why, "console: no file for the serial output");
        if (p->monitor && !*p->monitor)
                return why(ret_why, "monitor: empty socket path");
        if (p->author_key < QEMU_AUTHOR_KEY_AUTO || p->author_key > QEMU_AUTHOR_KEY_ON)
                return why(ret_why, "author-key-enabled: unknown value %d", p->author_key);

        if (p->mode == QEMU_MODE_PLAIN) {
                if (p->has_policy)
                        return why(ret_why, "policy: there is no guest policy in plain mode");
                if (p->id_block || p->id_auth || p->host_data)
                        return why(ret_why, "%s: only for SEV-SNP guests",
                                   p->id_block ? "id-block" : p->id_auth ? "id-auth" :
                                   "host-data");
                return 0;
        }
        int r = check_encryption(p, ret_why);
        if (r < 0)
                return r;
        if (p->mode != QEMU_MODE_SNP) {
                if (p->id_block || p->id_auth || p->host_data)
                        return why(ret_why, "%s: only for SEV-SNP guests",
                                   p->id_block ? "id-block" : p->id_auth ? "id-auth" :
                                   "host-data");
                return 0;
        }
        return check_snp_blobs(p, ret_author_key, ret_why);
}

void qemu_params_init(struct qemu_params *p) {
        *p = (struct qemu_params) {
                .mode = QEMU_MODE_SNP,
                .accel = QEMU_ACCEL_KVM,
                .vcpus = 1,
                .memory_mib = 2048,
                .network = true,
                .reduced_phys_bits = 1,
                .author_key = QEMU_AUTHOR_KEY_AUTO,
                .console = QEMU_CONSOLE_STDIO,
        };
}

int qemu_check(const struct qemu_params *p, char **ret_why) {
        if (ret_why)
                *ret_why = NULL;
        return check_all(p, NULL, ret_why);
}

/* The sev-snp-guest or sev-guest object (QAPI SevSnpGuestProperties / SevGuestProperties). */
static char *encryption_object(const struct qemu_params *p, bool author_key) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);

        if (!f)
                return NULL;
        fprintf(f, "%s,id=sev0,policy=0x%llx,cbitpos=%u,reduced-phys-bits=%u",
                p->mode == QEMU_MODE_SNP ? "sev-snp-guest" : "sev-guest",
                (unsigned long long) effective_policy(p), p->cbitpos, p->reduced_phys_bits);
        if (p->kernel_hashes)
                fputs(",kernel-hashes=on", f);
        if (p->id_block)
                fprintf(f, ",id-block=%s,id-auth=%s", p->id_block, p->id_auth);
        if (author_key)
                fputs(",author-key-enabled=on", f);
        if (p->host_data)
                fprintf(f, ",host-data=%s", p->host_data);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static const char *disk_format(const struct qemu_disk *d) {
        size_t len = strlen(d->file);

        switch (d->format) {
        case QEMU_DISK_FORMAT_RAW:
                return "raw";
        case QEMU_DISK_FORMAT_QCOW2:
                return "qcow2";
        case QEMU_DISK_FORMAT_AUTO:
                break;
        }
        return len >= 6 && strcmp(d->file + len - 6, ".qcow2") == 0 ? "qcow2" : "raw";
}

/* -drive for a backend with no frontend of its own (if=none), the path's commas doubled. */
static char *drive_spec(const char *file, const char *id, const char *format, bool readonly,
                        bool cdrom) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);

        if (!f)
                return NULL;
        fputs("file=", f);
        put_escaped(f, file);
        fprintf(f, ",if=none,id=%s,format=%s%s%s", id, format, cdrom ? ",media=cdrom" : "",
                readonly || cdrom ? ",readonly=on" : "");
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static void add_storage(struct argv_builder *b, const struct qemu_params *p) {
        bool scsi = p->cdrom != NULL;
        unsigned boot = 1;

        for (size_t i = 0; i < p->n_disks; i++)
                if (p->disks[i].bus == QEMU_DISK_BUS_SCSI)
                        scsi = true;
        /* An SNP guest refuses virtio devices without VIRTIO_F_VERSION_1 and
         * VIRTIO_F_ACCESS_PLATFORM (snp-facts B.2.6). */
        if (scsi) {
                builder_add(b, "-device");
                builder_add(b, "virtio-scsi-pci,id=scsi0,disable-legacy=on,iommu_platform=true");
        }
        for (size_t i = 0; i < p->n_disks; i++) {
                const struct qemu_disk *d = &p->disks[i];
                char id[32];

                snprintf(id, sizeof(id), "disk%zu", i);
                builder_add(b, "-drive");
                builder_take(b, drive_spec(d->file, id, disk_format(d), d->readonly, false));
                builder_add(b, "-device");
                if (d->bus == QEMU_DISK_BUS_SCSI)
                        builder_addf(b, "scsi-hd,drive=%s,bus=scsi0.0,bootindex=%u", id, boot++);
                else
                        builder_addf(b, "virtio-blk-pci,drive=%s,disable-legacy=on,"
                                     "iommu_platform=true,bootindex=%u", id, boot++);
        }
        if (p->cdrom) {
                builder_add(b, "-drive");
                builder_take(b, drive_spec(p->cdrom, "cd0", "raw", true, true));
                builder_add(b, "-device");
                builder_addf(b, "scsi-cd,drive=cd0,bus=scsi0.0,bootindex=%u", boot);
        }
}

static void add_network(struct argv_builder *b, const struct qemu_params *p) {
        char *s = NULL;
        size_t n = 0;
        FILE *f;

        if (!p->network)
                return;
        f = open_memstream(&s, &n);
        if (!f) {
                b->err = -ENOMEM;
                return;
        }
        fputs("user,id=net0", f);
        for (size_t i = 0; i < p->n_forwards; i++) {
                const struct qemu_forward *fw = &p->forwards[i];

                fprintf(f, ",hostfwd=%s:%s:%u-:%u", fw->udp ? "udp" : "tcp",
                        fw->host_addr ? fw->host_addr : "127.0.0.1", fw->host_port,
                        fw->guest_port);
        }
        if (fclose(f) != 0) {
                free(s);
                s = NULL;
        }
        builder_add(b, "-netdev");
        builder_take(b, s);
        builder_add(b, "-device");
        builder_add(b, "virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,"
                    "romfile=");
}

static void add_console(struct argv_builder *b, const struct qemu_params *p) {
        switch (p->console) {
        case QEMU_CONSOLE_STDIO:
                builder_add(b, "-serial");
                builder_add(b, "mon:stdio");
                break;
        case QEMU_CONSOLE_PTY:
                builder_add(b, "-serial");
                builder_add(b, "pty");
                break;
        case QEMU_CONSOLE_FILE:
                builder_add(b, "-serial");
                builder_addf(b, "file:%s", p->console_file);
                break;
        case QEMU_CONSOLE_NONE:
                break;
        }
        if (p->monitor) {
                char *s = NULL;
                size_t n = 0;
                FILE *f = open_memstream(&s, &n);

                if (!f) {
                        b->err = -ENOMEM;
                        return;
                }
                fputs("unix:", f);
                put_escaped(f, p->monitor);
                fputs(",server=on,wait=off", f);
                if (fclose(f) != 0) {
                        free(s);
                        s = NULL;
                }
                builder_add(b, "-monitor");
                builder_take(b, s);
        }
}

int qemu_build_argv(const struct qemu_params *p, char ***ret_argv, char **ret_why) {
        struct argv_builder b = { 0 };
        bool author_key = false;
        int r;

        if (ret_why)
                *ret_why = NULL;
        r = check_all(p, &author_key, ret_why);
        if (r < 0)
                return r;

        builder_add(&b, p->qemu ? p->qemu : QEMU_DEFAULT_BINARY);
        builder_add(&b, "-machine");
        builder_add(&b, p->mode == QEMU_MODE_PLAIN ? "q35" :
                    "q35,confidential-guest-support=sev0");
        builder_add(&b, "-accel");
        builder_add(&b, qemu_accel_to_string(p->accel));
        builder_add(&b, "-cpu");
        builder_add(&b, effective_cpu(p));
        builder_add(&b, "-smp");
        builder_addf(&b, "%u", p->vcpus);
        builder_add(&b, "-m");
        builder_addf(&b, "%lluM", (unsigned long long) p->memory_mib);
        /* A reset would restart an encrypted guest without a new launch: stop instead. */
        builder_add(&b, "-no-reboot");
        /* Only the devices listed here: no default NIC, VGA or IDE CD-ROM. */
        builder_add(&b, "-nodefaults");
        builder_add(&b, "-display");
        builder_add(&b, "none");
        if (p->mode != QEMU_MODE_PLAIN) {
                builder_add(&b, "-object");
                builder_take(&b, encryption_object(p, author_key));
        }
        /* SNP runs OVMF from -bios; pflash needs read-only memslots that confidential VMs lack
         * (snp-facts B.1.3). */
        if (p->ovmf) {
                builder_add(&b, "-bios");
                builder_add(&b, p->ovmf);
        }
        if (p->kernel) {
                builder_add(&b, "-kernel");
                builder_add(&b, p->kernel);
        }
        if (p->initrd) {
                builder_add(&b, "-initrd");
                builder_add(&b, p->initrd);
        }
        if (p->append) {
                builder_add(&b, "-append");
                builder_add(&b, p->append);
        }
        add_storage(&b, p);
        add_network(&b, p);
        add_console(&b, p);
        for (size_t i = 0; i < p->n_extra; i++)
                builder_add(&b, p->extra[i]);

        if (b.err < 0) {
                builder_free(&b);
                return -ENOMEM;
        }
        *ret_argv = b.v;
        return 0;
}

void qemu_argv_free(char **argv) {
        if (!argv)
                return;
        for (char **a = argv; *a; a++)
                free(*a);
        free(argv);
}

static bool shell_safe(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "_@%+=:,./-", *s))
                        return false;
        return true;
}

char *qemu_argv_to_shell(char *const *argv) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);

        if (!f)
                return NULL;
        for (size_t i = 0; argv[i]; i++) {
                if (i)
                        fputc(' ', f);
                if (shell_safe(argv[i])) {
                        fputs(argv[i], f);
                        continue;
                }
                fputc('\'', f);
                for (const char *c = argv[i]; *c; c++) {
                        if (*c == '\'')
                                fputs("'\\''", f);
                        else
                                fputc(*c, f);
                }
                fputc('\'', f);
        }
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static const char *const mode_names[] = {
        [QEMU_MODE_SNP] = "snp",
        [QEMU_MODE_SEV_ES] = "sev-es",
        [QEMU_MODE_SEV] = "sev",
        [QEMU_MODE_PLAIN] = "plain",
};

static const char *const accel_names[] = {
        [QEMU_ACCEL_KVM] = "kvm",
        [QEMU_ACCEL_TCG] = "tcg",
};

const char *qemu_mode_to_string(enum qemu_mode m) {
        return (unsigned) m < ELEMENTSOF(mode_names) ? mode_names[m] : "unknown";
}

int qemu_mode_from_string(const char *s, enum qemu_mode *ret) {
        for (size_t i = 0; i < ELEMENTSOF(mode_names); i++)
                if (strcmp(s, mode_names[i]) == 0) {
                        *ret = (enum qemu_mode) i;
                        return 0;
                }
        return -EINVAL;
}

const char *qemu_accel_to_string(enum qemu_accel a) {
        return (unsigned) a < ELEMENTSOF(accel_names) ? accel_names[a] : "unknown";
}

int qemu_accel_from_string(const char *s, enum qemu_accel *ret) {
        for (size_t i = 0; i < ELEMENTSOF(accel_names); i++)
                if (strcmp(s, accel_names[i]) == 0) {
                        *ret = (enum qemu_accel) i;
                        return 0;
                }
        return -EINVAL;
}

unsigned qemu_min_version(const struct qemu_params *p) {
        switch (p->mode) {
        case QEMU_MODE_SNP:
                return 901;     /* sev-snp-guest, QAPI "Since: 9.1" */
        case QEMU_MODE_SEV_ES:
        case QEMU_MODE_SEV:
                return p->kernel_hashes ? 602 : 212;    /* kernel-hashes since 6.2 */
        case QEMU_MODE_PLAIN:
                break;
        }
        return 0;
}

int qemu_forward_from_string(const char *s, struct qemu_forward *ret, char **ret_addr) {
        _cleanup_(freep) char *copy = strdup(s);
        char *proto, *last, *host, *addr = NULL;
        unsigned hp, gp;

        if (!copy)
                return -ENOMEM;
        *ret = (struct qemu_forward) { 0 };
        proto = strchr(copy, '/');
        if (proto) {
                *proto++ = '\0';
                if (strcmp(proto, "udp") == 0)
                        ret->udp = true;
                else if (strcmp(proto, "tcp") != 0)
                        return -EINVAL;
        }
        last = strrchr(copy, ':');
        if (!last)
                return -EINVAL;
        *last++ = '\0';
        host = strrchr(copy, ':');
        if (host) {
                *host++ = '\0';
                addr = copy;
        } else
                host = copy;
        if (parse_uint(host, 1, 65535, &hp) < 0 || parse_uint(last, 1, 65535, &gp) < 0)
                return -EINVAL;
        ret->host_port = (uint16_t) hp;
        ret->guest_port = (uint16_t) gp;
        if (addr) {
                *ret_addr = strdup(addr);
                if (!*ret_addr)
                        return -ENOMEM;
                ret->host_addr = *ret_addr;
        }
        return 0;
}
