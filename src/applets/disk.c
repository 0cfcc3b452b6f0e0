/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl disk: the LUKS2 volume the owner prepared, bound by the measured kernel command line
 * (issue 12). `bind` (owner side) checks an image's header against the policy and prints its
 * binding, UUID:HEX; `check` (guest side, run by the init) copies the header of the root device,
 * refuses any other volume and any cipher outside the allow-list, and leaves the checked copy for
 * `cryptsetup open --header`. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applets.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "disk-info.h"
#include "disk-source.h"
#include "diskfile.h"
#include "diskprobe.h"
#include "hex.h"
#include "log.h"
#include "luks.h"
#include "output.h"
#include "parse.h"
#include "verity.h"

enum {
        OPT_BINDING = 0x100,
        OPT_HEADER_OUT,
        OPT_HASH_FILE,
        OPT_SALT,
        OPT_CONFIG,
        OPT_ROOT,
        OPT_HASH_DEVICE,
        OPT_FORCE,
        OPT_KEY_FILE,
        OPT_PARTITION,
        OPT_ROOT_HASH,
        OPT_HASH_OFFSET,
};

static const struct argp_child common_children[] = { { &common_argp, 0, NULL, 0 }, { 0 } };

#define ALLOW_LIST_TEXT "the allow-list: " LUKS_ALLOWED_CIPHER " with a 512-bit key, for the " \
        "one data segment and for every keyslot"

static int print_info(const struct common_args *common, const struct luks_info *info,
                      bool with_text) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        char binding[LUKS_BINDING_STRING_SIZE];

        luks_binding_format(&info->binding, binding);
        if (!common->json) {
                if (with_text && (printf("%s\n", binding) < 0 || fflush(stdout) != 0))
                        return -EIO;
                return 0;
        }
        o = json_object_new_object();
        if (!o || output_add_str(o, "uuid", info->binding.uuid) < 0 ||
            output_add_str(o, "binding", binding) < 0 ||
            output_add_str(o, "cipher", info->cipher) < 0 ||
            output_add_u64(o, "key_bits", info->key_bits) < 0 ||
            output_add_u64(o, "keyslots", info->keyslots) < 0)
                return -ENOMEM;
        return output_print_json(o);
}

/* ---- snpctl disk bind ---- */

struct bind_args {
        struct common_args common;
        const char *image;
};

static error_t bind_parse_opt(int key, char *arg, struct argp_state *state) {
        struct bind_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case ARGP_KEY_ARG:
                if (a->image)
                        argp_error(state, "unexpected argument '%s'", arg);
                a->image = arg;
                break;
        case ARGP_KEY_END:
                if (!a->image)
                        argp_error(state, "give the LUKS2 image (or device or header file)");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp bind_argp = {
        .parser = bind_parse_opt,
        .args_doc = "IMAGE",
        .children = common_children,
        .doc = "Owner side: check the LUKS2 header of IMAGE against the policy (" ALLOW_LIST_TEXT
               "; one digest; no reencryption) and print its binding, UUID:HEX, for the kernel "
               "command line (snpctl.luks=UUID:HEX) and the config's luks_binding.\v"
               "Exit status: 0 printed, 1 could not read IMAGE, 2 usage error, 3 the header "
               "violates the policy (the reason is printed).",
};

/* 1 bound, 0 refused, <0 could not; logs once. */
static int bind_run(const struct bind_args *a) {
        struct luks_info info;
        int r = luks_inspect(a->image, &info);

        if (r < 0)
                return log_errno(r, "reading the LUKS2 header of '%s'", a->image);
        if (r == 0) {
                log_error("header of '%s' refused: %s", a->image, info.reason);
                return 0;
        }
        r = print_info(&a->common, &info, true);
        if (r < 0)
                return log_errno(r, "printing the binding");
        return 1;
}

static int bind_main(int argc, char **argv) {
        struct bind_args a = { 0 };
        int r;

        if (argp_parse(&bind_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = bind_run(&a);
        if (r < 0)
                return SNPCTL_EXIT_FAILURE;
        return r == 0 ? SNPCTL_EXIT_REJECTED : SNPCTL_EXIT_OK;
}

/* ---- snpctl disk check ---- */

struct check_args {
        struct common_args common;
        struct luks_binding binding;
        bool have_binding;
        const char *header_out;
        const char *device;
};

static const struct argp_option check_options[] = {
        { "binding", OPT_BINDING, "UUID:HEX", 0,
          "The bound volume, as snpctl disk bind printed it (required)", 0 },
        { "header-out", OPT_HEADER_OUT, "FILE", 0,
          "Where the checked header copy goes; must not exist (required)", 0 },
        { 0 }
};

static error_t check_parse_opt(int key, char *arg, struct argp_state *state) {
        struct check_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_BINDING:
                if (luks_binding_parse(arg, &a->binding) < 0)
                        argp_error(state, "bad --binding '%s': expected UUID:HEX, a UUID and 64 "
                                   "hex digits, as 'snpctl disk bind' prints", arg);
                a->have_binding = true;
                break;
        case OPT_HEADER_OUT:
                if (!*arg)
                        argp_error(state, "--header-out needs a file name");
                a->header_out = arg;
                break;
        case ARGP_KEY_ARG:
                if (a->device)
                        argp_error(state, "unexpected argument '%s'", arg);
                a->device = arg;
                break;
        case ARGP_KEY_END:
                if (!a->have_binding)
                        argp_error(state, "--binding UUID:HEX is required");
                if (!a->header_out)
                        argp_error(state, "--header-out FILE is required");
                if (!a->device)
                        argp_error(state, "give the device that holds the LUKS2 volume");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp check_argp = {
        .options = check_options,
        .parser = check_parse_opt,
        .args_doc = "DEVICE",
        .children = common_children,
        .doc = "Guest side: copy the LUKS2 header of DEVICE to --header-out, and accept the copy "
               "only when it is the bound volume (--binding) and passes the policy (" ALLOW_LIST_TEXT
               "). Then open the volume with that copy: cryptsetup open --header FILE DEVICE "
               "NAME. On refusal the copy is removed.\v"
               "Exit status: 0 the bound volume, 1 could not read DEVICE or write FILE (or FILE "
               "exists), 2 usage error, 3 refused (the reason is printed).",
};

/* 1 accepted, 0 refused, <0 could not; logs once. */
static int check_run(const struct check_args *a) {
        struct luks_info info;
        int r = luks_check_device(a->device, &a->binding, a->header_out, &info);

        if (r == -EEXIST)
                return log_errno(r, "writing the header copy '%s' (it must not exist)",
                                 a->header_out);
        if (r < 0)
                return log_errno(r, "copying the LUKS2 header of %s to '%s'", a->device,
                                 a->header_out);
        if (r == 0) {
                if (info.not_bound)
                        log_error("header of %s is not the bound volume: %s", a->device,
                                  info.reason);
                else
                        log_error("header of %s refused: %s", a->device, info.reason);
                return 0;
        }
        log_notice("header of %s is the bound volume %s (%s, %u-bit key, %u keyslot%s); "
                   "checked copy in '%s'", a->device, info.binding.uuid, info.cipher,
                   info.key_bits, info.keyslots, info.keyslots == 1 ? "" : "s", a->header_out);
        r = print_info(&a->common, &info, false);
        if (r < 0)
                return log_errno(r, "printing the result");
        return 1;
}

static int check_main(int argc, char **argv) {
        struct check_args a = { 0 };
        int r;

        if (argp_parse(&check_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = check_run(&a);
        if (r < 0)
                return SNPCTL_EXIT_FAILURE;
        return r == 0 ? SNPCTL_EXIT_REJECTED : SNPCTL_EXIT_OK;
}

/* ---- config files ---- */

/* Sets key to value in the config at path (only checks it without write); logs the problems
 * and the failure once. */
static int edit_config(const char *path, const char *key, const char *value, bool write,
                       struct vm_config **ret) {
        struct config_problems problems = { 0 };
        size_t errors;
        int r = config_edit_string(path, key, value, write, 0, &problems, ret);

        errors = problems.n_errors;
        if (r == -EINVAL && errors > 0)
                config_log_problems(&problems, path);
        config_problems_clear(&problems);
        if (r == -EINVAL && errors == 0)
                return log_errno(r, "config '%s' is not a JSON object", path);
        if (r < 0 && r != -EINVAL)
                return log_errno(r, "%s config '%s'", write ? "writing" : "reading", path);
        if (r < 0)
                return log_errno(r, "config '%s' would not load with %s set", path, key);
        return 0;
}

/* ---- snpctl disk verity ---- */

#define VERITY_DEFAULT_ROOT "/dev/sda"
#define VERITY_DEFAULT_HASH_DEVICE "/dev/sdb"

struct verity_args {
        struct common_args common;
        const char *image;
        const char *hash_file;
        const char *config;
        const char *root;
        const char *hash_device;
        uint8_t *salt;
        size_t salt_size;
        bool force;
};

static const struct argp_option verity_options[] = {
        { "hash-file", OPT_HASH_FILE, "FILE", 0,
          "Write the hash tree to FILE (must not exist without --force) instead of appending "
          "it to IMAGE", 0 },
        { "salt", OPT_SALT, "HEX", 0, "The salt, 1 to 256 bytes in hex (default: 32 random bytes)",
          0 },
        { "config", OPT_CONFIG, "FILE", 0,
          "Write boot=verity, root=, roothash= and the hash device into the kernel_cmdline of "
          "the config FILE (its other fields are kept)", 0 },
        { "root", OPT_ROOT, "DEV", 0,
          "The guest's name of the image, for root= (default: " VERITY_DEFAULT_ROOT ")", 0 },
        { "hash-device", OPT_HASH_DEVICE, "DEV", 0,
          "With --hash-file: the guest's name of that file's disk, for snpctl.verity_hash= "
          "(default: " VERITY_DEFAULT_HASH_DEVICE ")", 0 },
        { "force", OPT_FORCE, NULL, 0, "Replace an existing --hash-file", 0 },
        { 0 }
};

/* A device name for the kernel command line: one word the init can use (no blank, no quote, no
 * control character). */
static bool cmdline_word_ok(const char *s) {
        if (!*s || strlen(s) > 256)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f || *p == '"' ||
                    *p == '\\' || *p == '\'')
                        return false;
        return true;
}

static error_t verity_parse_opt(int key, char *arg, struct argp_state *state) {
        struct verity_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_HASH_FILE:
                if (!*arg)
                        argp_error(state, "--hash-file needs a file name");
                a->hash_file = arg;
                break;
        case OPT_SALT:
                free(a->salt);
                a->salt = NULL;
                if (hex_decode(arg, &a->salt, &a->salt_size) < 0 ||
                    a->salt_size > VERITY_MAX_SALT_SIZE)
                        argp_error(state, "bad --salt '%s': 1 to %d bytes in hex", arg,
                                   VERITY_MAX_SALT_SIZE);
                break;
        case OPT_CONFIG:
                a->config = arg;
                break;
        case OPT_ROOT:
                if (!cmdline_word_ok(arg))
                        argp_error(state, "bad --root '%s': one word without blanks or quotes", arg);
                a->root = arg;
                break;
        case OPT_HASH_DEVICE:
                if (!cmdline_word_ok(arg))
                        argp_error(state, "bad --hash-device '%s': one word without blanks or "
                                   "quotes", arg);
                a->hash_device = arg;
                break;
        case OPT_FORCE:
                a->force = true;
                break;
        case ARGP_KEY_ARG:
                if (a->image)
                        argp_error(state, "unexpected argument '%s'", arg);
                a->image = arg;
                break;
        case ARGP_KEY_END:
                if (!a->image)
                        argp_error(state, "give the image to protect");
                if (a->hash_device && !a->hash_file)
                        argp_error(state, "--hash-device goes with --hash-file (an appended tree "
                                   "is on the root device)");
                if (a->force && !a->hash_file)
                        argp_error(state, "--force goes with --hash-file (an appended tree never "
                                   "replaces anything)");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp verity_argp = {
        .options = verity_options,
        .parser = verity_parse_opt,
        .args_doc = "IMAGE",
        .children = common_children,
        .doc = "Owner side: format the dm-verity hash tree of IMAGE (a file system image of a "
               "multiple of 4096 bytes; sha256, 4096-byte blocks, with a superblock), appended "
               "to IMAGE at hash offset = its size, or in --hash-file; print the root hash. With "
               "--config, put the guest's verity arguments on the measured kernel command line. "
               "The data bytes are never written; IMAGE must not be in use (mounted, looped).\v"
               "Exit status: 0 done, 1 could not (nothing is left half-written), 2 usage error.",
};

/* The verity words of the init (initramfs/init, boot=verity) that a new tree replaces. */
static bool verity_word(const char *w, size_t n) {
        static const char *const keys[] = {
                "boot=", "root=", "roothash=", "snpctl.verity_hash=", "snpctl.verity_hashoffset=",
        };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (n >= strlen(keys[i]) && strncmp(w, keys[i], strlen(keys[i])) == 0)
                        return true;
        return false;
}

/* old with the verity words replaced by args (appended at the end). */
static int cmdline_with(const char *old, const char *args, char **ret) {
        _cleanup_(freep) char *s = NULL;
        size_t len = 0, cap = (old ? strlen(old) : 0) + strlen(args) + 2;

        s = malloc(cap);
        if (!s)
                return -ENOMEM;
        for (const char *w = old ? old : ""; *w; ) {
                size_t n;

                w += strspn(w, " \t");
                n = strcspn(w, " \t");
                if (n > 0 && !verity_word(w, n)) {
                        memcpy(s + len, w, n);
                        len += n;
                        s[len++] = ' ';
                }
                w += n;
        }
        memcpy(s + len, args, strlen(args) + 1);
        *ret = TAKE(s);
        return 0;
}

static int verity_print(const struct verity_args *a, const struct verity_info *info,
                        const char *args) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        char root[2 * VERITY_ROOT_HASH_SIZE + 1];

        hex_encode_buf(info->root_hash, sizeof(info->root_hash), root);
        if (!a->common.json)
                return printf("%s\n", root) < 0 || fflush(stdout) != 0 ? -EIO : 0;
        o = json_object_new_object();
        if (!o || output_add_str(o, "root_hash", root) < 0 ||
            output_add_str(o, "hash_algorithm", info->hash_name) < 0 ||
            output_add_hex(o, "salt", info->salt, info->salt_size) < 0 ||
            output_add_u64(o, "data_block_size", info->data_block_size) < 0 ||
            output_add_u64(o, "hash_block_size", info->hash_block_size) < 0 ||
            output_add_u64(o, "data_blocks", info->data_blocks) < 0 ||
            output_add_str(o, "hash_file", a->hash_file) < 0 ||
            output_add_u64(o, "hash_offset", info->hash_offset) < 0 ||
            output_add_u64(o, "hash_bytes", info->hash_bytes) < 0 ||
            output_add_str(o, "uuid", info->uuid) < 0 ||
            output_add_str(o, "kernel_cmdline_args", args) < 0 ||
            output_add_str(o, "config", a->config) < 0)
                return -ENOMEM;
        return output_print_json(o);
}

/* The init's arguments for this tree (initramfs/init, boot=verity). */
static int verity_args(const struct verity_args *a, const char *root_hex, uint64_t hash_offset,
                       char **ret) {
        int r;

        if (a->hash_file)
                r = asprintf(ret, "boot=verity root=%s roothash=%s snpctl.verity_hash=%s",
                             a->root ?: VERITY_DEFAULT_ROOT, root_hex,
                             a->hash_device ?: VERITY_DEFAULT_HASH_DEVICE);
        else
                r = asprintf(ret, "boot=verity root=%s roothash=%s snpctl.verity_hashoffset=%llu",
                             a->root ?: VERITY_DEFAULT_ROOT, root_hex,
                             (unsigned long long) hash_offset);
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static int verity_run(const struct verity_args *a) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        _cleanup_(freep) char *args = NULL, *old = NULL, *cmdline = NULL;
        struct verity_info info;
        char root[2 * VERITY_ROOT_HASH_SIZE + 1];
        int r;

        if (a->config) {
                /* The config as it will be (a root hash of the right shape), checked before the
                 * image is touched. */
                r = config_read_string(a->config, "kernel_cmdline", &old);
                if (r < 0)
                        return log_errno(r, "reading kernel_cmdline of config '%s' (a JSON "
                                         "object with a string there)", a->config);
                memset(root, '0', sizeof(root) - 1);
                root[sizeof(root) - 1] = '\0';
                if (verity_args(a, root, 0, &args) < 0 || cmdline_with(old, args, &cmdline) < 0)
                        return log_errno(-ENOMEM, "%s", "out of memory");
                r = edit_config(a->config, "kernel_cmdline", cmdline, false, NULL);
                if (r < 0)
                        return r;
                free(TAKE(args));
                free(TAKE(cmdline));
        }
        r = verity_format(a->image, a->hash_file, a->salt, a->salt_size, a->force, &info);
        if (r == -EBUSY)
                return log_errno(r, "'%s' is in use (mounted, or backing a loop device); "
                                 "unmount and detach it first", a->image);
        if (r == -EEXIST)
                return log_errno(r, "hash file '%s' exists (--force replaces it)", a->hash_file);
        if (r == -EALREADY)
                return log_errno(r, "'%s' already ends in a dm-verity tree, appended at offset "
                                 "%llu (snpctl disk info shows it); to make a new one, cut it "
                                 "first: truncate -s %llu '%s'", a->image,
                                 (unsigned long long) info.hash_offset,
                                 (unsigned long long) info.hash_offset, a->image);
        if (r == -EINVAL)
                return log_errno(r, "'%s' must be a non-empty file or device whose size is a "
                                 "multiple of %d bytes", a->image, VERITY_BLOCK_SIZE);
        if (r == -ENOTSUP)
                return log_errno(r, "'%s' is a device: an appended hash tree has no room; use "
                                 "--hash-file", a->image);
        if (r < 0)
                return log_errno(r, "formatting the dm-verity hash tree of '%s'%s%s", a->image,
                                 a->hash_file ? " into " : "", a->hash_file ?: "");
        hex_encode_buf(info.root_hash, sizeof(info.root_hash), root);
        if (verity_args(a, root, info.hash_offset, &args) < 0)
                return log_errno(-ENOMEM, "%s", "out of memory");
        if (a->hash_file)
                log_notice("hash tree of '%s' (%llu blocks of %u bytes) in '%s': %llu bytes",
                           a->image, (unsigned long long) info.data_blocks, info.data_block_size,
                           a->hash_file, (unsigned long long) info.hash_bytes);
        else
                log_notice("hash tree of '%s' (%llu blocks of %u bytes) appended at offset %llu: "
                           "%llu bytes", a->image, (unsigned long long) info.data_blocks,
                           info.data_block_size, (unsigned long long) info.hash_offset,
                           (unsigned long long) info.hash_bytes);
        log_notice("kernel command line: %s", args);
        if (a->config) {
                if (cmdline_with(old, args, &cmdline) < 0)
                        return log_errno(-ENOMEM, "%s", "out of memory");
                r = edit_config(a->config, "kernel_cmdline", cmdline, true, &c);
                if (r < 0)
                        return log_errno(r, "the hash tree is made, but config '%s' is not "
                                         "changed: root hash %s", a->config, root);
                log_notice("config '%s': kernel_cmdline is now \"%s\"", a->config, cmdline);
                if (c->luks_binding)
                        log_warning("config '%s' also sets luks_binding, which boot=verity does "
                                    "not use", a->config);
        }
        r = verity_print(a, &info, args);
        if (r < 0)
                return log_errno(r, "printing the root hash");
        return 0;
}

static int verity_main(int argc, char **argv) {
        struct verity_args a = { 0 };
        int r;

        if (argp_parse(&verity_argp, argc, argv, 0, NULL, &a) != 0) {
                free(a.salt);
                return SNPCTL_EXIT_USAGE;
        }
        r = verity_run(&a);
        free(a.salt);
        return cli_exit_status(r);
}

/* ---- snpctl disk encrypt ---- */

struct encrypt_args {
        struct common_args common;
        const char *in;
        const char *out;
        const char *key_file;
        const char *config;
        bool force;
        bool partition_auto;
        unsigned partition;             /* 0: IN is the file system image itself */
};

static const struct argp_option encrypt_options[] = {
        { "key-file", OPT_KEY_FILE, "FILE", 0,
          "Where the new key goes: 64 random bytes, mode 0600, never printed (required; must "
          "not exist without --force)", 0 },
        { "force", OPT_FORCE, NULL, 0, "Replace an existing OUT and key file", 0 },
        { "partition", OPT_PARTITION, "N|auto", 0,
          "IN is a partitioned disk: encrypt its partition N, or (auto) its root partition "
          "(the GPT root partition, else the one Linux file system)", 0 },
        { "config", OPT_CONFIG, "FILE", 0,
          "Write the new volume's binding into the luks_binding of the config FILE (its other "
          "fields are kept)", 0 },
        { 0 }
};

static error_t encrypt_parse_opt(int key, char *arg, struct argp_state *state) {
        struct encrypt_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_KEY_FILE:
                if (!*arg)
                        argp_error(state, "--key-file needs a file name");
                a->key_file = arg;
                break;
        case OPT_FORCE:
                a->force = true;
                break;
        case OPT_PARTITION:
                a->partition_auto = strcmp(arg, "auto") == 0;
                if (!a->partition_auto && parse_uint(arg, 1, DISKPROBE_MAX_PARTS * 2,
                                                     &a->partition) < 0)
                        argp_error(state, "bad --partition '%s': a partition number or auto",
                                   arg);
                break;
        case OPT_CONFIG:
                a->config = arg;
                break;
        case ARGP_KEY_ARG:
                if (!a->in)
                        a->in = arg;
                else if (!a->out)
                        a->out = arg;
                else
                        argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                if (!a->in || !a->out)
                        argp_error(state, "give the plain image IN and the LUKS2 image OUT to make");
                if (!*a->out)
                        argp_error(state, "OUT needs a file name");
                if (!a->key_file)
                        argp_error(state, "--key-file FILE is required (where the new key goes)");
                if (strcmp(a->key_file, a->out) == 0 || strcmp(a->key_file, a->in) == 0 ||
                    strcmp(a->in, a->out) == 0)
                        argp_error(state, "IN, OUT and --key-file must be three different files");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp encrypt_argp = {
        .options = encrypt_options,
        .parser = encrypt_parse_opt,
        .args_doc = "IN OUT",
        .children = common_children,
        .doc = "Owner side: make OUT, a LUKS2 image of the plain image IN (a root file system "
               "image, or with --partition a partition of a raw or qcow2 disk image), offline and "
               "without root: aes-xts-plain64 with a fresh random 512-bit "
               "volume key, one keyslot opened by a fresh random 64-byte key written to "
               "--key-file (mode 0600; never printed). IN is only read; OUT and the key file "
               "appear only when complete and checked, so an interrupted run leaves neither. "
               "Prints the binding, UUID:HEX, as 'snpctl disk bind' does.\v"
               "Exit status: 0 done, 1 could not (nothing is left half-written), 2 usage error.",
};

struct progress {
        bool on;
        time_t last;
        uint64_t total_mib;
};

static void encrypt_progress(uint64_t done, uint64_t total, void *userdata) {
        struct progress *p = userdata;
        time_t now = time(NULL);

        if (!p->on || (now == p->last && done != total))
                return;
        p->last = now;
        fprintf(stderr, "\rencrypting: %3u%% (%" PRIu64 " of %" PRIu64 " MiB)%s",
                (unsigned) (done * 100 / total), done >> 20, p->total_mib,
                done == total ? "\n" : "");
}

static int encrypt_print(const struct encrypt_args *a, const struct luks_info *info,
                         uint64_t size) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        char binding[LUKS_BINDING_STRING_SIZE];

        luks_binding_format(&info->binding, binding);
        if (!a->common.json)
                return printf("%s\n", binding) < 0 || fflush(stdout) != 0 ? -EIO : 0;
        o = json_object_new_object();
        if (!o || output_add_str(o, "uuid", info->binding.uuid) < 0 ||
            output_add_str(o, "binding", binding) < 0 ||
            output_add_str(o, "cipher", info->cipher) < 0 ||
            output_add_u64(o, "key_bits", info->key_bits) < 0 ||
            output_add_u64(o, "keyslots", info->keyslots) < 0 ||
            output_add_str(o, "out", a->out) < 0 ||
            output_add_str(o, "key_file", a->key_file) < 0 ||
            output_add_u64(o, "data_bytes", size) < 0 ||
            output_add_str(o, "config", a->config) < 0)
                return -ENOMEM;
        return output_print_json(o);
}

static int encrypt_run(const struct encrypt_args *a) {
        _cleanup_(closep) int fd = -1, raw_fd = -1;
        char raw_path[DISKFILE_FD_PATH_SIZE];
        struct progress progress = { .last = (time_t) -1 };
        struct luks_encrypt_params p = {
                .in = a->in, .out = a->out, .key_file = a->key_file, .force = a->force,
                .progress = encrypt_progress, .userdata = &progress,
        };
        struct luks_info info;
        char binding[LUKS_BINDING_STRING_SIZE];
        int r;

        if (a->config) {
                /* The config as it will be (a binding of the right shape), checked first. */
                r = edit_config(a->config, "luks_binding", "00000000-0000-4000-8000-000000000000:"
                                "0000000000000000000000000000000000000000000000000000000000000000",
                                false, NULL);
                if (r < 0)
                        return r;
        }
        fd = open(a->in, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_errno(-errno, "opening '%s'", a->in);
        if (diskprobe_qcow2_standalone(fd) >= 0) {
                /* Checked here on IN itself: the library sees only the raw copy. */
                r = diskfile_in_use(a->in);
                if (r != 0)
                        return log_errno(r < 0 ? r : -EBUSY, "'%s' is in use (mounted, or "
                                         "backing a loop device)", a->in);
                r = disk_qcow2_to_raw(a->in, a->out, fd, &raw_fd);
                if (r < 0)
                        return r;
                close(fd);
                fd = raw_fd;
                raw_fd = -1;
                diskfile_fd_path(fd, raw_path);
                p.in = raw_path;
        }
        r = diskfile_size(fd, &p.in_size);
        if (r < 0)
                return log_errno(r, "'%s' is not a regular file or block device", a->in);
        if (a->partition || a->partition_auto) {
                r = disk_pick_partition(a->in, a->partition_auto, a->partition, fd, &p.in_offset,
                                        &p.in_size);
                if (r < 0)
                        return r;
        }
        if (p.in_size == 0 || p.in_size % 512 != 0)
                return log_errno(-EINVAL, "'%s' must be a non-empty image whose size is a "
                                 "multiple of 512 bytes (it has %" PRIu64 ")", a->in, p.in_size);
        progress.on = isatty(STDERR_FILENO) && !a->common.quiet;
        progress.total_mib = p.in_size >> 20;
        r = luks_encrypt_image(&p, &info);
        if (progress.on && r < 0)
                fputc('\n', stderr);
        if (r == -EEXIST)
                return log_errno(r, "'%s' or '%s' exists (--force replaces them)", a->out,
                                 a->key_file);
        if (r == -EBUSY)
                return log_errno(r, "'%s' is in use (mounted, or backing a loop device); "
                                 "unmount and detach it first", a->in);
        if (r == -EXDEV)
                return log_errno(r, "'%s' or '%s' is the input '%s' itself", a->out, a->key_file,
                                 a->in);
        if (r == -EOPNOTSUPP)
                return log_errno(r, "the folder of '%s' or '%s' cannot hold a file without a "
                                 "name (O_TMPFILE)", a->out, a->key_file);
        if (r < 0)
                return log_errno(r, "encrypting '%s' into '%s'", a->in, a->out);
        luks_binding_format(&info.binding, binding);
        log_notice("'%s': LUKS2 image of '%s' (%" PRIu64 " bytes of data at 16 MiB; %s, "
                   "%u-bit key); its key is in '%s' (64 bytes, mode 0600)", a->out, a->in,
                   p.in_size, info.cipher, info.key_bits, a->key_file);
        if (a->config) {
                r = edit_config(a->config, "luks_binding", binding, true, NULL);
                if (r < 0)
                        return log_errno(r, "the image is made, but config '%s' is not changed: "
                                         "binding %s", a->config, binding);
                log_notice("config '%s': luks_binding is now %s", a->config, binding);
        }
        r = encrypt_print(a, &info, p.in_size);
        if (r < 0)
                return log_errno(r, "printing the binding");
        return 0;
}

static int encrypt_main(int argc, char **argv) {
        struct encrypt_args a = { 0 };

        if (argp_parse(&encrypt_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        return cli_exit_status(encrypt_run(&a));
}

/* ---- snpctl disk info ---- */


static const struct argp_option info_options[] = {
        { "root-hash", OPT_ROOT_HASH, "HEX", 0,
          "Check the image's data against its dm-verity tree and this root hash (exit 3 when "
          "they do not match)", 0 },
        { "hash-file", OPT_HASH_FILE, "FILE", 0,
          "The dm-verity tree is in FILE (as disk verity --hash-file wrote it)", 0 },
        { "hash-offset", OPT_HASH_OFFSET, "BYTES", 0,
          "The dm-verity superblock is at BYTES in IMAGE (or in --hash-file); default: found "
          "after the data as disk verity appends it", 0 },
        { 0 }
};

static error_t info_parse_opt(int key, char *arg, struct argp_state *state) {
        struct disk_info_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_ROOT_HASH:
                if (hex_decode_exact(arg, a->root_hash, sizeof(a->root_hash)) < 0)
                        argp_error(state, "bad --root-hash '%s': 64 hex digits (sha256)", arg);
                a->have_root_hash = true;
                break;
        case OPT_HASH_FILE:
                if (!*arg)
                        argp_error(state, "--hash-file needs a file name");
                a->hash_file = arg;
                break;
        case OPT_HASH_OFFSET:
                if (parse_u64(arg, &a->hash_offset) < 0 || a->hash_offset % 512 != 0)
                        argp_error(state, "bad --hash-offset '%s': bytes, a multiple of 512", arg);
                a->have_offset = true;
                break;
        case ARGP_KEY_ARG:
                if (a->image)
                        argp_error(state, "unexpected argument '%s'", arg);
                a->image = arg;
                break;
        case ARGP_KEY_END:
                if (!a->image)
                        argp_error(state, "give the image to describe");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp info_argp = {
        .options = info_options,
        .parser = info_parse_opt,
        .args_doc = "IMAGE",
        .children = common_children,
        .doc = "Say what IMAGE is: a LUKS2 volume (UUID, cipher, keyslots, and its binding when "
               "the header passes the policy), a file system (type, UUID, label; and a dm-verity "
               "tree appended to it), a dm-verity hash file, a partitioned disk (each partition "
               "and what it holds), a qcow2 image, or unknown. IMAGE is host-supplied input: it "
               "is only read, and what it names is escaped. The root hash of a dm-verity tree is "
               "not stored in it: --root-hash checks one.\v"
               "Exit status: 0 described (and with --root-hash: the data matches), 1 could not "
               "read IMAGE, 2 usage error, 3 --root-hash given and the data does not match it (or "
               "no tree was found).",
};

static int info_main(int argc, char **argv) {
        struct disk_info_args a = { 0 };
        int r;

        if (argp_parse(&info_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = disk_info_run(&a);
        if (r < 0)
                return SNPCTL_EXIT_FAILURE;
        return r == 0 ? SNPCTL_EXIT_REJECTED : SNPCTL_EXIT_OK;
}

/* ---- dispatch ---- */

#define DISK_SUBCOMMANDS "bind, check, verity, encrypt, info"

static error_t disk_parse_opt(int key, char *arg, struct argp_state *state) {
        struct common_args *common = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = common;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unknown subcommand '%s' (subcommands: " DISK_SUBCOMMANDS ")",
                           arg);
                break;
        case ARGP_KEY_END:
                argp_error(state, "give a subcommand: " DISK_SUBCOMMANDS);
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp disk_argp = {
        .parser = disk_parse_opt,
        .args_doc = "bind IMAGE\ncheck --binding UUID:HEX --header-out FILE DEVICE\n"
                    "verity [--hash-file FILE] [--config FILE] IMAGE\n"
                    "encrypt --key-file FILE [--partition N|auto] [--config FILE] IN OUT\n"
                    "info [--root-hash HEX] IMAGE",
        .children = common_children,
        .doc = "Prepare and bind the guest's root disk. 'bind' (owner) prints the binding of a "
               "LUKS2 image; 'check' (guest init) refuses any other volume, and any cipher outside "
               "the allow-list, before a key is requested; 'verity' (owner) formats the dm-verity "
               "hash tree of a read-only root and puts its root hash on the measured command "
               "line; 'encrypt' (owner) makes a LUKS2 image of a plain one, with a fresh key; "
               "'info' says what an image is. "
               "See 'snpctl disk SUBCOMMAND --help' and snpctl-disk(1).\v"
               "Exit status: 0 ok, 1 could not read, 2 usage error, 3 refused.",
};

int disk_main(int argc, char **argv) {
        struct common_args common = { 0 };

        if (argc >= 2 && strcmp(argv[1], "bind") == 0)
                return cli_run_subcommand(bind_main, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "check") == 0)
                return cli_run_subcommand(check_main, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "verity") == 0)
                return cli_run_subcommand(verity_main, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "encrypt") == 0)
                return cli_run_subcommand(encrypt_main, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "info") == 0)
                return cli_run_subcommand(info_main, argc, argv);
        if (argp_parse(&disk_argp, argc, argv, 0, NULL, &common) != 0)
                return SNPCTL_EXIT_USAGE;
        return SNPCTL_EXIT_USAGE;       /* not reached: argp_error() exits on every path */
}
