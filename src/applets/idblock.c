/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl idblock: sign an ID block and ID auth structure for QEMU's id-block= and id-auth=
 * (the original workflow's idblock-generator), make P-384 keys for it, and check a pair. */
#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets.h"
#include "base64.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "idblock.h"
#include "log.h"
#include "output.h"
#include "parse.h"

#define ID_BLOCK_FILE "id-block.base64"
#define ID_AUTH_FILE "auth-block.base64"

enum {
        OPT_VM_DEFINITION = CLI_OPT_BASE,
        OPT_MEASUREMENT,
        OPT_ID_KEY,
        OPT_AUTH_KEY,
        OPT_OUT_DIR,
        OPT_CMDLINE,
        OPT_PASS,
        OPT_AUTH_PASS,
        OPT_FAMILY_ID,
        OPT_IMAGE_ID,
        OPT_GUEST_SVN,
        OPT_POLICY,
        OPT_FORCE,
        OPT_ID_BLOCK,
        OPT_AUTH_BLOCK,
        OPT_END,
};
_Static_assert(OPT_END <= CLI_OPT_MAX, "one bit of struct cli_given per option");

/* ---- shared option parsing ---- */

/* A launch digest as 96 hex digits or as base64 of 48 bytes. */
static int parse_digest(const char *s, uint8_t ret[SNP_LD_SIZE]) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t n;

        if (strlen(s) == 2 * SNP_LD_SIZE)
                return hex_decode_exact(s, ret, SNP_LD_SIZE);
        if (base64_decode(s, strlen(s), &data, &n) < 0 || n != SNP_LD_SIZE)
                return -EINVAL;
        memcpy(ret, data, SNP_LD_SIZE);
        return 0;
}

/* The firmware's GUEST_POLICY rule (snp_policy_check()): an ID block must carry the launch
 * policy, which the firmware refuses otherwise. */
static int parse_policy(const char *s, uint64_t *ret) {
        uint64_t v;
        int r = parse_u64(s, &v);

        if (r < 0)
                return r;
        if (snp_policy_check(v) != 0)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* OpenSSL's pass phrase forms that keep the secret out of argv. */
static bool pass_spec_ok(const char *s) {
        return (strncmp(s, "file:", 5) == 0 && s[5]) || (strncmp(s, "env:", 4) == 0 && s[4]);
}

/* The checks a pass source gets before a key is decrypted, so that its failure is named. */
static int check_pass_source(const char *option, const char *spec) {
        if (!spec)
                return 0;
        if (strncmp(spec, "env:", 4) == 0) {
                if (!getenv(spec + 4)) {
                        log_error("%s: environment variable '%s' is not set", option, spec + 4);
                        return -ENOENT;
                }
                return 0;
        }
        if (access(spec + 5, R_OK) < 0)
                return log_errno(-errno, "%s: reading pass phrase file '%s'", option, spec + 5);
        return 0;
}

/* Loads a key that must be an ECDSA P-384 private key; logs once on failure. */
static int load_p384_key(const char *what, const char *path, const char *pass,
                         struct crypto_key **ret_key) {
        _cleanup_(crypto_key_freep) struct crypto_key *key = NULL;
        char found[128];
        int r = crypto_key_load_pem(path, pass, &key);

        switch (r) {
        case 0:
                break;
        case -EBADMSG:
                log_error("reading %s '%s': no PEM private or public key in it", what, path);
                return r;
        case -EKEYREJECTED:
                log_error("decrypting %s '%s': wrong pass phrase", what, path);
                return r;
        case -ENOKEY:
                log_error("%s '%s' is encrypted: give --pass file:PATH or --pass env:VAR, or run "
                          "on a terminal to be asked", what, path);
                return r;
        default:
                return log_errno(r, "reading %s '%s'", what, path);
        }
        if (!crypto_key_is_p384_private(key)) {
                log_error("%s '%s' is %s; an ECDSA P-384 (secp384r1) private key is needed", what,
                          path, crypto_key_describe(key, found, sizeof(found)));
                return -EKEYREJECTED;
        }
        *ret_key = TAKE(key);
        return 0;
}

static char *path_join(const char *dir, const char *name) {
        size_t n = strlen(dir);
        char *p;

        if (asprintf(&p, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name) < 0)
                return NULL;
        return p;
}

/* ---- snpctl idblock (generate) ---- */

struct gen_args {
        struct common_args common;
        const char *config;
        const char *measurement;
        const char *id_key;
        const char *auth_key;
        const char *out_dir;
        const char *cmdline;
        const char *pass;
        const char *auth_pass;
        struct idblock_params params;
        struct cli_given given;         /* the options on the command line */
        bool force;
};

static const struct argp_option gen_options[] = {
        { "vm-definition", OPT_VM_DEFINITION, "FILE", 0,
          "VM config whose launch digest and policy are signed", 0 },
        { "config", OPT_VM_DEFINITION, "FILE", OPTION_ALIAS, NULL, 0 },
        { "measurement", OPT_MEASUREMENT, "DIGEST", 0,
          "Launch digest to sign instead of a config's (96 hex digits or base64)", 0 },
        { "id-key-path", OPT_ID_KEY, "FILE", 0, "ID key: ECDSA P-384 private key (PEM)", 0 },
        { "auth-key-path", OPT_AUTH_KEY, "FILE", 0,
          "Author key: ECDSA P-384 private key (PEM) that signs the ID key (optional)", 0 },
        { "out-dir", OPT_OUT_DIR, "DIR", 0,
          "Folder for " ID_BLOCK_FILE " and " ID_AUTH_FILE " (default: .)", 0 },
        { "override-kernel-cmdline", OPT_CMDLINE, "CMDLINE", 0,
          "Kernel command line to measure instead of the config's", 0 },
        { "pass", OPT_PASS, "SOURCE", 0,
          "Pass phrase of encrypted keys: file:PATH (first line) or env:VAR", 0 },
        { "auth-pass", OPT_AUTH_PASS, "SOURCE", 0,
          "Pass phrase of the author key, when it differs (default: --pass)", 0 },
        { "family-id", OPT_FAMILY_ID, "HEX", 0, "FAMILY_ID, 16 bytes (default: zero)", 0 },
        { "image-id", OPT_IMAGE_ID, "HEX", 0, "IMAGE_ID, 16 bytes (default: zero)", 0 },
        { "guest-svn", OPT_GUEST_SVN, "N", 0, "GUEST_SVN (default: 0)", 0 },
        { "policy", OPT_POLICY, "POLICY", 0, "Guest policy (default: 0x30000)", 0 },
        { "force", OPT_FORCE, NULL, 0, "Replace existing output files", 0 },
        { 0 }
};

static error_t gen_parse_opt(int key, char *arg, struct argp_state *state) {
        struct gen_args *a = state->input;

        cli_given_record(&a->given, key);
        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_VM_DEFINITION:
                a->config = arg;
                break;
        case OPT_MEASUREMENT:
                if (parse_digest(arg, a->params.ld) < 0)
                        argp_error(state, "bad --measurement '%s': expected 48 bytes as 96 hex "
                                   "digits or base64", arg);
                a->measurement = arg;
                break;
        case OPT_ID_KEY:
                a->id_key = arg;
                break;
        case OPT_AUTH_KEY:
                a->auth_key = arg;
                break;
        case OPT_OUT_DIR:
                a->out_dir = arg;
                break;
        case OPT_CMDLINE:
                a->cmdline = arg;
                break;
        case OPT_PASS:
        case OPT_AUTH_PASS:
                if (!pass_spec_ok(arg))
                        argp_error(state, "bad --%s '%s': use file:PATH or env:VAR (a pass "
                                   "phrase on the command line would be visible to every user)",
                                   key == OPT_PASS ? "pass" : "auth-pass",
                                   strncmp(arg, "pass:", 5) == 0 ? "pass:..." : arg);
                if (key == OPT_PASS)
                        a->pass = arg;
                else
                        a->auth_pass = arg;
                break;
        case OPT_FAMILY_ID:
        case OPT_IMAGE_ID:
                if (hex_decode_exact(arg, key == OPT_FAMILY_ID ? a->params.family_id :
                                     a->params.image_id, SNP_ID_SIZE) < 0)
                        argp_error(state, "bad --%s '%s': expected 32 hex digits",
                                   key == OPT_FAMILY_ID ? "family-id" : "image-id", arg);
                break;
        case OPT_GUEST_SVN:
                if (parse_uint(arg, 0, UINT32_MAX, &a->params.guest_svn) < 0)
                        argp_error(state, "bad --guest-svn '%s': expected 0 to 4294967295", arg);
                break;
        case OPT_POLICY:
                if (parse_policy(arg, &a->params.policy) < 0)
                        argp_error(state, "bad --policy '%s': expected a number with bit 17 "
                                   "(0x20000) set and bits 26-63 clear", arg);
                break;
        case OPT_FORCE:
                a->force = true;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unexpected argument '%s' (subcommands: keygen, verify)", arg);
                break;
        case ARGP_KEY_END:
                if (!a->config == !a->measurement)
                        argp_error(state, "give either --vm-definition FILE or --measurement "
                                   "DIGEST");
                if (a->cmdline && !a->config)
                        argp_error(state, "--override-kernel-cmdline needs --vm-definition");
                if (!a->id_key)
                        argp_error(state, "--id-key-path FILE is required");
                if (a->auth_pass && !a->auth_key)
                        argp_error(state, "--auth-pass needs --auth-key-path");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

/* What each option of idblock overrides in a --vm-definition (config_apply_options()). */
static const struct config_option gen_config_options[] = {
        CONFIG_OPTION(OPT_CMDLINE, CONFIG_FIELD_KERNEL_CMDLINE, struct gen_args, cmdline),
        CONFIG_OPTION(OPT_FAMILY_ID, CONFIG_FIELD_FAMILY_ID, struct gen_args, params.family_id),
        CONFIG_OPTION(OPT_IMAGE_ID, CONFIG_FIELD_IMAGE_ID, struct gen_args, params.image_id),
        CONFIG_OPTION(OPT_GUEST_SVN, CONFIG_FIELD_GUEST_SVN, struct gen_args, params.guest_svn),
        CONFIG_OPTION(OPT_POLICY, CONFIG_FIELD_GUEST_POLICY, struct gen_args, params.policy),
};

/* Loads the VM config at path, lays the options given over it (table, n rows, given and args
 * as config_apply_options() takes them; NULL: none) and computes its launch digest; ret_params
 * gets the digest and the ID block fields of the result. The config's id_block_file and
 * id_auth_file are left out of its checks: they are what is being written or checked here.
 * Logs once. */
static int params_from_config(const char *path, const struct config_option *table, size_t n,
                              const struct cli_given *given, const void *args,
                              struct idblock_params *ret_params, struct vm_config **ret_config) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        _cleanup_(freep) char *why = NULL;
        struct config_problems problems = { 0 };
        struct idblock_params p;
        uint8_t ld[CONFIG_DIGEST_SIZE];
        int r;

        r = config_load(path, CONFIG_SKIP_FILE_CHECKS, &problems, &c);
        if (r == -EINVAL) {
                r = config_log_problems(&problems, path);
                config_problems_clear(&problems);
                return r;
        }
        config_problems_clear(&problems);       /* warnings: config validate shows them */
        if (r < 0)
                return log_errno(r, "reading config '%s'", path);
        r = table ? config_apply_options(c, table, n, given, args) : 0;
        if (r < 0 || config_set_string(&c->id_block_file, NULL) < 0 ||
            config_set_string(&c->id_auth_file, NULL) < 0)
                return log_errno(r < 0 ? r : -ENOMEM, "reading config '%s'", path);
        r = config_check(c, 0, &problems);
        if (r == -EINVAL) {
                r = config_log_problems(&problems, path);
                config_problems_clear(&problems);
                return r;
        }
        config_problems_clear(&problems);
        if (r < 0)
                return log_errno(r, "checking config '%s'", path);

        r = config_expected_digest(c, ld, &why);
        if (r < 0) {
                if (why)
                        log_error("computing the launch digest of config '%s': %s", path, why);
                else
                        log_errno(r, "computing the launch digest of config '%s'", path);
                return r;
        }

        memset(&p, 0, sizeof(p));
        memcpy(p.ld, ld, SNP_LD_SIZE);
        memcpy(p.family_id, c->family_id, SNP_ID_SIZE);
        memcpy(p.image_id, c->image_id, SNP_ID_SIZE);
        p.guest_svn = c->guest_svn;
        p.policy = c->guest_policy;
        *ret_params = p;
        if (ret_config)
                *ret_config = TAKE(c);
        return 0;
}

static int print_result(const struct gen_args *a, const struct snp_id_block *block,
                        const char *block_b64, const uint8_t id_digest[CRYPTO_SHA384_SIZE],
                        const uint8_t *author_digest, const char *block_path,
                        const char *auth_path) {
        char idd[2 * CRYPTO_SHA384_SIZE + 1], aud[2 * CRYPTO_SHA384_SIZE + 1];
        _cleanup_(json_object_putp) struct json_object *o = NULL;

        if (!a->common.json) {
                /* The original tool's lines: the block in base64 like QEMU's id-block= value;
                 * the key digests in lowercase hex, as verify, report, config and attest-verify
                 * print and take them. */
                hex_encode_buf(id_digest, CRYPTO_SHA384_SIZE, idd);
                if (author_digest)
                        hex_encode_buf(author_digest, CRYPTO_SHA384_SIZE, aud);
                if (printf("id block: %s\nid key digest: %s\nauth key digest: %s\n", block_b64,
                           idd, author_digest ? aud : "none") < 0 || fflush(stdout) != 0)
                        return -EIO;
                return 0;
        }
        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        if (output_add_str(o, "id_block", block_b64) < 0 ||
            output_add_hex(o, "launch_digest", block->ld, sizeof(block->ld)) < 0 ||
            output_add_hex(o, "family_id", block->family_id, sizeof(block->family_id)) < 0 ||
            output_add_hex(o, "image_id", block->image_id, sizeof(block->image_id)) < 0 ||
            output_add_u64(o, "guest_svn", a->params.guest_svn) < 0 ||
            output_add_u64(o, "policy", a->params.policy) < 0 ||
            output_add_hex(o, "id_key_digest", id_digest, CRYPTO_SHA384_SIZE) < 0 ||
            (author_digest ?
             output_add_hex(o, "author_key_digest", author_digest, CRYPTO_SHA384_SIZE) :
             output_add_str(o, "author_key_digest", NULL)) < 0 ||
            output_add_bool(o, "author_key_enabled", author_digest != NULL) < 0 ||
            output_add_str(o, "id_block_file", block_path) < 0 ||
            output_add_str(o, "id_auth_file", auth_path) < 0)
                return -ENOMEM;
        return output_print_json(o);
}

static int gen_run(struct gen_args *a) {
        _cleanup_(crypto_key_freep) struct crypto_key *id_key = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *author_key = NULL;
        _cleanup_(config_freep) struct vm_config *config = NULL;
        _cleanup_(freep) char *block_path = NULL;
        _cleanup_(freep) char *auth_path = NULL;
        _cleanup_(freep) char *block_b64 = NULL;
        _cleanup_(freep) char *auth_b64 = NULL;
        const char *auth_pass = a->auth_pass ? a->auth_pass : a->pass;
        uint8_t id_digest[CRYPTO_SHA384_SIZE], author_digest[CRYPTO_SHA384_SIZE];
        unsigned flags = a->force ? FILEIO_FORCE : 0;
        struct snp_id_block block;
        struct snp_id_auth auth;
        struct stat st;
        int r;

        if (a->config) {
                r = params_from_config(a->config, gen_config_options,
                                       ELEMENTSOF(gen_config_options), &a->given, a, &a->params,
                                       &config);
                if (r < 0)
                        return r;
        }

        block_path = path_join(a->out_dir, ID_BLOCK_FILE);
        auth_path = path_join(a->out_dir, ID_AUTH_FILE);
        if (!block_path || !auth_path)
                return log_errno(-ENOMEM, "naming the output files");
        if (stat(a->out_dir, &st) < 0)
                return log_errno(-errno, "opening output folder '%s'", a->out_dir);
        if (!S_ISDIR(st.st_mode))
                return log_errno(-ENOTDIR, "opening output folder '%s'", a->out_dir);
        /* Both outputs or neither: refuse before any work when one is in the way. */
        if (!a->force) {
                if (lstat(block_path, &st) == 0)
                        return log_errno(-EEXIST, "writing '%s' (--force replaces it)", block_path);
                if (lstat(auth_path, &st) == 0)
                        return log_errno(-EEXIST, "writing '%s' (--force replaces it)", auth_path);
        }

        r = check_pass_source("--pass", a->pass);
        if (r < 0)
                return r;
        r = check_pass_source(a->auth_pass ? "--auth-pass" : "--pass", a->auth_key ? auth_pass : NULL);
        if (r < 0)
                return r;
        r = load_p384_key("ID key", a->id_key, a->pass, &id_key);
        if (r < 0)
                return r;
        if (a->auth_key) {
                r = load_p384_key("author key", a->auth_key, auth_pass, &author_key);
                if (r < 0)
                        return r;
        }

        idblock_fill(&a->params, &block);
        r = idblock_sign(&block, id_key, author_key, &auth);
        if (r < 0)
                return log_errno(r, "signing the ID block with '%s'", a->id_key);
        r = idblock_key_digest(&auth.id_key, id_digest);
        if (r >= 0 && author_key)
                r = idblock_key_digest(&auth.author_key, author_digest);
        if (r < 0)
                return log_errno(r, "hashing the public keys");
        if (config && config->has_id_key_digest &&
            !crypto_memeq(config->id_key_digest, id_digest, sizeof(id_digest)))
                log_warning("the ID key's digest differs from id_key_digest in '%s': "
                            "attest-verify will reject the guest's reports", a->config);
        if (config && config->has_author_key_digest &&
            (!author_key || !crypto_memeq(config->author_key_digest, author_digest,
                                          sizeof(author_digest))))
                log_warning("the author key's digest differs from author_key_digest in '%s': "
                            "attest-verify will reject the guest's reports", a->config);

        block_b64 = base64_encode(&block, sizeof(block));
        auth_b64 = base64_encode(&auth, sizeof(auth));
        if (!block_b64 || !auth_b64)
                return log_errno(-ENOMEM, "encoding the ID block");
        {
                /* One without the other would make QEMU launch with a stale or missing half:
                 * both are replaced, or neither. */
                const struct fileio_output outs[] = {
                        { block_path, block_b64, strlen(block_b64), 0644 },
                        { auth_path, auth_b64, strlen(auth_b64), 0644 },
                };
                size_t bad = 0;

                r = fileio_write_set(outs, ELEMENTSOF(outs), flags, &bad);
                if (r < 0)
                        return log_errno(r, "writing '%s' (neither file was changed)",
                                         outs[bad].path);
        }
        if (!author_key)
                log_notice("no author key: the author fields are zero, so the guest must be "
                           "launched with author-key-enabled=off");
        log_info("wrote '%s' and '%s'", block_path, auth_path);
        r = print_result(a, &block, block_b64, id_digest, author_key ? author_digest : NULL,
                         block_path, auth_path);
        if (r < 0)
                return log_errno(r, "printing the result");
        return 0;
}

static const struct argp_child common_children[] = { { &common_argp, 0, NULL, 0 }, { 0 } };

static const struct argp gen_argp = {
        .options = gen_options,
        .parser = gen_parse_opt,
        .children = common_children,
        .doc = "Sign an ID block and ID auth structure for an SEV-SNP guest.\v"
               "Writes " ID_BLOCK_FILE " and " ID_AUTH_FILE " (base64, for QEMU's id-block= and "
               "id-auth=) and prints the ID block and the key digests the attestation report "
               "will carry.\n\n"
               "Subcommands:\n"
               "  keygen -o FILE     write a new ECDSA P-384 key (PKCS#8 PEM, mode 0600)\n"
               "  verify --id-block FILE --auth-block FILE\n"
               "                     check both signatures and print the fields\n"
               "Run them with --help for their options.\n\n"
               "Exit status: 0 written, 1 could not finish (unreadable or unsuitable key, "
               "output in the way), 2 usage error.",
};

/* ---- snpctl idblock keygen ---- */

struct keygen_args {
        struct common_args common;
        const char *out;
        const char *pass;
        bool force;
};

static const struct argp_option keygen_options[] = {
        { "out", 'o', "FILE", 0, "Where to write the key (PKCS#8 PEM, mode 0600)", 0 },
        { "pass", OPT_PASS, "SOURCE", 0,
          "Encrypt the key with this pass phrase: file:PATH (first line) or env:VAR", 0 },
        { "force", OPT_FORCE, NULL, 0, "Replace an existing file", 0 },
        { 0 }
};

static error_t keygen_parse_opt(int key, char *arg, struct argp_state *state) {
        struct keygen_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case 'o':
                a->out = arg;
                break;
        case OPT_PASS:
                if (!pass_spec_ok(arg))
                        argp_error(state, "bad --pass '%s': use file:PATH or env:VAR (a pass "
                                   "phrase on the command line would be visible to every user)",
                                   strncmp(arg, "pass:", 5) == 0 ? "pass:..." : arg);
                a->pass = arg;
                break;
        case OPT_FORCE:
                a->force = true;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                if (!a->out)
                        argp_error(state, "-o FILE is required");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp keygen_argp = {
        .options = keygen_options,
        .parser = keygen_parse_opt,
        .children = common_children,
        .doc = "Write a new ECDSA P-384 private key for use as ID key or author key.\v"
               "Prints the key digest (SHA-384 of its SEV public-key structure) that an "
               "attestation report shows as ID_KEY_DIGEST or AUTHOR_KEY_DIGEST.",
};

static int keygen_run(const struct keygen_args *a) {
        _cleanup_(crypto_key_freep) struct crypto_key *key = NULL;
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        _cleanup_(freep) char *hex = NULL;
        struct snp_ecdsa_pubkey pub;
        uint8_t digest[CRYPTO_SHA384_SIZE];
        char *pem = NULL;
        size_t size = 0;
        int r;

        r = check_pass_source("--pass", a->pass);
        if (r < 0)
                return r;
        r = crypto_key_generate_p384(&key);
        if (r < 0)
                return log_errno(r, "generating a P-384 key");
        r = crypto_key_to_pkcs8_pem(key, a->pass, &pem, &size);
        if (r == -EINVAL && a->pass) {
                log_error("--pass: the pass phrase is empty");
                return r;
        }
        if (r < 0)
                return log_errno(r, "encoding the key");
        r = fileio_write_atomic(a->out, pem, size, 0600,
                                FILEIO_SECRET | (a->force ? FILEIO_FORCE : 0));
        crypto_wipe_free(pem, size);
        if (r == -EEXIST)
                return log_errno(r, "writing key '%s' (--force replaces it)", a->out);
        if (r == -EOPNOTSUPP)
                return log_errno(r, "writing key '%s': its file system cannot replace it without "
                                 "a temporary name (no O_TMPFILE); remove the old key first",
                                 a->out);
        if (r < 0)
                return log_errno(r, "writing key '%s'", a->out);
        if (!a->pass)
                log_notice("'%s' holds the key unencrypted (mode 0600); --pass encrypts it",
                           a->out);

        r = idblock_pubkey_from_key(key, &pub);
        if (r >= 0)
                r = idblock_key_digest(&pub, digest);
        if (r < 0)
                return log_errno(r, "hashing the public key");
        hex = hex_encode(digest, sizeof(digest));
        if (!hex)
                return log_errno(-ENOMEM, "printing the key digest");
        if (!a->common.json) {
                if (printf("key digest: %s\n", hex) < 0 || fflush(stdout) != 0)
                        return log_errno(-EIO, "printing the key digest");
                return 0;
        }
        o = json_object_new_object();
        if (!o || output_add_str(o, "key_file", a->out) < 0 ||
            output_add_str(o, "key_digest", hex) < 0)
                return log_errno(-ENOMEM, "printing the key digest");
        r = output_print_json(o);
        if (r < 0)
                return log_errno(r, "printing the key digest");
        return 0;
}

/* ---- snpctl idblock verify ---- */

struct verify_args {
        struct common_args common;
        const char *id_block;
        const char *auth_block;
        const char *config;
        uint8_t ld[SNP_LD_SIZE];
        bool have_ld;
        uint64_t policy;
        bool have_policy;
};

static const struct argp_option verify_options[] = {
        { "id-block", OPT_ID_BLOCK, "FILE", 0, "ID block (base64 as written, or the 96 raw bytes)", 0 },
        { "auth-block", OPT_AUTH_BLOCK, "FILE", 0,
          "ID auth structure (base64 as written, or the 4096 raw bytes)", 0 },
        { "measurement", OPT_MEASUREMENT, "DIGEST", 0,
          "Launch digest the ID block must carry (96 hex digits or base64)", 0 },
        { "policy", OPT_POLICY, "POLICY", 0, "Guest policy the ID block must carry", 0 },
        { "config", OPT_VM_DEFINITION, "FILE", 0,
          "VM config whose launch digest and policy the ID block must carry", 0 },
        { "vm-definition", OPT_VM_DEFINITION, "FILE", OPTION_ALIAS, NULL, 0 },
        { 0 }
};

static error_t verify_parse_opt(int key, char *arg, struct argp_state *state) {
        struct verify_args *a = state->input;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                break;
        case OPT_ID_BLOCK:
                a->id_block = arg;
                break;
        case OPT_AUTH_BLOCK:
                a->auth_block = arg;
                break;
        case OPT_MEASUREMENT:
                if (parse_digest(arg, a->ld) < 0)
                        argp_error(state, "bad --measurement '%s': expected 48 bytes as 96 hex "
                                   "digits or base64", arg);
                a->have_ld = true;
                break;
        case OPT_POLICY:
                if (parse_u64(arg, &a->policy) < 0)
                        argp_error(state, "bad --policy '%s'", arg);
                a->have_policy = true;
                break;
        case OPT_VM_DEFINITION:
                a->config = arg;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                if (!a->id_block || !a->auth_block)
                        argp_error(state, "--id-block FILE and --auth-block FILE are required");
                if (a->config && (a->have_ld || a->have_policy))
                        argp_error(state, "--config gives the digest and policy; it excludes "
                                   "--measurement and --policy");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp verify_argp = {
        .options = verify_options,
        .parser = verify_parse_opt,
        .children = common_children,
        .doc = "Check an ID block and ID auth structure: layout, the ID key's signature over "
               "the block, the author key's signature over the ID key, and optionally the "
               "signed launch digest and policy.\v"
               "Exit status: 0 verified, 1 could not finish (unreadable file), 2 usage error, "
               "3 rejected (malformed, bad signature, or digest/policy mismatch).",
};

static int print_info(const struct verify_args *a, const struct idblock_info *info,
                      bool verified, const char *reason) {
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        const struct idblock_params *p = &info->params;
        char ld[2 * SNP_LD_SIZE + 1], fam[2 * SNP_ID_SIZE + 1], img[2 * SNP_ID_SIZE + 1];
        char idd[2 * CRYPTO_SHA384_SIZE + 1], aud[2 * CRYPTO_SHA384_SIZE + 1];

        hex_encode_buf(p->ld, sizeof(p->ld), ld);
        hex_encode_buf(p->family_id, sizeof(p->family_id), fam);
        hex_encode_buf(p->image_id, sizeof(p->image_id), img);
        hex_encode_buf(info->id_key_digest, sizeof(info->id_key_digest), idd);
        hex_encode_buf(info->author_key_digest, sizeof(info->author_key_digest), aud);
        if (!a->common.json) {
                if (printf("launch digest: %s\nfamily id: %s\nimage id: %s\nversion: %u\n"
                           "guest svn: %u\npolicy: 0x%llx\nid key digest: %s\n"
                           "author key digest: %s\nverdict: %s%s%s\n", ld, fam, img,
                           info->version, p->guest_svn, (unsigned long long) p->policy, idd,
                           info->has_author_key ? aud : "none", verified ? "verified" : "rejected",
                           reason ? ": " : "", reason ? reason : "") < 0 ||
                    fflush(stdout) != 0)
                        return -EIO;
                return 0;
        }
        o = json_object_new_object();
        if (!o || output_add_bool(o, "verified", verified) < 0 ||
            output_add_str(o, "reason", reason) < 0 ||
            output_add_str(o, "launch_digest", ld) < 0 ||
            output_add_str(o, "family_id", fam) < 0 ||
            output_add_str(o, "image_id", img) < 0 ||
            output_add_u64(o, "version", info->version) < 0 ||
            output_add_u64(o, "guest_svn", p->guest_svn) < 0 ||
            output_add_u64(o, "policy", p->policy) < 0 ||
            output_add_str(o, "id_key_digest", idd) < 0 ||
            output_add_str(o, "author_key_digest", info->has_author_key ? aud : NULL) < 0 ||
            output_add_bool(o, "author_key_enabled", info->has_author_key) < 0)
                return -ENOMEM;
        return output_print_json(o);
}

/* The other ID block fields and the key digests a config states (docs/config.md): 1 when they
 * match, else 0 with the difference in reason. */
static int matches_config(const struct idblock_info *info, const struct vm_config *c,
                          const char *path, char *reason, size_t size) {
        if (!crypto_memeq(info->params.family_id, c->family_id, SNP_ID_SIZE))
                snprintf(reason, size, "family_id differs from the one in config '%s'", path);
        else if (!crypto_memeq(info->params.image_id, c->image_id, SNP_ID_SIZE))
                snprintf(reason, size, "image_id differs from the one in config '%s'", path);
        else if (info->params.guest_svn != c->guest_svn)
                snprintf(reason, size, "guest_svn %u, config '%s' says %u", info->params.guest_svn,
                         path, c->guest_svn);
        else if (c->has_id_key_digest &&
                 !crypto_memeq(info->id_key_digest, c->id_key_digest, CRYPTO_SHA384_SIZE))
                snprintf(reason, size, "ID key digest differs from id_key_digest in config '%s'",
                         path);
        else if (c->has_author_key_digest &&
                 (!info->has_author_key ||
                  !crypto_memeq(info->author_key_digest, c->author_key_digest,
                                CRYPTO_SHA384_SIZE)))
                snprintf(reason, size, "author key digest differs from author_key_digest in "
                         "config '%s'", path);
        else
                return 1;
        return 0;
}

/* 1 verified, 0 rejected, <0 could not check; logs once. */
static int verify_run(struct verify_args *a) {
        _cleanup_(freep) uint8_t *block = NULL;
        _cleanup_(freep) uint8_t *auth = NULL;
        _cleanup_(config_freep) struct vm_config *config = NULL;
        struct idblock_params from_config;
        struct idblock_info info;
        char reason[sizeof(info.reason) + 2 * 2 * SNP_LD_SIZE + 64];
        size_t nb = 0, na = 0;
        int r, ok;

        if (a->config) {
                r = params_from_config(a->config, NULL, 0, NULL, NULL, &from_config, &config);
                if (r < 0)
                        return r;
                memcpy(a->ld, from_config.ld, SNP_LD_SIZE);
                a->have_ld = true;
                a->policy = from_config.policy;
                a->have_policy = true;
        }
        r = base64_read_structure(a->id_block, SNP_ID_BLOCK_SIZE, &block, &nb);
        if (r == -EBADMSG) {
                log_error("ID block '%s' is neither %d raw bytes nor base64", a->id_block,
                          SNP_ID_BLOCK_SIZE);
                return 0;
        }
        if (r < 0)
                return log_errno(r, "reading ID block '%s'", a->id_block);
        r = base64_read_structure(a->auth_block, SNP_ID_AUTH_SIZE, &auth, &na);
        if (r == -EBADMSG) {
                log_error("ID auth structure '%s' is neither %d raw bytes nor base64",
                          a->auth_block, SNP_ID_AUTH_SIZE);
                return 0;
        }
        if (r < 0)
                return log_errno(r, "reading ID auth structure '%s'", a->auth_block);

        ok = idblock_verify(block, nb, auth, na, &info);
        if (ok < 0)
                return log_errno(ok, "checking '%s' and '%s'", a->id_block, a->auth_block);
        if (ok == 0 && (nb != SNP_ID_BLOCK_SIZE || na != SNP_ID_AUTH_SIZE)) {
                log_error("rejected: %s", info.reason);
                return 0;
        }
        if (ok == 0)
                snprintf(reason, sizeof(reason), "%s", info.reason);
        else if (a->have_ld && !crypto_memeq(info.params.ld, a->ld, SNP_LD_SIZE)) {
                char got[2 * SNP_LD_SIZE + 1], want[2 * SNP_LD_SIZE + 1];

                hex_encode_buf(info.params.ld, SNP_LD_SIZE, got);
                hex_encode_buf(a->ld, SNP_LD_SIZE, want);
                snprintf(reason, sizeof(reason), "launch digest %s, expected %s", got, want);
                ok = 0;
        } else if (a->have_policy && info.params.policy != a->policy) {
                snprintf(reason, sizeof(reason), "policy 0x%llx, expected 0x%llx",
                         (unsigned long long) info.params.policy,
                         (unsigned long long) a->policy);
                ok = 0;
        } else if (config) {
                ok = matches_config(&info, config, a->config, reason, sizeof(reason));
        }
        r = print_info(a, &info, ok == 1, ok == 1 ? NULL : reason);
        if (r < 0)
                return log_errno(r, "printing the result");
        if (ok == 0)
                log_error("rejected: %s", reason);
        return ok;
}

/* ---- dispatch ---- */

static int keygen_main(int argc, char **argv) {
        struct keygen_args a = { 0 };

        if (argp_parse(&keygen_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        return cli_exit_status(keygen_run(&a));
}

static int verify_main(int argc, char **argv) {
        struct verify_args a = { 0 };
        int r;

        if (argp_parse(&verify_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = verify_run(&a);
        if (r < 0)
                return SNPCTL_EXIT_FAILURE;
        return r == 0 ? SNPCTL_EXIT_REJECTED : SNPCTL_EXIT_OK;
}

int idblock_main(int argc, char **argv) {
        struct gen_args a = { .out_dir = ".", .params.policy = SNP_POLICY_DEFAULT };

        if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
                return cli_run_subcommand(keygen_main, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "verify") == 0)
                return cli_run_subcommand(verify_main, argc, argv);
        if (argp_parse(&gen_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        return cli_exit_status(gen_run(&a));
}
