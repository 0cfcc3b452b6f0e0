/* SPDX-License-Identifier: Apache-2.0 */
/* The guest agent's HTTP request handling (src/agent.c) in-process: a fresh agent per input,
 * without a listening socket, serving one end of a socketpair per request through
 * libmicrohttpd, with the sim provider (the oak Milan report as template, the measure author
 * test key as VCEK, the Milan certificate table of corpus/cert-table) and the owner key of
 * fuzz-handshake.c. The input is a list of steps, each an op byte, a 16-bit little-endian length
 * and that many bytes:
 *   op % 5 == 0  raw: the bytes as they are, as one connection's HTTP (left open when unanswered)
 *   op % 5 == 1  attest: POST /snpctl/v2/attest with the bytes as body (the nonce)
 *   op % 5 == 2  secret: POST /snpctl/v2/secret with the bytes as body
 *   op % 5 == 3  sealed: a secret request the harness seals and signs with the owner key for
 *                the session of an earlier attest step (byte 0 picks it), secret: the rest
 *   op % 5 == 4  tampered: the same with one bit changed (bytes 0-1 pick it), secret: the rest
 * Oracles (besides the sanitizers and libFuzzer's memory limit): an attest answer is the agent
 * key and a report binding the nonce and that key, with the certificate table; a secret is handed
 * over only for a sealed step, once per agent key, as it was sealed (never for raw, secret or
 * tampered steps); a sealed step for the newest session, not used before, delivers (checked for
 * inputs without raw steps, which may start sessions the harness does not know of). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"
#include "cleanup.h"
#include "crypto.h"
#include "fuzz.h"
#include "handshake.h"
#include "le.h"
#include "log.h"
#include "snp-abi.h"

#define MAX_STEPS 16
#define MAX_SESSIONS MAX_STEPS
#define MAX_OPEN 32                     /* raw connections left open until the end of an input */
#define RESP_MAX (HANDSHAKE_ATTEST_MAX + 4096)
#define IDLE_ROUNDS 8                   /* agent_step() rounds without progress: it is done */

enum { OP_RAW, OP_ATTEST, OP_SECRET, OP_SEALED, OP_TAMPERED, OP_COUNT };

struct session {
        uint8_t nonce[HANDSHAKE_NONCE_SIZE];
        uint8_t pub[HANDSHAKE_KEY_SIZE];
        unsigned id;                    /* order of the successful attest steps, from 1 */
        bool used;                      /* a secret request may have ended it */
};

static struct agent_config cfg;
static char template_path[PATH_MAX], key_path[PATH_MAX], certs_path[PATH_MAX];
static uint8_t *certs;
static size_t certs_size;
static struct crypto_key *owner;

/* What the agent handed over during one step. */
static unsigned delivered;
static uint8_t delivered_secret[HANDSHAKE_MAX_SECRET];
static size_t delivered_size;

static int deliver(const uint8_t *secret, size_t size, void *userdata) {
        (void) userdata;
        FUZZ_CHECK(size >= 1 && size <= HANDSHAKE_MAX_SECRET);
        memcpy(delivered_secret, secret, size);
        delivered_size = size;
        delivered++;
        return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        char path[32];
        int fd;

        (void) argc;
        (void) argv;
        if (!getenv("SNPCTL_FUZZ_VERBOSE"))
                log_set_level(LOG_LEVEL_ERROR);
        fuzz_fixture_path("attest/oak-milan-vcek-v3-40a2778d/report.bin", template_path);
        fuzz_fixture_path("measure/author_key_test.pem", key_path);
        fuzz_fixture_path(SNPCTL_FUZZ_CORPUS "/cert-table/milan-vcek", certs_path);
        certs = fuzz_fixture(certs_path, &certs_size);
        fd = fuzz_memfd((const uint8_t *) fuzz_owner_pem, strlen(fuzz_owner_pem), path);
        FUZZ_CHECK(crypto_key_load_pem(path, NULL, &owner) == 0);
        close(fd);
        cfg = (struct agent_config) {
                .provider = { .kind = PROVIDER_SIM, .vmpl = PROVIDER_VMPL_DEFAULT,
                              .sim_template = template_path, .sim_key = key_path,
                              .sim_certs = certs_path },
                .deliver = deliver,
        };
        FUZZ_CHECK(handshake_owner_digest(owner, cfg.owner_digest) == 0);
        return 0;
}

/* The status of a complete HTTP response in buf, its body in *ret_body and *ret_size; 0 while it
 * is incomplete (or not HTTP). */
static unsigned response(const uint8_t *buf, size_t n, const uint8_t **ret_body,
                         size_t *ret_size) {
        const char *s = (const char *) buf, *end = memmem(buf, n, "\r\n\r\n", 4);
        size_t head, length = 0;
        const char *cl;

        if (!end || n < 13 || memcmp(s, "HTTP/1.1 ", 9) != 0)
                return 0;
        head = (size_t) (end - s) + 4;
        cl = memmem(s, head, "\r\nContent-Length: ", 18);
        if (cl)
                length = strtoul(cl + 18, NULL, 10);
        if (n - head < length)
                return 0;
        *ret_body = buf + head;
        *ret_size = length;
        return (unsigned) strtoul(s + 9, NULL, 10);
}

/* Writes req on a new connection and runs the agent until it answered, closed the connection
 * or stopped making progress. The answer (at most RESP_MAX bytes) is left in resp; *ret_fd is
 * our end when the connection is still open without an answer, else -1. */
static unsigned exchange(struct agent *ag, const uint8_t *req, size_t n, uint8_t *resp,
                         const uint8_t **ret_body, size_t *ret_size, int *ret_fd) {
        size_t off = 0, got = 0;
        unsigned status = 0;
        int sv[2];

        *ret_fd = -1;
        FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        if (agent_add_connection(ag, sv[1]) < 0) {      /* over the connection limit */
                close(sv[0]);
                return 0;
        }
        for (unsigned idle = 0, rounds = 0; idle < IDLE_ROUNDS && rounds < 100000; rounds++) {
                bool progress = false;
                ssize_t k;

                if (off < n) {
                        k = send(sv[0], req + off, n - off, MSG_NOSIGNAL);
                        if (k > 0) {
                                off += (size_t) k;
                                progress = true;
                        } else if (k < 0 && errno != EAGAIN)
                                break;          /* the agent closed the connection */
                }
                FUZZ_CHECK(agent_step(ag) == 0);
                if (got < RESP_MAX) {
                        k = recv(sv[0], resp + got, RESP_MAX - got, 0);
                } else {
                        uint8_t sink[4096];     /* an answer never is this long */

                        k = recv(sv[0], sink, sizeof(sink), 0);
                        FUZZ_CHECK(k <= 0);
                }
                if (k == 0)
                        break;
                if (k > 0) {
                        got += (size_t) k;
                        progress = true;
                }
                status = response(resp, got, ret_body, ret_size);
                if (status)
                        break;
                idle = progress ? 0 : idle + 1;
        }
        if (status || got > 0)
                close(sv[0]);
        else
                *ret_fd = sv[0];
        return status;
}

/* A connection the agent neither answered nor closed stays open until the end of the input
 * (libmicrohttpd driven by MHD_run() closes a connection refused in its headers, 413, only when
 * the daemon stops), so that the connection limits come into play. */
static void keep_open(int fd, int *fds, unsigned *n) {
        if (fd >= 0 && *n < MAX_OPEN)
                fds[(*n)++] = fd;
        else if (fd >= 0)
                close(fd);
}

static uint8_t *http_post(const char *path, const uint8_t *body, size_t size, size_t *ret_n) {
        char head[256];
        int h = snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n"
                         "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
                         path, size);
        uint8_t *req = malloc((size_t) h + size);

        FUZZ_CHECK(req);
        memcpy(req, head, (size_t) h);
        memcpy(req + h, body, size);
        *ret_n = (size_t) h + size;
        return req;
}

/* A secret request for session s, sealed and signed with the owner key; NULL for an empty or
 * oversized secret. */
static uint8_t *seal(const struct session *s, const uint8_t *secret, size_t size,
                     size_t *ret_size) {
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *eph = NULL;
        uint8_t eph_pub[HANDSHAKE_KEY_SIZE], *msg = NULL;

        if (size == 0 || size > HANDSHAKE_MAX_SECRET)
                return NULL;
        FUZZ_CHECK(crypto_x25519_new(&eph, eph_pub) == 0);
        FUZZ_CHECK(handshake_seal(owner, eph, eph_pub, s->nonce, s->pub, secret, size, &msg,
                                  ret_size) == 0);
        return msg;
}

static void check_attest(const uint8_t *nonce, size_t nonce_size, unsigned status,
                         const uint8_t *body, size_t size) {
        uint8_t rd[SNP_REPORT_DATA_SIZE];

        if (status != 200)
                return;
        FUZZ_CHECK(nonce_size == HANDSHAKE_NONCE_SIZE);
        FUZZ_CHECK(size == HANDSHAKE_ATTEST_MIN + certs_size);
        FUZZ_CHECK(handshake_report_data(nonce, body, rd) == 0);
        FUZZ_CHECK(memcmp(body + HANDSHAKE_KEY_SIZE + 0x50, rd, sizeof(rd)) == 0);
        FUZZ_CHECK(memcmp(body + HANDSHAKE_ATTEST_MIN, certs, certs_size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) uint8_t *resp = malloc(RESP_MAX);
        struct session sessions[MAX_SESSIONS];
        unsigned n_sessions = 0, attests = 0;
        int open_fds[MAX_OPEN];
        unsigned n_open = 0;
        bool raw_seen = false;
        struct agent *ag = NULL;

        FUZZ_CHECK(resp);
        FUZZ_CHECK(agent_new(&cfg, &ag) == 0);
        delivered = 0;
        for (unsigned step = 0; step < MAX_STEPS && size >= 3; step++) {
                unsigned op = data[0] % OP_COUNT;
                size_t len = le16_get(data + 1), req_size = 0, body_size = 0;
                const uint8_t *arg = data + 3, *body = NULL;
                _cleanup_(freep) uint8_t *req = NULL, *msg = NULL;
                struct session *s = NULL;
                unsigned status, before = delivered;
                size_t at = 0;
                int fd = -1;

                if (len > size - 3)
                        len = size - 3;
                data += 3 + len;
                size -= 3 + len;
                switch (op) {
                case OP_RAW:
                        raw_seen = true;
                        status = exchange(ag, arg, len, resp, &body, &body_size, &fd);
                        keep_open(fd, open_fds, &n_open);
                        break;
                case OP_ATTEST:
                        req = http_post(HANDSHAKE_PATH_ATTEST, arg, len, &req_size);
                        status = exchange(ag, req, req_size, resp, &body, &body_size, &fd);
                        keep_open(fd, open_fds, &n_open);
                        check_attest(arg, len, status, body, body_size);
                        if (status != 200)
                                break;
                        /* The same nonce again: the new key wins. */
                        for (unsigned i = 0; i < n_sessions; i++)
                                if (memcmp(sessions[i].nonce, arg, HANDSHAKE_NONCE_SIZE) == 0)
                                        sessions[i].used = true;
                        s = &sessions[n_sessions++];
                        memcpy(s->nonce, arg, HANDSHAKE_NONCE_SIZE);
                        memcpy(s->pub, body, HANDSHAKE_KEY_SIZE);
                        s->id = ++attests;
                        s->used = false;
                        break;
                case OP_SECRET:
                        req = http_post(HANDSHAKE_PATH_SECRET, arg, len, &req_size);
                        status = exchange(ag, req, req_size, resp, &body, &body_size, &fd);
                        keep_open(fd, open_fds, &n_open);
                        FUZZ_CHECK(status != 200);
                        break;
                case OP_SEALED:
                case OP_TAMPERED:
                        if (n_sessions == 0 || len < 3)
                                continue;
                        s = &sessions[arg[0] % n_sessions];
                        at = le16_get(arg);
                        msg = seal(s, arg + 2, len - 2, &body_size);
                        if (!msg)
                                continue;
                        if (op == OP_TAMPERED)
                                msg[at % body_size] ^= (uint8_t) (1u << (arg[2] & 7));
                        req = http_post(HANDSHAKE_PATH_SECRET, msg, body_size, &req_size);
                        status = exchange(ag, req, req_size, resp, &body, &body_size, &fd);
                        keep_open(fd, open_fds, &n_open);
                        if (op == OP_TAMPERED) {
                                FUZZ_CHECK(status != 200);
                        } else if (delivered != before) {
                                FUZZ_CHECK(status == 200 && !s->used);
                                FUZZ_CHECK(delivered_size == len - 2);
                                FUZZ_CHECK(memcmp(delivered_secret, arg + 2, len - 2) == 0);
                        } else {
                                /* The newest session, unused: nothing may have ended it. */
                                FUZZ_CHECK(raw_seen || s->used || s->id != attests);
                        }
                        /* Only a refused signature (403) or an unknown nonce (409) leaves a
                         * session as it was. */
                        if (status != 403 && status != 409)
                                s->used = true;
                        break;
                }
                /* At most one delivery, and only for a sealed step. */
                FUZZ_CHECK(delivered == before || (op == OP_SEALED && delivered == before + 1));
        }
        for (unsigned i = 0; i < n_open; i++)
                close(open_fds[i]);
        agent_free(ag);
        crypto_wipe(delivered_secret, sizeof(delivered_secret));
        return 0;
}
