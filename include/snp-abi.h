/* SPDX-License-Identifier: Apache-2.0 */
/* The SEV-SNP firmware interface (SNP ABI, AMD 56860; APM vol. 2 for SEV_FEATURES): every wire
 * structure with its offsets checked at compile time, every size, every policy, feature and
 * platform-info bit, the CPU generations and their TCB_VERSION layouts. One place per fact: other
 * modules include this header and call these helpers, never a raw offset or a mask of their own.
 * Every multi-byte field is little-endian; decode through the helpers (or le.h on a struct
 * member), never by casting a buffer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- sizes ------------------------------------------------------------------------------- */

#define SNP_REPORT_SIZE         0x4A0   /* 1184 */
#define SNP_REPORT_SIGNED_SIZE  0x2A0   /* the signature covers 0x000-0x29F */
#define SNP_ECDSA_COMPONENT_SIZE 72     /* r, s, qx, qy: little-endian, zero-extended */
#define SNP_ID_BLOCK_SIZE       0x60
#define SNP_ID_AUTH_SIZE        0x1000
#define SNP_ECDSA_SIG_SIZE      0x200
#define SNP_ECDSA_PUBKEY_SIZE   0x404
#define SNP_LD_SIZE             48      /* launch digest, SHA-384 */
#define SNP_ID_SIZE             16      /* FAMILY_ID, IMAGE_ID */
#define SNP_HOST_DATA_SIZE      32
#define SNP_REPORT_DATA_SIZE    64

#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1        /* report SIGNATURE_ALGO */
#define SNP_ALGO_ECDSA_P384_SHA384 1            /* ID_KEY_ALGO, AUTHOR_KEY_ALGO */
#define SNP_CURVE_P384 2                        /* public key CURVE */
#define SNP_ID_BLOCK_VERSION 1
#define SNP_VMPL_MAX 3                          /* VMPLs 0 (most privileged) to 3 */

/* The most vCPUs (one VMSA page each, all in the launch digest) for config, measure and launch
 * alike. The SNP ABI sets no limit of its own; QEMU does: sev-snp-guest needs QEMU 9.1+, whose q35
 * machine takes max_cpus 4096 (raised from 1024 for the 9.0 machine types), and 4096 is also the
 * highest KVM_MAX_VCPUS x86-64 KVM can be built with (1024 by default; KVM refuses beyond its own
 * at launch). A lower number here would refuse to measure or verify a guest that can run. */
#define SNP_MAX_VCPUS 4096

/* ---- PAGE_INFO (SNP ABI, SNP_LAUNCH_UPDATE table "PAGE_INFO"; snp-facts A.1) ------------- */

/* Each page added to a guest updates its launch digest: LD = SHA-384(PAGE_INFO). */
struct snp_page_info {
        uint8_t  digest_cur[SNP_LD_SIZE];       /* 0x00 the launch digest so far */
        uint8_t  contents[SNP_LD_SIZE];         /* 0x30 SHA-384 of the page, or zero */
        uint16_t length;                        /* 0x60 0x70 */
        uint8_t  page_type;                     /* 0x62 enum snp_page_type */
        uint8_t  imi_page;                      /* 0x63 0 */
        uint8_t  vmpl3_perms;                   /* 0x64 0 */
        uint8_t  vmpl2_perms;                   /* 0x65 0 */
        uint8_t  vmpl1_perms;                   /* 0x66 0 */
        uint8_t  reserved;                      /* 0x67 */
        uint64_t gpa;                           /* 0x68 */
};
_Static_assert(sizeof(struct snp_page_info) == 0x70, "PAGE_INFO is 0x70 bytes");
_Static_assert(offsetof(struct snp_page_info, contents) == 0x30, "CONTENTS offset");
_Static_assert(offsetof(struct snp_page_info, length) == 0x60, "LENGTH offset");
_Static_assert(offsetof(struct snp_page_info, page_type) == 0x62, "PAGE_TYPE offset");
_Static_assert(offsetof(struct snp_page_info, gpa) == 0x68, "GPA offset");

/* PAGE_INFO.PAGE_TYPE */
enum snp_page_type {
        SNP_PAGE_TYPE_NORMAL = 1,
        SNP_PAGE_TYPE_VMSA = 2,
        SNP_PAGE_TYPE_ZERO = 3,
        SNP_PAGE_TYPE_UNMEASURED = 4,
        SNP_PAGE_TYPE_SECRETS = 5,
        SNP_PAGE_TYPE_CPUID = 6,
};

/* ---- ATTESTATION_REPORT (SNP ABI, table "ATTESTATION_REPORT Structure") -------------------- */

/* Wire layout. Read through report_parse() (report.h), never cast. */
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
        uint8_t  sig_r[SNP_ECDSA_COMPONENT_SIZE];       /* 0x2A0 */
        uint8_t  sig_s[SNP_ECDSA_COMPONENT_SIZE];       /* 0x2E8 */
        uint8_t  sig_reserved[0x170];   /* 0x330 */
};
_Static_assert(sizeof(struct snp_report_wire) == SNP_REPORT_SIZE, "report is 1184 bytes");
_Static_assert(offsetof(struct snp_report_wire, vmpl) == 0x030, "VMPL offset");
_Static_assert(offsetof(struct snp_report_wire, signer_info) == 0x048, "signer info offset");
_Static_assert(offsetof(struct snp_report_wire, report_data) == 0x050, "REPORT_DATA offset");
_Static_assert(offsetof(struct snp_report_wire, reported_tcb) == 0x180, "REPORTED_TCB offset");
_Static_assert(offsetof(struct snp_report_wire, chip_id) == 0x1A0, "CHIP_ID offset");
_Static_assert(offsetof(struct snp_report_wire, launch_tcb) == 0x1F0, "LAUNCH_TCB offset");
_Static_assert(offsetof(struct snp_report_wire, reserved4) == 0x208, "reserved 0x208");
_Static_assert(offsetof(struct snp_report_wire, sig_r) == SNP_REPORT_SIGNED_SIZE, "signature");
_Static_assert(offsetof(struct snp_report_wire, sig_s) == 0x2E8, "signature s");

/* Signer info (0x048): bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY, 31:5
 * zero. */
#define SNP_SIGNER_INFO_AUTHOR_KEY_EN(x)  ((x) & 1)
#define SNP_SIGNER_INFO_MASK_CHIP_KEY(x)  (((x) >> 1) & 1)
#define SNP_SIGNER_INFO_SIGNING_KEY(x)    (((x) >> 2) & 7)
#define SNP_SIGNER_INFO_MBZ(x)            ((x) >> 5)

/* SIGNING_KEY values. */
enum snp_signer {
        SNP_SIGNER_VCEK = 0,
        SNP_SIGNER_VLEK = 1,
        SNP_SIGNER_NONE = 7,
};

/* The SIGNING_KEY field of a report that has not been parsed (to find its certificates before
 * report_parse() judges it): 0 (VCEK) when size does not reach the signer info. */
unsigned snp_report_peek_signing_key(const void *report, size_t size);

/* MSG_REPORT_RSP (SNP ABI, table "MSG_REPORT_RSP Message Structure"): the guest request's
 * response, as /dev/sev-guest returns it. */
struct snp_msg_report_rsp {
        uint32_t status;                /* 0x00, 0 = success */
        uint32_t report_size;           /* 0x04, 1184 */
        uint8_t  reserved[0x18];        /* 0x08 */
        struct snp_report_wire report;  /* 0x20 */
};
_Static_assert(offsetof(struct snp_msg_report_rsp, report) == 0x20, "report offset");
_Static_assert(sizeof(struct snp_msg_report_rsp) == 0x20 + SNP_REPORT_SIZE, "MSG_REPORT_RSP size");

/* ---- Certificate table (GHCB spec 56421, SNP extended guest request; snp-facts B.2.3) ---- */

/* The host's certificate table is an array of these, ended by an all-zero entry; offset and
 * length point into the table's own buffer. */
struct snp_cert_table_entry {
        uint8_t  guid[16];                      /* 0x00 RFC 4122 byte order */
        uint32_t offset;                        /* 0x10 */
        uint32_t length;                        /* 0x14 */
};
_Static_assert(sizeof(struct snp_cert_table_entry) == 24, "certificate table entry is 24 bytes");
_Static_assert(offsetof(struct snp_cert_table_entry, offset) == 0x10, "offset offset");

/* ---- GUEST_POLICY (SNP ABI, table "GUEST_POLICY"; snp-facts B.3.4) -------------------------- */

#define SNP_POLICY_ABI_MINOR_MASK       UINT64_C(0x00000000000000ff)
#define SNP_POLICY_ABI_MAJOR_MASK       UINT64_C(0x000000000000ff00)
#define SNP_POLICY_SMT                  (UINT64_C(1) << 16)
#define SNP_POLICY_MBO                  (UINT64_C(1) << 17)     /* reserved, must be one */
#define SNP_POLICY_MIGRATE_MA           (UINT64_C(1) << 18)
#define SNP_POLICY_DEBUG                (UINT64_C(1) << 19)
#define SNP_POLICY_SINGLE_SOCKET        (UINT64_C(1) << 20)
#define SNP_POLICY_CXL_ALLOW            (UINT64_C(1) << 21)
#define SNP_POLICY_MEM_AES_256_XTS      (UINT64_C(1) << 22)
#define SNP_POLICY_RAPL_DIS             (UINT64_C(1) << 23)
#define SNP_POLICY_CIPHERTEXT_HIDING    (UINT64_C(1) << 24)
#define SNP_POLICY_PAGE_SWAP_DISABLE    (UINT64_C(1) << 25)
#define SNP_POLICY_MBZ_MASK             (~UINT64_C(0) << 26)    /* bits 63:26 */
#define SNP_POLICY_DEFAULT              (SNP_POLICY_SMT | SNP_POLICY_MBO)       /* 0x30000 */

/* The minimum ABI version the policy asks of the firmware, major and minor. */
static inline unsigned snp_policy_abi_major(uint64_t policy) {
        return (unsigned) ((policy & SNP_POLICY_ABI_MAJOR_MASK) >> 8);
}
static inline unsigned snp_policy_abi_minor(uint64_t policy) {
        return (unsigned) (policy & SNP_POLICY_ABI_MINOR_MASK);
}

/* What snp_policy_check() finds wrong; both bits may be set. */
enum {
        SNP_POLICY_LACKS_MBO = 1 << 0,          /* bit 17 is clear */
        SNP_POLICY_SETS_MBZ = 1 << 1,           /* a bit of 63:26 is set */
};

/* The firmware's must-be-one / must-be-zero rule for a GUEST_POLICY (SNP_LAUNCH_START fails
 * otherwise, and report_parse() refuses such a report): 0 when the policy is well-formed, else
 * SNP_POLICY_LACKS_MBO and/or SNP_POLICY_SETS_MBZ. */
unsigned snp_policy_check(uint64_t policy);

/* ---- SEV_FEATURES of the VMSA (APM vol. 2, table B-4 SEV_FEATURES; snp-facts A.7) ---------- */

#define SNP_FEATURE_SNP_ACTIVE          (UINT64_C(1) << 0)
#define SNP_FEATURE_DEBUG_SWAP          (UINT64_C(1) << 5)
/* The bits this version knows: 0-10, 12, 14, 15. Others are measured as given, with a warning:
 * a newer processor may define them. */
#define SNP_FEATURES_KNOWN_MASK         UINT64_C(0xd7ff)
#define SNP_FEATURES_DEFAULT            SNP_FEATURE_SNP_ACTIVE  /* QEMU >= 9.1, KVM_SEV_INIT2 */

/* ---- PLATFORM_INFO (SNP ABI, report 0x040; snp-facts B.3.5) ------------------------------- */

#define SNP_PLATFORM_INFO_KNOWN_MASK    UINT64_C(0xbf)          /* bits 0-5, 7 */

/* Named bits of GUEST_POLICY, SEV_FEATURES and PLATFORM_INFO, each table in bit order and
 * terminated by name NULL. */
struct snp_bit_name {
        unsigned bit;
        const char *name;               /* "SMT", "DEBUG", "SNPActive", "TSME_EN" ... */
        const char *description;
};
extern const struct snp_bit_name snp_policy_bits[];
extern const struct snp_bit_name snp_feature_bits[];
extern const struct snp_bit_name snp_platform_info_bits[];

/* The name of bit n in one of those tables; NULL for a bit with no name (policy bits 0-15 are
 * the ABI minimum, not single-bit flags). */
const char *snp_bit_name(const struct snp_bit_name *table, unsigned bit);

/* ---- CPU generations and TCB_VERSION (SNP ABI, table "TCB_VERSION"; snp-facts B.3.3) ------- */

/* The one CPU-generation enum: the host_cpu_family of a config, the product of a certificate
 * chain, the TCB layout of a report. UNKNOWN is also "not set". */
enum snp_generation {
        SNP_GEN_UNKNOWN = 0,
        SNP_GEN_MILAN,
        SNP_GEN_GENOA,
        SNP_GEN_TURIN,
};

/* One TCB_VERSION by component; has_fmc is set for the Turin layout. Compare component by
 * component (report_tcb_at_least()), never as integers. */
struct snp_tcb {
        uint8_t fmc;
        uint8_t bootloader;
        uint8_t tee;
        uint8_t snp;
        uint8_t microcode;
        bool has_fmc;
};

/* Decodes a TCB_VERSION in the layout of gen (Turin: fmc, bl, tee, snp at bytes 0-3; Milan/Genoa:
 * bl, tee at bytes 0-1, snp at byte 6; ucode at byte 7 in both). -EBADMSG when a reserved byte of
 * that layout is not zero (*ret still filled); -EINVAL for SNP_GEN_UNKNOWN (*ret untouched). */
int snp_tcb_decode(uint64_t raw, enum snp_generation gen, struct snp_tcb *ret);

/* Encodes tcb in the layout of gen; SNP_GEN_UNKNOWN uses the Milan/Genoa layout (the one of
 * every pre-Turin part). fmc is dropped outside the Turin layout. */
uint64_t snp_tcb_encode(const struct snp_tcb *tcb, enum snp_generation gen);

/* ---- ID block and ID authentication information (SNP ABI, SNP_LAUNCH_FINISH tables
 * "ID_BLOCK" and "ID_AUTH"; snp-facts B.3.6, B.3.7) -------------------------------------------- */

struct snp_id_block {
        uint8_t  ld[SNP_LD_SIZE];               /* 0x00 expected launch digest */
        uint8_t  family_id[SNP_ID_SIZE];        /* 0x30 */
        uint8_t  image_id[SNP_ID_SIZE];         /* 0x40 */
        uint32_t version;                       /* 0x50, 1 */
        uint32_t guest_svn;                     /* 0x54 */
        uint64_t policy;                        /* 0x58, must equal the launch policy */
};
_Static_assert(sizeof(struct snp_id_block) == SNP_ID_BLOCK_SIZE, "ID block is 96 bytes");
_Static_assert(offsetof(struct snp_id_block, family_id) == 0x30, "family_id offset");
_Static_assert(offsetof(struct snp_id_block, image_id) == 0x40, "image_id offset");
_Static_assert(offsetof(struct snp_id_block, version) == 0x50, "version offset");
_Static_assert(offsetof(struct snp_id_block, guest_svn) == 0x54, "guest_svn offset");
_Static_assert(offsetof(struct snp_id_block, policy) == 0x58, "policy offset");

/* ECDSA signature: r and s little-endian, zero-padded to 72 bytes. */
struct snp_ecdsa_sig {
        uint8_t r[SNP_ECDSA_COMPONENT_SIZE];    /* 0x00 */
        uint8_t s[SNP_ECDSA_COMPONENT_SIZE];    /* 0x48 */
        uint8_t reserved[0x200 - 0x90];         /* 0x90 */
};
_Static_assert(sizeof(struct snp_ecdsa_sig) == SNP_ECDSA_SIG_SIZE, "signature is 512 bytes");
_Static_assert(offsetof(struct snp_ecdsa_sig, s) == 0x48, "s offset");

/* ECDSA public key: the curve, then x and y little-endian, zero-padded to 72 bytes. */
struct snp_ecdsa_pubkey {
        uint32_t curve;                         /* 0x00, 2 = P-384 */
        uint8_t  qx[SNP_ECDSA_COMPONENT_SIZE];  /* 0x04 */
        uint8_t  qy[SNP_ECDSA_COMPONENT_SIZE];  /* 0x4C */
        uint8_t  reserved[0x404 - 0x94];        /* 0x94 */
};
_Static_assert(sizeof(struct snp_ecdsa_pubkey) == SNP_ECDSA_PUBKEY_SIZE, "key is 0x404 bytes");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, qx) == 0x04, "qx offset");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, qy) == 0x4C, "qy offset");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, reserved) == 0x94, "reserved offset");

struct snp_id_auth {
        uint32_t id_key_algo;                   /* 0x000 */
        uint32_t author_key_algo;               /* 0x004 */
        uint8_t  reserved1[0x40 - 0x08];        /* 0x008 */
        struct snp_ecdsa_sig id_block_sig;      /* 0x040 ID key over the ID block */
        struct snp_ecdsa_pubkey id_key;         /* 0x240 */
        uint8_t  reserved2[0x680 - 0x644];      /* 0x644 */
        struct snp_ecdsa_sig id_key_sig;        /* 0x680 author key over id_key */
        struct snp_ecdsa_pubkey author_key;     /* 0x880 */
        uint8_t  reserved3[0x1000 - 0xC84];     /* 0xC84 */
};
_Static_assert(sizeof(struct snp_id_auth) == SNP_ID_AUTH_SIZE, "ID auth is 4096 bytes");
_Static_assert(offsetof(struct snp_id_auth, id_block_sig) == 0x040, "id_block_sig offset");
_Static_assert(offsetof(struct snp_id_auth, id_key) == 0x240, "id_key offset");
_Static_assert(offsetof(struct snp_id_auth, reserved2) == 0x644, "reserved2 offset");
_Static_assert(offsetof(struct snp_id_auth, id_key_sig) == 0x680, "id_key_sig offset");
_Static_assert(offsetof(struct snp_id_auth, author_key) == 0x880, "author_key offset");
_Static_assert(offsetof(struct snp_id_auth, reserved3) == 0xC84, "reserved3 offset");

/* An ID block in host byte order. */
struct snp_id_block_fields {
        uint8_t  ld[SNP_LD_SIZE];
        uint8_t  family_id[SNP_ID_SIZE];
        uint8_t  image_id[SNP_ID_SIZE];
        uint32_t version;
        uint32_t guest_svn;
        uint64_t policy;
};

/* The one ID block reader: decodes size bytes at data (untrusted, any alignment). -EBADMSG when
 * size is not 96 (*ret untouched); -EPROTONOSUPPORT when VERSION is not 1 (*ret filled, so the
 * caller can name the version). */
int snp_id_block_parse(const void *data, size_t size, struct snp_id_block_fields *ret);

/* ID_KEY_ALGO of an ID auth structure (raw bytes); 0 when size does not reach it. */
uint32_t snp_id_auth_id_key_algo(const void *auth, size_t size);

/* Whether the AUTHOR_KEY area (0x880-0xC83) of an ID auth structure of size bytes (QEMU accepts a
 * shorter one; the missing bytes count as zero) holds anything. */
bool snp_id_auth_has_author_key(const void *auth, size_t size);
