/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl disk: the LUKS2 volume the owner prepared, bound by the measured kernel command line
 * (issue 12). `bind` (owner side) checks an image's header against the policy and prints its
 * binding, UUID:HEX; `check` (guest side, run by the init) copies the header of the root device,
 * refuses any other volume and any cipher outside the allow-list, and leaves the checked copy for
 * `cryptsetup open --header`. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "cleanup.h"
#include "cli.h"
#include "log.h"
#include "luks.h"
#include "output.h"

enum {
        OPT_BINDING = 0x100,
        OPT_HEADER_OUT,
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

/* ---- dispatch ---- */

static error_t disk_parse_opt(int key, char *arg, struct argp_state *state) {
        struct common_args *common = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = common;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unknown subcommand '%s' (subcommands: bind, check)", arg);
                break;
        case ARGP_KEY_END:
                argp_error(state, "give a subcommand: bind or check");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp disk_argp = {
        .parser = disk_parse_opt,
        .args_doc = "bind IMAGE\ncheck --binding UUID:HEX --header-out FILE DEVICE",
        .children = common_children,
        .doc = "Bind the guest to the owner's LUKS2 volume. 'bind' (owner) prints the binding of "
               "an image; 'check' (guest init) refuses any other volume, and any cipher outside "
               "the allow-list, before a key is requested. See 'snpctl disk bind --help', "
               "'snpctl disk check --help' and snpctl-disk(1).\v"
               "Exit status: 0 ok, 1 could not read, 2 usage error, 3 refused.",
};

int disk_main(int argc, char **argv) {
        struct common_args common = { 0 };

        if (argc >= 2 && strcmp(argv[1], "bind") == 0)
                return cli_run_subcommand(bind_main, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "check") == 0)
                return cli_run_subcommand(check_main, argc, argv);
        if (argp_parse(&disk_argp, argc, argv, 0, NULL, &common) != 0)
                return SNPCTL_EXIT_USAGE;
        return SNPCTL_EXIT_USAGE;       /* not reached: argp_error() exits on every path */
}
