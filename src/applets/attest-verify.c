/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl attest-verify: decide whether reports were signed by a genuine AMD secure processor
 * (chain to a pinned ARK, VCEK/VLEK binding, ECDSA signature) and, when expected values are
 * given, whether they describe exactly the expected VM. Every check is printed with its result;
 * exit 0 only when all passed for every report. With --url it is the owner's side of the
 * disk-key handshake (docs/protocol.md): it fetches a fresh report from the guest agent, runs
 * every check, and only then sends the secret, sealed to the key the report vouches for. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "applets.h"
#include "attest.h"
#include "attest-batch.h"
#include "attest-output.h"
#include "attest-url.h"
#include "base64.h"
#include "certopts.h"
#include "cleanup.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "fileio.h"
#include "handshake.h"
#include "hostkey.h"
#include "hex.h"
#include "idblock.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "report.h"

struct attest_verify_args {
        struct common_args common;
        struct cert_args certs;
        const char *id_block, *auth_block;
        const char *config;
        struct attest_expect expect;
        struct cli_given given;         /* the options on the command line */
        bool min_tcb_none;              /* --min-tcb none: no TCB floor, said on purpose */
        char **reports;
        int n_reports;
        const char *url, *secret_file;
        const char *owner_key, *owner_pass;
        bool has_owner_digest;          /* from the config */
        uint8_t owner_digest[HANDSHAKE_OWNER_DIGEST_SIZE];
        unsigned timeout_s;
        const char *ssh_host_key_out, *ssh_address;     /* --url for the SSH host key */
        bool force;
        unsigned jobs;                  /* --jobs; 0: one per CPU */
        bool explain;                   /* --explain: search a measurement mismatch */
        bool explainable;               /* the config's files gave the expected measurement */
};

enum {
        OPT_CONFIG = CLI_OPT_BASE,
        OPT_MEASUREMENT,
        OPT_POLICY,
        OPT_ALLOW_DEBUG,
        OPT_PLATFORM_INFO,
        OPT_PLATFORM_MASK,
        OPT_MIN_TCB,
        OPT_TCB_FIELDS,
        OPT_FAMILY_ID,
        OPT_IMAGE_ID,
        OPT_GUEST_SVN,
        OPT_ID_KEY_DIGEST,
        OPT_AUTHOR_KEY_DIGEST,
        OPT_ID_BLOCK,
        OPT_AUTH_BLOCK,
        OPT_HOST_DATA,
        OPT_VMPL,
        OPT_REPORT_DATA,
        OPT_MIN_VERSION,
        OPT_URL,
        OPT_SECRET_FILE,
        OPT_TIMEOUT,
        OPT_OWNER_KEY,
        OPT_OWNER_PASS,
        OPT_SSH_HOST_KEY_OUT,
        OPT_SSH_ADDRESS,
        OPT_FORCE,
        OPT_JOBS,
        OPT_EXPLAIN,
        OPT_END,
};
_Static_assert(OPT_END <= CLI_OPT_MAX, "one bit of struct cli_given per option");

static const struct argp_option attest_verify_options[] = {
        { NULL, 0, NULL, 0, "Expected values (any of them turns on the VM checks):", 2 },
        { "config",        OPT_CONFIG,      "FILE", 0, "VM config (vm.json) giving every expected "
                                                       "value; the flags below override one each", 2 },
        { "vm-definition", OPT_CONFIG,      "FILE", OPTION_ALIAS, NULL, 2 },
        { "measurement",   OPT_MEASUREMENT, "HEX", 0, "Launch digest (48 bytes)", 2 },
        { "policy",        OPT_POLICY,      "N",   0, "Guest policy, exactly", 2 },
        { "allow-debug",   OPT_ALLOW_DEBUG, NULL,  0, "Accept a report whose policy allows "
                                                      "debugging (refused otherwise, also without "
                                                      "expected values)", 2 },
        { "platform-info", OPT_PLATFORM_INFO, "N", 0, "PLATFORM_INFO, compared under --platform-info-mask", 2 },
        { "platform-info-mask", OPT_PLATFORM_MASK, "N", 0, "Bits of PLATFORM_INFO compared "
                                                          "(default: all)", 2 },
        { "min-tcb",       OPT_MIN_TCB,     "TCB", 0, "Minimum TCB, e.g. bl=3,tee=0,snp=20,ucode=209 "
                                                      "(Turin: add fmc=N); 'none': no floor, "
                                                      "not even the config's", 2 },
        { "tcb-fields",    OPT_TCB_FIELDS,  "LIST", 0, "TCBs held to --min-tcb: committed, reported, "
                                                       "launch, current (default: committed)", 2 },
        { "family-id",     OPT_FAMILY_ID,   "HEX", 0, "Family ID (16 bytes)", 2 },
        { "image-id",      OPT_IMAGE_ID,    "HEX", 0, "Image ID (16 bytes)", 2 },
        { "guest-svn",     OPT_GUEST_SVN,   "N",   0, "Guest SVN, exactly", 2 },
        { "id-key-digest", OPT_ID_KEY_DIGEST, "HEX", 0, "SHA-384 of the ID public key (48 bytes)", 2 },
        { "author-key-digest", OPT_AUTHOR_KEY_DIGEST, "HEX", 0, "SHA-384 of the author key", 2 },
        { "id-block",      OPT_ID_BLOCK,    "FILE", 0, "ID block (id-block.base64, or the 96 raw "
                                                       "bytes): measurement, family and image ID, "
                                                       "guest SVN, policy", 2 },
        { "auth-block",    OPT_AUTH_BLOCK,  "FILE", 0, "ID authentication block (auth-block.base64, "
                                                       "or the 4096 raw bytes): ID and author key "
                                                       "digests", 2 },
        { "host-data",     OPT_HOST_DATA,   "HEX", 0, "HOST_DATA (32 bytes)", 2 },
        { "vmpl",          OPT_VMPL,        "N",   0, "VMPL of the request (0-3; with --url "
                                                      "the default is 0)", 2 },
        { "report-data",   OPT_REPORT_DATA, "HEX", 0, "REPORT_DATA, 1 to 64 bytes, zero-padded "
                                                      "to 64 (as report get takes it)", 2 },
        { "min-version",   OPT_MIN_VERSION, "N",   0, "Minimum report version", 2 },
        { "explain",       OPT_EXPLAIN,     NULL, 0, "When the measurement computed from --config "
          "differs from the report's: search the vCPU count and type, VMM, guest features and "
          "kernel hashes that give the report's (the search of snpctl measure) and print them", 2 },
        { NULL, 0, NULL, 0, "Handshake with a guest agent (snpctl attest-server):", 3 },
        { "url",           OPT_URL,         "URL", 0, "Agent to attest, http://HOST:PORT; its "
                                                      "fresh report replaces REPORT...", 3 },
        { "secret-file",   OPT_SECRET_FILE, "FILE", 0, "Secret (1 byte to 64 KiB) sent only when "
                                                       "every check passed", 3 },
        { "timeout",       OPT_TIMEOUT,     "SECONDS", 0, "Time allowed per request (default: "
                                                          "30)", 3 },
        { "owner-key",     OPT_OWNER_KEY,   "FILE", 0, "Owner key (ECDSA P-384 private key, PEM) "
                                                       "that signs the secret; the guest accepts "
                                                       "only the key it was launched with", 3 },
        { "owner-pass",    OPT_OWNER_PASS,  "SOURCE", 0, "Pass phrase of an encrypted owner key: "
                                                         "file:PATH or env:VAR (default: ask on "
                                                         "the terminal)", 3 },
        { "ssh-host-key-out", OPT_SSH_HOST_KEY_OUT, "FILE", 0, "Instead of sending a secret: "
                                                               "fetch the guest's SSH host key "
                                                               "with a report binding it, and "
                                                               "when every check passed write "
                                                               "its known_hosts line to FILE", 3 },
        { "ssh-address",   OPT_SSH_ADDRESS, "HOST[:PORT]", 0, "Address the guest's SSH server "
                                                             "is reached at, for known_hosts "
                                                             "(default: the host of --url, "
                                                             "port 22)", 3 },
        { "force",         OPT_FORCE,       NULL,  0, "Replace an existing --ssh-host-key-out "
                                                      "file", 3 },
        { NULL, 0, NULL, 0, "Batches:", 4 },
        { "jobs",          OPT_JOBS,        "N",   0, "Reports verified at once, sharing each "
                                                      "verified chain (default: one per CPU)", 4 },
        { 0 }
};

static void hex_arg(struct argp_state *state, const char *opt, const char *arg, void *out,
                    size_t size, bool *has) {
        if (hex_decode_exact(arg, out, size) < 0)
                argp_error(state, "bad --%s '%s' (must be %zu bytes in hex)", opt, arg, size);
        *has = true;
}

static int parse_tcb_fields(const char *s, unsigned *ret) {
        static const char *const names[] = { "committed", "reported", "launch", "current" };
        unsigned mask = 0;
        const char *p = s;

        while (*p) {
                size_t n = strcspn(p, ","), i;

                for (i = 0; i < ELEMENTSOF(names); i++)
                        if (n == strlen(names[i]) && strncmp(p, names[i], n) == 0)
                                break;
                if (i == ELEMENTSOF(names))
                        return -EINVAL;
                mask |= 1u << i;        /* same order as ATTEST_TCB_* */
                p += n;
                if (*p == ',' && *++p == '\0')
                        return -EINVAL;
        }
        if (!mask)
                return -EINVAL;
        *ret = mask;
        return 0;
}

static error_t attest_verify_parse_opt(int key, char *arg, struct argp_state *state) {
        struct attest_verify_args *a = state->input;
        struct attest_expect *x = &a->expect;
        uint64_t v;
        unsigned u;

        cli_given_record(&a->given, key);
        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->certs;
                state->child_inputs[1] = &a->common;
                break;
        case OPT_ID_BLOCK:  a->id_block = arg; break;
        case OPT_URL:       a->url = arg; break;
        case OPT_SECRET_FILE: a->secret_file = arg; break;
        case OPT_OWNER_KEY: a->owner_key = arg; break;
        case OPT_OWNER_PASS: a->owner_pass = arg; break;
        case OPT_SSH_HOST_KEY_OUT: a->ssh_host_key_out = arg; break;
        case OPT_SSH_ADDRESS: a->ssh_address = arg; break;
        case OPT_FORCE:     a->force = true; break;
        case OPT_JOBS:
                if (parse_uint(arg, 1, 256, &u) < 0)
                        argp_error(state, "bad --jobs '%s' (1-256)", arg);
                a->jobs = u;
                break;
        case OPT_TIMEOUT:
                if (parse_uint(arg, 1, 3600, &u) < 0)
                        argp_error(state, "bad --timeout '%s' (1-3600 seconds)", arg);
                a->timeout_s = u;
                break;
        case OPT_AUTH_BLOCK: a->auth_block = arg; break;
        case OPT_CONFIG:    a->config = arg; break;
        case OPT_EXPLAIN:   a->explain = true; break;
        case OPT_ALLOW_DEBUG: x->allow_debug = true; break;
        case OPT_MEASUREMENT:
                hex_arg(state, "measurement", arg, x->measurement, 48, &x->has_measurement);
                break;
        case OPT_FAMILY_ID:
                hex_arg(state, "family-id", arg, x->family_id, 16, &x->has_family_id);
                break;
        case OPT_IMAGE_ID:
                hex_arg(state, "image-id", arg, x->image_id, 16, &x->has_image_id);
                break;
        case OPT_ID_KEY_DIGEST:
                hex_arg(state, "id-key-digest", arg, x->id_key_digest, 48, &x->has_id_key_digest);
                break;
        case OPT_AUTHOR_KEY_DIGEST:
                hex_arg(state, "author-key-digest", arg, x->author_key_digest, 48,
                        &x->has_author_key_digest);
                break;
        case OPT_HOST_DATA:
                hex_arg(state, "host-data", arg, x->host_data, 32, &x->has_host_data);
                break;
        case OPT_REPORT_DATA:
        {
                /* 1 to 64 bytes, zero-padded: the REPORT_DATA report get puts in a report. */
                _cleanup_(freep) uint8_t *d = NULL;
                size_t n = 0;

                if (hex_decode(arg, &d, &n) < 0 || n == 0 || n > sizeof(x->report_data))
                        argp_error(state, "bad --report-data '%s' (1 to 64 bytes in hex)", arg);
                memset(x->report_data, 0, sizeof(x->report_data));
                memcpy(x->report_data, d, n);
                x->has_report_data = true;
                break;
        }
        case OPT_POLICY:
                if (parse_u64(arg, &v) < 0)
                        argp_error(state, "bad --policy '%s'", arg);
                x->policy = v;
                x->has_policy = true;
                break;
        case OPT_PLATFORM_INFO:
                if (parse_u64(arg, &v) < 0)
                        argp_error(state, "bad --platform-info '%s'", arg);
                x->platform_info = v;
                x->has_platform_info = true;
                break;
        case OPT_PLATFORM_MASK:
                if (parse_u64(arg, &v) < 0)
                        argp_error(state, "bad --platform-info-mask '%s'", arg);
                x->platform_info_mask = v;
                break;
        case OPT_MIN_TCB:
                if (strcmp(arg, "none") == 0) {
                        a->min_tcb_none = true;
                        break;
                }
                if (report_tcb_parse(arg, &x->min_tcb) < 0)
                        argp_error(state, "bad --min-tcb '%s' (e.g. bl=3,tee=0,snp=20,ucode=209, "
                                   "Turin with fmc=N)", arg);
                x->has_min_tcb = true;
                break;
        case OPT_TCB_FIELDS:
                if (parse_tcb_fields(arg, &x->min_tcb_fields) < 0)
                        argp_error(state, "bad --tcb-fields '%s' (committed, reported, launch, "
                                   "current)", arg);
                break;
        case OPT_GUEST_SVN:
                if (parse_uint(arg, 0, UINT32_MAX, &u) < 0)
                        argp_error(state, "bad --guest-svn '%s'", arg);
                x->guest_svn = u;
                x->has_guest_svn = true;
                break;
        case OPT_VMPL:
                if (parse_uint(arg, 0, SNP_VMPL_MAX, &u) < 0)
                        argp_error(state, "bad --vmpl '%s' (0-3)", arg);
                x->vmpl = u;
                x->has_vmpl = true;
                break;
        case OPT_MIN_VERSION:
                if (parse_uint(arg, 2, 5, &u) < 0)
                        argp_error(state, "bad --min-version '%s' (2-5)", arg);
                x->min_version = u;
                x->has_min_version = true;
                break;
        case ARGP_KEY_ARGS:
                a->reports = state->argv + state->next;
                a->n_reports = state->argc - state->next;
                break;
        case ARGP_KEY_NO_ARGS:
                if (!a->url)
                        argp_error(state, "no report given");
                break;
        case ARGP_KEY_END:
                if (cli_given(&a->given, OPT_PLATFORM_MASK) && !x->has_platform_info &&
                    !a->config)
                        argp_error(state, "--platform-info-mask needs --platform-info");
                if (!cli_given(&a->given, OPT_PLATFORM_MASK))
                        x->platform_info_mask = UINT64_MAX;
                if (a->min_tcb_none && x->has_min_tcb)
                        argp_error(state, "--min-tcb none and a --min-tcb floor exclude each "
                                   "other");
                if (x->min_tcb_fields && (a->min_tcb_none || (!x->has_min_tcb && !a->config)))
                        argp_error(state, "--tcb-fields needs --min-tcb");
                if (a->explain && !a->config)
                        argp_error(state, "--explain needs --config (it searches the config's "
                                   "files)");
                if (!a->url && (a->secret_file || a->timeout_s || a->owner_key || a->owner_pass ||
                                a->ssh_host_key_out))
                        argp_error(state, "--secret-file, --owner-key, --owner-pass, "
                                   "--ssh-host-key-out and --timeout need --url");
                if ((a->ssh_address || a->force) && !a->ssh_host_key_out)
                        argp_error(state, "--ssh-address and --force need --ssh-host-key-out");
                if (a->ssh_host_key_out && (a->secret_file || a->owner_key))
                        argp_error(state, "--ssh-host-key-out fetches the SSH host key; it sends "
                                   "no secret (--secret-file, --owner-key)");
                if (a->url) {
                        if (a->n_reports > 0)
                                argp_error(state, "--url takes the report from the agent, not "
                                           "from files");
                        if (!a->secret_file && !a->ssh_host_key_out)
                                argp_error(state, "--url needs --secret-file (or "
                                           "--ssh-host-key-out)");
                        if (!a->owner_key && !a->ssh_host_key_out)
                                argp_error(state, "--url needs --owner-key: the guest accepts a "
                                           "secret only when the owner key it was launched with "
                                           "signed it");
                        if (x->has_report_data)
                                argp_error(state, "--report-data is set by the handshake with "
                                           "--url");
                        /* Any genuine SNP guest can answer; only the measurement says it is
                         * this one. */
                        if (!x->has_measurement && !a->id_block && !a->config)
                                argp_error(state, "refusing to send a secret without an expected "
                                           "measurement (--measurement, --id-block or --config)");
                        /* Old firmware with known holes would otherwise get the key. */
                        if (!x->has_min_tcb && !a->min_tcb_none && !a->config)
                                argp_error(state, "refusing to send a secret without a TCB floor: "
                                           "give --min-tcb (e.g. bl=3,tee=0,snp=20,ucode=209), "
                                           "--config with min_committed_tcb, or --min-tcb none "
                                           "to accept any firmware");
                }
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp_child attest_verify_children[] = {
        { &cert_argp, 0, NULL, 1 }, { &common_argp, 0, NULL, 0 }, { 0 }
};
static const struct argp attest_verify_argp = {
        .options = attest_verify_options,
        .parser = attest_verify_parse_opt,
        .args_doc = "REPORT...\n--url URL --secret-file FILE --owner-key FILE --measurement HEX "
                    "--min-tcb TCB [OPTION...]",
        .doc = "Verify SEV-SNP attestation reports: AMD's chain of trust (ARK pinned in snpctl, "
               "ASK/ASVK, VCEK/VLEK), the report signature, the certificate's hwID and TCB, and "
               "-- when expected values are given -- the VM's measurement, policy and identity. "
               "A REPORT that is a folder stands for its report.bin, or else for every *.bin "
               "in it. With --url, the report comes fresh from a guest agent (snpctl "
               "attest-server) and the secret of --secret-file is sent, sealed to the agent, "
               "only when every check passed. A report whose policy allows debugging is refused "
               "unless --allow-debug. Because --url delivers a key, it also requires a TCB floor "
               "(--min-tcb, the config's min_committed_tcb, or an explicit --min-tcb none), "
               "VMPL 0 unless --vmpl or the config says otherwise, and a policy without "
               "MIGRATE_MA unless the expected policy sets it.\v"
               "Exit status: 0 every report verified (--url: and the secret was delivered), "
               "1 could not examine one (missing or unreadable file, agent unreachable, "
               "delivery refused), 2 usage, 3 a report was examined and rejected (--url: "
               "nothing was sent).",
        .children = attest_verify_children,
};

/* One set of expected values per field: a flag and a file naming the same field must agree. */
static int merge_bytes(const char *what, bool *has, uint8_t *dst, const uint8_t *src, size_t n) {
        if (*has && !crypto_memeq(dst, src, n)) {
                log_error("%s given twice with different values", what);
                return -EINVAL;
        }
        memcpy(dst, src, n);
        *has = true;
        return 0;
}

/* SNP ABI ID block (snp-facts B.3.6): LD, FAMILY_ID, IMAGE_ID, VERSION = 1, GUEST_SVN, POLICY.
 * The file is idblock's id-block.base64, or the 96 raw bytes. */
static int load_id_block(const char *path, struct attest_expect *x) {
        _cleanup_(freep) uint8_t *b = NULL;
        struct snp_id_block_fields f;
        size_t size = 0;
        int r = base64_read_structure(path, SNP_ID_BLOCK_SIZE, &b, &size);

        if (r < 0 && r != -EBADMSG)
                return log_errno(r, "reading ID block '%s'", path);
        if (r == -EBADMSG || snp_id_block_parse(b, size, &f) < 0) {
                log_error("ID block '%s': must be %d bytes with VERSION 1, raw or base64 (got %s)",
                          path, SNP_ID_BLOCK_SIZE, r == -EBADMSG ? "neither" : size !=
                          SNP_ID_BLOCK_SIZE ? "another size" : "another VERSION");
                return -EINVAL;
        }
        if (merge_bytes("measurement (--measurement, ID block LD)", &x->has_measurement,
                        x->measurement, f.ld, SNP_LD_SIZE) < 0 ||
            merge_bytes("family ID", &x->has_family_id, x->family_id, f.family_id,
                        SNP_ID_SIZE) < 0 ||
            merge_bytes("image ID", &x->has_image_id, x->image_id, f.image_id, SNP_ID_SIZE) < 0)
                return -EINVAL;
        if ((x->has_guest_svn && x->guest_svn != f.guest_svn) ||
            (x->has_policy && x->policy != f.policy)) {
                log_error("ID block '%s': guest SVN or policy differs from the flags", path);
                return -EINVAL;
        }
        x->guest_svn = f.guest_svn;
        x->has_guest_svn = true;
        x->policy = f.policy;
        x->has_policy = true;
        return 0;
}

/* ID authentication info (snp-facts B.3.7; struct snp_id_auth): the report carries SHA-384 of
 * the ID key and of the author key (zero when there is none). The file is idblock's
 * auth-block.base64, or the 4096 raw bytes. */
static int load_auth_block(const char *path, struct attest_expect *x) {
        _cleanup_(freep) uint8_t *b = NULL;
        uint8_t id[48], author[48];
        size_t size = 0;
        int r = base64_read_structure(path, SNP_ID_AUTH_SIZE, &b, &size);

        if (r < 0 && r != -EBADMSG)
                return log_errno(r, "reading ID auth block '%s'", path);
        if (r == -EBADMSG) {
                log_error("ID auth block '%s': neither %d raw bytes nor base64", path,
                          SNP_ID_AUTH_SIZE);
                return -EINVAL;
        }
        r = idblock_auth_key_digests(b, size, id, author, NULL);
        if (r == -EINVAL) {
                log_error("ID auth block '%s': must be %d bytes with ID_KEY_ALGO 1 (got %zu bytes)",
                          path, SNP_ID_AUTH_SIZE, size);
                return -EINVAL;
        }
        if (r < 0)
                return log_errno(r, "hashing the keys of '%s'", path);
        if (merge_bytes("ID key digest", &x->has_id_key_digest, x->id_key_digest, id, 48) < 0 ||
            merge_bytes("author key digest", &x->has_author_key_digest, x->author_key_digest,
                        author, 48) < 0)
                return -EINVAL;
        return 0;
}

/* What each option overrides in a --config (config_apply_options()): the fields a report must
 * show. --id-block and --auth-block stand for the fields their files gave (load_id_block(),
 * load_auth_block()). */
#define ROW(key, field, member) \
        CONFIG_OPTION(key, field, struct attest_verify_args, expect.member)
static const struct config_option attest_config_options[] = {
        ROW(OPT_POLICY, CONFIG_FIELD_GUEST_POLICY, policy),
        ROW(OPT_PLATFORM_INFO, CONFIG_FIELD_PLATFORM_INFO, platform_info),
        ROW(OPT_PLATFORM_INFO, CONFIG_FIELD_PLATFORM_INFO_MASK, platform_info_mask),
        ROW(OPT_PLATFORM_MASK, CONFIG_FIELD_PLATFORM_INFO_MASK, platform_info_mask),
        ROW(OPT_FAMILY_ID, CONFIG_FIELD_FAMILY_ID, family_id),
        ROW(OPT_IMAGE_ID, CONFIG_FIELD_IMAGE_ID, image_id),
        ROW(OPT_GUEST_SVN, CONFIG_FIELD_GUEST_SVN, guest_svn),
        ROW(OPT_ID_KEY_DIGEST, CONFIG_FIELD_ID_KEY_DIGEST, id_key_digest),
        ROW(OPT_AUTHOR_KEY_DIGEST, CONFIG_FIELD_AUTHOR_KEY_DIGEST, author_key_digest),
        ROW(OPT_HOST_DATA, CONFIG_FIELD_HOST_DATA, host_data),
        ROW(OPT_VMPL, CONFIG_FIELD_VMPL, vmpl),
        ROW(OPT_MIN_VERSION, CONFIG_FIELD_MIN_REPORT_VERSION, min_version),
        ROW(OPT_ID_BLOCK, CONFIG_FIELD_FAMILY_ID, family_id),
        ROW(OPT_ID_BLOCK, CONFIG_FIELD_IMAGE_ID, image_id),
        ROW(OPT_ID_BLOCK, CONFIG_FIELD_GUEST_SVN, guest_svn),
        ROW(OPT_ID_BLOCK, CONFIG_FIELD_GUEST_POLICY, policy),
        ROW(OPT_AUTH_BLOCK, CONFIG_FIELD_ID_KEY_DIGEST, id_key_digest),
        ROW(OPT_AUTH_BLOCK, CONFIG_FIELD_AUTHOR_KEY_DIGEST, author_key_digest),
};
#undef ROW

/* --config: every expected value from the VM config with the options laid over it, then what a
 * config cannot hold: a measurement given (or the ID block's; the boot files are then not
 * measured), --report-data, --allow-debug, and a --min-tcb in the layout it was written in. */
static int apply_config(struct attest_verify_args *a) {
        _cleanup_(config_freep) struct vm_config *c = NULL;
        _cleanup_(freep) char *why = NULL;
        struct config_problems problems = {};
        const struct attest_expect *f = &a->expect;
        struct attest_expect x;
        int r = config_load_with_options(a->config, CONFIG_SKIP_FILE_CHECKS, NULL, 0, NULL, NULL,
                                         &c);

        if (r < 0)
                return r;
        r = attest_expect_from_config(c, f->has_measurement ? ATTEST_CONFIG_NO_MEASUREMENT : 0,
                                      attest_config_options, ELEMENTSOF(attest_config_options),
                                      &a->given, a, &problems, &x, &why);
        (void) config_log_problems(&problems, a->config);
        config_problems_clear(&problems);
        if (r == -EINVAL && !why)
                return r;       /* the problems say why */
        if (r < 0 && why) {
                log_error("config '%s': %s%s", a->config, why, r == -ENOENT ?
                          " (on a machine without the boot files, give --measurement)" : "");
                return r;
        }
        if (r < 0)
                return log_errno(r, "reading expected values from config '%s'", a->config);
        if (f->has_measurement) {
                x.has_measurement = true;
                memcpy(x.measurement, f->measurement, sizeof(x.measurement));
        }
        if (f->has_report_data) {
                x.has_report_data = true;
                memcpy(x.report_data, f->report_data, sizeof(x.report_data));
        }
        if (f->has_min_tcb) {
                x.has_min_tcb = true;
                x.min_tcb = f->min_tcb;
        }
        if (f->min_tcb_fields)
                x.min_tcb_fields = f->min_tcb_fields;
        x.allow_debug = f->allow_debug;
        a->expect = x;
        if (a->certs.product == SNP_GEN_UNKNOWN)       /* the key server's product for v2 */
                a->certs.product = c->host_cpu_family;
        if (c->require_crl)
                a->certs.require_crl = true;
        a->has_owner_digest = c->has_owner_key_digest;
        memcpy(a->owner_digest, c->owner_key_digest, sizeof(a->owner_digest));
        if (a->url && !c->has_owner_key_digest)
                log_warning("config '%s' has no owner_key_digest: the measurement it expects "
                            "does not name the owner key, and the snpctl initramfs of a guest "
                            "launched from it accepts no disk key", a->config);
        /* Never silence about what the config leaves unchecked. */
        if ((c->guest_policy & SNP_POLICY_DEBUG) && !x.allow_debug)
                log_warning("config '%s': guest_policy allows debugging (DEBUG, bit 19); such a "
                            "guest is refused unless --allow-debug", a->config);
        if (!x.has_platform_info)
                log_warning("config '%s' has no platform_info: PLATFORM_INFO (SMT, TSME, ...) is "
                            "not checked", a->config);
        if (!c->has_min_committed_tcb && !a->min_tcb_none && !x.has_min_tcb && !a->url)
                log_warning("config '%s' has no min_committed_tcb: no TCB floor is checked (add "
                            "it, or give --min-tcb)", a->config);
        return 0;
}

/* ---- running ---- */

/* run()'s answer when a required option is missing and only the config could tell (exit 2). */
#define RUN_USAGE (-EDOM)

/* ---- the handshake (--url) ---- */

/* The owner key, loaded before anything goes on the wire: a wrong pass phrase or key fails here,
 * and a key whose digest differs from the config's owner_key_digest would only be refused by
 * the guest. */
static int load_owner_key(const struct attest_verify_args *a, struct crypto_key **ret) {
        _cleanup_(crypto_key_freep) struct crypto_key *key = NULL;
        uint8_t d[HANDSHAKE_OWNER_DIGEST_SIZE];
        char what[96], hex[2 * sizeof(d) + 1];
        int r;

        r = crypto_key_load_pem(a->owner_key, a->owner_pass, &key);
        if (r < 0)
                return log_errno(r, "reading owner key '%s'", a->owner_key);
        if (!crypto_key_is_p384_private(key)) {
                log_error("owner key '%s' is %s, not an ECDSA P-384 private key (make one with "
                          "snpctl idblock keygen)", a->owner_key,
                          crypto_key_describe(key, what, sizeof(what)));
                return -EINVAL;
        }
        r = handshake_owner_digest(key, d);
        if (r < 0)
                return log_errno(r, "hashing owner key '%s'", a->owner_key);
        hex_encode_buf(d, sizeof(d), hex);
        if (a->has_owner_digest && !crypto_memeq(d, a->owner_digest, sizeof(d))) {
                char want[2 * sizeof(d) + 1];

                hex_encode_buf(a->owner_digest, sizeof(d), want);
                log_error("owner key '%s' has digest %s, but config '%s' has owner_key_digest %s: "
                          "the guest would refuse it", a->owner_key, hex, a->config, want);
                return -EKEYREJECTED;
        }
        log_info("owner key '%s': digest %s", a->owner_key, hex);
        *ret = TAKE(key);
        return 0;
}

/* Logs a reason from attest-url.c (or, without one, the error); returns r. */
static int log_why(int r, const char *why, const char *what) {
        if (why)
                log_error("%s", why);
        else
                log_errno(r, "%s", what);
        return r;
}

/* The known_hosts line of a key whose report passed every check, for --ssh-address (default: the
 * host of --url, port 22), written atomically, never over a file without --force. 0 or -errno
 * (logged). */
static int write_known_hosts(const struct attest_verify_args *a, const struct hostkey *k) {
        _cleanup_(freep) char *line = NULL, *addr = NULL;
        const char *h = strstr(a->url, "://");
        int r;

        if (a->ssh_address)
                addr = strdup(a->ssh_address);
        else {
                h = h ? h + 3 : a->url;
                addr = h[0] == '[' ? strndup(h, strcspn(h, "]") + 1) : strndup(h, strcspn(h, ":/"));
        }
        if (!addr)
                return log_errno(-ENOMEM, "building the known_hosts line");
        r = hostkey_known_hosts_line(addr, k, &line);
        if (r == -EINVAL) {
                log_error("bad SSH address '%s' (HOST, HOST:PORT or [IPV6]:PORT; give "
                          "--ssh-address)", addr);
                return r;
        }
        if (r < 0)
                return log_errno(r, "building the known_hosts line");
        r = fileio_write_atomic(a->ssh_host_key_out, line, strlen(line), 0644,
                                a->force ? FILEIO_FORCE : 0);
        if (r == -EEXIST) {
                log_error("'%s' exists; use --force to replace it", a->ssh_host_key_out);
                return r;
        }
        if (r < 0)
                return log_errno(r, "writing '%s'", a->ssh_host_key_out);
        return 0;
}

/* The handshake: a fresh report from the agent, every check, then the secret (or, with
 * --ssh-host-key-out, the known_hosts line). 1 verified and delivered; 0 rejected, nothing sent;
 * -errno could not finish. */
static int run_url(struct attest_verify_args *a, const struct crypto_cert *trusted) {
        _cleanup_(json_object_putp) struct json_object *arr = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *owner_key = NULL;
        _cleanup_(freep) uint8_t *resp = NULL;
        _cleanup_(freep) char *url_why = NULL;
        _cleanup_(hostkey_done) struct hostkey ssh_key = {};
        char ssh_fp[HOSTKEY_FINGERPRINT_SIZE] = "?";
        struct cert_cache *cache = NULL;
        struct attest_result res;
        struct attest_chain *chain = NULL, *table_chain = NULL;
        const struct attest_check *f;
        uint8_t *secret = NULL, nonce[HANDSHAKE_NONCE_SIZE];
        size_t secret_size = 0, resp_size;
        bool ok;
        int r;

        /* No core dump may carry the secret or the owner key to disk. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (a->ssh_host_key_out)
                goto nonce;             /* no secret, no owner key */
        r = load_owner_key(a, &owner_key);
        if (r < 0)
                goto out;
        r = fileio_read_secret(a->secret_file, HANDSHAKE_MAX_SECRET, &secret, &secret_size);
        if (r == -EFBIG || (r >= 0 && secret_size == 0)) {
                log_error("secret '%s' must hold 1 byte to 64 KiB", a->secret_file);
                r = -EINVAL;
                goto out;
        }
        if (r < 0) {
                log_errno(r, "reading secret '%s'", a->secret_file);
                goto out;
        }
nonce:
        r = crypto_random(nonce, sizeof(nonce));
        if (r < 0) {
                log_errno(r, "making a nonce");
                goto out;
        }
        /* The SSH host key answer comes laid out as an attest answer: SHA-256(key blob) first. */
        r = a->ssh_host_key_out ?
                attest_url_ssh_host_key(a->url, a->timeout_s, nonce, &ssh_key, &resp, &resp_size,
                                        &url_why) :
                attest_url_fetch(a->url, a->timeout_s, nonce, &resp, &resp_size, &url_why);
        if (r == -EBADMSG) {
                log_error("%s; %s", url_why ? url_why : "bad answer",
                          a->ssh_host_key_out ? "nothing written" : "secret not sent");
                r = 0;
                goto out;
        }
        if (r < 0) {
                log_why(r, url_why, "requesting a report");
                goto out;
        }
        /* The report must bind this nonce and this agent key (docs/protocol.md). */
        r = a->ssh_host_key_out ? hostkey_report_data(nonce, resp, a->expect.report_data) :
                                  handshake_report_data(nonce, resp, a->expect.report_data);
        if (r < 0) {
                log_errno(r, "hashing the report data");
                goto out;
        }
        a->expect.has_report_data = true;
        if (!a->certs.certs && !a->certs.vcek && !a->certs.vlek && !a->certs.cert_table &&
            resp_size > HANDSHAKE_ATTEST_MIN) {
                /* No VCEK/VLEK named: the host's table, passed on by the agent (a VLEK-only
                 * table is completed by --ark/--ask or the built-in roots). It is judged like
                 * files are: the pinned ARK (or --trust-ark) decides. */
                _cleanup_(freep) char *why = NULL;
                struct cert_args certs = a->certs;

                /* --fetch/--offline: the table holds no CRL; the product's comes from the key
                 * server, as for a --cert-table file (only the CRL is fetched then). */
                if (a->certs.fetch || a->certs.offline) {
                        struct cert_args t = a->certs;

                        t.cert_table = "the agent's certificate table";
                        r = cert_args_fetch(&t, resp + HANDSHAKE_KEY_SIZE, SNP_REPORT_SIZE,
                                            &cache, &certs, &why);
                        if (r < 0) {
                                log_errno(r, "agent's certificates: %s",
                                          why ? why : "fetching the CRL");
                                goto out;
                        }
                        certs.cert_table = NULL;
                }
                r = cert_chain_from_table(&certs, resp + HANDSHAKE_ATTEST_MIN,
                                          resp_size - HANDSHAKE_ATTEST_MIN,
                                          "agent's certificates", trusted,
                                          &table_chain, &why);
                if (r == -EBADMSG || r == -ENOENT) {
                        log_error("secret not sent: %s", why);
                        r = 0;
                        goto out;
                }
                if (r < 0) {
                        log_errno(r, "%s", why ? why : "verifying the agent's certificates");
                        goto out;
                }
                chain = table_chain;
        } else {
                _cleanup_(freep) char *why = NULL, *what = NULL;
                struct cert_args certs;

                if (asprintf(&what, "report of agent '%s'", a->url) < 0) {
                        r = log_errno(-ENOMEM, "finding the certificates");
                        goto out;
                }
                r = cert_args_fetch(&a->certs, resp + HANDSHAKE_KEY_SIZE, SNP_REPORT_SIZE, &cache,
                                    &certs, &why);
                if (r < 0) {
                        log_errno(r, "%s: %s", what, why ? why : "fetching the certificates");
                        goto out;
                }
                r = cert_chain_for_report(&certs, what,
                                          snp_report_peek_signing_key(resp + HANDSHAKE_KEY_SIZE,
                                                                      SNP_REPORT_SIZE),
                                          trusted, &cache,
                                          &chain, &why);
                if (r < 0) {
                        log_errno(r, "%s", why ? why : "finding the certificates");
                        goto out;
                }
        }
        r = attest_verify_report(chain, resp + HANDSHAKE_KEY_SIZE, SNP_REPORT_SIZE, &a->expect,
                                 &res);
        if (r < 0) {
                log_errno(r, "verifying the report of '%s'", a->url);
                goto out;
        }
        ok = attest_verified(&res);
        if (a->common.json) {
                arr = json_object_new_array();
                if (!arr || attest_add_json(arr, a->url, &res, ok ? ATTEST_VERDICT_VERIFIED :
                                            ATTEST_VERDICT_REJECTED) < 0) {
                        r = log_errno(-ENOMEM, "building JSON");
                        goto out;
                }
        } else
                attest_print_table(a->url, &res, ok ? ATTEST_VERDICT_VERIFIED :
                                   ATTEST_VERDICT_REJECTED);
        if (!ok) {
                f = attest_first_failure(&res);
                log_error("%s: %s: expected %s, got %s%s", a->ssh_host_key_out ?
                          "SSH host key not trusted" : "secret not sent", f ? f->name : "?",
                          f ? f->expected : "", f ? f->actual : "",
                          f && strcmp(f->name, "report-data") == 0 ?
                          " (the report does not bind this nonce and agent key: replayed, or "
                          "the key was swapped in transit)" : "");
                r = 0;
        } else if (a->ssh_host_key_out) {
                r = write_known_hosts(a, &ssh_key);
                if (r >= 0)
                        r = 1;
        } else {
                free(TAKE(url_why));
                r = attest_url_deliver(a->url, a->timeout_s, owner_key, nonce, resp, secret,
                                       secret_size, &url_why);
                if (r < 0)
                        log_why(r, url_why, "sending the secret");
                else
                        r = 1;
        }
        if (arr) {
                struct json_object *o = json_object_array_get_idx(arr, 0);

                if (output_add_bool(o, a->ssh_host_key_out ? "ssh_host_key_written" : "delivered",
                                    r == 1) < 0 || output_print_json(o) < 0)
                        r = -EIO;
        } else if (r == 1 && a->ssh_host_key_out) {
                (void) hostkey_fingerprint(&ssh_key, ssh_fp);
                printf("TRUSTED SSH host key %s %s of %s, written to %s\n", ssh_key.type, ssh_fp,
                       a->url, a->ssh_host_key_out);
        } else if (r == 1)
                printf("DELIVERED secret to %s\n", a->url);
        if (fflush(stdout) != 0)
                r = -EIO;
out:
        crypto_wipe_free(secret, secret_size);
        cert_cache_free(&cache);
        attest_chain_free(table_chain);
        return r;
}

/* 1 every report verified (--url: and the secret delivered), 0 one was rejected (--url:
 * nothing sent), -errno one could not be examined; RUN_USAGE: a required option missing, which
 * only the config could tell. attest_verify_main() maps these to exit statuses. */
static int run(struct attest_verify_args *a) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *trusted = NULL;
        struct attest_batch_args b;
        int r;

        if (a->id_block) {
                r = load_id_block(a->id_block, &a->expect);
                if (r < 0)
                        return r;
        }
        if (a->auth_block) {
                r = load_auth_block(a->auth_block, &a->expect);
                if (r < 0)
                        return r;
        }
        a->explainable = a->config && !a->expect.has_measurement;
        if (a->config) {
                r = apply_config(a);
                if (r < 0)
                        return r;
        }
        if (a->min_tcb_none) {
                a->expect.has_min_tcb = false;
                log_notice("--min-tcb none: no TCB floor; a guest on any firmware, however old, "
                           "is accepted");
        }
        if (a->url) {
                /* A key is at stake: the strict defaults (snpctl-attest-verify(1)). */
                if (!a->expect.has_min_tcb && !a->min_tcb_none) {
                        log_error("refusing to send a secret without a TCB floor: config '%s' has "
                                  "no min_committed_tcb; add it, or give --min-tcb (or --min-tcb "
                                  "none to accept any firmware)", a->config);
                        return RUN_USAGE;
                }
                if (!a->expect.has_vmpl) {
                        a->expect.has_vmpl = true;
                        a->expect.vmpl = 0;
                }
                a->expect.refuse_migrate_ma = true;
                if (a->expect.allow_debug)
                        log_notice("--allow-debug: a guest the host can debug may receive the "
                                   "secret");
        }
        r = cert_args_trusted(&a->certs, &trusted);
        if (r < 0)
                return log_errno(r, "reading --trust-ark '%s'", a->certs.trust_ark);
        r = cert_args_check_crl(&a->certs);     /* before any agent is contacted */
        if (r < 0)
                return r;
        if (a->url) {
                if (!a->expect.has_measurement) {       /* the config or ID block gave none */
                        log_error("refusing to send a secret without an expected measurement");
                        return -EINVAL;
                }
                return run_url(a, trusted);
        }
        b = (struct attest_batch_args) {
                .certs = &a->certs, .trusted = trusted, .expect = &a->expect,
                .reports = a->reports, .n_reports = (size_t) a->n_reports, .jobs = a->jobs,
                .json = a->common.json, .config = a->config, .explain = a->explain,
                .explainable = a->explainable,
        };
        return attest_batch_run(&b);
}

int attest_verify_main(int argc, char **argv) {
        struct attest_verify_args a = {};

        int r;

        if (argp_parse(&attest_verify_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = run(&a);
        if (r == RUN_USAGE)
                return SNPCTL_EXIT_USAGE;
        if (r < 0)
                return SNPCTL_EXIT_FAILURE;
        return r == 0 ? SNPCTL_EXIT_REJECTED : SNPCTL_EXIT_OK;
}
