/* SPDX-License-Identifier: Apache-2.0 */
/* Verifying an attestation report: AMD's chain of trust (ARK -> ASK/ASVK -> VCEK/VLEK), the
 * report's signature and its binding to the certificate (signing key, hwID, SPLs), then the VM
 * checks driven by a struct attest_expect. Every check is recorded separately with its expected
 * and actual value; the verdict is "verified" only when every recorded check passed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"
#include "report.h"

#define ATTEST_MAX_CHECKS 40
#define ATTEST_TEXT_SIZE 160

struct attest_check {
        const char *name;               /* static, e.g. "signature", "measurement" */
        bool passed;
        char expected[ATTEST_TEXT_SIZE];
        char actual[ATTEST_TEXT_SIZE];
};

struct attest_result {
        struct attest_check checks[ATTEST_MAX_CHECKS];
        size_t n_checks;
        bool vm_checks;                 /* at least one expected value was checked */
        enum snp_generation generation;
        unsigned signer;                /* enum snp_signer of the certificate */
        uint32_t version;               /* report version, 0 when it did not parse */
};

/* Which TCB fields --min-tcb applies to. */
enum {
        ATTEST_TCB_COMMITTED = 1 << 0,
        ATTEST_TCB_REPORTED  = 1 << 1,
        ATTEST_TCB_LAUNCH    = 1 << 2,
        ATTEST_TCB_CURRENT   = 1 << 3,
};

#define ATTEST_MAX_ACCEPTED 16
#define ATTEST_MAX_CHIP_IDS 256
#define ATTEST_LABEL_SIZE 33

/* Roll-forward policies (docs/config.md): values accepted besides the one expected value, so a
 * fleet can accept two images, keys or hosts while it upgrades. A check passes on any of them and
 * names the entry that matched. */
struct attest_accepted {
        size_t n_measurements;          /* besides has_measurement's; with has_measurement false
                                         * these alone are accepted */
        char measurement_labels[ATTEST_MAX_ACCEPTED][ATTEST_LABEL_SIZE];
        uint8_t measurements[ATTEST_MAX_ACCEPTED][48];
        size_t n_id_key_digests;
        uint8_t id_key_digests[ATTEST_MAX_ACCEPTED][48];
        size_t n_author_key_digests;
        uint8_t author_key_digests[ATTEST_MAX_ACCEPTED][48];
        bool has_min_firmware;          /* COMMITTED firmware version at least this */
        struct snp_fw_version min_firmware;
        size_t n_chip_ids;              /* CHIP_ID allow-list (0: any chip) */
        uint8_t chip_ids[ATTEST_MAX_CHIP_IDS][64];
};

/* Expected values; each has_* enables one check. Filled from flags, or from a VM config with
 * attest_expect_from_config() (the options laid over it) and then the expectations a config
 * cannot hold (a given measurement, report data, --allow-debug, a --min-tcb in its own layout). */
struct attest_expect {
        bool has_measurement;
        uint8_t measurement[48];
        bool has_policy;
        uint64_t policy;
        bool allow_debug;               /* else a report whose policy allows debugging fails
                                         * (checked for every report, expected values or not) */
        bool refuse_migrate_ma;         /* a migration agent (policy bit 18) fails, unless the
                                         * expected policy sets it (attest-verify --url) */
        bool has_platform_info;
        uint64_t platform_info;
        uint64_t platform_info_mask;    /* bits compared */
        bool has_min_tcb;
        struct snp_tcb min_tcb;
        unsigned min_tcb_fields;        /* ATTEST_TCB_*; 0 means committed */
        bool has_family_id;
        uint8_t family_id[16];
        bool has_image_id;
        uint8_t image_id[16];
        bool has_guest_svn;
        uint32_t guest_svn;
        bool has_id_key_digest;
        uint8_t id_key_digest[48];
        bool has_author_key_digest;
        uint8_t author_key_digest[48];
        bool has_host_data;
        uint8_t host_data[32];
        bool has_vmpl;
        uint32_t vmpl;
        bool has_report_data;
        uint8_t report_data[SNP_REPORT_DATA_SIZE];
        bool has_min_version;
        uint32_t min_version;
        bool has_generation;            /* the host's CPU family: chain and report must be of it */
        enum snp_generation generation; /* also the TCB layout when the chain names none */
        bool has_signer;
        unsigned signer;                /* enum snp_signer that must have signed */
        struct attest_accepted accepted;        /* from a config only */
};

/* True when any VM check is requested. */
bool attest_expect_any(const struct attest_expect *e);

struct vm_config;
struct config_problems;
struct config_option;
struct cli_given;

enum {
        ATTEST_CONFIG_NO_MEASUREMENT = 1 << 0,  /* the caller has the measurement: compute none */
};

/* Fills *ret with every value a report of the VM in c must show (docs/config.md): measurement
 * (computed from the boot files, unless ATTEST_CONFIG_NO_MEASUREMENT), policy (DEBUG is never
 * allowed by the config: allow_debug stays false), platform_info under its mask, minimum
 * committed TCB in the layout of host_cpu_family (has_min_tcb false when the config has no
 * min_committed_tcb), the CPU generation, family/image ID, guest SVN, ID/author key digests (the
 * config's, else those of id_auth_file, else zero), host_data, vmpl, signer and minimum version.
 * The ID block and auth files (base64, as idblock writes them) must agree with the config as
 * loaded (config_check_id_files()); then the options (options, n_options, given and args as
 * config_apply_options() takes them; options NULL: none) are laid over c, so that an option
 * overrides the one field it names. 0; -EINVAL for an unset host_cpu_family; -EINVAL with
 * nothing in *ret_why when the ID block or auth file disagree with the config (the problems are
 * appended to problems, which may be NULL); -errno of measuring the files; -ENOMEM. On other
 * errors *ret_why (if not NULL) gets a malloc'd reason naming the file or field. */
int attest_expect_from_config(struct vm_config *c, unsigned flags,
                              const struct config_option *options, size_t n_options,
                              const struct cli_given *given, const void *args,
                              struct config_problems *problems, struct attest_expect *ret,
                              char **ret_why);

/* A loaded certificate chain and what its verification found; verified once and reused for every
 * report it signed. */
struct attest_chain {
        struct crypto_cert *ark, *ask, *leaf;
        enum snp_generation generation;
        unsigned kind;                  /* SNP_SIGNER_VCEK or SNP_SIGNER_VLEK; other: unknown */
        struct attest_check checks[12];
        size_t n_checks;
        /* What the leaf certifies, read once: hwID (VCEK) and the SPL extensions fmc, bl, tee,
         * snp, ucode (spl_r[i] < 0: missing or malformed). */
        uint8_t hwid[64];
        size_t hwid_size;
        int hwid_r;
        uint64_t spl[5];
        int spl_r[5];
        unsigned builtin;               /* ATTEST_BUILTIN_*: taken from amd-roots.h */
        /* The leaf's key, checked once by attest_chain_verify_with() and then only read (by
         * every thread of a batch); NULL when that failed or has not run: each report then
         * takes it from the certificate again, with the same answer. */
        struct crypto_sev_pubkey *leaf_key;
};

enum {
        ATTEST_BUILTIN_ARK = 1 << 0,
        ATTEST_BUILTIN_ASK = 1 << 1,    /* the ASK or ASVK */
};

struct crl;

/* What a chain is judged against. */
struct attest_trust {
        const struct crypto_cert *trusted_ark;  /* NULL: the pinned AMD ARKs (trust.h) */
        time_t at;                      /* validity dates and the CRL are judged at this time */
        const struct crl *crl;          /* the ARK's CRL; NULL: revocation not checked */
        bool require_crl;               /* without a CRL the revocation check fails */
};

/* Loads the certificates (PEM or DER) into a new chain without judging them; ark and ask may be
 * NULL (then attest_chain_complete() fills them in). -errno of reading, -EBADMSG when a file is
 * not exactly one certificate (ret_bad_path names it). */
int attest_chain_load(const char *ark, const char *ask, const char *leaf,
                      struct attest_chain **ret, const char **ret_bad_path);
/* Loads the chain from a GHCB certificate table (snp-facts B.2.3: 24-byte entries {GUID, offset,
 * length} up to an all-zero entry, offsets from the table's start; DER certificates), as the
 * host hands it to the guest (configfs-tsm auxblob): the VCEK or the VLEK, and the ARK and the
 * ASK/ASVK when the table has them (an AWS table holds only the VLEK: the others stay NULL for
 * attest_chain_complete()). Unknown GUIDs are skipped. Nothing is judged; attest_chain_verify()
 * does that. -EBADMSG for a malformed table (no terminator, an entry out of bounds, overlapping
 * another or the table, a GUID twice) or certificate, -ENOENT when it holds no VCEK or VLEK or
 * both; *ret_why names what. */
int attest_chain_from_table(const uint8_t *table, size_t size, struct attest_chain **ret,
                            const char **ret_why);
void attest_chain_free(struct attest_chain *chain);

/* Fills a missing ARK and ASK/ASVK from the built-in AMD certificates (amd-roots.h) of the leaf's
 * generation (its productName): the ASVK below a leaf named SEV-VLEK, else the ASK. The filled
 * ones are marked in chain->builtin. 0; -ENOENT when the leaf names no known generation (*ret_why
 * says so); -errno of parsing. */
int attest_chain_complete(struct attest_chain *chain, const char **ret_why);
static inline void attest_chain_freep(struct attest_chain **p) {
        attest_chain_free(*p);
}

/* Verifies the chain and records its checks in chain->checks: the ARK's key is one of the pinned
 * AMD roots, or (when t->trusted_ark is not NULL) has the same key as trusted_ark; ARK
 * self-signed, ASK/ASVK signed by the ARK, VCEK/VLEK by the ASK/ASVK (RSA-PSS SHA-384 salt 48,
 * names chained); certificate kinds and generations agree; the leaf key is P-384; every
 * certificate valid at t->at ("validity"); none revoked by t->crl, which must be signed by the
 * ARK and current at t->at ("revocation": "not checked" without a CRL, a failure then when
 * t->require_crl). 0 when the checks ran (whatever they found), -errno when they could not
 * (OpenSSL failure, out of memory). attest_chain_verify() is the same at the current time,
 * without a CRL. */
int attest_chain_verify_with(struct attest_chain *chain, const struct attest_trust *t);
int attest_chain_verify(struct attest_chain *chain, const struct crypto_cert *trusted_ark);

/* True when every chain check passed. */
bool attest_chain_ok(const struct attest_chain *chain);

/* Checks one report (size bytes at data) against a verified chain and the expected values,
 * filling *res (chain checks first). The debug check runs for every report that parses, the
 * VM checks when attest_expect_any(expect). 0 when the checks ran; the verdict is
 * attest_verified(res). -errno when they could not run. */
int attest_verify_report(const struct attest_chain *chain, const void *data, size_t size,
                         const struct attest_expect *expect, struct attest_result *res);

/* True when res holds at least one check and all passed. */
bool attest_verified(const struct attest_result *res);

/* The first failed check, or NULL. */
const struct attest_check *attest_first_failure(const struct attest_result *res);

/* The certificate extension OIDs (KDS spec 57230) used by the checks. */
#define ATTEST_OID_STRUCT_VERSION "1.3.6.1.4.1.3704.1.1"
#define ATTEST_OID_PRODUCT_NAME   "1.3.6.1.4.1.3704.1.2"
#define ATTEST_OID_BL_SPL         "1.3.6.1.4.1.3704.1.3.1"
#define ATTEST_OID_TEE_SPL        "1.3.6.1.4.1.3704.1.3.2"
#define ATTEST_OID_SNP_SPL        "1.3.6.1.4.1.3704.1.3.3"
#define ATTEST_OID_UCODE_SPL      "1.3.6.1.4.1.3704.1.3.8"
#define ATTEST_OID_FMC_SPL        "1.3.6.1.4.1.3704.1.3.9"
#define ATTEST_OID_HWID           "1.3.6.1.4.1.3704.1.4"
#define ATTEST_OID_CSP_ID         "1.3.6.1.4.1.3704.1.5"
