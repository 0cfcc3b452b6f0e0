/* SPDX-License-Identifier: Apache-2.0 */
/* The SEV-SNP firmware interface's helpers: the layouts are in snp-abi.h, the few decoders that
 * every module shares are here. */
#include <errno.h>
#include <string.h>

#include "le.h"
#include "snp-abi.h"

/* SNP ABI, table "GUEST_POLICY" (snp-facts B.3.4). */
const struct snp_bit_name snp_policy_bits[] = {
        { 16, "SMT", "SMT allowed on the host" },
        { 17, "RESERVED_MBO", "reserved, must be one" },
        { 18, "MIGRATE_MA", "migration agent allowed" },
        { 19, "DEBUG", "debugging allowed: the host can read and change guest memory" },
        { 20, "SINGLE_SOCKET", "guest may run on one socket only" },
        { 21, "CXL_ALLOW", "CXL memory may be attached" },
        { 22, "MEM_AES_256_XTS", "AES-256-XTS memory encryption required" },
        { 23, "RAPL_DIS", "RAPL must be disabled" },
        { 24, "CIPHERTEXT_HIDING", "ciphertext hiding for DRAM required" },
        { 25, "PAGE_SWAP_DISABLE", "guest page swapping disabled" },
        { 0, NULL, NULL }
};

/* APM vol. 2, VMSA SEV_FEATURES (snp-facts A.7). */
const struct snp_bit_name snp_feature_bits[] = {
        { 0, "SNPActive", "SEV-SNP is active" },
        { 1, "vTOM", "virtual top of memory" },
        { 2, "ReflectVC", "#VC reflected to the hypervisor" },
        { 3, "RestrictedInjection", "restricted interrupt injection" },
        { 4, "AlternateInjection", "alternate interrupt injection" },
        { 5, "DebugSwap", "debug registers swapped (older KVM default)" },
        { 6, "PreventHostIBS", "host IBS prevented" },
        { 7, "BTBIsolation", "branch target buffer isolation" },
        { 8, "VmplSSS", "VMPL supervisor shadow stacks" },
        { 9, "SecureTSC", "Secure TSC" },
        { 10, "VmgexitParameter", "VMGEXIT parameter" },
        { 12, "IbsVirtualization", "IBS virtualization" },
        { 14, "VmsaRegProt", "VMSA register protection" },
        { 15, "SmtProtection", "SMT protection" },
        { 0, NULL, NULL }
};

/* SNP ABI, ATTESTATION_REPORT PLATFORM_INFO (snp-facts B.3.5). */
const struct snp_bit_name snp_platform_info_bits[] = {
        { 0, "SMT_EN", "SMT enabled on the host" },
        { 1, "TSME_EN", "transparent SME enabled" },
        { 2, "ECC_EN", "ECC memory in use" },
        { 3, "RAPL_DIS", "RAPL disabled" },
        { 4, "CIPHERTEXT_HIDING_EN", "ciphertext hiding enabled" },
        { 5, "ALIAS_CHECK_COMPLETE", "memory alias check complete (BadRAM mitigation)" },
        { 7, "SEV_TIO_EN", "SEV-TIO enabled" },
        { 0, NULL, NULL }
};

const char *snp_bit_name(const struct snp_bit_name *table, unsigned bit) {
        for (const struct snp_bit_name *b = table; b->name; b++)
                if (b->bit == bit)
                        return b->name;
        return NULL;
}

unsigned snp_policy_check(uint64_t policy) {
        unsigned bad = 0;

        if (!(policy & SNP_POLICY_MBO))
                bad |= SNP_POLICY_LACKS_MBO;
        if (policy & SNP_POLICY_MBZ_MASK)
                bad |= SNP_POLICY_SETS_MBZ;
        return bad;
}

unsigned snp_report_peek_signing_key(const void *report, size_t size) {
        const uint8_t *b = report;
        size_t off = offsetof(struct snp_report_wire, signer_info);

        if (!report || size < off + sizeof(uint32_t))
                return SNP_SIGNER_VCEK;
        return SNP_SIGNER_INFO_SIGNING_KEY(le32_get(b + off));
}

static bool all_zero(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

/* TCB_VERSION byte layouts (snp-facts B.3.3; virtee/sev TcbVersion::from_legacy_bytes and
 * from_turin_bytes): Milan/Genoa bl, tee, 4 reserved, snp, ucode; Turin fmc, bl, tee, snp,
 * 3 reserved, ucode. */
int snp_tcb_decode(uint64_t raw, enum snp_generation gen, struct snp_tcb *ret) {
        uint8_t b[8];

        le64_put(b, raw);
        switch (gen) {
        case SNP_GEN_MILAN:
        case SNP_GEN_GENOA:
                *ret = (struct snp_tcb) { .bootloader = b[0], .tee = b[1], .snp = b[6],
                                          .microcode = b[7] };
                return all_zero(b + 2, 4) ? 0 : -EBADMSG;
        case SNP_GEN_TURIN:
                *ret = (struct snp_tcb) { .fmc = b[0], .bootloader = b[1], .tee = b[2], .snp = b[3],
                                          .microcode = b[7], .has_fmc = true };
                return all_zero(b + 4, 3) ? 0 : -EBADMSG;
        default:
                return -EINVAL;
        }
}

uint64_t snp_tcb_encode(const struct snp_tcb *tcb, enum snp_generation gen) {
        uint8_t b[8] = { 0 };

        if (gen == SNP_GEN_TURIN) {
                b[0] = tcb->fmc;
                b[1] = tcb->bootloader;
                b[2] = tcb->tee;
                b[3] = tcb->snp;
        } else {
                b[0] = tcb->bootloader;
                b[1] = tcb->tee;
                b[6] = tcb->snp;
        }
        b[7] = tcb->microcode;
        return le64_get(b);
}

int snp_id_block_parse(const void *data, size_t size, struct snp_id_block_fields *ret) {
        struct snp_id_block b;
        struct snp_id_block_fields f;

        if (size != sizeof(b))
                return -EBADMSG;
        memcpy(&b, data, sizeof(b));    /* the caller's buffer need not be aligned */
        memcpy(f.ld, b.ld, sizeof(f.ld));
        memcpy(f.family_id, b.family_id, sizeof(f.family_id));
        memcpy(f.image_id, b.image_id, sizeof(f.image_id));
        f.version = le32_get(&b.version);
        f.guest_svn = le32_get(&b.guest_svn);
        f.policy = le64_get(&b.policy);
        *ret = f;
        return f.version == SNP_ID_BLOCK_VERSION ? 0 : -EPROTONOSUPPORT;
}

uint32_t snp_id_auth_id_key_algo(const void *auth, size_t size) {
        size_t off = offsetof(struct snp_id_auth, id_key_algo);

        if (!auth || size < off + sizeof(uint32_t))
                return 0;
        return le32_get((const uint8_t *) auth + off);
}

bool snp_id_auth_has_author_key(const void *auth, size_t size) {
        size_t off = offsetof(struct snp_id_auth, author_key);
        size_t end = off + sizeof(struct snp_ecdsa_pubkey);

        if (!auth || size <= off)
                return false;
        return !all_zero((const uint8_t *) auth + off, (size < end ? size : end) - off);
}
