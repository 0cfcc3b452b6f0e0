/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU command line of a guest, in upstream QEMU (9.1+) syntax: `-machine
 * q35,confidential-guest-support=sev0` with a sev-snp-guest (or sev-guest) object, OVMF through
 * -bios, measured direct boot with kernel-hashes=on, and every virtio device with
 * disable-legacy=on,iommu_platform=true (snp-facts B.1). Driven by a plain struct, so the config,
 * the launch-qemu.sh flags and the tests all go through the same checks and the same builder.
 * Nothing here looks at the host: cbitpos comes in as a number (see hostinfo.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp-abi.h"

#define QEMU_DIGEST_SIZE SNP_LD_SIZE    /* the ID block LD a launch must match */
#define QEMU_SEV_ES_POLICY_DEFAULT UINT64_C(0x5)        /* NODBG + ES */
#define QEMU_SEV_POLICY_DEFAULT UINT64_C(0x1)           /* NODBG */
#define QEMU_DEFAULT_BINARY "qemu-system-x86_64"
#define QEMU_DEFAULT_CPU_MODEL "EPYC-v4"

enum qemu_mode {
        QEMU_MODE_SNP = 0,              /* "snp": sev-snp-guest */
        QEMU_MODE_SEV_ES,               /* "sev-es": sev-guest with the ES policy bit */
        QEMU_MODE_SEV,                  /* "sev": sev-guest */
        QEMU_MODE_PLAIN,                /* "plain": no memory encryption */
};

enum qemu_accel {
        QEMU_ACCEL_KVM = 0,
        QEMU_ACCEL_TCG,
};

enum qemu_disk_format {
        QEMU_DISK_FORMAT_AUTO = 0,      /* qcow2 for *.qcow2, raw otherwise */
        QEMU_DISK_FORMAT_RAW,
        QEMU_DISK_FORMAT_QCOW2,
};

enum qemu_disk_bus {
        QEMU_DISK_BUS_SCSI = 0,         /* one virtio-scsi-pci controller, a scsi-hd per disk */
        QEMU_DISK_BUS_BLK,              /* a virtio-blk-pci per disk */
};

enum qemu_console {
        QEMU_CONSOLE_STDIO = 0,         /* serial port on stdio, with the monitor (Ctrl-A c) */
        QEMU_CONSOLE_PTY,               /* serial port on a new pseudo-terminal */
        QEMU_CONSOLE_FILE,              /* serial output to console_file */
        QEMU_CONSOLE_NONE,              /* no serial port */
};

enum {
        QEMU_AUTHOR_KEY_AUTO = -1,      /* author-key-enabled=on exactly when id-auth has one */
        QEMU_AUTHOR_KEY_OFF = 0,
        QEMU_AUTHOR_KEY_ON = 1,
};

struct qemu_disk {
        const char *file;
        enum qemu_disk_format format;
        enum qemu_disk_bus bus;
        bool readonly;
};

struct qemu_forward {
        bool udp;                       /* false: tcp */
        const char *host_addr;          /* IPv4 literal; NULL: 127.0.0.1 */
        uint16_t host_port;
        uint16_t guest_port;
};

struct qemu_params {
        enum qemu_mode mode;
        enum qemu_accel accel;
        const char *qemu;               /* NULL: QEMU_DEFAULT_BINARY */
        const char *ovmf;               /* -bios; required unless plain */
        const char *kernel;             /* NULL: no direct boot */
        const char *initrd;             /* needs kernel */
        const char *append;             /* needs kernel */
        bool kernel_hashes;             /* measure kernel, initrd, cmdline (kernel; not plain) */
        unsigned vcpus;                 /* 1..SNP_MAX_VCPUS */
        const char *cpu_model;          /* NULL: EPYC-v4; plain: "max" (tcg) or "host" (kvm) */
        uint64_t memory_mib;            /* >= 1 */
        const struct qemu_disk *disks;
        size_t n_disks;
        const char *cdrom;              /* NULL: none */
        bool network;                   /* user networking with a virtio-net device */
        const struct qemu_forward *forwards;
        size_t n_forwards;
        bool has_policy;                /* false: the mode's default policy */
        uint64_t policy;
        unsigned cbitpos;               /* 1..63, the host's (CPUID 0x8000001F EBX[5:0]) */
        unsigned reduced_phys_bits;     /* 1..63; what query-sev-capabilities reports is 1 */
        const char *id_block;           /* base64 text of the 96-byte ID block, or NULL */
        const char *id_auth;            /* base64 text of the ID auth info (needs id_block) */
        int author_key;                 /* QEMU_AUTHOR_KEY_* */
        const char *host_data;          /* base64 text of 32 bytes, or NULL */
        const uint8_t *expected_digest; /* 48 bytes the ID block's LD must equal; NULL: unchecked */
        enum qemu_console console;
        const char *console_file;       /* QEMU_CONSOLE_FILE */
        const char *monitor;            /* unix socket path for the monitor, or NULL */
        char *const *extra;             /* appended as they are */
        size_t n_extra;
};

/* Sets the defaults: snp, kvm, 1 vCPU, 2048 MiB, network on, reduced-phys-bits 1, author key
 * auto, console on stdio; everything else zero/NULL. */
void qemu_params_init(struct qemu_params *p);

/* Checks p (ranges, what needs what, the blobs' base64 and sizes, the ID block's policy and
 * launch digest against the launch's). 0 when usable; -EINVAL otherwise, -ENOMEM. On error
 * *ret_why (if not NULL) receives a malloc'd description naming the field and the value. */
int qemu_check(const struct qemu_params *p, char **ret_why);

/* Builds the argv (argv[0] = the QEMU binary, NULL-terminated) after qemu_check(); free it with
 * qemu_argv_free(). Errors as qemu_check(). */
int qemu_build_argv(const struct qemu_params *p, char ***ret_argv, char **ret_why);

void qemu_argv_free(char **argv);
static inline void qemu_argv_freep(char ***p) {
        qemu_argv_free(*p);
}

/* The argv as one line a POSIX shell reads back into the same words (single quotes where
 * needed); caller frees; NULL when out of memory. */
char *qemu_argv_to_shell(char *const *argv);

/* Names: "snp", "sev-es", "sev", "plain"; "kvm", "tcg". from_string: -EINVAL when unknown. */
const char *qemu_mode_to_string(enum qemu_mode m);
int qemu_mode_from_string(const char *s, enum qemu_mode *ret);
const char *qemu_accel_to_string(enum qemu_accel a);
int qemu_accel_from_string(const char *s, enum qemu_accel *ret);

/* The lowest upstream QEMU version (major * 100 + minor) that accepts the properties p uses:
 * 901 for SNP, 602 for SEV/SEV-ES with kernel-hashes, 212 for other SEV guests, 0 for plain. */
unsigned qemu_min_version(const struct qemu_params *p);

/* A port forward "[ADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]" (ports 1-65535). ADDR, when given, is
 * copied to *ret_addr (the caller frees it) and ret->host_addr points at it. -EINVAL; -ENOMEM. */
int qemu_forward_from_string(const char *s, struct qemu_forward *ret, char **ret_addr);
