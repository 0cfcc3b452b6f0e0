/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "agent.h"
#include "cleanup.h"
#include "crypto.h"
#include "handshake.h"
#include "log.h"
#include "parse.h"
#include "report.h"

#define CONNECTION_TIME_MAX 30          /* seconds from accept to the end of the request */
#define SESSION_TIME_MAX 120            /* seconds from the report to the secret */
#define SESSION_LIMIT 4                 /* sessions open at once; a new one replaces the oldest */
#define CONNECTION_LIMIT 16
#define PER_IP_LIMIT 8

extern char **environ;

enum { KIND_ATTEST = 1, KIND_SECRET };

struct session {
        bool active;
        uint8_t nonce[HANDSHAKE_NONCE_SIZE];
        uint8_t pub[HANDSHAKE_KEY_SIZE];
        struct crypto_x25519 *key;
        uint64_t created;               /* monotonic milliseconds */
};

/* An open TCP connection, from accept to close: the deadline holds for every byte, headers too,
 * which libmicrohttpd's idle timeout alone does not. */
struct tracked {
        struct MHD_Connection *mc;
        int fd;
        uint64_t accepted;              /* monotonic milliseconds */
};

struct agent {
        const struct agent_config *cfg;
        struct MHD_Daemon *d;
        pthread_mutex_t lock;
        /* Sessions by nonce. Only a message signed by the measured owner key ends one (or its
         * age): unauthenticated noise neither ends nor blocks the owner's session. */
        struct session s[SESSION_LIMIT];
        struct tracked conns[CONNECTION_LIMIT];
        int done[2];                    /* written once a delivery's answer has been sent */
};

struct conn {
        int kind;
        uint8_t *body;
        size_t size, max;
        bool answered;
        bool delivered;
        char peer[INET6_ADDRSTRLEN + 8];
};

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* Destroys a session: its agent key can never be used again. Caller holds the lock. */
static void session_reset(struct session *s) {
        crypto_x25519_free(s->key);
        crypto_wipe(s, sizeof(*s));
        s->key = NULL;
        s->active = false;
}

/* The session of this nonce, or NULL. Caller holds the lock. */
static struct session *session_find(struct agent *ag, const uint8_t *nonce) {
        for (size_t i = 0; i < SESSION_LIMIT; i++)
                if (ag->s[i].active && crypto_memeq(ag->s[i].nonce, nonce, HANDSHAKE_NONCE_SIZE))
                        return &ag->s[i];
        return NULL;
}

/* A slot for a new session: a free one, else the oldest (destroyed). Caller holds the lock. */
static struct session *session_slot(struct agent *ag) {
        struct session *oldest = &ag->s[0];

        for (size_t i = 0; i < SESSION_LIMIT; i++) {
                if (!ag->s[i].active)
                        return &ag->s[i];
                if (ag->s[i].created < oldest->created)
                        oldest = &ag->s[i];
        }
        session_reset(oldest);
        return oldest;
}

static void peer_name(struct MHD_Connection *mc, char *buf, size_t size) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc,
                                                                     MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        char a[INET6_ADDRSTRLEN] = "?";

        if (sa && sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, a, sizeof(a));
        else if (sa && sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, a, sizeof(a));
        snprintf(buf, size, "%s", a);
}

/* Up to size-1 printable characters of untrusted text, for a log line. */
static void printable(const char *in, char *buf, size_t size) {
        size_t n = 0;

        for (; *in && n + 1 < size; in++)
                buf[n++] = *in >= 0x20 && *in < 0x7f ? *in : '?';
        buf[n] = '\0';
}

static enum MHD_Result reply(struct MHD_Connection *mc, unsigned status, const void *data,
                             size_t size, const char *type) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(size, (void *) data,
                                                                    MHD_RESPMEM_MUST_COPY);
        enum MHD_Result r;

        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        r = MHD_queue_response(mc, status, resp);
        MHD_destroy_response(resp);
        return r;
}

static enum MHD_Result reply_text(struct MHD_Connection *mc, unsigned status, const char *text) {
        return reply(mc, status, text, strlen(text), "text/plain");
}

/* Answers with an error and logs one line for it. Sessions are left alone: see struct agent. */
static enum MHD_Result fail(struct MHD_Connection *mc, const char *peer, unsigned status,
                            const char *why) {
        log_notice("request from %s refused (%u): %.*s", peer, status,
                   (int) strcspn(why, "\n"), why);
        return reply_text(mc, status, why);
}

static enum MHD_Result handle_attest(struct agent *ag, struct MHD_Connection *mc,
                                     struct conn *c) {
        uint8_t rd[SNP_REPORT_DATA_SIZE], resp[HANDSHAKE_ATTEST_MAX];
        _cleanup_(freep) uint8_t *certs = NULL;
        size_t certs_size = 0, n;
        enum provider_kind used = ag->cfg->provider.kind;
        struct session s = {}, *slot;
        enum MHD_Result m;
        int r;

        if (c->size != HANDSHAKE_NONCE_SIZE)
                return fail(mc, c->peer, 400, "attest request must be a 32-byte nonce\n");
        memcpy(s.nonce, c->body, HANDSHAKE_NONCE_SIZE);
        r = crypto_x25519_new(&s.key, s.pub);
        if (r >= 0)
                r = handshake_report_data(s.nonce, s.pub, rd);
        if (r >= 0)
                r = provider_get_report(&ag->cfg->provider, rd, resp + HANDSHAKE_KEY_SIZE, &certs,
                                        &certs_size, &used);
        if (r < 0) {
                crypto_x25519_free(s.key);
                log_notice("getting a report (provider %s): %s", provider_name(used),
                           strerror(-r));
                return fail(mc, c->peer, 500, "could not get a report\n");
        }
        memcpy(resp, s.pub, HANDSHAKE_KEY_SIZE);
        n = HANDSHAKE_ATTEST_MIN;
        if (certs && certs_size <= HANDSHAKE_MAX_CERTS) {
                memcpy(resp + n, certs, certs_size);
                n += certs_size;
        }
        s.created = now_ms();
        s.active = true;
        pthread_mutex_lock(&ag->lock);
        slot = session_find(ag, s.nonce);       /* the same nonce again: the new key wins */
        if (slot)
                session_reset(slot);
        else
                slot = session_slot(ag);
        *slot = s;
        pthread_mutex_unlock(&ag->lock);
        crypto_wipe(&s, sizeof(s));
        m = reply(mc, 200, resp, n, "application/octet-stream");
        c->answered = true;
        log_notice("attestation request from %s: report sent (provider %s%s)", c->peer,
                   provider_name(used), certs_size ? ", with certificates" : "");
        return m;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Runs /bin/sh -c CMD with the secret on its stdin (a pipe: never a file, argv or environment).
 * The command starts with default signal dispositions and an empty signal mask, not the agent's
 * (SIGPIPE ignored, SIGINT and SIGTERM blocked for the signalfd). */
static int deliver_exec(const char *cmd, const uint8_t *secret, size_t size, int *ret_status) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t all, none;
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) cmd, NULL };
        int p[2], r, st;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        sigfillset(&all);
        sigemptyset(&none);
        r = -posix_spawn_file_actions_init(&fa);
        if (r == 0)
                r = -posix_spawnattr_init(&attr);
        if (r == 0)
                r = -posix_spawn_file_actions_adddup2(&fa, p[0], 0);
        if (r == 0)
                r = -posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
                                                     POSIX_SPAWN_SETSIGMASK);
        if (r == 0)
                r = -posix_spawnattr_setsigdefault(&attr, &all);
        if (r == 0)
                r = -posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = -posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&fa);
        close(p[0]);
        if (r < 0) {
                close(p[1]);
                return r;
        }
        r = write_all(p[1], secret, size);
        close(p[1]);
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        *ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 && r != -EPIPE)
                return r;
        return *ret_status == 0 && r == 0 ? 0 : -ECANCELED;
}

static enum MHD_Result handle_secret(struct agent *ag, struct MHD_Connection *mc,
                                     struct conn *c) {
        struct session *s;
        uint8_t *secret = NULL;
        size_t size = 0;
        int r, status = 0;
        char why[96];

        if (c->size <= HANDSHAKE_SECRET_HDR)
                return fail(mc, c->peer, 400, "secret request too short\n");
        pthread_mutex_lock(&ag->lock);
        s = session_find(ag, c->body);
        if (!s) {
                pthread_mutex_unlock(&ag->lock);
                return fail(mc, c->peer, 409, "no attestation in progress for this nonce\n");
        }
        if (now_ms() - s->created > SESSION_TIME_MAX * 1000) {
                session_reset(s);
                pthread_mutex_unlock(&ag->lock);
                return fail(mc, c->peer, 409, "attestation expired\n");
        }
        r = handshake_open(s->key, s->pub, s->nonce, ag->cfg->owner_digest, c->body, c->size,
                           &secret, &size);
        /* Signed by the owner: one delivery per agent key, whatever happens next. Not signed:
         * the session stays for the owner. */
        if (r != -EPERM)
                session_reset(s);
        pthread_mutex_unlock(&ag->lock);
        if (r == -EPERM)
                return fail(mc, c->peer, 403, "not signed by the owner key this guest was "
                            "launched with\n");
        if (r == -EBADMSG || r == -EKEYREJECTED)
                return fail(mc, c->peer, 400, "secret does not open with this session's key\n");
        if (r < 0)
                return fail(mc, c->peer, 500, "could not open the secret\n");
        (void) mlock(secret, size);     /* best effort: keep it out of swap */
        if (ag->cfg->deliver)
                r = ag->cfg->deliver(secret, size, ag->cfg->deliver_userdata);
        else if (ag->cfg->exec_cmd)
                r = deliver_exec(ag->cfg->exec_cmd, secret, size, &status);
        else
                r = write_all(STDOUT_FILENO, secret, size);
        crypto_wipe(secret, size);
        munlock(secret, size);
        free(secret);
        if (r < 0) {
                if (r == -ECANCELED)
                        snprintf(why, sizeof(why), "the command failed (status %d)\n", status);
                else
                        snprintf(why, sizeof(why), "handing the secret over failed: %s\n",
                                 strerror(-r));
                return fail(mc, c->peer, 500, why);
        }
        c->delivered = true;
        log_notice("secret from %s delivered (%zu bytes) to %s", c->peer, size,
                   ag->cfg->deliver ? "the caller" : ag->cfg->exec_cmd ? "the command" : "stdout");
        c->answered = true;
        return reply_text(mc, 200, "delivered\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
        struct agent *ag = cls;
        struct conn *c = *con_cls;

        (void) version;
        if (!c) {
                const char *cl;
                char peer[INET6_ADDRSTRLEN + 8], m[16], u[96];
                int kind = strcmp(url, HANDSHAKE_PATH_ATTEST) == 0 ? KIND_ATTEST :
                           strcmp(url, HANDSHAKE_PATH_SECRET) == 0 ? KIND_SECRET : 0;
                size_t max = kind == KIND_ATTEST ? HANDSHAKE_NONCE_SIZE : HANDSHAKE_SECRET_MAX;
                uint64_t len;

                peer_name(mc, peer, sizeof(peer));
                printable(method, m, sizeof(m));
                printable(url, u, sizeof(u));
                log_notice("%s %s from %s", m, u, peer);
                if (!kind)
                        return fail(mc, peer, 404, "unknown path (this agent speaks protocol "
                                    "version 2: " HANDSHAKE_PATH_ATTEST ")\n");
                if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
                        return fail(mc, peer, 405, "only POST\n");
                cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
                if (cl && (parse_u64(cl, &len) < 0 || len > max)) {
                        (void) fail(mc, peer, 413, "too large\n");
                        return MHD_NO;          /* drop the connection, read nothing more */
                }
                c = calloc(1, sizeof(*c));
                if (!c)
                        return MHD_NO;
                c->body = malloc(max);
                if (!c->body) {
                        free(c);
                        return MHD_NO;
                }
                c->kind = kind;
                c->max = max;
                memcpy(c->peer, peer, sizeof(peer));
                *con_cls = c;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                if (c->answered)
                        return MHD_NO;
                if (*upload_data_size > c->max - c->size) {
                        (void) fail(mc, c->peer, 413, "too large\n");
                        return MHD_NO;
                }
                memcpy(c->body + c->size, upload_data, *upload_data_size);
                c->size += *upload_data_size;
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (c->answered)
                return MHD_YES;
        return c->kind == KIND_ATTEST ? handle_attest(ag, mc, c) : handle_secret(ag, mc, c);
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
        struct agent *ag = cls;
        struct conn *c = *con_cls;

        (void) mc;
        if (!c)
                return;
        if (!c->answered && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
                log_notice("request from %s ended early (code %d)", c->peer, (int) toe);
        if (c->delivered) {
                char x = 1;

                if (write(ag->done[1], &x, 1) < 0)
                        log_debug("signalling the delivery: %s", strerror(errno));
        }
        crypto_wipe(c->body, c->max);
        free(c->body);
        free(c);
        *con_cls = NULL;
}

/* Keeps the table of open connections for the deadline (sweep()). libmicrohttpd calls this
 * on its thread with STARTED after accept and CLOSED before it closes the socket. */
static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
        struct agent *ag = cls;
        const union MHD_ConnectionInfo *ci;

        (void) socket_context;
        pthread_mutex_lock(&ag->lock);
        for (size_t i = 0; i < CONNECTION_LIMIT; i++) {
                struct tracked *t = &ag->conns[i];

                if (code == MHD_CONNECTION_NOTIFY_CLOSED && t->mc == mc) {
                        *t = (struct tracked) { .fd = -1 };
                        break;
                }
                if (code == MHD_CONNECTION_NOTIFY_STARTED && !t->mc) {
                        ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
                        *t = (struct tracked) { .mc = mc, .fd = ci ? ci->connect_fd : -1,
                                                .accepted = now_ms() };
                        break;
                }
        }
        pthread_mutex_unlock(&ag->lock);
}

/* Shuts down every connection open for longer than CONNECTION_TIME_MAX: libmicrohttpd then sees
 * the end of the stream and closes it. */
static void sweep(struct agent *ag) {
        uint64_t now = now_ms();

        pthread_mutex_lock(&ag->lock);
        for (size_t i = 0; i < CONNECTION_LIMIT; i++) {
                struct tracked *t = &ag->conns[i];

                if (t->mc && t->fd >= 0 && now - t->accepted > CONNECTION_TIME_MAX * 1000) {
                        log_notice("connection open for more than %d s: closing it",
                                   CONNECTION_TIME_MAX);
                        (void) shutdown(t->fd, SHUT_RDWR);
                        t->fd = -1;     /* once; the CLOSED notification frees the slot */
                }
        }
        pthread_mutex_unlock(&ag->lock);
}

/* fmt is libmicrohttpd's own format string. */
__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
        char buf[256];

        (void) cls;
        vsnprintf(buf, sizeof(buf), fmt, ap);
        buf[strcspn(buf, "\n")] = '\0';
        log_debug("libmicrohttpd: %s", buf);
}

int agent_listen(const char *addr_port, int *ret_fd, uint16_t *ret_port) {
        struct sockaddr_storage ss = {};
        socklen_t sl;
        char host[INET6_ADDRSTRLEN + 1];
        const char *colon, *h = addr_port;
        size_t hl;
        unsigned port;
        int fd, one = 1, r;

        if (addr_port[0] == '[') {
                const char *end = strchr(addr_port, ']');

                if (!end || end[1] != ':')
                        return -EINVAL;
                h = addr_port + 1;
                hl = (size_t) (end - h);
                colon = end + 1;
        } else {
                colon = strrchr(addr_port, ':');
                if (!colon)
                        return -EINVAL;
                hl = (size_t) (colon - h);
        }
        if (hl == 0 || hl >= sizeof(host) || parse_uint(colon + 1, 0, 65535, &port) < 0)
                return -EINVAL;
        memcpy(host, h, hl);
        host[hl] = '\0';
        if (addr_port[0] == '[') {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;

                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t) port);
                if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
                        return -EINVAL;
                sl = sizeof(*s6);
        } else {
                struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;

                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t) port);
                if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
                        return -EINVAL;
                sl = sizeof(*s4);
        }
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *) &ss, sl) < 0 || listen(fd, 16) < 0 ||
            getsockname(fd, (struct sockaddr *) &ss, &sl) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        *ret_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *) &ss)->sin6_port) :
                                               ntohs(((struct sockaddr_in *) &ss)->sin_port);
        *ret_fd = fd;
        return 0;
}

static int agent_init(struct agent *ag, const struct agent_config *cfg) {
        *ag = (struct agent) { .cfg = cfg, .done = { -1, -1 } };
        for (size_t i = 0; i < CONNECTION_LIMIT; i++)
                ag->conns[i].fd = -1;
        if (pipe2(ag->done, O_CLOEXEC) < 0)
                return -errno;
        pthread_mutex_init(&ag->lock, NULL);
        return 0;
}

/* Stops the server (closing every connection and the listening socket) and destroys every
 * session. */
static void agent_fini(struct agent *ag) {
        if (ag->d)
                MHD_stop_daemon(ag->d);
        ag->d = NULL;
        for (size_t i = 0; i < SESSION_LIMIT; i++)
                session_reset(&ag->s[i]);
        close(ag->done[0]);
        close(ag->done[1]);
        pthread_mutex_destroy(&ag->lock);
}

/* The server: on listen_fd (taken over) on its own thread, or, with listen_fd -1, on the
 * connections agent_add_connection() hands it while agent_step() drives it. */
static int start_daemon(struct agent *ag, int listen_fd) {
        const struct agent_config *cfg = ag->cfg;
        struct MHD_OptionItem listen[] = {
                { listen_fd >= 0 ? MHD_OPTION_LISTEN_SOCKET : MHD_OPTION_END, listen_fd, NULL },
                { MHD_OPTION_END, 0, NULL },
        };
        unsigned flags = listen_fd >= 0 ? MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL :
                                          MHD_USE_NO_LISTEN_SOCKET;

        ag->d = MHD_start_daemon(flags | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, ag,
                                 MHD_OPTION_ARRAY, listen,
                                 MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                 MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned) (cfg->timeout_s ? cfg->timeout_s : 10),
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned) CONNECTION_LIMIT,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned) PER_IP_LIMIT,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) 32768,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, ag,
                                 MHD_OPTION_NOTIFY_CONNECTION, on_connection, ag,
                                 MHD_OPTION_END);
        if (!ag->d) {
                if (listen_fd >= 0)
                        close(listen_fd);
                return -EIO;
        }
        return 0;
}

int agent_run(const struct agent_config *cfg, int listen_fd) {
        struct agent ag;
        sigset_t mask, old;
        int sfd, r;

        r = agent_init(&ag, cfg);
        if (r < 0) {
                close(listen_fd);
                return r;
        }
        /* Signals go to the signalfd only; the server thread inherits the blocked mask. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &mask, &old);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                r = -errno;
                close(listen_fd);
                goto out;
        }
        r = start_daemon(&ag, listen_fd);
        if (r < 0)
                goto out;
        for (;;) {
                struct pollfd p[2] = { { .fd = ag.done[0], .events = POLLIN },
                                       { .fd = sfd, .events = POLLIN } };

                /* Wakes every second for the connection deadline. */
                if (poll(p, 2, 1000) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (p[0].revents) {
                        r = 0;
                        break;
                }
                if (p[1].revents) {
                        struct signalfd_siginfo si;

                        /* Consumed here, so that restoring the mask does not deliver it. */
                        if (read(sfd, &si, sizeof(si)) < 0)
                                log_debug("reading the signal: %s", strerror(errno));
                        r = -EINTR;
                        break;
                }
                sweep(&ag);
        }
out:
        agent_fini(&ag);                /* stops the server, which closes listen_fd */
        if (sfd >= 0)
                close(sfd);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return r;
}

int agent_new(const struct agent_config *cfg, struct agent **ret) {
        struct agent *ag = malloc(sizeof(*ag));
        int r;

        if (!ag)
                return -ENOMEM;
        r = agent_init(ag, cfg);
        if (r < 0) {
                free(ag);
                return r;
        }
        r = start_daemon(ag, -1);
        if (r < 0) {
                agent_free(ag);
                return r;
        }
        *ret = ag;
        return 0;
}

int agent_add_connection(struct agent *ag, int fd) {
        struct sockaddr_in peer = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

        /* libmicrohttpd closes fd on failure too. */
        if (MHD_add_connection(ag->d, fd, (const struct sockaddr *) &peer,
                               sizeof(peer)) != MHD_YES)
                return -EIO;
        return 0;
}

int agent_step(struct agent *ag) {
        sweep(ag);
        return MHD_run(ag->d) == MHD_YES ? 0 : -EIO;
}

void agent_free(struct agent *ag) {
        if (!ag)
                return;
        agent_fini(ag);
        free(ag);
}
