/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amd-roots.h"
#include "attest.h"
#include "base64.h"
#include "cleanup.h"
#include "config.h"
#include "crl.h"
#include "fileio.h"
#include "hex.h"
#include "idblock.h"
#include "le.h"
#include "log.h"
#include "output.h"
#include "trust.h"

/* A certificate name or extension as shown in a check: escaped, at most 71 characters. */
#define ATTEST_NAME_TEXT 72

static const char *const spl_oids[5] = {
        ATTEST_OID_FMC_SPL, ATTEST_OID_BL_SPL, ATTEST_OID_TEE_SPL, ATTEST_OID_SNP_SPL,
        ATTEST_OID_UCODE_SPL,
};
static const char *const spl_names[5] = { "fmcSPL", "blSPL", "teeSPL", "snpSPL", "ucodeSPL" };

bool attest_expect_any(const struct attest_expect *e) {
        return e->has_measurement || e->has_policy || e->has_platform_info || e->has_min_tcb ||
               e->has_family_id || e->has_image_id || e->has_guest_svn || e->has_id_key_digest ||
               e->has_author_key_digest || e->has_host_data || e->has_vmpl || e->has_report_data ||
               e->has_min_version || e->has_generation || e->has_signer ||
               e->accepted.n_measurements || e->accepted.n_id_key_digests ||
               e->accepted.n_author_key_digests || e->accepted.has_min_firmware ||
               e->accepted.n_chip_ids;
}

/* The config's roll-forward lists, bounded by the same limits. */
static void accepted_from_config(const struct vm_config *c, struct attest_accepted *a) {
        _Static_assert(CONFIG_MAX_ACCEPTED <= ATTEST_MAX_ACCEPTED, "measurements fit");
        _Static_assert(CONFIG_MAX_CHIP_IDS <= ATTEST_MAX_CHIP_IDS, "chip IDs fit");
        _Static_assert(CONFIG_LABEL_MAX < ATTEST_LABEL_SIZE, "labels fit");

        a->n_measurements = c->n_measurements;
        for (size_t i = 0; i < c->n_measurements; i++) {
                memcpy(a->measurement_labels[i], c->measurements[i].label, ATTEST_LABEL_SIZE);
                memcpy(a->measurements[i], c->measurements[i].digest, 48);
        }
        a->n_id_key_digests = c->n_id_key_digests;
        if (c->n_id_key_digests)
                memcpy(a->id_key_digests, c->id_key_digests, c->n_id_key_digests * 48);
        a->n_author_key_digests = c->n_author_key_digests;
        if (c->n_author_key_digests)
                memcpy(a->author_key_digests, c->author_key_digests,
                       c->n_author_key_digests * 48);
        a->has_min_firmware = c->has_min_firmware_version;
        a->min_firmware = (struct snp_fw_version) { c->min_firmware_version[0],
                                                    c->min_firmware_version[1],
                                                    c->min_firmware_version[2] };
        a->n_chip_ids = c->n_chip_ids;
        if (c->n_chip_ids)
                memcpy(a->chip_ids, c->chip_ids, c->n_chip_ids * 64);
}

/* ---- expected values from a VM config ---- */

int attest_expect_from_config(struct vm_config *c, unsigned flags,
                              const struct config_option *options, size_t n_options,
                              const struct cli_given *given, const void *args,
                              struct config_problems *problems, struct attest_expect *ret,
                              char **ret_why) {
        struct attest_expect x = { .platform_info_mask = UINT64_MAX };
        struct config_id_keys keys;
        int r;

        if (ret_why)
                *ret_why = NULL;
        if (c->host_cpu_family != SNP_GEN_MILAN && c->host_cpu_family != SNP_GEN_GENOA &&
            c->host_cpu_family != SNP_GEN_TURIN)
                return log_fail_why(ret_why, -EINVAL, "host_cpu_family: not set (Milan, Genoa "
                                    "or Turin); it decides the TCB layout and the AMD chain");

        if (!(flags & ATTEST_CONFIG_NO_MEASUREMENT)) {
                _cleanup_(freep) char *why = NULL;

                r = config_expected_digest(c, x.measurement, &why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return log_fail_why(ret_why, r, "computing the launch digest: %s",
                                            why ? why : strerror(-r));
                x.has_measurement = true;
        }
        /* The ID block and auth files against the config as loaded (and the digest just
         * computed): the one cross-file check. */
        r = config_check_id_files(c, flags & ATTEST_CONFIG_NO_MEASUREMENT ?
                                  CONFIG_SKIP_LAUNCH_DIGEST : 0, problems, &keys);
        if (r < 0)
                return r;
        /* Then the options: what a report must show, whatever the files say. */
        if (options) {
                r = config_apply_options(c, options, n_options, given, args);
                if (r < 0)
                        return r;
        }

        x.has_generation = true;
        x.generation = c->host_cpu_family;
        x.has_policy = true;
        x.policy = c->guest_policy;
        /* DEBUG is accepted only by --allow-debug, never by the config alone: a config may come
         * from an unverified report (config init --from-report). */
        if (c->has_platform_info) {
                x.has_platform_info = true;
                x.platform_info = c->platform_info;
        }
        x.platform_info_mask = c->platform_info_mask;
        x.has_min_tcb = c->has_min_committed_tcb;       /* absent: no floor, callers warn */
        x.min_tcb = c->min_committed_tcb;
        x.min_tcb.has_fmc = x.generation == SNP_GEN_TURIN;     /* the config's layout */
        x.min_tcb_fields = ATTEST_TCB_COMMITTED;
        x.has_family_id = x.has_image_id = x.has_guest_svn = true;
        memcpy(x.family_id, c->family_id, 16);
        memcpy(x.image_id, c->image_id, 16);
        x.guest_svn = c->guest_svn;
        x.has_host_data = true;         /* zero when not set: what QEMU passes by default */
        memcpy(x.host_data, c->host_data, 32);
        x.has_vmpl = true;
        x.vmpl = c->vmpl;
        x.has_signer = true;
        x.signer = c->signer == CONFIG_SIGNER_VLEK ? SNP_SIGNER_VLEK : SNP_SIGNER_VCEK;
        x.has_min_version = true;
        x.min_version = c->min_report_version;
        /* The key digests: the config's (or an option's), else the auth file's, else zero.
         * With a list of key digests (roll-forward), the zero default (no ID block) is not
         * accepted unless listed: only a digest the config names or id_auth_file shows. */
        x.has_id_key_digest = !c->n_id_key_digests || c->has_id_key_digest || c->id_auth_file;
        x.has_author_key_digest = !c->n_author_key_digests || c->has_author_key_digest ||
                c->id_auth_file;
        memcpy(x.id_key_digest, c->has_id_key_digest ? c->id_key_digest : keys.id_key_digest,
               sizeof(x.id_key_digest));
        memcpy(x.author_key_digest, c->has_author_key_digest ? c->author_key_digest :
               keys.author_key_digest, sizeof(x.author_key_digest));
        accepted_from_config(c, &x.accepted);
        *ret = x;
        return 0;
}

static __attribute__((format(printf, 5, 6))) void check_set(struct attest_check *c,
                                                            const char *name, bool passed,
                                                            const char *expected,
                                                            const char *fmt, ...) {
        va_list ap;

        c->name = name;
        c->passed = passed;
        snprintf(c->expected, sizeof(c->expected), "%s", expected);
        va_start(ap, fmt);
        vsnprintf(c->actual, sizeof(c->actual), fmt, ap);
        va_end(ap);
}

/* The next free check of a result; the table is sized for every check there is, so running out
 * is a programming error that fails the verdict instead of being ignored. */
static struct attest_check *next_check(struct attest_result *res) {
        static struct attest_check overflow;

        if (res->n_checks >= ATTEST_MAX_CHECKS) {
                overflow = (struct attest_check) {};
                res->checks[ATTEST_MAX_CHECKS - 1].passed = false;
                return &overflow;
        }
        return &res->checks[res->n_checks++];
}

static struct attest_check *next_chain_check(struct attest_chain *chain) {
        static struct attest_check overflow;

        if (chain->n_checks >= ELEMENTSOF(chain->checks)) {
                overflow = (struct attest_check) {};
                chain->checks[ELEMENTSOF(chain->checks) - 1].passed = false;
                return &overflow;
        }
        return &chain->checks[chain->n_checks++];
}

static void hex_of(const void *data, size_t size, char *buf) {
        hex_encode_buf(data, size, buf);        /* buf holds ATTEST_TEXT_SIZE >= 2*64+1 */
}

void attest_chain_free(struct attest_chain *chain) {
        if (!chain)
                return;
        crypto_cert_free(chain->ark);
        crypto_cert_free(chain->ask);
        crypto_cert_free(chain->leaf);
        crypto_sev_pubkey_free(chain->leaf_key);
        free(chain);
}

int attest_chain_load(const char *ark, const char *ask, const char *leaf,
                      struct attest_chain **ret, const char **ret_bad_path) {
        _cleanup_(attest_chain_freep) struct attest_chain *c = calloc(1, sizeof(*c));
        const char *paths[3] = { ark, ask, leaf };

        if (!c)
                return -ENOMEM;
        struct crypto_cert **slots[3] = { &c->ark, &c->ask, &c->leaf };
        for (size_t i = 0; i < 3; i++) {
                int r;

                if (!paths[i] && i < 2)
                        continue;       /* attest_chain_complete() */
                r = crypto_cert_load(paths[i], slots[i]);

                if (r < 0) {
                        if (ret_bad_path)
                                *ret_bad_path = paths[i];
                        return r;
                }
        }
        *ret = TAKE(c);
        return 0;
}

/* GUIDs in RFC 4122 byte order (GHCB spec 56421; snp-facts B.2.3). */
static const uint8_t guid_ark[16] = { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                      0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae };
static const uint8_t guid_ask[16] = { 0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                      0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 };
static const uint8_t guid_vcek[16] = { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                       0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd };
static const uint8_t guid_vlek[16] = { 0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                       0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 };

/* Entries at most: the table and its certificates must fit the host's few pages anyway. */
#define CERT_TABLE_MAX_ENTRIES 64

int attest_chain_from_table(const uint8_t *table, size_t size, struct attest_chain **ret,
                            const char **ret_why) {
        _cleanup_(attest_chain_freep) struct attest_chain *c = calloc(1, sizeof(*c));
        static const struct snp_cert_table_entry zero;
        const uint8_t *guids[4] = { guid_ark, guid_ask, guid_vcek, guid_vlek };
        size_t offs[CERT_TABLE_MAX_ENTRIES], lens[CERT_TABLE_MAX_ENTRIES];
        int which[CERT_TABLE_MAX_ENTRIES];
        size_t n = 0, table_end, i;
        int found[4] = { -1, -1, -1, -1 };
        bool ended = false;
        int r;

        if (!c)
                return -ENOMEM;
        for (i = 0; (i + 1) * sizeof(zero) <= size && i < CERT_TABLE_MAX_ENTRIES; i++) {
                struct snp_cert_table_entry ent;

                memcpy(&ent, table + i * sizeof(zero), sizeof(ent));    /* may be unaligned */
                if (memcmp(&ent, &zero, sizeof(ent)) == 0) {
                        ended = true;
                        break;
                }
                offs[n] = le32_get(&ent.offset);
                lens[n] = le32_get(&ent.length);
                which[n] = -1;
                for (int k = 0; k < 4; k++)
                        if (memcmp(ent.guid, guids[k], sizeof(ent.guid)) == 0)
                                which[n] = k;
                n++;
        }
        if (!ended) {
                *ret_why = "certificate table has no terminating entry";
                return -EBADMSG;
        }
        table_end = (n + 1) * sizeof(zero);
        for (i = 0; i < n; i++) {
                if (lens[i] == 0 || offs[i] < table_end || offs[i] > size ||
                    lens[i] > size - offs[i]) {
                        *ret_why = "certificate table entry out of bounds (or over the table)";
                        return -EBADMSG;
                }
                for (size_t j = 0; j < i; j++)
                        if (offs[i] < offs[j] + lens[j] && offs[j] < offs[i] + lens[i]) {
                                *ret_why = "certificate table entries overlap";
                                return -EBADMSG;
                        }
                if (which[i] < 0)
                        continue;       /* another GUID (e.g. go-sev-guest's extra info) */
                if (found[which[i]] >= 0) {
                        *ret_why = "certificate table names a certificate twice";
                        return -EBADMSG;
                }
                found[which[i]] = (int) i;
        }
        if ((found[2] < 0) == (found[3] < 0)) {
                *ret_why = found[2] < 0 ? "certificate table holds no VCEK or VLEK" :
                                          "certificate table holds both a VCEK and a VLEK";
                return -ENOENT;
        }
        struct crypto_cert **slots[4] = { &c->ark, &c->ask, &c->leaf, &c->leaf };
        for (int k = 0; k < 4; k++) {
                if (found[k] < 0)
                        continue;
                r = crypto_cert_from_mem(table + offs[found[k]], lens[found[k]], slots[k]);
                if (r < 0) {
                        *ret_why = (const char *const[]) {
                                "the ARK in the certificate table is not one DER certificate",
                                "the ASK/ASVK in the certificate table is not one DER certificate",
                                "the VCEK in the certificate table is not one DER certificate",
                                "the VLEK in the certificate table is not one DER certificate" }[k];
                        return r;
                }
        }
        *ret = TAKE(c);
        return 0;
}

int attest_chain_complete(struct attest_chain *chain, const char **ret_why) {
        _cleanup_(freep) char *product = NULL;
        char cn[64] = "";
        enum snp_generation g;
        int r;

        if (chain->ark && chain->ask)
                return 0;
        r = crypto_cert_ext_ia5(chain->leaf, ATTEST_OID_PRODUCT_NAME, &product);
        if (r == -ENOMEM)
                return r;
        g = r >= 0 ? report_generation_from_name(product) : SNP_GEN_UNKNOWN;
        if (g == SNP_GEN_UNKNOWN) {
                *ret_why = "the VCEK/VLEK names no known product (productName), so no built-in "
                           "ARK or ASK fits: give them";
                return -ENOENT;
        }
        (void) crypto_cert_subject_cn(chain->leaf, cn, sizeof(cn));
        if (!chain->ark) {
                r = amd_root_load(g, AMD_ROOT_ARK, &chain->ark);
                if (r < 0)
                        return r;
                chain->builtin |= ATTEST_BUILTIN_ARK;
        }
        if (!chain->ask) {
                r = amd_root_load(g, strcmp(cn, "SEV-VLEK") == 0 ? AMD_ROOT_ASVK : AMD_ROOT_ASK,
                                  &chain->ask);
                if (r < 0)
                        return r;
                chain->builtin |= ATTEST_BUILTIN_ASK;
        }
        return 0;
}

/* A signature check of child by parent: RSA-PSS and the issuer name. -errno only when OpenSSL
 * itself failed. */
static int signed_by(const struct crypto_cert *child, const struct crypto_cert *parent,
                     bool *ret_ok, const char **ret_why) {
        int r = crypto_cert_verify_amd_pss(child, parent);

        if (r < 0 && r != -EKEYREJECTED)
                return r;
        if (r < 0) {
                *ret_ok = false;
                *ret_why = "RSASSA-PSS SHA-384 signature does not verify";
        } else if (crypto_cert_issued_by(child, parent) != 1) {
                *ret_ok = false;
                *ret_why = "issuer name differs from the signer's subject";
        } else {
                *ret_ok = true;
                *ret_why = "verified";
        }
        return 0;
}

/* "ARK-Milan" -> Milan; "SEV-Milan" -> Milan (ASK); "SEV-VLEK-Milan" -> Milan (ASVK). */
static enum snp_generation gen_after(const char *cn, const char *prefix) {
        size_t n = strlen(prefix);

        if (strncmp(cn, prefix, n) != 0)
                return SNP_GEN_UNKNOWN;
        return report_generation_from_name(cn + n);
}

/* The validity dates of every certificate at time at. */
static void validity_check(struct attest_chain *chain, const char *const names[3], time_t at) {
        const struct crypto_cert *certs[3] = { chain->ark, chain->ask, chain->leaf };
        char e[64], t[UTC_TEXT_SIZE], t2[UTC_TEXT_SIZE];
        time_t first_end = 0;
        size_t first = 0;

        snprintf(e, sizeof(e), "every certificate valid at %s", utc_text(at, t));
        for (size_t i = 0; i < 3; i++) {
                time_t nb, na;

                if (cert_dates(certs[i], &nb, &na) < 0) {
                        check_set(next_chain_check(chain), "validity", false, e,
                                  "%s: validity dates do not decode", names[i]);
                        return;
                }
                if (at < nb) {
                        check_set(next_chain_check(chain), "validity", false, e,
                                  "%s not valid before %s", names[i], utc_text(nb, t));
                        return;
                }
                if (at > na) {
                        check_set(next_chain_check(chain), "validity", false, e,
                                  "%s expired %s", names[i], utc_text(na, t));
                        return;
                }
                if (i == 0 || na < first_end) {
                        first_end = na;
                        first = i;
                }
        }
        check_set(next_chain_check(chain), "validity", true, e, "valid at %s (first to expire: "
                  "%s, %s)", utc_text(at, t), names[first], utc_text(first_end, t2));
}

/* The ASK/ASVK and the leaf against the ARK's CRL. */
static void revocation_check(struct attest_chain *chain, const char *const names[3],
                             const struct attest_trust *t) {
        const struct crypto_cert *certs[2] = { chain->ask, chain->leaf };
        const char *e = t->require_crl ?
                "a CRL signed by the ARK, current, listing none of the chain (--require-crl)" :
                "none of the chain on a current CRL signed by the ARK, when one is given";
        char why[96], serial[48], when[UTC_TEXT_SIZE];

        if (!t->crl) {
                check_set(next_chain_check(chain), "revocation", !t->require_crl, e,
                          "not checked (no CRL)");
                return;
        }
        if (crl_check(t->crl, chain->ark, t->at, why, sizeof(why)) < 0) {
                check_set(next_chain_check(chain), "revocation", false, e, "CRL not used: %s",
                          why);
                return;
        }
        for (size_t i = 0; i < 2; i++) {
                time_t at;

                if (crl_lookup(t->crl, certs[i], &at) > 0) {
                        cert_serial_text(certs[i], serial, sizeof(serial));
                        check_set(next_chain_check(chain), "revocation", false, e,
                                  "revoked: %s serial %s on %s", names[i + 1], serial,
                                  utc_text(at, when));
                        return;
                }
        }
        check_set(next_chain_check(chain), "revocation", true, e, "not revoked (%s, %s: CRL "
                  "signed by the ARK)", names[1], names[2]);
}

int attest_chain_verify(struct attest_chain *chain, const struct crypto_cert *trusted_ark) {
        const struct attest_trust t = { .trusted_ark = trusted_ark, .at = time(NULL) };

        return attest_chain_verify_with(chain, &t);
}

int attest_chain_verify_with(struct attest_chain *chain, const struct attest_trust *t) {
        const struct crypto_cert *trusted_ark = t->trusted_ark;
        char ark_cn[64] = "", ask_cn[64] = "", leaf_cn[64] = "", fp_hex[2 * CRYPTO_SHA256_SIZE + 1];
        char ark_txt[ATTEST_NAME_TEXT], ask_txt[ATTEST_NAME_TEXT], leaf_txt[ATTEST_NAME_TEXT];
        char product_txt[ATTEST_NAME_TEXT];
        uint8_t fp[CRYPTO_SHA256_SIZE], tfp[CRYPTO_SHA256_SIZE];
        _cleanup_(freep) char *product = NULL;
        enum snp_generation g_ark = SNP_GEN_UNKNOWN, g_ask, g_leaf;
        bool ok, ask_is_asvk;
        const char *why;
        int r;

        chain->n_checks = 0;
        crypto_sev_pubkey_free(chain->leaf_key);
        chain->leaf_key = NULL;
        if (!chain->ark || !chain->ask || !chain->leaf)
                return -EINVAL;         /* attest_chain_complete() first */
        (void) crypto_cert_subject_cn(chain->ark, ark_cn, sizeof(ark_cn));
        (void) crypto_cert_subject_cn(chain->ask, ask_cn, sizeof(ask_cn));
        (void) crypto_cert_subject_cn(chain->leaf, leaf_cn, sizeof(leaf_cn));
        /* The names are the host's text: compared raw, shown only escaped. */
        output_escape_str(ark_cn, ark_txt, sizeof(ark_txt));
        output_escape_str(ask_cn, ask_txt, sizeof(ask_txt));
        output_escape_str(leaf_cn, leaf_txt, sizeof(leaf_txt));
        /* Certificates compiled into snpctl say so (the names are AMD's own: no escaping). */
        if (chain->builtin & ATTEST_BUILTIN_ARK)
                snprintf(ark_txt, sizeof(ark_txt), "%s (built-in)", ark_cn);
        if (chain->builtin & ATTEST_BUILTIN_ASK)
                snprintf(ask_txt, sizeof(ask_txt), "%s (built-in)", ask_cn);

        /* Trust anchor: the ARK's public key, not its name. */
        r = crypto_cert_pubkey_sha256(chain->ark, fp);
        if (r < 0)
                return r;
        hex_encode_buf(fp, sizeof(fp), fp_hex);
        if (trusted_ark) {
                r = crypto_cert_pubkey_sha256(trusted_ark, tfp);
                if (r < 0)
                        return r;
                ok = crypto_memeq(fp, tfp, sizeof(fp));
                g_ark = gen_after(ark_cn, "ARK-");
                check_set(next_chain_check(chain), "ark-trusted", ok,
                          "key of the --trust-ark root", "%s key sha256:%s", ark_txt, fp_hex);
        } else {
                const struct trust_anchor *anchor = trust_find(fp);

                /* An ARK that is not pinned fails here; its CN still names the generation so
                 * that the other checks judge the rest of the chain on their own. */
                g_ark = anchor ? anchor->generation : gen_after(ark_cn, "ARK-");
                check_set(next_chain_check(chain), "ark-trusted", anchor != NULL,
                          "a pinned AMD ARK (Milan, Genoa, Turin)", "%s key sha256:%s",
                          ark_txt, fp_hex);
        }

        r = signed_by(chain->ark, chain->ark, &ok, &why);
        if (r < 0)
                return r;
        check_set(next_chain_check(chain), "ark-self-signed", ok, "ARK signed by itself", "%s: %s",
                  ark_txt, why);
        r = signed_by(chain->ask, chain->ark, &ok, &why);
        if (r < 0)
                return r;
        check_set(next_chain_check(chain), "ask-signed", ok, "ASK/ASVK signed by the ARK",
                  "%s: %s", ask_txt, why);
        r = signed_by(chain->leaf, chain->ask, &ok, &why);
        if (r < 0)
                return r;
        check_set(next_chain_check(chain), "leaf-signed", ok, "VCEK/VLEK signed by the ASK/ASVK",
                  "%s: %s", leaf_txt, why);

        /* KDS spec: a VCEK (CN SEV-VCEK) hangs below the ASK (CN SEV-<product>), a VLEK (CN
         * SEV-VLEK) below the ASVK (CN SEV-VLEK-<product>). */
        ask_is_asvk = strncmp(ask_cn, "SEV-VLEK-", 9) == 0;
        g_ask = ask_is_asvk ? gen_after(ask_cn, "SEV-VLEK-") : gen_after(ask_cn, "SEV-");
        chain->kind = 0xff;             /* also when the ASK's name names no product */
        if (g_ask != SNP_GEN_UNKNOWN && !ask_is_asvk && strcmp(leaf_cn, "SEV-VCEK") == 0)
                chain->kind = SNP_SIGNER_VCEK;
        else if (g_ask != SNP_GEN_UNKNOWN && ask_is_asvk && strcmp(leaf_cn, "SEV-VLEK") == 0)
                chain->kind = SNP_SIGNER_VLEK;
        check_set(next_chain_check(chain), "cert-kinds", chain->kind != 0xff,
                  "SEV-VCEK under SEV-<product>, or SEV-VLEK under SEV-VLEK-<product>",
                  "%s under %s", leaf_txt, ask_txt);

        r = crypto_cert_ext_ia5(chain->leaf, ATTEST_OID_PRODUCT_NAME, &product);
        if (r < 0 && r != -ENOENT && r != -EBADMSG)
                return r;
        g_leaf = report_generation_from_name(product);
        ok = g_ark != SNP_GEN_UNKNOWN && g_ark == g_ask && g_ark == g_leaf;
        chain->generation = ok ? g_ark : SNP_GEN_UNKNOWN;
        check_set(next_chain_check(chain), "cert-generation", ok,
                  "ARK, ASK/ASVK and productName of one generation",
                  "ARK %s, %s %s, productName %s", report_generation_name(g_ark),
                  ask_is_asvk ? "ASVK" : "ASK", report_generation_name(g_ask),
                  product ? output_escape_str(product, product_txt, sizeof(product_txt)) :
                            "(missing)");

        r = crypto_cert_key_is_p384(chain->leaf);
        check_set(next_chain_check(chain), "leaf-key", r == 1, "ECDSA P-384", "%s",
                  r == 1 ? "ECDSA P-384" : "another key type or curve");

        {
                const char *const names[3] = {
                        "ARK", ask_is_asvk ? "ASVK" : "ASK",
                        chain->kind == SNP_SIGNER_VLEK ? "VLEK" :
                        chain->kind == SNP_SIGNER_VCEK ? "VCEK" : "VCEK/VLEK",
                };

                validity_check(chain, names, t->at);
                revocation_check(chain, names, t);
        }

        /* Read what the leaf certifies once, for every report it signed. */
        {
                _cleanup_(freep) uint8_t *hwid = NULL;
                size_t n = 0;

                chain->hwid_r = crypto_cert_ext_raw(chain->leaf, ATTEST_OID_HWID, &hwid, &n);
                /* Seen raw (64 or 8 bytes); accept a DER OCTET STRING wrapper too. */
                if (chain->hwid_r >= 0 && n >= 2 && hwid[0] == 0x04 && hwid[1] == n - 2 &&
                    (n - 2 == 64 || n - 2 == 8)) {
                        memmove(hwid, hwid + 2, n - 2);
                        n -= 2;
                }
                if (chain->hwid_r >= 0 && n > sizeof(chain->hwid))
                        chain->hwid_r = -EBADMSG;
                if (chain->hwid_r >= 0) {
                        memcpy(chain->hwid, hwid, n);
                        chain->hwid_size = n;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(spl_oids); i++) {
                chain->spl_r[i] = crypto_cert_ext_uint(chain->leaf, spl_oids[i], &chain->spl[i]);
                if (chain->spl_r[i] >= 0 && chain->spl[i] > 255)
                        chain->spl_r[i] = -ERANGE;
        }
        /* The leaf's key, checked once for every report it signed (a point of P-384 of the
         * group's order: a full point multiplication, as costly as a verify). On failure each
         * report takes the key from the certificate and gets the same error. */
        (void) crypto_sev_pubkey_from_cert(chain->leaf, &chain->leaf_key);
        return 0;
}

bool attest_chain_ok(const struct attest_chain *chain) {
        if (chain->n_checks == 0)
                return false;
        for (size_t i = 0; i < chain->n_checks; i++)
                if (!chain->checks[i].passed)
                        return false;
        return true;
}

static void check_bytes(struct attest_result *res, const char *name, const void *want,
                        const void *have, size_t size) {
        struct attest_check *c = next_check(res);
        char e[ATTEST_TEXT_SIZE], a[ATTEST_TEXT_SIZE];

        hex_of(want, size, e);
        hex_of(have, size, a);
        check_set(c, name, crypto_memeq(want, have, size), e, "%s", a);
}

/* Roll-forward: name passes when have is the one expected value (has_one) or any of the n listed
 * (list_name[i], or labels[i] when given); the actual value names the entry that matched. With
 * no list the check reads as check_bytes()'s. */
static void check_one_of(struct attest_result *res, const char *name, bool has_one,
                         const uint8_t *one, const uint8_t *list, size_t n, size_t size,
                         const char (*labels)[ATTEST_LABEL_SIZE], const char *list_name,
                         const uint8_t *have) {
        char e[ATTEST_TEXT_SIZE], a[ATTEST_TEXT_SIZE], which[ATTEST_LABEL_SIZE + 32] = "";
        bool ok = has_one && crypto_memeq(one, have, size);

        if (n == 0) {
                check_bytes(res, name, one, have, size);
                return;
        }
        if (ok)
                snprintf(which, sizeof(which), " (the single expected value)");
        for (size_t i = 0; !ok && i < n; i++)
                if (crypto_memeq(list + i * size, have, size)) {
                        ok = true;
                        if (labels)
                                snprintf(which, sizeof(which), " (%s)", labels[i]);
                        else
                                snprintf(which, sizeof(which), " (%s[%zu])", list_name, i);
                }
        if (has_one) {
                hex_of(one, size > 24 ? 24 : size, a);
                snprintf(e, sizeof(e), "%.48s... or one of the %zu in %.40s", a, n, list_name);
        } else
                snprintf(e, sizeof(e), "one of the %zu in %.40s", n, list_name);
        hex_of(have, size, a);
        check_set(next_check(res), name, ok, e, "%s%s", a, which);
}

/* Firmware versions compare as major, then minor, then build. */
static bool fw_at_least(const struct snp_fw_version *v, const struct snp_fw_version *min) {
        if (v->major != min->major)
                return v->major > min->major;
        if (v->minor != min->minor)
                return v->minor > min->minor;
        return v->build >= min->build;
}

static void accepted_checks(struct attest_result *res, const struct snp_report *rep,
                            const struct attest_accepted *x) {
        if (x->has_min_firmware) {
                char e[48];

                snprintf(e, sizeof(e), "at least %u.%u.%u", x->min_firmware.major,
                         x->min_firmware.minor, x->min_firmware.build);
                check_set(next_check(res), "min-firmware",
                          fw_at_least(&rep->committed_fw, &x->min_firmware), e,
                          "%u.%u.%u (committed)", rep->committed_fw.major,
                          rep->committed_fw.minor, rep->committed_fw.build);
        }
        if (x->n_chip_ids)
                check_one_of(res, "chip-allowed", false, NULL, &x->chip_ids[0][0], x->n_chip_ids,
                             64, NULL, "chip_ids", rep->chip_id);
}

static void check_u64(struct attest_result *res, const char *name, bool passed, bool hex,
                      uint64_t want, uint64_t have) {
        char e[64];

        snprintf(e, sizeof(e), hex ? "0x%" PRIx64 : "%" PRIu64, want);
        if (hex)
                check_set(next_check(res), name, passed, e, "0x%" PRIx64, have);
        else
                check_set(next_check(res), name, passed, e, "%" PRIu64, have);
}

static void check_min_tcb(struct attest_result *res, const char *name, uint64_t raw,
                          enum snp_generation gen, const struct snp_tcb *min) {
        struct snp_tcb t;
        const char *low = NULL;
        char e[80], a[64];
        int r;

        report_tcb_format(min, a, sizeof(a));
        snprintf(e, sizeof(e), "at least %s", a);
        if (snp_tcb_decode(raw, gen, &t) == -EINVAL) {
                check_set(next_check(res), name, false, e, "generation unknown, TCB undecodable");
                return;
        }
        report_tcb_format(&t, a, sizeof(a));
        r = report_tcb_at_least(&t, min, &low);
        if (r < 0)
                check_set(next_check(res), name, false, e, "%s (%s layout)", a,
                          report_generation_name(gen));
        else if (r == 0)
                check_set(next_check(res), name, false, e, "%s (%s too low)", a, low);
        else
                check_set(next_check(res), name, true, e, "%s", a);
}

static void vm_checks(struct attest_result *res, const struct snp_report *rep,
                      enum snp_generation gen, const struct attest_expect *x) {
        static const struct { unsigned bit; const char *name; size_t off; } tcbs[] = {
                { ATTEST_TCB_COMMITTED, "committed-tcb", offsetof(struct snp_report, committed_tcb) },
                { ATTEST_TCB_REPORTED,  "reported-tcb",  offsetof(struct snp_report, reported_tcb) },
                { ATTEST_TCB_LAUNCH,    "launch-tcb",    offsetof(struct snp_report, launch_tcb) },
                { ATTEST_TCB_CURRENT,   "current-tcb",   offsetof(struct snp_report, current_tcb) },
        };

        res->vm_checks = true;
        if (x->has_measurement || x->accepted.n_measurements)
                check_one_of(res, "measurement", x->has_measurement, x->measurement,
                             &x->accepted.measurements[0][0], x->accepted.n_measurements, 48,
                             x->accepted.measurement_labels, "measurements", rep->measurement);
        if (x->has_policy)
                check_u64(res, "policy", x->policy == rep->policy, true, x->policy,
                          rep->policy);
        if (x->has_platform_info) {
                char e[80], a[80];

                snprintf(e, sizeof(e), "0x%" PRIx64 " under mask 0x%" PRIx64,
                         x->platform_info & x->platform_info_mask, x->platform_info_mask);
                snprintf(a, sizeof(a), "0x%" PRIx64, rep->platform_info);
                check_set(next_check(res), "platform-info",
                          ((rep->platform_info ^ x->platform_info) & x->platform_info_mask) == 0,
                          e, "%s", a);
        }
        if (x->has_min_tcb) {
                unsigned which = x->min_tcb_fields ? x->min_tcb_fields : ATTEST_TCB_COMMITTED;

                for (size_t i = 0; i < ELEMENTSOF(tcbs); i++)
                        if (which & tcbs[i].bit) {
                                uint64_t raw;

                                memcpy(&raw, (const uint8_t *) rep + tcbs[i].off, sizeof(raw));
                                check_min_tcb(res, tcbs[i].name, raw, gen, &x->min_tcb);
                        }
        }
        if (x->has_family_id)
                check_bytes(res, "family-id", x->family_id, rep->family_id, 16);
        if (x->has_image_id)
                check_bytes(res, "image-id", x->image_id, rep->image_id, 16);
        if (x->has_guest_svn)
                check_u64(res, "guest-svn", x->guest_svn == rep->guest_svn, false,
                          x->guest_svn, rep->guest_svn);
        if (x->has_id_key_digest || x->accepted.n_id_key_digests)
                check_one_of(res, "id-key-digest", x->has_id_key_digest, x->id_key_digest,
                             &x->accepted.id_key_digests[0][0], x->accepted.n_id_key_digests, 48,
                             NULL, "id_key_digests", rep->id_key_digest);
        if (x->has_author_key_digest || x->accepted.n_author_key_digests)
                check_one_of(res, "author-key-digest", x->has_author_key_digest,
                             x->author_key_digest, &x->accepted.author_key_digests[0][0],
                             x->accepted.n_author_key_digests, 48, NULL, "author_key_digests",
                             rep->author_key_digest);
        accepted_checks(res, rep, &x->accepted);
        if (x->has_host_data)
                check_bytes(res, "host-data", x->host_data, rep->host_data, 32);
        if (x->has_vmpl)
                check_u64(res, "vmpl", x->vmpl == rep->vmpl, false, x->vmpl, rep->vmpl);
        if (x->has_report_data)
                check_bytes(res, "report-data", x->report_data, rep->report_data, 64);
        if (x->has_min_version) {
                char e[32];

                snprintf(e, sizeof(e), "at least %" PRIu32, x->min_version);
                check_set(next_check(res), "min-version", rep->version >= x->min_version, e,
                          "%" PRIu32, rep->version);
        }
        if (x->has_signer)
                check_set(next_check(res), "signer", rep->signing_key == x->signer,
                          report_signer_name(x->signer), "%s",
                          report_signer_name(rep->signing_key));
        if (x->has_generation) {
                /* v3+ reports name their CPU; a v2 report's comes from its certificate. */
                enum snp_generation have = rep->version >= 3 ? report_generation_from_cpuid(rep) :
                                                               res->generation;

                check_set(next_check(res), "host-cpu-family", have == x->generation,
                          report_generation_name(x->generation), "%s (%s)",
                          report_generation_name(have),
                          rep->version >= 3 ? "report CPUID" : "certificate");
        }
}

/* The VCEK/VLEK binding: SPL extensions equal to REPORTED_TCB (KDS spec 57230: the key is derived
 * from that TCB), and for a VCEK the hwID equal to CHIP_ID (Turin: its first 8 bytes). */
static void binding_checks(struct attest_result *res, const struct attest_chain *chain,
                           const struct snp_report *rep) {
        enum snp_generation gen = chain->generation;
        struct snp_tcb t;
        char e[ATTEST_TEXT_SIZE], a[ATTEST_TEXT_SIZE];

        if (chain->kind == SNP_SIGNER_VCEK) {
                size_t want = gen == SNP_GEN_TURIN ? 8 : 64;
                bool ok = chain->hwid_r >= 0 && chain->hwid_size == want &&
                          crypto_memeq(chain->hwid, rep->chip_id, want);
                bool rest_zero = true;

                for (size_t i = want; i < 64; i++)
                        if (rep->chip_id[i])
                                rest_zero = false;
                hex_of(rep->chip_id, want, a);
                if (chain->hwid_r >= 0)
                        hex_of(chain->hwid, chain->hwid_size, e);
                else
                        snprintf(e, sizeof(e), "(VCEK has no valid hwID extension)");
                check_set(next_check(res), "chip-id", ok && rest_zero, e, "%s%s", a,
                          rest_zero ? "" : " (CHIP_ID bytes 8-63 not zero)");
        }

        {
                bool ok = snp_tcb_decode(rep->reported_tcb, gen, &t) == 0;
                const uint8_t have[5] = { t.fmc, t.bootloader, t.tee, t.snp, t.microcode };
                size_t first = gen == SNP_GEN_TURIN ? 0 : 1;
                size_t el = 0, al = 0;

                if (gen == SNP_GEN_UNKNOWN)
                        ok = false;
                e[0] = a[0] = '\0';
                for (size_t i = first; i < 5 && gen != SNP_GEN_UNKNOWN; i++) {
                        if (chain->spl_r[i] < 0) {
                                ok = false;
                                el += (size_t) snprintf(e + el, sizeof(e) - el, "%s%s=missing",
                                                        el ? " " : "", spl_names[i]);
                        } else {
                                if (chain->spl[i] != have[i])
                                        ok = false;
                                el += (size_t) snprintf(e + el, sizeof(e) - el, "%s%s=%" PRIu64,
                                                        el ? " " : "", spl_names[i], chain->spl[i]);
                        }
                        al += (size_t) snprintf(a + al, sizeof(a) - al, "%s%s=%u", al ? " " : "",
                                                spl_names[i], have[i]);
                        if (el >= sizeof(e) || al >= sizeof(a))
                                break;
                }
                check_set(next_check(res), "cert-tcb", ok, e, "REPORTED_TCB %s", a);
        }
}

int attest_verify_report(const struct attest_chain *chain, const void *data, size_t size,
                         const struct attest_expect *expect, struct attest_result *res) {
        struct snp_report rep;
        enum snp_generation g;
        const char *why = NULL;
        bool ok;
        int r;

        *res = (struct attest_result) { .generation = chain->generation, .signer = chain->kind };
        for (size_t i = 0; i < chain->n_checks; i++)
                *next_check(res) = chain->checks[i];

        r = report_parse(data, size, &rep, &why);
        if (r < 0) {
                check_set(next_check(res), "report-format", false,
                          "1184-byte report, version 2, 3 or 5", "%zu bytes: bad %s", size, why);
                return 0;
        }
        res->version = rep.version;
        check_set(next_check(res), "report-format", true, "1184-byte report, version 2, 3 or 5",
                  "version %" PRIu32, rep.version);

        g = report_generation_from_cpuid(&rep);
        if (rep.version >= 3)
                check_set(next_check(res), "generation", g != SNP_GEN_UNKNOWN &&
                          g == chain->generation, report_generation_name(chain->generation),
                          "CPUID %02x/%02x/%02x: %s", rep.cpuid_fam_id, rep.cpuid_mod_id,
                          rep.cpuid_step, report_generation_name(g));
        else
                check_set(next_check(res), "generation", chain->generation != SNP_GEN_UNKNOWN,
                          report_generation_name(chain->generation),
                          "version 2 report names none; taken from the certificate");

        {
                const uint64_t tcbs[4] = { rep.current_tcb, rep.reported_tcb, rep.committed_tcb,
                                           rep.launch_tcb };
                struct snp_tcb t;

                ok = chain->generation != SNP_GEN_UNKNOWN;
                for (size_t i = 0; i < 4 && ok; i++)
                        if (snp_tcb_decode(tcbs[i], chain->generation, &t) < 0)
                                ok = false;
                check_set(next_check(res), "tcb-layout", ok, "reserved TCB bytes zero",
                          "%s layout: %s", report_generation_name(chain->generation),
                          ok ? "reserved bytes zero" : "reserved byte set or layout unknown");
        }

        if (chain->leaf_key)
                r = crypto_sev_pubkey_verify(chain->leaf_key, rep.raw, SNP_REPORT_SIGNED_SIZE,
                                             rep.sig_r, rep.sig_s);
        else
                r = crypto_sev_verify_cert(chain->leaf, rep.raw, SNP_REPORT_SIGNED_SIZE,
                                           rep.sig_r, rep.sig_s);
        if (r < 0 && r != -EKEYREJECTED && r != -EBADMSG)       /* both: "does not verify" */
                return r;
        check_set(next_check(res), "signature", r == 0,
                  "ECDSA P-384 SHA-384 by the VCEK/VLEK over 0x000-0x29F", "%s",
                  r == 0 ? "verified" : "does not verify");

        check_set(next_check(res), "signing-key", rep.signing_key == chain->kind,
                  chain->kind <= SNP_SIGNER_VLEK ? report_signer_name(chain->kind) : "VCEK or VLEK",
                  "%s", report_signer_name(rep.signing_key));

        binding_checks(res, chain, &rep);

        /* Checked for every report, with or without expected values: a guest whose policy
         * allows debugging can be read and changed by the host (SNP ABI 56860, GUEST_POLICY
         * bit 19). */
        check_set(next_check(res), "debug", expect->allow_debug ||
                  !(rep.policy & SNP_POLICY_DEBUG), expect->allow_debug ?
                  "debugging allowed or not (--allow-debug)" : "policy DEBUG bit clear",
                  "%s", rep.policy & SNP_POLICY_DEBUG ? "DEBUG set" : "DEBUG clear");
        /* A migration agent (bit 18) can export the guest's memory and state: refused when a
         * key is at stake, unless the expected policy itself sets the bit. */
        if (expect->refuse_migrate_ma) {
                bool allowed = expect->has_policy && (expect->policy & SNP_POLICY_MIGRATE_MA);

                check_set(next_check(res), "migrate-ma", allowed ||
                          !(rep.policy & SNP_POLICY_MIGRATE_MA), allowed ?
                          "MIGRATE_MA as the expected policy sets it" :
                          "policy MIGRATE_MA bit clear", "%s",
                          rep.policy & SNP_POLICY_MIGRATE_MA ? "MIGRATE_MA set" :
                                                               "MIGRATE_MA clear");
        }

        /* The TCB layout: the chain's generation; the config's when the chain names none. */
        g = chain->generation;
        if (g == SNP_GEN_UNKNOWN && expect->has_generation)
                g = expect->generation;
        if (attest_expect_any(expect))
                vm_checks(res, &rep, g, expect);
        return 0;
}

bool attest_verified(const struct attest_result *res) {
        if (res->n_checks == 0)
                return false;
        for (size_t i = 0; i < res->n_checks; i++)
                if (!res->checks[i].passed)
                        return false;
        return true;
}

const struct attest_check *attest_first_failure(const struct attest_result *res) {
        for (size_t i = 0; i < res->n_checks; i++)
                if (!res->checks[i].passed)
                        return &res->checks[i];
        return NULL;
}
