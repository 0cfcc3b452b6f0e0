/* SPDX-License-Identifier: Apache-2.0 */
/* The SEV-SNP ATTESTATION_REPORT (SNP ABI, AMD 56860): its decoding into host-order fields, the
 * per-version reserved-field rules, the CPU generation it names and TCB comparisons. The wire
 * layout (struct snp_report_wire), the policy bits and the TCB_VERSION layouts are snp-abi.h's.
 * Parsing checks structure only; signatures live in attest.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp-abi.h"

struct snp_fw_version {
        uint8_t major, minor, build;
};

/* A parsed report: the raw bytes (what the signature covers) and every field in host order. */
struct snp_report {
        uint8_t raw[SNP_REPORT_SIZE];
        uint32_t version;
        uint32_t guest_svn;
        uint64_t policy;
        uint8_t family_id[16];
        uint8_t image_id[16];
        uint32_t vmpl;
        uint32_t signature_algo;
        uint64_t current_tcb;
        uint64_t platform_info;
        bool author_key_en;
        bool mask_chip_key;
        unsigned signing_key;           /* enum snp_signer */
        uint8_t report_data[64];
        uint8_t measurement[48];
        uint8_t host_data[32];
        uint8_t id_key_digest[48];
        uint8_t author_key_digest[48];
        uint8_t report_id[32];
        uint8_t report_id_ma[32];
        uint64_t reported_tcb;
        uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step;
        uint8_t chip_id[64];
        uint64_t committed_tcb;
        struct snp_fw_version current_fw, committed_fw;
        uint64_t launch_tcb;
        uint64_t launch_mit_vector;
        uint64_t current_mit_vector;
        uint8_t sig_r[SNP_ECDSA_COMPONENT_SIZE];
        uint8_t sig_s[SNP_ECDSA_COMPONENT_SIZE];
};

/* A field of the report, for tables that walk every field (report show, tests). */
struct report_field {
        const char *name;
        size_t offset;
        size_t size;
        bool is_signed;                 /* lies inside 0x000-0x29F */
};
/* Every named field, in offset order; terminated by name NULL. Reserved ranges are not listed. */
extern const struct report_field report_fields[];

/* Parses size bytes at data into *ret. -EBADMSG when size is not exactly 1184, the version is not
 * 2, 3 or 5, SIGNATURE_ALGO is not 1, SIGNING_KEY is reserved, the policy lacks its must-be-one
 * bit or sets a reserved bit, or any reserved field of that version (including the unused parts
 * of r, s and the signature area) is not zero. On error *ret is untouched and, when ret_why is not
 * NULL, it points at a static text naming the field. */
int report_parse(const void *data, size_t size, struct snp_report *ret, const char **ret_why);

/* The generation named by the CPUID bytes of a v3+ report; SNP_GEN_UNKNOWN for v2 reports or an
 * unknown family/model. */
enum snp_generation report_generation_from_cpuid(const struct snp_report *r);

/* 1 when every component of tcb is >= the same component of min, 0 when one is lower (its name
 * in *ret_component when not NULL). Both must use the same layout, else -EINVAL. */
int report_tcb_at_least(const struct snp_tcb *tcb, const struct snp_tcb *min,
                        const char **ret_component);

/* Formats a TCB ("fmc=0 bl=1 tee=0 snp=2 ucode=71") into buf. */
void report_tcb_format(const struct snp_tcb *tcb, char *buf, size_t size);

/* Parses "bl=3,tee=0,snp=20,ucode=209[,fmc=0]" (any order, every component of the layout
 * required; fmc makes it a Turin TCB). -EINVAL on anything else. */
int report_tcb_parse(const char *s, struct snp_tcb *ret);

/* Names: "Milan", "Genoa", "Turin", "unknown". report_generation_from_name() accepts a KDS product
 * name with an optional stepping suffix ("Milan-B0", "Genoa", "turin") and returns UNKNOWN for
 * anything else. */
const char *report_generation_name(enum snp_generation gen);
enum snp_generation report_generation_from_name(const char *name);

/* "VCEK", "VLEK", "none" or "reserved". */
const char *report_signer_name(unsigned signing_key);
