/* SPDX-License-Identifier: Apache-2.0 */
/* The SEV-SNP ATTESTATION_REPORT (SNP ABI, AMD 56860): the 1184-byte wire layout, its decoding into
 * host-order fields, the per-version reserved-field rules, and the TCB_VERSION layouts of the CPU
 * generations (Milan/Genoa vs Turin). Parsing checks structure only; signatures live in attest.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_REPORT_SIZE         0x4A0   /* 1184 */
#define SNP_REPORT_SIGNED_SIZE  0x2A0   /* the signature covers 0x000-0x29F */
#define SNP_ECDSA_COMPONENT_SIZE 72     /* r and s: little-endian, zero-extended */
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1

/* Wire layout; every multi-byte field little-endian. Read through report_parse(), never cast. */
struct snp_report_wire {
        uint32_t version;               /* 0x000 */
        uint32_t guest_svn;             /* 0x004 */
        uint64_t policy;                /* 0x008 */
        uint8_t  family_id[16];         /* 0x010 */
        uint8_t  image_id[16];          /* 0x020 */
        uint32_t vmpl;                  /* 0x030 */
        uint32_t signature_algo;        /* 0x034 */
        uint64_t current_tcb;           /* 0x038 */
        uint64_t platform_info;         /* 0x040 */
        uint32_t signer_info;           /* 0x048 author key en, mask chip key, signing key */
        uint32_t reserved0;             /* 0x04C */
        uint8_t  report_data[64];       /* 0x050 */
        uint8_t  measurement[48];       /* 0x090 */
        uint8_t  host_data[32];         /* 0x0C0 */
        uint8_t  id_key_digest[48];     /* 0x0E0 */
        uint8_t  author_key_digest[48]; /* 0x110 */
        uint8_t  report_id[32];         /* 0x140 */
        uint8_t  report_id_ma[32];      /* 0x160 */
        uint64_t reported_tcb;          /* 0x180 */
        uint8_t  cpuid_fam_id;          /* 0x188 v3+ */
        uint8_t  cpuid_mod_id;          /* 0x189 v3+ */
        uint8_t  cpuid_step;            /* 0x18A v3+ */
        uint8_t  reserved1[21];         /* 0x18B */
        uint8_t  chip_id[64];           /* 0x1A0 */
        uint64_t committed_tcb;         /* 0x1E0 */
        uint8_t  current_build;         /* 0x1E8 */
        uint8_t  current_minor;         /* 0x1E9 */
        uint8_t  current_major;         /* 0x1EA */
        uint8_t  reserved2;             /* 0x1EB */
        uint8_t  committed_build;       /* 0x1EC */
        uint8_t  committed_minor;       /* 0x1ED */
        uint8_t  committed_major;       /* 0x1EE */
        uint8_t  reserved3;             /* 0x1EF */
        uint64_t launch_tcb;            /* 0x1F0 */
        uint64_t launch_mit_vector;     /* 0x1F8 v5+ */
        uint64_t current_mit_vector;    /* 0x200 v5+ */
        uint8_t  reserved4[0x98];       /* 0x208 */
        uint8_t  sig_r[72];             /* 0x2A0 */
        uint8_t  sig_s[72];             /* 0x2E8 */
        uint8_t  sig_reserved[0x170];   /* 0x330 */
};
_Static_assert(sizeof(struct snp_report_wire) == SNP_REPORT_SIZE, "report is 1184 bytes");
_Static_assert(offsetof(struct snp_report_wire, reported_tcb) == 0x180, "REPORTED_TCB offset");
_Static_assert(offsetof(struct snp_report_wire, chip_id) == 0x1A0, "CHIP_ID offset");
_Static_assert(offsetof(struct snp_report_wire, launch_tcb) == 0x1F0, "LAUNCH_TCB offset");
_Static_assert(offsetof(struct snp_report_wire, reserved4) == 0x208, "reserved 0x208");
_Static_assert(offsetof(struct snp_report_wire, sig_r) == SNP_REPORT_SIGNED_SIZE, "signature");
_Static_assert(offsetof(struct snp_report_wire, sig_s) == 0x2E8, "signature s");

enum snp_generation {
        SNP_GEN_UNKNOWN = 0,
        SNP_GEN_MILAN,
        SNP_GEN_GENOA,
        SNP_GEN_TURIN,
};

/* SIGNING_KEY, bits 4:2 of signer info (0x048). */
enum snp_signer {
        SNP_SIGNER_VCEK = 0,
        SNP_SIGNER_VLEK = 1,
        SNP_SIGNER_NONE = 7,
};

/* GUEST_POLICY bits (SNP ABI, table "GUEST_POLICY"). */
#define SNP_POLICY_SMT          (UINT64_C(1) << 16)
#define SNP_POLICY_MBO          (UINT64_C(1) << 17)     /* reserved, must be one */
#define SNP_POLICY_MIGRATE_MA   (UINT64_C(1) << 18)
#define SNP_POLICY_DEBUG        (UINT64_C(1) << 19)
#define SNP_POLICY_MBZ_MASK     (~UINT64_C(0) << 26)

/* One TCB_VERSION decoded; has_fmc is set for the Turin layout. */
struct snp_tcb {
        uint8_t fmc;
        uint8_t bootloader;
        uint8_t tee;
        uint8_t snp;
        uint8_t microcode;
        bool has_fmc;
};

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
        uint8_t sig_r[72];
        uint8_t sig_s[72];
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

/* Decodes a TCB_VERSION in the layout of gen (Turin: fmc, bl, tee, snp; Milan/Genoa: bl, tee,
 * snp at byte 6). -EBADMSG when a reserved byte of that layout is not zero (*ret still filled);
 * -EINVAL for SNP_GEN_UNKNOWN. */
int report_tcb_decode(uint64_t raw, enum snp_generation gen, struct snp_tcb *ret);

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

/* Name of policy bit n (0..63) and platform-info bit n; NULL for a bit with no name. Policy bits
 * 0-15 are the ABI minimum and have no single-bit names. */
const char *report_policy_bit_name(unsigned bit);
const char *report_platform_info_bit_name(unsigned bit);
