/* SPDX-License-Identifier: Apache-2.0 */
/* The config as JSON: serialisation, the config init template, and the decoded view of
 * config show --json. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "config.h"
#include "config-private.h"
#include "hex.h"
#include "output.h"

/* ---- serialisation ------------------------------------------------------------------------- */

static int add_hex64(struct json_object *o, const char *key, uint64_t v) {
        char buf[24];

        snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
        return output_add_str(o, key, buf);
}

static int add_opt_hex(struct json_object *o, const char *key, bool has, const void *d,
                       size_t n) {
        return has ? output_add_hex(o, key, d, n) : output_add_str(o, key, NULL);
}

static int tcb_to_json(const struct snp_tcb *t, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();

        if (!o ||
            output_add_int(o, "bootloader", t->bootloader) < 0 ||
            output_add_int(o, "tee", t->tee) < 0 ||
            output_add_int(o, "snp", t->snp) < 0 ||
            output_add_int(o, "microcode", t->microcode) < 0 ||
            output_add_int(o, "fmc", t->fmc) < 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

static int disks_to_json(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_disks; i++) {
                struct json_object *d = json_object_new_object();

                if (!d || json_object_array_add(a, d) < 0) {
                        json_object_put(d);
                        return -ENOMEM;
                }
                if (output_add_str(d, "file", c->disks[i].file) < 0 ||
                    output_add_str(d, "format", config_format_names[c->disks[i].format]) < 0 ||
                    output_add_str(d, "bus", config_bus_names[c->disks[i].bus]) < 0 ||
                    output_add_bool(d, "readonly", c->disks[i].readonly) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE(a);
        return 0;
}

static int forwards_to_json(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_forwards; i++) {
                struct json_object *f = json_object_new_object();

                if (!f || json_object_array_add(a, f) < 0) {
                        json_object_put(f);
                        return -ENOMEM;
                }
                if (output_add_str(f, "proto", config_proto_names[c->forwards[i].proto]) < 0 ||
                    output_add_str(f, "host_addr", c->forwards[i].host_addr) < 0 ||
                    output_add_int(f, "host_port", c->forwards[i].host_port) < 0 ||
                    output_add_int(f, "guest_port", c->forwards[i].guest_port) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE(a);
        return 0;
}

/* The roll-forward lists (written only when set, so that older configs print as before). */
static int hex_list(struct json_object *o, const char *key, const uint8_t *items, size_t n,
                    size_t size) {
        struct json_object *list;

        if (n == 0)
                return 0;
        list = json_object_new_array();
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *hex = hex_encode(items + i * size, size);
                struct json_object *s = hex ? json_object_new_string(hex) : NULL;

                if (!s || json_object_array_add(list, s) < 0) {
                        json_object_put(s);
                        json_object_put(list);
                        return -ENOMEM;
                }
        }
        return output_add_obj(o, key, list);
}

static int policies_to_json(const struct vm_config *c, struct json_object *o) {
        struct json_object *list;
        char fw[16];

        if (c->n_measurements) {
                list = json_object_new_array();
                if (!list)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_measurements; i++) {
                        struct json_object *m = json_object_new_object();

                        if (!m || output_add_str(m, "label", c->measurements[i].label) < 0 ||
                            output_add_hex(m, "digest", c->measurements[i].digest,
                                           CONFIG_DIGEST_SIZE) < 0 ||
                            json_object_array_add(list, m) < 0) {
                                json_object_put(m);
                                json_object_put(list);
                                return -ENOMEM;
                        }
                }
                if (output_add_obj(o, "measurements", list) < 0)
                        return -ENOMEM;
        }
        if (hex_list(o, "id_key_digests", (const uint8_t *) c->id_key_digests,
                     c->n_id_key_digests, CONFIG_DIGEST_SIZE) < 0 ||
            hex_list(o, "author_key_digests", (const uint8_t *) c->author_key_digests,
                     c->n_author_key_digests, CONFIG_DIGEST_SIZE) < 0 ||
            hex_list(o, "chip_ids", (const uint8_t *) c->chip_ids, c->n_chip_ids,
                     CONFIG_CHIP_ID_SIZE) < 0)
                return -ENOMEM;
        if (c->has_min_firmware_version) {
                snprintf(fw, sizeof(fw), "%u.%u.%u", c->min_firmware_version[0],
                         c->min_firmware_version[1], c->min_firmware_version[2]);
                if (output_add_str(o, "min_firmware_version", fw) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int config_to_json(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        struct json_object *tcb = NULL, *disks = NULL, *forwards = NULL;
        char sig[16];
        uint32_t type_sig;

        if (!o)
                return -ENOMEM;
        /* vcpu_sig is written only when it is not the vcpu_type's, so editing vcpu_type works */
        snprintf(sig, sizeof(sig), "0x%" PRIx32, c->vcpu_sig);
        if (c->vcpu_type && config_vcpu_sig_from_type(c->vcpu_type, &type_sig) == 0 &&
            type_sig == c->vcpu_sig)
                sig[0] = '\0';
        if (output_add_str(o, "host_cpu_family", c->host_cpu_family == SNP_GEN_UNKNOWN ?
                           NULL : config_cpu_family_to_string(c->host_cpu_family)) < 0 ||
            output_add_int(o, "vcpu_count", c->vcpu_count) < 0 ||
            output_add_str(o, "vcpu_type", c->vcpu_type) < 0 ||
            output_add_str(o, "vcpu_sig", sig[0] ? sig : NULL) < 0 ||
            output_add_str(o, "vmm_type", config_vmm_type_to_string(c->vmm_type)) < 0 ||
            add_hex64(o, "guest_features", c->guest_features) < 0 ||
            output_add_str(o, "ovmf_file", c->ovmf_file) < 0 ||
            output_add_str(o, "kernel_file", c->kernel_file) < 0 ||
            output_add_str(o, "initrd_file", c->initrd_file) < 0 ||
            output_add_str(o, "kernel_cmdline", c->kernel_cmdline) < 0 ||
            add_opt_hex(o, "owner_key_digest", c->has_owner_key_digest, c->owner_key_digest,
                        CONFIG_DIGEST_SIZE) < 0 ||
            output_add_str(o, "luks_binding", c->luks_binding) < 0 ||
            add_hex64(o, "guest_policy", c->guest_policy) < 0 ||
            add_opt_hex(o, "host_data", c->has_host_data, c->host_data, SNP_HOST_DATA_SIZE) < 0 ||
            output_add_str(o, "id_block_file", c->id_block_file) < 0 ||
            output_add_str(o, "id_auth_file", c->id_auth_file) < 0 ||
            (c->has_platform_info ? add_hex64(o, "platform_info", c->platform_info) :
                                    output_add_str(o, "platform_info", NULL)) < 0 ||
            add_hex64(o, "platform_info_mask", c->platform_info_mask) < 0 ||
            (c->has_min_committed_tcb ?
                     (tcb_to_json(&c->min_committed_tcb, &tcb) < 0 ||
                      output_add_obj(o, "min_committed_tcb", tcb) < 0) :
                     output_add_str(o, "min_committed_tcb", NULL) < 0) ||
            output_add_hex(o, "family_id", c->family_id, SNP_ID_SIZE) < 0 ||
            output_add_hex(o, "image_id", c->image_id, SNP_ID_SIZE) < 0 ||
            output_add_u64(o, "guest_svn", c->guest_svn) < 0 ||
            add_opt_hex(o, "id_key_digest", c->has_id_key_digest, c->id_key_digest,
                        CONFIG_DIGEST_SIZE) < 0 ||
            add_opt_hex(o, "author_key_digest", c->has_author_key_digest, c->author_key_digest,
                        CONFIG_DIGEST_SIZE) < 0 ||
            output_add_int(o, "vmpl", c->vmpl) < 0 ||
            output_add_str(o, "signer", config_signer_to_string(c->signer)) < 0 ||
            output_add_int(o, "min_report_version", c->min_report_version) < 0 ||
            output_add_bool(o, "require_crl", c->require_crl) < 0 ||
            output_add_str(o, "qemu_binary", c->qemu_binary) < 0 ||
            output_add_u64(o, "memory_mb", c->memory_mb) < 0 ||
            (c->cbitpos ? output_add_int(o, "cbitpos", c->cbitpos) :
                          output_add_str(o, "cbitpos", NULL)) < 0 ||
            output_add_int(o, "reduced_phys_bits", c->reduced_phys_bits) < 0 ||
            disks_to_json(c, &disks) < 0 ||
            output_add_obj(o, "disks", disks) < 0 ||
            output_add_str(o, "network", config_network_names[c->network]) < 0 ||
            forwards_to_json(c, &forwards) < 0 ||
            output_add_obj(o, "forwards", forwards) < 0 ||
            policies_to_json(c, o) < 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

static int json_to_text(struct json_object *o, char **ret_text) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
        char *text;

        if (!s || asprintf(&text, "%s\n", s) < 0)
                return -ENOMEM;
        *ret_text = text;
        return 0;
}

int config_format(const struct vm_config *c, char **ret_text) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        int r = config_to_json(c, &o);

        if (r < 0)
                return r;
        return json_to_text(o, ret_text);
}

/* Replaces key's value, keeping its place in the object. */
static int set_placeholder(struct json_object *o, const char *key, const char *text) {
        return json_object_object_add(o, key, json_object_new_string(text)) < 0 ? -ENOMEM : 0;
}

int config_format_template(const struct vm_config *c, char **ret_text) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        struct json_object *disks, *forwards, *d, *f;
        int r = config_to_json(c, &o);

        if (r < 0)
                return r;
        if (c->host_cpu_family == SNP_GEN_UNKNOWN &&
            set_placeholder(o, "host_cpu_family", "<Milan|Genoa|Turin: the host's EPYC "
                            "generation, or use config init --from-report>") < 0)
                return -ENOMEM;
        if (!c->ovmf_file && set_placeholder(o, "ovmf_file", "<OVMF.fd built from "
                                             "OvmfPkg/AmdSev/AmdSevX64.dsc>") < 0)
                return -ENOMEM;
        if (!c->kernel_file && set_placeholder(o, "kernel_file", "<guest kernel (bzImage), or "
                                               "null to boot from disk>") < 0)
                return -ENOMEM;
        if (!c->initrd_file && set_placeholder(o, "initrd_file", "<initramfs (cpio.gz), or "
                                               "null for none>") < 0)
                return -ENOMEM;
        if (!c->kernel_file && !c->kernel_cmdline &&
            set_placeholder(o, "kernel_cmdline", "console=ttyS0 earlyprintk=serial root=/dev/sda") < 0)
                return -ENOMEM;
        if (memcmp(&c->min_committed_tcb, &(struct snp_tcb) { 0 }, sizeof(struct snp_tcb)) == 0 &&
            set_placeholder(o, "min_committed_tcb", "<{\"bootloader\": N, \"tee\": N, \"snp\": N, "
                            "\"microcode\": N, \"fmc\": N}: the oldest firmware to accept, "
                            "or use config init --from-report>") < 0)
                return -ENOMEM;
        if (c->n_disks == 0) {
                disks = json_object_new_array();
                d = json_object_new_object();
                if (!disks || !d || json_object_array_add(disks, d) < 0) {
                        json_object_put(disks);
                        json_object_put(d);
                        return -ENOMEM;
                }
                if (output_add_obj(o, "disks", disks) < 0 ||
                    output_add_str(d, "file", "<guest disk image, or remove this entry>") < 0 ||
                    output_add_str(d, "format", "qcow2") < 0 ||
                    output_add_str(d, "bus", "scsi") < 0 ||
                    output_add_bool(d, "readonly", false) < 0)
                        return -ENOMEM;
        }
        if (c->n_forwards == 0 && c->network == CONFIG_NETWORK_USER) {
                forwards = json_object_new_array();
                f = json_object_new_object();
                if (!forwards || !f || json_object_array_add(forwards, f) < 0) {
                        json_object_put(forwards);
                        json_object_put(f);
                        return -ENOMEM;
                }
                if (output_add_obj(o, "forwards", forwards) < 0 ||
                    output_add_str(f, "proto", "tcp") < 0 ||
                    output_add_str(f, "host_addr", "127.0.0.1") < 0 ||
                    output_add_int(f, "host_port", 2222) < 0 ||
                    output_add_int(f, "guest_port", 22) < 0)
                        return -ENOMEM;
        }
        return json_to_text(o, ret_text);
}

/* ---- decoded JSON -------------------------------------------------------------------------- */

int config_problems_to_json(const struct config_problems *p, bool warnings,
                            struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < p->n; i++) {
                struct json_object *s;

                if (p->items[i].warning != warnings)
                        continue;
                s = json_object_new_string(p->items[i].text);
                if (!s || json_object_array_add(a, s) < 0) {
                        json_object_put(s);
                        return -ENOMEM;
                }
        }
        *ret = TAKE(a);
        return 0;
}

static int bit_names_json(uint64_t value, const struct snp_bit_name *names,
                          struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        for (const struct snp_bit_name *b = names; b->name; b++) {
                struct json_object *s;

                if (!(value & (UINT64_C(1) << b->bit)))
                        continue;
                s = json_object_new_string(b->name);
                if (!s || json_object_array_add(a, s) < 0) {
                        json_object_put(s);
                        return -ENOMEM;
                }
        }
        *ret = TAKE(a);
        return 0;
}

static int policy_json(uint64_t p, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();

        if (!o ||
            output_add_int(o, "abi_major", (int64_t) snp_policy_abi_major(p)) < 0 ||
            output_add_int(o, "abi_minor", (int64_t) snp_policy_abi_minor(p)) < 0)
                return -ENOMEM;
        for (const struct snp_bit_name *b = snp_policy_bits; b->name; b++)
                if (output_add_bool(o, b->name, p & (UINT64_C(1) << b->bit)) < 0)
                        return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}

int config_to_json_decoded(const struct vm_config *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = NULL, *d = json_object_new_object();
        struct json_object *policy = NULL, *features = NULL, *pinfo = NULL;
        int r = config_to_json(c, &o);

        if (r < 0)
                return r;
        if (!d ||
            policy_json(c->guest_policy, &policy) < 0 ||
            output_add_obj(d, "guest_policy", policy) < 0 ||
            bit_names_json(c->guest_features, snp_feature_bits, &features) < 0 ||
            output_add_obj(d, "guest_features", features) < 0 ||
            (c->has_platform_info ?
                     (bit_names_json(c->platform_info, snp_platform_info_bits, &pinfo) < 0 ||
                      output_add_obj(d, "platform_info", pinfo) < 0) :
                     output_add_str(d, "platform_info", NULL) < 0) ||
            (c->has_min_committed_tcb ?
                     add_hex64(d, "min_committed_tcb", snp_tcb_encode(&c->min_committed_tcb,
                                                                      c->host_cpu_family)) :
                     output_add_str(d, "min_committed_tcb", NULL)) < 0 ||
            output_add_obj(o, "decoded", TAKE(d)) < 0)
                return -ENOMEM;
        *ret = TAKE(o);
        return 0;
}
