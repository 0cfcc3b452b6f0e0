/* SPDX-License-Identifier: Apache-2.0 */
/* snpctl attest-server: the guest side of the disk-key handshake (docs/protocol.md). Answers an
 * attestation request with a fresh report binding the owner's nonce and a fresh agent key, then
 * accepts one secret sealed to that key and signed by the owner key of --owner-key-digest (which
 * the init takes from the measured kernel command line), and hands it to --exec's stdin or to
 * stdout (a pipe), never to disk. Exits 0 after one successful delivery. With --ssh-host-key it
 * also answers with the guest's SSH host key and a fresh report binding it to the owner's nonce;
 * without --owner-key-digest it serves only that, until stopped. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "applets.h"
#include "cleanup.h"
#include "cli.h"
#include "fileio.h"
#include "hex.h"
#include "hostkey.h"
#include "log.h"
#include "parse.h"
#include "provider.h"

struct attest_server_args {
        struct common_args common;
        const char *listen;
        const char *ssh_host_key;
        bool has_owner;
        struct agent_config cfg;
};

enum {
        OPT_LISTEN = 0x100,
        OPT_EXEC,
        OPT_TIMEOUT,
        OPT_OWNER_KEY_DIGEST,
        OPT_SSH_HOST_KEY,
};

static const struct argp_option attest_server_options[] = {
        { "listen",       OPT_LISTEN,       "ADDR:PORT", 0, "Address to listen on, [v6]:PORT for "
                                                            "IPv6; port 0 picks a free one "
                                                            "(default: 0.0.0.0:7700)", 0 },
        { "exec",         OPT_EXEC,         "CMD",  0, "Run CMD with /bin/sh -c and the secret on "
                                                       "its stdin (default: write the secret to "
                                                       "stdout, which must be a pipe)", 0 },
        { "owner-key-digest", OPT_OWNER_KEY_DIGEST, "HEX", 0, "Accept a secret only when signed "
                                                              "by the owner key with this "
                                                              "digest (96 hex digits, as "
                                                              "idblock keygen prints it; "
                                                              "required unless "
                                                              "--ssh-host-key)", 0 },
        { "ssh-host-key", OPT_SSH_HOST_KEY, "FILE", 0, "Also serve this SSH public host key "
                                                       "(the .pub file) with a fresh report "
                                                       "binding it to the owner's nonce; "
                                                       "without --owner-key-digest, serve only "
                                                       "that, until stopped", 0 },
        { "timeout",      OPT_TIMEOUT,      "SECONDS", 0, "Idle time allowed per connection "
                                                          "(default: 10)", 0 },
        { 0 }
};

static error_t attest_server_parse_opt(int key, char *arg, struct argp_state *state) {
        struct attest_server_args *a = state->input;
        struct stat st;
        unsigned u;

        switch (key) {
        case ARGP_KEY_INIT:
                state->child_inputs[0] = &a->common;
                state->child_inputs[1] = &a->cfg.provider;
                break;
        case OPT_LISTEN:       a->listen = arg; break;
        case OPT_EXEC:         a->cfg.exec_cmd = arg; break;
        case OPT_OWNER_KEY_DIGEST:
                if (hex_decode_exact(arg, a->cfg.owner_digest, sizeof(a->cfg.owner_digest)) < 0)
                        argp_error(state, "bad --owner-key-digest '%s' (96 hex digits: the "
                                   "SHA-384 key digest that snpctl idblock keygen prints)", arg);
                a->has_owner = true;
                break;
        case OPT_SSH_HOST_KEY: a->ssh_host_key = arg; break;
        case OPT_TIMEOUT:
                if (parse_uint(arg, 1, 3600, &u) < 0)
                        argp_error(state, "bad --timeout '%s' (1-3600 seconds)", arg);
                a->cfg.timeout_s = u;
                break;
        case ARGP_KEY_ARG:
                argp_error(state, "unexpected argument '%s'", arg);
                break;
        case ARGP_KEY_END:
                /* Without it, anyone who reaches the agent could hand the guest a key. */
                if (!a->has_owner && !a->ssh_host_key)
                        argp_error(state, "--owner-key-digest is required: the agent accepts a "
                                   "secret only from the owner key the guest was launched with");
                a->cfg.no_secret = !a->has_owner;
                if (!a->has_owner && a->cfg.exec_cmd)
                        argp_error(state, "--exec needs --owner-key-digest");
                if (a->cfg.exec_cmd && !*a->cfg.exec_cmd)
                        argp_error(state, "empty --exec");
                /* Without --exec the secret goes to stdout: only to a pipe or socket, never to a
                 * terminal or a file on disk. */
                if (a->has_owner && !a->cfg.exec_cmd && (fstat(STDOUT_FILENO, &st) < 0 ||
                                         !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))))
                        argp_error(state, "stdout is not a pipe: use --exec CMD, or pipe stdout "
                                   "into the program that takes the secret");
                break;
        default:
                return ARGP_ERR_UNKNOWN;
        }
        return 0;
}

static const struct argp_child attest_server_children[] = {
        { &common_argp, 0, NULL, 0 },
        { &provider_argp, 0, "Report provider:", 0 },
        { 0 }
};
static const struct argp attest_server_argp = {
        .options = attest_server_options,
        .parser = attest_server_parse_opt,
        .doc = "Guest attestation agent: answers the owner's attestation request (snpctl "
               "attest-verify --url) with a fresh SEV-SNP report whose REPORT_DATA binds the "
               "owner's nonce and a fresh X25519 key, then accepts one secret sealed to that key "
               "and signed by the owner key of --owner-key-digest, and hands it to --exec's stdin "
               "or to stdout. Requests not signed by the owner are refused and end nothing; the "
               "agent keeps serving until one delivery succeeded. With --ssh-host-key it also "
               "serves the guest's SSH host key with a fresh report binding it to the owner's "
               "nonce (snpctl attest-verify --ssh-host-key-out); with that option alone it takes "
               "no secret and serves until stopped.\v"
               "Exit status: 0 a secret was delivered, 1 could not start or stopped by a signal, "
               "2 usage.",
        .children = attest_server_children,
};

/* Serves until one delivery: 0; -EINVAL for a bad --listen (a usage error), -EINTR when stopped
 * by a signal, other -errno (all logged). */
static int run(struct attest_server_args *a) {
        const char *listen = a->listen ? a->listen : "0.0.0.0:7700";
        const char *colon = strrchr(listen, ':');
        _cleanup_(freep) uint8_t *pub = NULL;
        _cleanup_(hostkey_done) struct hostkey key = {};
        size_t pub_size;
        uint16_t port = 0;
        int fd = -1, r;

        /* Read once, at start: the init starts the agent before it leaves the initramfs. */
        if (a->ssh_host_key) {
                r = fileio_read_full(a->ssh_host_key, HOSTKEY_MAX_LINE, &pub, &pub_size);
                if (r < 0)
                        return log_errno(r == -EINVAL ? -EIO : r, "reading SSH host key '%s'",
                                         a->ssh_host_key);
                r = hostkey_from_pub((const char *) pub, pub_size, &key);
                if (r < 0) {
                        log_error("SSH host key '%s' is not one OpenSSH public key line "
                                  "(TYPE BASE64 [COMMENT])", a->ssh_host_key);
                        return r == -ENOMEM ? r : -EIO;
                }
                a->cfg.ssh_key = &key;
        }

        /* No core dump may carry a secret to disk. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        signal(SIGPIPE, SIG_IGN);
        r = agent_listen(listen, &fd, &port);
        if (r == -EINVAL) {
                log_error("bad --listen '%s' (ADDR:PORT or [ADDR]:PORT)", listen);
                return r;
        }
        if (r < 0)
                return log_errno(r, "listening on '%s'", listen);
        log_notice("listening on %.*s:%u (provider %s)%s%s", (int) (colon - listen), listen, port,
                   provider_name(a->cfg.provider.kind), key.blob ? ", SSH host key " : "",
                   key.blob ? key.type : "");
        r = agent_run(&a->cfg, fd);
        if (r == -EINTR) {
                log_notice("stopped by a signal; no secret was delivered");
                return r;
        }
        if (r < 0)
                return log_errno(r == -EINVAL ? -EIO : r, "serving on '%s'", listen);
        return 0;
}

int attest_server_main(int argc, char **argv) {
        struct attest_server_args a = { .cfg.provider.vmpl = PROVIDER_VMPL_DEFAULT };

        int r;

        if (argp_parse(&attest_server_argp, argc, argv, 0, NULL, &a) != 0)
                return SNPCTL_EXIT_USAGE;
        r = run(&a);
        return r == -EINVAL ? SNPCTL_EXIT_USAGE : cli_exit_status(r);
}
