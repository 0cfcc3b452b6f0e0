/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "le.h"
#include "report.h"

#define FIELD(n, f) { n, offsetof(struct snp_report_wire, f), \
                      sizeof(((struct snp_report_wire *) 0)->f), \
                      offsetof(struct snp_report_wire, f) < SNP_REPORT_SIGNED_SIZE }

const struct report_field report_fields[] = {
        FIELD("version",           version),
        FIELD("guest_svn",         guest_svn),
        FIELD("policy",            policy),
        FIELD("family_id",         family_id),
        FIELD("image_id",          image_id),
        FIELD("vmpl",              vmpl),
        FIELD("signature_algo",    signature_algo),
        FIELD("current_tcb",       current_tcb),
        FIELD("platform_info",     platform_info),
        FIELD("signer_info",       signer_info),
        FIELD("report_data",       report_data),
        FIELD("measurement",       measurement),
        FIELD("host_data",         host_data),
        FIELD("id_key_digest",     id_key_digest),
        FIELD("author_key_digest", author_key_digest),
        FIELD("report_id",         report_id),
        FIELD("report_id_ma",      report_id_ma),
        FIELD("reported_tcb",      reported_tcb),
        FIELD("cpuid_fam_id",      cpuid_fam_id),
        FIELD("cpuid_mod_id",      cpuid_mod_id),
        FIELD("cpuid_step",        cpuid_step),
        FIELD("chip_id",           chip_id),
        FIELD("committed_tcb",     committed_tcb),
        FIELD("current_build",     current_build),
        FIELD("current_minor",     current_minor),
        FIELD("current_major",     current_major),
        FIELD("committed_build",   committed_build),
        FIELD("committed_minor",   committed_minor),
        FIELD("committed_major",   committed_major),
        FIELD("launch_tcb",        launch_tcb),
        FIELD("launch_mit_vector", launch_mit_vector),
        FIELD("current_mit_vector", current_mit_vector),
        FIELD("signature_r",       sig_r),
        FIELD("signature_s",       sig_s),
        { NULL, 0, 0, false }
};

static bool all_zero(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

#define OFF(f) offsetof(struct snp_report_wire, f)

/* SNP ABI (AMD 56860), ATTESTATION_REPORT. Versions: 2 (ABI 1.55), 3 (adds the CPUID bytes at
 * 0x188), 5 (adds LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR at 0x1F8). No version 4 report has
 * been seen from real firmware, so it is refused rather than guessed at. */
static const char *check_structure(const uint8_t *b) {
        uint32_t version = le32_get(b + OFF(version));
        uint32_t signer = le32_get(b + OFF(signer_info));
        uint64_t policy = le64_get(b + OFF(policy));
        unsigned key = SNP_SIGNER_INFO_SIGNING_KEY(signer);
        unsigned bad_policy = snp_policy_check(policy);

        if (version != 2 && version != 3 && version != 5)
                return "version (supported: 2, 3, 5)";
        if (le32_get(b + OFF(signature_algo)) != SNP_SIG_ALGO_ECDSA_P384_SHA384)
                return "signature_algo (only 1, ECDSA P-384 with SHA-384, is known)";
        if (SNP_SIGNER_INFO_MBZ(signer))
                return "signer_info bits 31:5 (must be zero)";
        if (key != SNP_SIGNER_VCEK && key != SNP_SIGNER_VLEK && key != SNP_SIGNER_NONE)
                return "signer_info SIGNING_KEY (reserved value)";
        if (bad_policy & SNP_POLICY_LACKS_MBO)
                return "policy bit 17 (must be one)";
        if (bad_policy & SNP_POLICY_SETS_MBZ)
                return "policy bits 63:26 (must be zero)";
        if (le32_get(b + OFF(reserved0)) != 0)
                return "reserved 0x04C (must be zero)";
        if (version < 3 && !all_zero(b + OFF(cpuid_fam_id), 3))
                return "reserved 0x188-0x18A of a version 2 report (must be zero)";
        if (!all_zero(b + OFF(reserved1), sizeof(((struct snp_report_wire *) 0)->reserved1)))
                return "reserved 0x18B-0x19F (must be zero)";
        if (b[OFF(reserved2)] || b[OFF(reserved3)])
                return "reserved 0x1EB/0x1EF (must be zero)";
        if (version < 5 && !all_zero(b + OFF(launch_mit_vector), 16))
                return "reserved 0x1F8-0x207 before version 5 (must be zero)";
        if (!all_zero(b + OFF(reserved4), 0x98))
                return "reserved 0x208-0x29F (must be zero)";
        if (!all_zero(b + OFF(sig_r) + 48, SNP_ECDSA_COMPONENT_SIZE - 48) ||
            !all_zero(b + OFF(sig_s) + 48, SNP_ECDSA_COMPONENT_SIZE - 48))
                return "signature r/s bytes 48-71 (must be zero for P-384)";
        if (!all_zero(b + OFF(sig_reserved), 0x170))
                return "reserved signature area 0x330-0x49F (must be zero)";
        return NULL;
}

int report_parse(const void *data, size_t size, struct snp_report *ret, const char **ret_why) {
        const uint8_t *b = data;
        struct snp_report r = {};
        const char *why;
        uint32_t signer;

        if (size != SNP_REPORT_SIZE) {
                if (ret_why)
                        *ret_why = size < SNP_REPORT_SIZE ? "length (truncated; must be 1184 bytes)"
                                                          : "length (too long; must be 1184 bytes)";
                return -EBADMSG;
        }
        why = check_structure(b);
        if (why) {
                if (ret_why)
                        *ret_why = why;
                return -EBADMSG;
        }

        memcpy(r.raw, b, SNP_REPORT_SIZE);
        r.version = le32_get(b + OFF(version));
        r.guest_svn = le32_get(b + OFF(guest_svn));
        r.policy = le64_get(b + OFF(policy));
        memcpy(r.family_id, b + OFF(family_id), sizeof(r.family_id));
        memcpy(r.image_id, b + OFF(image_id), sizeof(r.image_id));
        r.vmpl = le32_get(b + OFF(vmpl));
        r.signature_algo = le32_get(b + OFF(signature_algo));
        r.current_tcb = le64_get(b + OFF(current_tcb));
        r.platform_info = le64_get(b + OFF(platform_info));
        signer = le32_get(b + OFF(signer_info));
        r.author_key_en = SNP_SIGNER_INFO_AUTHOR_KEY_EN(signer);
        r.mask_chip_key = SNP_SIGNER_INFO_MASK_CHIP_KEY(signer);
        r.signing_key = SNP_SIGNER_INFO_SIGNING_KEY(signer);
        memcpy(r.report_data, b + OFF(report_data), sizeof(r.report_data));
        memcpy(r.measurement, b + OFF(measurement), sizeof(r.measurement));
        memcpy(r.host_data, b + OFF(host_data), sizeof(r.host_data));
        memcpy(r.id_key_digest, b + OFF(id_key_digest), sizeof(r.id_key_digest));
        memcpy(r.author_key_digest, b + OFF(author_key_digest), sizeof(r.author_key_digest));
        memcpy(r.report_id, b + OFF(report_id), sizeof(r.report_id));
        memcpy(r.report_id_ma, b + OFF(report_id_ma), sizeof(r.report_id_ma));
        r.reported_tcb = le64_get(b + OFF(reported_tcb));
        r.cpuid_fam_id = b[OFF(cpuid_fam_id)];
        r.cpuid_mod_id = b[OFF(cpuid_mod_id)];
        r.cpuid_step = b[OFF(cpuid_step)];
        memcpy(r.chip_id, b + OFF(chip_id), sizeof(r.chip_id));
        r.committed_tcb = le64_get(b + OFF(committed_tcb));
        r.current_fw = (struct snp_fw_version) { b[OFF(current_major)], b[OFF(current_minor)],
                                                 b[OFF(current_build)] };
        r.committed_fw = (struct snp_fw_version) { b[OFF(committed_major)], b[OFF(committed_minor)],
                                                   b[OFF(committed_build)] };
        r.launch_tcb = le64_get(b + OFF(launch_tcb));
        r.launch_mit_vector = le64_get(b + OFF(launch_mit_vector));
        r.current_mit_vector = le64_get(b + OFF(current_mit_vector));
        memcpy(r.sig_r, b + OFF(sig_r), sizeof(r.sig_r));
        memcpy(r.sig_s, b + OFF(sig_s), sizeof(r.sig_s));
        *ret = r;
        return 0;
}

/* snp-facts B.3.2: family 0x19 models 0x00-0x0F Milan, 0x10-0x1F and 0xA0-0xAF Genoa (Bergamo,
 * Siena use Genoa's keys); family 0x1A models 0x00-0x11 Turin. */
enum snp_generation report_generation_from_cpuid(const struct snp_report *r) {
        if (r->version < 3)
                return SNP_GEN_UNKNOWN;
        if (r->cpuid_fam_id == 0x19) {
                if (r->cpuid_mod_id <= 0x0F)
                        return SNP_GEN_MILAN;
                if (r->cpuid_mod_id <= 0x1F || (r->cpuid_mod_id >= 0xA0 && r->cpuid_mod_id <= 0xAF))
                        return SNP_GEN_GENOA;
        } else if (r->cpuid_fam_id == 0x1A && r->cpuid_mod_id <= 0x11)
                return SNP_GEN_TURIN;
        return SNP_GEN_UNKNOWN;
}

int report_tcb_at_least(const struct snp_tcb *tcb, const struct snp_tcb *min,
                        const char **ret_component) {
        const char *low = NULL;

        if (tcb->has_fmc != min->has_fmc)
                return -EINVAL;
        if (tcb->has_fmc && tcb->fmc < min->fmc)
                low = "fmc";
        else if (tcb->bootloader < min->bootloader)
                low = "bl";
        else if (tcb->tee < min->tee)
                low = "tee";
        else if (tcb->snp < min->snp)
                low = "snp";
        else if (tcb->microcode < min->microcode)
                low = "ucode";
        if (low && ret_component)
                *ret_component = low;
        return low ? 0 : 1;
}

void report_tcb_format(const struct snp_tcb *t, char *buf, size_t size) {
        if (t->has_fmc)
                snprintf(buf, size, "fmc=%u bl=%u tee=%u snp=%u ucode=%u", t->fmc, t->bootloader,
                         t->tee, t->snp, t->microcode);
        else
                snprintf(buf, size, "bl=%u tee=%u snp=%u ucode=%u", t->bootloader, t->tee, t->snp,
                         t->microcode);
}

int report_tcb_parse(const char *s, struct snp_tcb *ret) {
        static const char *const names[] = { "fmc", "bl", "tee", "snp", "ucode" };
        unsigned values[5] = {}, seen = 0;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;
        while (*p) {
                const char *eq = strchr(p, '='), *end;
                size_t i, n;
                unsigned v = 0;

                if (!eq)
                        return -EINVAL;
                for (i = 0; i < ELEMENTSOF(names); i++)
                        if ((size_t) (eq - p) == strlen(names[i]) && strncmp(p, names[i], eq - p) == 0)
                                break;
                if (i == ELEMENTSOF(names) || (seen & (1u << i)))
                        return -EINVAL;
                end = eq + 1;
                for (n = 0; end[n] >= '0' && end[n] <= '9'; n++) {
                        v = v * 10 + (unsigned) (end[n] - '0');
                        if (v > 255)
                                return -EINVAL;
                }
                if (n == 0 || (end[n] && end[n] != ','))
                        return -EINVAL;
                values[i] = v;
                seen |= 1u << i;
                p = end + n;
                if (*p == ',') {
                        p++;
                        if (!*p)
                                return -EINVAL;
                }
        }
        if ((seen & 0x1e) != 0x1e)      /* bl, tee, snp, ucode are always required */
                return -EINVAL;
        *ret = (struct snp_tcb) { .fmc = (uint8_t) values[0], .bootloader = (uint8_t) values[1],
                                  .tee = (uint8_t) values[2], .snp = (uint8_t) values[3],
                                  .microcode = (uint8_t) values[4], .has_fmc = seen & 1 };
        return 0;
}

const char *report_generation_name(enum snp_generation gen) {
        switch (gen) {
        case SNP_GEN_MILAN: return "Milan";
        case SNP_GEN_GENOA: return "Genoa";
        case SNP_GEN_TURIN: return "Turin";
        default:            return "unknown";
        }
}

enum snp_generation report_generation_from_name(const char *name) {
        static const char *const names[] = { "Milan", "Genoa", "Turin" };
        static const enum snp_generation gens[] = { SNP_GEN_MILAN, SNP_GEN_GENOA, SNP_GEN_TURIN };

        if (!name)
                return SNP_GEN_UNKNOWN;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                size_t n = strlen(names[i]);

                if (strncasecmp(name, names[i], n) == 0 && (name[n] == '\0' || name[n] == '-'))
                        return gens[i];
        }
        return SNP_GEN_UNKNOWN;
}

const char *report_signer_name(unsigned signing_key) {
        switch (signing_key) {
        case SNP_SIGNER_VCEK: return "VCEK";
        case SNP_SIGNER_VLEK: return "VLEK";
        case SNP_SIGNER_NONE: return "none";
        default:              return "reserved";
        }
}
