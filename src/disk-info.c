/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl disk info: the probe of an image and its text and JSON output (include/disk-info.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "disk-info.h"
#include "diskprobe.h"
#include "hex.h"
#include "log.h"
#include "luks.h"
#include "output.h"

/* "key value" lines, values escaped (host-supplied). */
static void info_line(const char *key, const char *value) {
        char esc[512];

        printf("%-14s%s\n", key, output_escape_str(value, esc, sizeof(esc)));
}

static int add_escaped(struct json_object *o, const char *key, const char *value) {
        char esc[512];

        return output_add_str(o, key, value && *value ? output_escape_str(value, esc, sizeof(esc))
                                                      : NULL);
}

static int content_json(const struct diskprobe_content *c, struct json_object *o) {
        if (add_escaped(o, "type", c->type) < 0 || add_escaped(o, "usage", c->usage) < 0 ||
            add_escaped(o, "version", c->version) < 0 || add_escaped(o, "uuid", c->uuid) < 0 ||
            add_escaped(o, "label", c->label) < 0)
                return -ENOMEM;
        return 0;
}

static void content_text(const struct diskprobe_content *c, const char *indent) {
        char key[32];

        snprintf(key, sizeof(key), "%stype", indent);
        info_line(key, c->type);
        if (c->version[0]) {
                snprintf(key, sizeof(key), "%sversion", indent);
                info_line(key, c->version);
        }
        if (c->uuid[0]) {
                snprintf(key, sizeof(key), "%suuid", indent);
                info_line(key, c->uuid);
        }
        if (c->label[0]) {
                snprintf(key, sizeof(key), "%slabel", indent);
                info_line(key, c->label);
        }
}

static const char *gpt_type_name(const char *type) {
        static const struct { const char *uuid, *name; } names[] = {
                { DISKPROBE_GPT_ROOT_X86_64, "Linux root (x86-64)" },
                { "0fc63daf-8483-4772-8e79-3d69d8477de4", "Linux file system" },
                { "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI system" },
                { "21686148-6449-6e6f-744e-656564454649", "BIOS boot" },
                { "bc13c2ff-59e6-4262-a352-b275fd6f7172", "Linux extended boot" },
                { "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap" },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(type, names[i].uuid) == 0)
                        return names[i].name;
        return NULL;
}

struct info_result {
        const char *kind;
        bool have_luks;
        int luks_policy;                /* 1 passes, 0 refused */
        struct luks_info luks;
        bool have_verity;
        struct verity_info verity;
        const char *verity_where;       /* "appended", "hash file", "at offset" */
        int verify;                     /* -1 not asked, 0 mismatch, 1 match */
};

static int info_json(const struct disk_info_args *a, const struct diskprobe *d,
                     const struct info_result *res) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        struct json_object *sub = NULL;
        char binding[LUKS_BINDING_STRING_SIZE];

        if (!o || output_add_str(o, "file", a->image) < 0 ||
            output_add_u64(o, "size", d->size) < 0 || output_add_str(o, "kind", res->kind) < 0 ||
            content_json(&d->content, o) < 0 || add_escaped(o, "partition_table", d->pttype) < 0)
                return -ENOMEM;
        if (res->have_luks) {
                sub = json_object_new_object();
                if (!sub || output_add_obj(o, "luks", sub) < 0)
                        return -ENOMEM;
                luks_binding_format(&res->luks.binding, binding);
                if (add_escaped(sub, "cipher", res->luks.cipher) < 0 ||
                    output_add_u64(sub, "key_bits", res->luks.key_bits) < 0 ||
                    output_add_u64(sub, "keyslots", res->luks.keyslots) < 0 ||
                    output_add_bool(sub, "policy_passes", res->luks_policy == 1) < 0 ||
                    output_add_str(sub, "binding", res->luks_policy == 1 ? binding : NULL) < 0 ||
                    add_escaped(sub, "refused",
                                res->luks_policy == 1 ? NULL : res->luks.reason) < 0)
                        return -ENOMEM;
        }
        if (res->have_verity) {
                const struct verity_info *v = &res->verity;

                sub = json_object_new_object();
                if (!sub || output_add_obj(o, "verity", sub) < 0)
                        return -ENOMEM;
                if (output_add_str(sub, "where", res->verity_where) < 0 ||
                    output_add_str(sub, "hash_file", a->hash_file) < 0 ||
                    output_add_u64(sub, "hash_offset", v->hash_offset) < 0 ||
                    add_escaped(sub, "hash_algorithm", v->hash_name) < 0 ||
                    output_add_u64(sub, "data_block_size", v->data_block_size) < 0 ||
                    output_add_u64(sub, "hash_block_size", v->hash_block_size) < 0 ||
                    output_add_u64(sub, "data_blocks", v->data_blocks) < 0 ||
                    output_add_hex(sub, "salt", v->salt, v->salt_size) < 0 ||
                    add_escaped(sub, "uuid", v->uuid) < 0 ||
                    (res->verify >= 0 && output_add_bool(sub, "root_hash_matches",
                                                         res->verify == 1) < 0))
                        return -ENOMEM;
        }
        if (d->n_parts > 0) {
                struct json_object *arr = json_object_new_array();

                if (!arr || output_add_obj(o, "partitions", arr) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < d->n_parts; i++) {
                        const struct diskprobe_part *p = &d->parts[i];
                        struct json_object *po = json_object_new_object(), *c;

                        if (!po || json_object_array_add(arr, po) < 0) {
                                json_object_put(po);
                                return -ENOMEM;
                        }
                        c = json_object_new_object();
                        if (output_add_u64(po, "number", p->number) < 0 ||
                            output_add_u64(po, "start", p->start) < 0 ||
                            output_add_u64(po, "size", p->size) < 0 ||
                            add_escaped(po, "type", p->type) < 0 ||
                            output_add_str(po, "type_name", gpt_type_name(p->type)) < 0 ||
                            add_escaped(po, "uuid", p->uuid) < 0 ||
                            add_escaped(po, "name", p->name) < 0 || !c ||
                            output_add_obj(po, "content", c) < 0 ||
                            content_json(&p->content, c) < 0)
                                return -ENOMEM;
                }
        }
        return output_print_json(o);
}

static void info_text(const struct disk_info_args *a, const struct diskprobe *d,
                      const struct info_result *res) {
        char buf[128], binding[LUKS_BINDING_STRING_SIZE];

        info_line("file", a->image);
        snprintf(buf, sizeof(buf), "%" PRIu64 " bytes", d->size);
        info_line("size", buf);
        if (d->pttype[0]) {
                snprintf(buf, sizeof(buf), "%s (%s)", res->kind, d->pttype);
                info_line("kind", buf);
        } else
                info_line("kind", res->kind);
        if (d->content.type[0])
                content_text(&d->content, "");
        if (res->have_luks) {
                snprintf(buf, sizeof(buf), "%s, %u-bit key", res->luks.cipher[0] ?
                         res->luks.cipher : "(not read)", res->luks.key_bits);
                info_line("cipher", buf);
                snprintf(buf, sizeof(buf), "%u", res->luks.keyslots);
                info_line("keyslots", buf);
                if (res->luks_policy == 1) {
                        luks_binding_format(&res->luks.binding, binding);
                        info_line("policy", "passes (snpctl disk bind prints the binding)");
                        info_line("binding", binding);
                } else {
                        info_line("policy", "refused (no binding)");
                        info_line("reason", res->luks.reason);
                }
        }
        if (res->have_verity) {
                const struct verity_info *v = &res->verity;
                char salt[2 * VERITY_MAX_SALT_SIZE + 1];

                if (a->hash_file)
                        snprintf(buf, sizeof(buf), "in %.100s at offset %" PRIu64, a->hash_file,
                                 v->hash_offset);
                else
                        snprintf(buf, sizeof(buf), "%s at offset %" PRIu64, res->verity_where,
                                 v->hash_offset);
                info_line("verity", buf);
                snprintf(buf, sizeof(buf), "%s, %u-byte data blocks, %u-byte hash blocks",
                         v->hash_name, v->data_block_size, v->hash_block_size);
                info_line("verity hash", buf);
                snprintf(buf, sizeof(buf), "%" PRIu64, v->data_blocks);
                info_line("verity data", buf);
                hex_encode_buf(v->salt, v->salt_size, salt);
                info_line("verity salt", salt);
                info_line("verity uuid", v->uuid);
                if (res->verify < 0)
                        info_line("root hash", "not stored (--root-hash HEX checks one)");
                else
                        info_line("root hash", res->verify == 1 ? "matches the data" :
                                  "does NOT match the data");
        }
        for (size_t i = 0; i < d->n_parts; i++) {
                const struct diskprobe_part *p = &d->parts[i];
                const char *tn = gpt_type_name(p->type);
                char key[32];

                snprintf(key, sizeof(key), "partition %u", p->number);
                snprintf(buf, sizeof(buf), "start %" PRIu64 ", %" PRIu64 " bytes", p->start,
                         p->size);
                info_line(key, buf);
                snprintf(buf, sizeof(buf), "%s%s%s%s", p->type, tn ? " (" : "", tn ? tn : "",
                         tn ? ")" : "");
                info_line("  part type", buf);
                if (p->name[0])
                        info_line("  name", p->name);
                if (p->content.type[0])
                        content_text(&p->content, "  ");
                else
                        info_line("  type", "unknown");
        }
}

/* 1 described (verify 1 or not asked), 0 the root hash does not match, <0 could not. */
int disk_info_run(const struct disk_info_args *a) {
        _cleanup_(closep) int fd = -1;
        _cleanup_(diskprobe_done) struct diskprobe d = { 0 };
        struct info_result res = { .kind = "unknown", .verify = -1 };
        const char *hash_path = a->hash_file ? a->hash_file : a->image;
        int r;

        fd = open(a->image, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_errno(-errno, "opening '%s'", a->image);
        r = diskprobe_read(fd, 0, 0, &d);
        if (r < 0)
                return log_errno(r, "probing '%s'", a->image);
        if (d.qcow2)
                res.kind = "qcow2";
        else if (strcmp(d.content.type, "crypto_LUKS") == 0) {
                res.kind = strcmp(d.content.version, "2") == 0 ? "luks2" : "luks";
                r = luks_inspect(a->image, &res.luks);
                if (r < 0)
                        return log_errno(r, "reading the LUKS header of '%s'", a->image);
                res.have_luks = true;
                res.luks_policy = r;
        } else if (strcmp(d.content.type, "DM_verity_hash") == 0)
                res.kind = "verity-hash";
        else if (d.pttype[0])
                res.kind = "partitioned";
        else if (d.content.usage[0])
                res.kind = strcmp(d.content.usage, "filesystem") == 0 ? "filesystem" :
                           d.content.usage;

        /* A dm-verity tree: where asked, in the hash file, or appended to a file system. */
        if (a->have_offset || a->hash_file) {
                r = verity_inspect(hash_path, a->have_offset ? a->hash_offset : 0, &res.verity);
                if (r < 0)
                        return log_errno(r, "reading a dm-verity superblock in '%s'", hash_path);
                res.have_verity = r > 0;
                res.verity_where = "at";
        } else if (!d.qcow2 && !res.have_luks) {
                r = verity_inspect(a->image, 0, &res.verity);
                if (r < 0)
                        return log_errno(r, "reading '%s'", a->image);
                res.verity_where = "superblock";
                if (r == 0) {
                        r = verity_find_appended(a->image, &res.verity);
                        if (r < 0)
                                return log_errno(r, "reading '%s'", a->image);
                        res.verity_where = "appended";
                }
                res.have_verity = r > 0;
                if (res.have_verity && strcmp(res.kind, "unknown") == 0)
                        res.kind = "verity-hash";
        }
        if (a->have_root_hash) {
                if (!res.have_verity) {
                        log_error("no dm-verity tree found for '%s' to check --root-hash against "
                                  "(--hash-file or --hash-offset say where it is)", a->image);
                        return 0;
                }
                r = verity_verify(a->image, hash_path, res.verity.hash_offset, a->root_hash);
                if (r < 0)
                        return log_errno(r, "checking '%s' against its dm-verity tree", a->image);
                res.verify = r;
        }
        r = a->common.json ? info_json(a, &d, &res) : (info_text(a, &d, &res), 0);
        if (r < 0)
                return log_errno(r, "printing");
        if (!a->common.json && fflush(stdout) != 0)
                return log_errno(-EIO, "printing");
        if (res.verify == 0) {
                log_error("'%s' does not match --root-hash (a changed block, or another root "
                          "hash)", a->image);
                return 0;
        }
        return 1;
}
