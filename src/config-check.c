/* SPDX-License-Identifier: Apache-2.0 */
/* The config's consistency checks: values, ranges and reserved bits, the files it names, and
 * the ID block and authentication structure against the config. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "config.h"
#include "config-private.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "idblock.h"
#include "ovmf.h"

/* ---- consistency checks ------------------------------------------------------------------- */

static void bits_list(uint64_t bits, char *buf, size_t size) {
        size_t used = 0;

        buf[0] = '\0';
        for (unsigned b = 0; b < 64 && used + 4 < size; b++)
                if (bits & (UINT64_C(1) << b))
                        used += (size_t) snprintf(buf + used, size - used, "%s%u", used ? ", " : "", b);
}

static void check_policy(struct checker *k, uint64_t policy) {
        char list[256];

        unsigned bad = snp_policy_check(policy);

        if (bad & SNP_POLICY_LACKS_MBO)
                config_problem(k, false, "guest_policy", "bit 17 must be set (0x20000)");
        if (bad & SNP_POLICY_SETS_MBZ) {
                bits_list(policy & SNP_POLICY_MBZ_MASK, list, sizeof(list));
                config_problem(k, false, "guest_policy", "reserved bits must be zero: 0x%" PRIx64
                               " (bit %s)", policy & SNP_POLICY_MBZ_MASK, list);
        }
        if (policy & SNP_POLICY_DEBUG)
                config_problem(k, true, "guest_policy", "bit 19 (DEBUG) lets the host read and "
                               "change guest memory; never for production");
        if (policy & SNP_POLICY_MIGRATE_MA)
                config_problem(k, true, "guest_policy", "bit 18 (MIGRATE_MA): upstream KVM refuses "
                               "to launch with it");
        if (policy & SNP_POLICY_SINGLE_SOCKET)
                config_problem(k, true, "guest_policy", "bit 20 (SINGLE_SOCKET): upstream KVM "
                               "refuses to launch with it");
        if (!(policy & SNP_POLICY_SMT))
                config_problem(k, true, "guest_policy", "bit 16 (SMT) is clear: the launch fails "
                               "on a host with SMT enabled");
}

static void check_features(struct checker *k, uint64_t features) {
        char list[256];

        if (!(features & SNP_FEATURE_SNP_ACTIVE))
                config_problem(k, false, "guest_features", "bit 0 (SNPActive) must be set for an "
                               "SNP guest (0x1)");
        if (features & ~SNP_FEATURES_KNOWN_MASK) {
                bits_list(features & ~SNP_FEATURES_KNOWN_MASK, list, sizeof(list));
                /* Measured as given, as sev-snp-measure and QEMU do: a newer processor may
                 * define them. */
                config_problem(k, true, "guest_features", "bits this version does not know: 0x%"
                               PRIx64 " (bit %s); measured as given",
                               features & ~SNP_FEATURES_KNOWN_MASK, list);
        }
}

/* Whether path is a readable regular file (or block device); says why not. */
static bool check_file(struct checker *k, const char *field, const char *path, bool block_ok) {
        struct stat st;

        if (stat(path, &st) < 0)
                config_problem(k, false, field, "'%s': %s", path, strerror(errno));
        else if (S_ISDIR(st.st_mode))
                config_problem(k, false, field, "'%s' is a folder, not a file", path);
        else if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode)))
                config_problem(k, false, field, "'%s' is not a regular file", path);
        else if (access(path, R_OK) < 0)
                config_problem(k, false, field, "'%s': %s", path, strerror(errno));
        else
                return true;
        return false;
}

/* An SNP guest needs OVMF's SEV metadata; a measured kernel needs its kernel-hashes section
 * (snp-facts B.1.3: only the AmdSevX64 build has it). Parsed by the measure module's ovmf.c, so
 * validate and measure judge an image alike. */
static void check_ovmf(struct checker *k, const struct vm_config *c) {
        _cleanup_(ovmf_freep) struct ovmf_image *img = NULL;
        _cleanup_(freep) char *why = NULL;
        int r = ovmf_open(c->ovmf_file, OVMF_FOUR_GIB, &img, &why);

        if (r == -ENOMEM)
                config_oom(k);
        else if (r < 0)
                config_problem(k, false, "ovmf_file", "%s", why ? why : strerror(-r));
        else if (!img->has_footer)
                config_problem(k, false, "ovmf_file", "'%s' has no OVMF footer table: not an OVMF "
                               "that can boot an SNP guest", c->ovmf_file);
        else if (!img->has_metadata)
                config_problem(k, false, "ovmf_file", "'%s' has no SEV metadata: not an OVMF that "
                               "can boot an SNP guest", c->ovmf_file);
        else if (c->kernel_file && !ovmf_has_section(img, OVMF_SECTION_SNP_KERNEL_HASHES))
                config_problem(k, false, "kernel_file", "'%s' has no SNP kernel-hashes section, so "
                               "the kernel cannot be measured: use an OVMF built from "
                               "OvmfPkg/AmdSev/AmdSevX64.dsc", c->ovmf_file);
        else {
                /* The launch digest from this same open, kept in c for the applet. */
                k->ovmf_ok = true;
                k->digest_r = config_expected_digest_image(c, img, k->digest, &k->digest_why);
                if (k->digest_r == -ENOMEM)
                        config_oom(k);
        }
}

/* The firmware refuses a launch whose digest differs from the ID block's LD ("Bad
 * measurement", snp-facts B.3.6); say so now, naming both. */
static void check_id_block_digest(struct checker *k, const uint8_t *ld) {
        char want[2 * CONFIG_DIGEST_SIZE + 1], got[2 * CONFIG_DIGEST_SIZE + 1];
        const uint8_t *digest = k->digest;

        if (!k->ovmf_ok || k->digest_r == -ENOMEM)
                return;         /* the OVMF's own problem is reported */
        if (k->digest_r < 0) {
                config_problem(k, false, "id_block_file", "cannot compute the launch digest to "
                               "compare with the ID block: %s",
                               k->digest_why ? k->digest_why : strerror(-k->digest_r));
                return;
        }
        if (memcmp(digest, ld, CONFIG_DIGEST_SIZE) == 0)
                return;
        hex_encode_buf(ld, CONFIG_DIGEST_SIZE, got);
        hex_encode_buf(digest, CONFIG_DIGEST_SIZE, want);
        config_problem(k, false, "id_block_file", "ID block launch digest %s differs from the "
                       "config's %s: the launch would fail", got, want);
}

static int read_base64_file(const char *path, size_t max, uint8_t **ret, size_t *ret_size) {
        _cleanup_(freep) uint8_t *text = NULL;
        size_t n;
        int r = fileio_read_full(path, 2 * max + 64, &text, &n);

        if (r < 0)
                return r;
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
                n--;
        return base64_decode((const char *) text, n, ret, ret_size);
}

/* The cross-file consistency, the one check of it (config_check_id_files()): the ID block must
 * agree with the config, or the launch fails late (snp-facts B.3.6); keys (may be NULL) gets
 * the ID auth structure's key digests. */
static void check_id_files(struct checker *k, const struct vm_config *c,
                           struct config_id_keys *keys) {
        _cleanup_(freep) uint8_t *blk = NULL, *auth = NULL;
        struct snp_id_block_fields b;
        size_t n;
        int r;

        r = read_base64_file(c->id_block_file, SNP_ID_BLOCK_SIZE, &blk, &n);
        if (r == -EINVAL || (r == 0 && n != SNP_ID_BLOCK_SIZE)) {
                config_problem(k, false, "id_block_file", "'%s' is not base64 of a %d-byte ID "
                               "block", c->id_block_file, SNP_ID_BLOCK_SIZE);
                return;
        }
        if (r < 0)
                return;         /* reported by check_file() */
        if (snp_id_block_parse(blk, n, &b) < 0)
                config_problem(k, false, "id_block_file", "ID block version %" PRIu32 " (expected "
                               "1)", b.version);
        check_id_block_digest(k, b.ld);
        if (b.policy != c->guest_policy)
                config_problem(k, false, "id_block_file", "ID block policy 0x%" PRIx64 " differs "
                               "from guest_policy 0x%" PRIx64, b.policy, c->guest_policy);
        if (memcmp(b.family_id, c->family_id, SNP_ID_SIZE) != 0)
                config_problem(k, false, "id_block_file", "ID block family_id differs from "
                               "family_id");
        if (memcmp(b.image_id, c->image_id, SNP_ID_SIZE) != 0)
                config_problem(k, false, "id_block_file", "ID block image_id differs from image_id"
                               );
        if (b.guest_svn != c->guest_svn)
                config_problem(k, false, "id_block_file", "ID block guest_svn %" PRIu32 " differs "
                               "from guest_svn %" PRIu32, b.guest_svn, c->guest_svn);
        if (!c->id_auth_file)
                return;
        r = read_base64_file(c->id_auth_file, SNP_ID_AUTH_SIZE, &auth, &n);
        if (r == -EINVAL || r == -EFBIG || (r == 0 && n != SNP_ID_AUTH_SIZE)) {
                config_problem(k, false, "id_auth_file", "'%s' is not base64 of a %d-byte ID "
                               "authentication structure", c->id_auth_file, SNP_ID_AUTH_SIZE);
                return;
        }
        if (r < 0)
                return;
        if (keys || c->has_id_key_digest || c->has_author_key_digest) {
                uint8_t id[CRYPTO_SHA384_SIZE], author[CRYPTO_SHA384_SIZE];

                r = idblock_auth_key_digests(auth, n, id, author, NULL);
                if (r == -EINVAL)
                        config_problem(k, false, "id_auth_file", "'%s': ID_KEY_ALGO is not 1 "
                                       "(ECDSA P-384 with SHA-384)", c->id_auth_file);
                else if (r < 0)
                        config_oom(k);
                else {
                        if (c->has_id_key_digest && memcmp(id, c->id_key_digest, sizeof(id)) != 0)
                                config_problem(k, false, "id_key_digest", "differs from the ID key "
                                               "in '%s'", c->id_auth_file);
                        if (c->has_author_key_digest &&
                            memcmp(author, c->author_key_digest, sizeof(author)) != 0)
                                config_problem(k, false, "author_key_digest", "differs from the "
                                               "author key in '%s'", c->id_auth_file);
                        if (keys) {
                                memcpy(keys->id_key_digest, id, sizeof(id));
                                memcpy(keys->author_key_digest, author, sizeof(author));
                        }
                }
        }
}

/* The owner key and the disk binding reach the guest only on the measured command line, and
 * only through their own fields (one place per fact). A guest that waits for a disk key
 * (boot=encrypted) without them would boot to a refusal: said here, not at boot. */
static void check_cmdline(struct checker *k, const struct vm_config *c, bool kernel_placeholder) {
        const char *cl = c->kernel_cmdline ? c->kernel_cmdline : "";
        bool encrypted = false;

        for (const char *w = cl; *w; ) {
                size_t n = strcspn(w, " \t");

                if (n == strlen("boot=encrypted") && strncmp(w, "boot=encrypted", n) == 0)
                        encrypted = true;
                if (strncmp(w, CONFIG_CMDLINE_OWNER, strlen(CONFIG_CMDLINE_OWNER)) == 0)
                        config_problem(k, false, "kernel_cmdline", "must not set "
                                       CONFIG_CMDLINE_OWNER ": use the owner_key_digest field, "
                                       "which adds it");
                if (strncmp(w, CONFIG_CMDLINE_LUKS, strlen(CONFIG_CMDLINE_LUKS)) == 0)
                        config_problem(k, false, "kernel_cmdline", "must not set "
                                       CONFIG_CMDLINE_LUKS ": use the luks_binding field, which "
                                       "adds it");
                w += n;
                w += strspn(w, " \t");
        }
        if ((c->has_owner_key_digest || c->luks_binding) && !c->kernel_file && !kernel_placeholder)
                config_problem(k, false, c->has_owner_key_digest ? "owner_key_digest" :
                               "luks_binding", "needs kernel_file: it reaches the guest on the "
                               "measured kernel command line");
        if (encrypted && !c->has_owner_key_digest)
                config_problem(k, false, "owner_key_digest", "required with boot=encrypted: the "
                               "guest accepts its disk key only from this owner key (snpctl "
                               "idblock keygen prints the digest)");
        if (encrypted && !c->luks_binding)
                config_problem(k, false, "luks_binding", "required with boot=encrypted: the guest "
                               "opens only the LUKS2 volume bound here (snpctl disk bind IMAGE)");
}

void config_check_fields(struct checker *k, const struct vm_config *c, bool vcpu_sig_given) {
        bool files = !(k->flags & CONFIG_SKIP_FILE_CHECKS);
        bool placeholders = k->flags & CONFIG_ALLOW_PLACEHOLDERS;
        bool kernel_placeholder = config_field_placeholder(k, "kernel_file");
        uint32_t sig;

        if (c->host_cpu_family == SNP_GEN_UNKNOWN && !placeholders &&
            !config_field_present(k, "host_cpu_family"))
                config_problem(k, false, "host_cpu_family", "required (Milan, Genoa or Turin)");
        if (!c->ovmf_file && !placeholders && !config_field_present(k, "ovmf_file"))
                config_problem(k, false, "ovmf_file", "required");
        if (c->vcpu_count < 1 || c->vcpu_count > SNP_MAX_VCPUS)
                config_problem(k, false, "vcpu_count", "%u is out of range 1..%d", c->vcpu_count,
                               SNP_MAX_VCPUS);

        if (!c->vcpu_type && !vcpu_sig_given)
                config_problem(k, false, "vcpu_type", "vcpu_type or vcpu_sig is required");
        else if (c->vcpu_type && config_vcpu_sig_from_type(c->vcpu_type, &sig) < 0) {
                if (!vcpu_sig_given)
                        config_problem(k, false, "vcpu_type", "unknown vCPU model '%s': give its "
                                       "CPUID signature as vcpu_sig", c->vcpu_type);
        } else if (c->vcpu_type && vcpu_sig_given && sig != c->vcpu_sig)
                config_problem(k, false, "vcpu_sig", "0x%" PRIx32 " differs from the signature of "
                               "vcpu_type %s (0x%" PRIx32 ")", c->vcpu_sig, c->vcpu_type, sig);

        check_features(k, c->guest_features);
        check_policy(k, c->guest_policy);

        if (c->has_platform_info && (c->platform_info & ~SNP_PLATFORM_INFO_KNOWN_MASK)) {
                char list[256];

                bits_list(c->platform_info & ~SNP_PLATFORM_INFO_KNOWN_MASK, list, sizeof(list));
                config_problem(k, false, "platform_info", "reserved bits must be zero: 0x%" PRIx64
                               " (bit %s)", c->platform_info & ~SNP_PLATFORM_INFO_KNOWN_MASK, list);
        }
        if (!c->has_platform_info && c->platform_info_mask != UINT64_MAX)
                config_problem(k, true, "platform_info_mask", "has no effect without platform_info"
                               );

        if (c->min_committed_tcb.fmc != 0 && c->host_cpu_family != SNP_GEN_TURIN &&
            c->host_cpu_family != SNP_GEN_UNKNOWN)
                config_problem(k, false, "min_committed_tcb.fmc", "must be 0: %s has no FMC SPL "
                               "(Turin and later only)",
                               config_cpu_family_to_string(c->host_cpu_family));
        if (c->vmpl > SNP_VMPL_MAX)
                config_problem(k, false, "vmpl", "%u is out of range 0..3", c->vmpl);
        if (c->min_report_version < 2 || c->min_report_version > 5)
                config_problem(k, false, "min_report_version", "%u is out of range 2..5",
                               c->min_report_version);
        if (c->initrd_file && !c->kernel_file && !kernel_placeholder)
                config_problem(k, false, "initrd_file", "needs kernel_file (direct boot)");
        if (c->kernel_cmdline && !c->kernel_file && !kernel_placeholder)
                config_problem(k, false, "kernel_cmdline", "needs kernel_file (direct boot)");
        check_cmdline(k, c, kernel_placeholder);
        if (c->id_auth_file && !c->id_block_file)
                config_problem(k, false, "id_auth_file", "needs id_block_file");
        if (c->memory_mb < MEMORY_MB_MIN || c->memory_mb > MEMORY_MB_MAX)
                config_problem(k, false, "memory_mb", "%" PRIu64 " is out of range %d..%" PRIu64,
                               c->memory_mb, MEMORY_MB_MIN, MEMORY_MB_MAX);
        if (c->cbitpos > 63)
                config_problem(k, false, "cbitpos", "%u is out of range 0..63", c->cbitpos);
        if (c->reduced_phys_bits < 1 || c->reduced_phys_bits > 63)
                config_problem(k, false, "reduced_phys_bits", "%u is out of range 1..63",
                               c->reduced_phys_bits);
        if (!c->qemu_binary || !*c->qemu_binary)
                config_problem(k, false, "qemu_binary", "must not be empty");

        if (c->network == CONFIG_NETWORK_NONE && c->n_forwards > 0)
                config_problem(k, false, "forwards", "need network \"user\"");
        for (size_t i = 0; i < c->n_forwards; i++)
                for (size_t j = 0; j < i; j++)
                        if (c->forwards[i].proto == c->forwards[j].proto &&
                            c->forwards[i].host_port == c->forwards[j].host_port &&
                            c->forwards[i].host_port != 0 &&
                            c->forwards[i].host_addr && c->forwards[j].host_addr &&
                            strcmp(c->forwards[i].host_addr, c->forwards[j].host_addr) == 0) {
                                char field[48];

                                snprintf(field, sizeof(field), "forwards[%zu].host_port", i);
                                config_problem(k, false, field, "%s port %u is forwarded twice "
                                               "(also forwards[%zu])",
                                               config_proto_names[c->forwards[i].proto],
                                               c->forwards[i].host_port, j);
                        }

        if (!files)
                return;
        if (c->ovmf_file && check_file(k, "ovmf_file", c->ovmf_file, false))
                check_ovmf(k, c);
        if (c->kernel_file)
                check_file(k, "kernel_file", c->kernel_file, false);
        if (c->initrd_file)
                check_file(k, "initrd_file", c->initrd_file, false);
        if (c->id_block_file)
                check_file(k, "id_block_file", c->id_block_file, false);
        if (c->id_auth_file)
                check_file(k, "id_auth_file", c->id_auth_file, false);
        for (size_t i = 0; i < c->n_disks; i++)
                if (c->disks[i].file) {
                        char field[48];

                        snprintf(field, sizeof(field), "disks[%zu].file", i);
                        check_file(k, field, c->disks[i].file, true);
                }
        if (c->qemu_binary && strchr(c->qemu_binary, '/') && access(c->qemu_binary, X_OK) < 0)
                config_problem(k, false, "qemu_binary", "'%s': %s", c->qemu_binary,
                               strerror(errno));
        if (c->id_block_file)
                check_id_files(k, c, NULL);
}

int config_check(const struct vm_config *c, unsigned flags, struct config_problems *problems) {
        struct config_problems local = { 0 };
        struct checker k = {
                .name = c->path ? c->path : "config", .flags = flags,
                .problems = problems ? problems : &local,
        };
        uint32_t sig;
        bool given = !c->vcpu_type || config_vcpu_sig_from_type(c->vcpu_type, &sig) < 0 ||
                     sig != c->vcpu_sig;

        config_check_fields(&k, c, given);
        free(k.digest_why);
        config_problems_clear(&local);
        if (k.oom < 0)
                return k.oom;
        return k.errors > 0 ? -EINVAL : 0;
}

int config_check_id_files(const struct vm_config *c, unsigned flags,
                          struct config_problems *problems, struct config_id_keys *ret_keys) {
        struct config_problems local = { 0 };
        struct checker k = {
                .name = c->path ? c->path : "config", .flags = flags,
                .problems = problems ? problems : &local,
        };
        struct config_id_keys keys = { { 0 } };
        bool readable = true;

        /* The config's digests, else the auth structure's (below), else zero. */
        if (c->has_id_key_digest)
                memcpy(keys.id_key_digest, c->id_key_digest, CONFIG_DIGEST_SIZE);
        if (c->has_author_key_digest)
                memcpy(keys.author_key_digest, c->author_key_digest, CONFIG_DIGEST_SIZE);
        if (c->id_auth_file && !c->id_block_file)
                config_problem(&k, false, "id_auth_file", "needs id_block_file");
        if (c->id_block_file)
                readable = check_file(&k, "id_block_file", c->id_block_file, false);
        if (c->id_auth_file)
                readable = check_file(&k, "id_auth_file", c->id_auth_file, false) && readable;
        if (c->id_block_file && readable) {
                /* The digest, unless the caller has the measurement; kept in c. */
                k.ovmf_ok = !(flags & CONFIG_SKIP_LAUNCH_DIGEST);
                if (k.ovmf_ok) {
                        k.digest_r = config_expected_digest(c, k.digest, &k.digest_why);
                        if (k.digest_r == -ENOMEM)
                                config_oom(&k);
                }
                check_id_files(&k, c, &keys);
        }
        free(k.digest_why);
        config_problems_clear(&local);
        if (k.oom < 0)
                return k.oom;
        if (k.errors > 0)
                return -EINVAL;
        if (ret_keys)
                *ret_keys = keys;
        return 0;
}
