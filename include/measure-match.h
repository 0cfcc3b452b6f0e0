/* SPDX-License-Identifier: Apache-2.0 */
/* Explaining a launch digest by search: given the boot files and a MEASUREMENT, find every set of
 * the parameters that are not files (vCPU count, vCPU signature, VMM type, guest features,
 * kernel-hashes on or off, SVSM or not) that reproduces it. Each file is hashed once; each
 * candidate starts from the digest before its VMSA pages, and since the VMSA pages come last the
 * digest of N vCPUs extends to N + 1 with one more page update. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measure.h"

#define MEASURE_MATCH_MAX 64            /* matches kept (more are counted) */
#define MEASURE_MATCH_MAX_FEATURES 64   /* guest-feature sets searched, common ones included */

struct measure_match_query {
        /* The files (ovmf; kernel, initrd, append or NULL; svsm and vars_size or NULL/0) and
         * the values of the parameters fixed below; mode is ignored (snp, and snp:svsm when
         * svsm is set). A vcpu_sig (non-zero) and guest_features not fixed are searched along
         * with the known ones. */
        struct measure_params p;
        uint8_t digest[MEASURE_SNP_DIGEST_SIZE];
        unsigned max_vcpus;             /* 1..SNP_MAX_VCPUS: vCPU counts searched */
        bool fix_vcpus;                 /* only p.vcpus */
        bool fix_vcpu_sig;              /* only p.vcpu_sig */
        bool fix_vmm;                   /* only p.vmm */
        bool fix_guest_features;        /* only p.guest_features */
        bool fix_kernel_hashes;         /* only kernel_hashes (with a kernel) */
        bool kernel_hashes;
        bool fix_svsm;                  /* only svsm_on (with an SVSM image) */
        bool svsm_on;
        const uint64_t *extra_features; /* searched too (each with SNPActive), or NULL */
        size_t n_extra_features;
        bool from_config;               /* p's parameters are a config's: the output names
                                         * what each match changes */
};

struct measure_match {
        unsigned vcpus;
        bool vcpu_sig_measured;         /* false for EC2 and GCE (their VMSAs carry 0x600) */
        uint32_t vcpu_sig;
        enum measure_vmm vmm;
        bool guest_features_measured;   /* false with an SVSM (its VMSAs carry SNPActive) */
        uint64_t guest_features;
        bool kernel_hashes;             /* kernel, initrd, command line measured */
        bool svsm;
};

struct measure_match_result {
        struct measure_match matches[MEASURE_MATCH_MAX];
        size_t n_matches;               /* kept */
        size_t n_found;                 /* found (more than kept when truncated) */
        uint64_t n_candidates;          /* parameter sets compared */
        unsigned max_vcpus;             /* searched up to; 1 when the firmware gives AP EIP 0 */
        bool kernel_hashes_possible;    /* the firmware can measure the kernel given */
        /* What the search could not vary, for "look here next". */
        uint8_t ovmf_hash[MEASURE_SNP_DIGEST_SIZE];
        bool has_kernel_hashes;
        uint8_t kernel_sha256[32], initrd_sha256[32], cmdline_sha256[32];
};

/* Runs the search (up to 2 threads). 0 and *ret (caller frees), whether or not anything matched;
 * -EINVAL for a bad query (no OVMF, max_vcpus outside 1..SNP_MAX_VCPUS, a fixed value out of
 * range), the errors of measure_compute() for the files, -ENOMEM, -EIO (also when a match,
 * measured again from the start, does not give the digest: every match kept is confirmed so).
 * On error *ret_why (if not NULL) receives a malloc'd reason naming the file. */
int measure_match_search(const struct measure_match_query *q, struct measure_match_result **ret,
                         char **ret_why);

/* The common guest-feature sets searched by default (SNPActive; with each other known bit; with
 * DebugSwap and each other known bit), in order; 0 past the end. */
uint64_t measure_match_common_features(size_t i);

/* The vCPU type names with signature sig, comma-separated ("EPYC, EPYC-v1, ..."), or NULL when
 * none (or out of memory); caller frees. The first is the one the descriptions name. */
char *measure_match_vcpu_types(uint32_t sig);

/* One match as command-line flags ("--vcpus 4 --vcpu-type EPYC-v4 --vmm-type QEMU
 * --guest-features 0x1") and as config fields ("\"vcpu_count\": 4, ..."); caller frees both.
 * 0 or -ENOMEM. */
int measure_match_describe(const struct measure_match *m, char **ret_flags, char **ret_config);

/* Writes the outcome of a search on stdout: each match as flags and config fields, or that none
 * matched and which inputs the search took as given (q's files with their hashes); json: a JSON
 * list of matches, each an object with the config's field names (vcpu_count, vcpu_type or
 * vcpu_sig, vmm_type, guest_features) and kernel_hashes, svsm, equivalent_vcpu_types. 0, -ENOMEM
 * or -EIO. */
int measure_match_print(const struct measure_match_query *q,
                        const struct measure_match_result *res, bool json);
