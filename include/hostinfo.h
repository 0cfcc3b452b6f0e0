/* SPDX-License-Identifier: Apache-2.0 */
/* What the host offers a confidential guest: the CPU's memory-encryption leaf (CPUID 0x8000001F),
 * kvm_amd's parameters, /dev/kvm and /dev/sev, the IOMMU mode and the QEMU version, and the
 * preflight findings built from them. Every file is read below a root folder, and the CPU facts
 * can be given instead of probed, so tests run on any machine. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu.h"

struct hostinfo_cpu {
        bool probed;                    /* false: not an x86 CPU, or CPUID not available */
        char vendor[13];                /* "AuthenticAMD" */
        bool amd;
        bool has_sev_leaf;              /* max extended leaf >= 0x8000001F */
        bool sme, sev, sev_es, sev_snp; /* EAX bits 0, 1, 3, 4 */
        unsigned cbitpos;               /* EBX[5:0] */
        unsigned phys_addr_reduction;   /* EBX[11:6] */
};

/* Decodes the leaves (APM vol. 3, CPUID Fn8000_001F). vendor is the 12 bytes of leaf 0. */
void hostinfo_decode_cpu(const char vendor[12], uint32_t max_ext_leaf, uint32_t eax,
                         uint32_t ebx, struct hostinfo_cpu *ret);

/* Runs CPUID on this CPU. -EOPNOTSUPP on a non-x86 build (ret then has probed = false). */
int hostinfo_read_cpu(struct hostinfo_cpu *ret);

/* "QEMU emulator version 9.2.0 (...)" -> 902 (major * 100 + minor). -EINVAL when not found. */
int hostinfo_parse_qemu_version(const char *text, unsigned *ret);

/* Runs `binary -version` (PATH lookup without a '/') and returns its first line of output,
 * caller frees. -ENOENT when it cannot be run, -EIO when it fails or prints nothing. */
int hostinfo_qemu_version_text(const char *binary, char **ret_text);

/* Where scripts/setup-host (and `meson install`) put the AmdSev OVMF it builds; config init
 * fills ovmf_file with it when it is there. */
#define HOSTINFO_AMDSEV_OVMF "/usr/local/share/snpctl/OVMF.amdsev.fd"

/* The installed scripts/setup-host, named as the fix in launch --check (meson sets it from
 * --prefix and --datadir). */
#ifndef SNPCTL_SETUP_HOST
#define SNPCTL_SETUP_HOST "/usr/local/share/snpctl/setup-host"
#endif

enum hostinfo_status {
        HOSTINFO_OK = 0,
        HOSTINFO_WARN,
        HOSTINFO_FAIL,
};

struct hostinfo_finding {
        const char *check;              /* short name: "cpu", "kvm_amd.sev_snp", "qemu" ... */
        enum hostinfo_status status;
        char *text;                     /* what was found */
        const char *fix;                /* what to do, or NULL */
};

struct hostinfo_findings {
        struct hostinfo_finding *items;
        size_t n;
        size_t n_fail;
        size_t n_warn;
};

void hostinfo_findings_clear(struct hostinfo_findings *f);

struct hostinfo_preflight_params {
        const char *root;               /* NULL or "": "/" */
        const struct hostinfo_cpu *cpu;
        enum qemu_mode mode;
        enum qemu_accel accel;
        const char *qemu;               /* binary name, for messages */
        const char *qemu_version_text;  /* its `-version` line; NULL: could not run it */
        unsigned min_qemu_version;      /* qemu_min_version() */
        const char *ovmf;               /* NULL: not checked */
        bool kernel_hashes;             /* a kernel is measured: OVMF needs the hashes table */
};

/* Appends one finding per check to ret: CPU vendor and SEV/SEV-ES/SNP bits, /dev/kvm, kvm_amd
 * parameters, /dev/sev, IOMMU (not off, not passthrough), QEMU present and new enough, OVMF
 * with SEV metadata (SEV-ES, SNP) and, for a measured kernel, a kernel-hashes table. 0, or
 * -ENOMEM. */
int hostinfo_preflight(const struct hostinfo_preflight_params *p, struct hostinfo_findings *ret);

const char *hostinfo_status_to_string(enum hostinfo_status s);
