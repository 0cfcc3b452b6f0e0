/* SPDX-License-Identifier: Apache-2.0 */
/* The launch-digest engine: replays what the AMD secure processor hashes when a guest is launched
 * (SNP: the PAGE_INFO chain of SNP_LAUNCH_UPDATE; SEV and SEV-ES: one SHA-256) from the files a
 * VM is started with, and reports every component so a caller can explain a mismatch.
 * Byte-compatible with virtee/sev-snp-measure. Kernel and initrd are streamed, never loaded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp-abi.h"

struct ovmf_image;

#define MEASURE_SNP_DIGEST_SIZE 48      /* SHA-384 */
#define MEASURE_SEV_DIGEST_SIZE 32      /* SHA-256 */
#define MEASURE_VMSA_SIZE 4096

enum measure_mode {
        MEASURE_MODE_SNP,               /* "snp" */
        MEASURE_MODE_SNP_OVMF_HASH,     /* "snp:ovmf-hash": the digest after the OVMF pages */
        MEASURE_MODE_SEVES,             /* "seves" */
        MEASURE_MODE_SEV,               /* "sev" */
        MEASURE_MODE_SNP_SVSM,          /* "snp:svsm": Coconut SVSM + OVMF under QEMU */
};

/* The one VMM enum: measure, config and launch all use it. */
enum measure_vmm {
        MEASURE_VMM_QEMU,               /* "QEMU" */
        MEASURE_VMM_EC2,                /* "ec2" */
        MEASURE_VMM_GCE,                /* "gce" */
};

/* Called while kernel and initrd are hashed (from a worker thread, serialized by the engine):
 * done and total bytes so far (total 0 when unknown, e.g. a pipe). */
typedef void (*measure_progress_fn)(uint64_t done, uint64_t total, void *userdata);

struct measure_params {
        enum measure_mode mode;
        const char *ovmf;               /* firmware image path (required) */
        const char *kernel;             /* NULL: no direct boot; then initrd/append must be NULL */
        const char *initrd;             /* NULL: hash of zero bytes */
        const char *append;             /* NULL or "": hash of a lone NUL byte */
        unsigned vcpus;                 /* 1..SNP_MAX_VCPUS (unused in sev, snp:ovmf-hash) */
        uint32_t vcpu_sig;              /* CPUID signature (RDX of QEMU VMSAs) */
        bool vcpu_sig_missing;          /* the caller has none: a QEMU guest with VMSAs then
                                         * fails with -ENOKEY, after the firmware checks */
        enum measure_vmm vmm;
        uint64_t guest_features;        /* SEV_FEATURES of SNP VMSAs (snp mode only) */
        bool have_ovmf_hash;            /* snp: start from ovmf_hash instead of the OVMF pages */
        uint8_t ovmf_hash[MEASURE_SNP_DIGEST_SIZE];
        const struct ovmf_image *ovmf_image;    /* snp modes: ovmf already opened with
                                                 * ovmf_open(ovmf, OVMF_FOUR_GIB), used instead
                                                 * of opening it again; borrowed; or NULL */
        bool have_file_hashes;          /* kernel and initrd already hashed (a search measures
                                         * one set of files many times): their SHA-256 below
                                         * is used, the files are not read */
        uint8_t kernel_sha256[32];
        uint8_t initrd_sha256[32];
        const char *svsm;               /* snp:svsm: the SVSM image */
        uint64_t vars_size;             /* snp:svsm: OVMF_VARS size in bytes */
        measure_progress_fn progress;   /* may be NULL */
        void *progress_userdata;
};

/* Sets defaults: snp mode, 1 vCPU, QEMU, guest features SNP_FEATURES_DEFAULT, everything else
 * zero/NULL. */
void measure_params_init(struct measure_params *p);

struct measure_result {
        enum measure_mode mode;
        uint8_t digest[MEASURE_SNP_DIGEST_SIZE];
        size_t digest_size;             /* 48 (snp*) or 32 (sev, seves) */
        /* snp, snp:svsm, snp:ovmf-hash: the SNP digest after the OVMF pages (the value
         * snp:ovmf-hash prints and --snp-ovmf-hash takes); equal to the input when given. */
        bool has_ovmf_hash;
        uint8_t ovmf_hash[MEASURE_SNP_DIGEST_SIZE];
        /* When a kernel was given: the three SHA-256 entries of the kernel-hashes table. */
        bool has_kernel_hashes;
        uint8_t cmdline_sha256[32];
        uint8_t initrd_sha256[32];
        uint8_t kernel_sha256[32];
        uint64_t kernel_hashes_table_gpa;       /* snp: GPA of the table inside its page */
        /* snp, snp:svsm: the digest before the first VMSA page; each VMSA page extends it
         * (measure_extend_vmsa()), and they come last, so the digest of N vCPUs extends to
         * N + 1 with one more AP page. */
        uint8_t pre_vmsa_digest[MEASURE_SNP_DIGEST_SIZE];
        /* One SHA-384 per VMSA page in launch order (vCPU 0 first); n_vmsas = 0 in sev mode. */
        size_t n_vmsas;
        uint8_t (*vmsa_sha384)[MEASURE_SNP_DIGEST_SIZE];
        /* The distinct VMSA pages: vCPU 0 (bsp) and the others (ap; same as bsp for SVSM). */
        uint8_t bsp_vmsa[MEASURE_VMSA_SIZE];
        uint8_t ap_vmsa[MEASURE_VMSA_SIZE];
        uint32_t ap_eip;                /* reset EIP of vCPUs other than 0 */
};

/* Computes the launch digest. Returns 0 and a new result (free with measure_result_free()), or
 * -EINVAL for bad parameters (vCPU count, reserved guest-feature bits, options that do not fit the
 * mode), -EBADMSG for firmware the measurement cannot use (no footer table or reset block,
 * unknown section type, kernel given without a kernel-hashes section), -ENOKEY when
 * vcpu_sig_missing is set and the VMSAs need a signature, the errors of
 * ovmf_open(), -errno reading kernel/initrd, -ENOMEM, -EIO (crypto). On error *ret_why (if not
 * NULL) receives a malloc'd description naming the file and the problem. */
int measure_compute(const struct measure_params *p, struct measure_result **ret_result,
                    char **ret_why);

/* One SNP_LAUNCH_UPDATE of a VMSA page whose SHA-384 is vmsa_sha384: ld becomes
 * SHA-384(PAGE_INFO {ld, vmsa_sha384, VMSA, GPA}), as measure_compute() chains them. ctx is a
 * SHA-384 context the caller keeps for many calls (crypto_hash_new()); 0 or -EIO. */
struct crypto_hash_ctx;
int measure_extend_vmsa(struct crypto_hash_ctx *ctx, uint8_t ld[MEASURE_SNP_DIGEST_SIZE],
                        const uint8_t vmsa_sha384[MEASURE_SNP_DIGEST_SIZE]);

/* Whether a and b describe the same measurement (same files by name, same values; progress and
 * ovmf_image aside): 1 or 0. */
bool measure_params_same(const struct measure_params *a, const struct measure_params *b);

void measure_result_free(struct measure_result *r);
static inline void measure_result_freep(struct measure_result **p) {
        measure_result_free(*p);
}

/* vCPU signature (CPUID Fn0000_0001_EAX, AMD pub. 25481) from family/model/stepping: -ERANGE when
 * family > 0x10e, model > 0xff or stepping > 0xf. */
int measure_vcpu_sig(unsigned family, unsigned model, unsigned stepping, uint32_t *ret_sig);

/* Signature of a QEMU CPU model name ("EPYC-v4" -> 0x800f12), exact and case-sensitive:
 * -ENOENT when unknown. measure_vcpu_type_name(i) lists the names (NULL past the end). */
int measure_vcpu_sig_from_type(const char *type, uint32_t *ret_sig);
const char *measure_vcpu_type_name(size_t i);

/* Names as sev-snp-measure spells them; -EINVAL when unknown. */
int measure_mode_from_string(const char *s, enum measure_mode *ret);
const char *measure_mode_to_string(enum measure_mode m);
int measure_vmm_from_string(const char *s, enum measure_vmm *ret);
const char *measure_vmm_to_string(enum measure_vmm v);
