/* SPDX-License-Identifier: Apache-2.0 */
/* The guest agent of the handshake (docs/protocol.md) on libmicrohttpd: answers an attestation
 * request with a fresh report binding the owner's nonce and a fresh X25519 key, then accepts one
 * secret sealed to that key and signed by the owner key the guest was measured with, and hands it
 * to a command's stdin or to stdout, never to disk. A few sessions at once, each ended only by
 * the owner's signed message or its age; every connection is capped in size and time. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "provider.h"

struct agent_config {
        struct provider provider;
        uint8_t owner_digest[HANDSHAKE_OWNER_DIGEST_SIZE];      /* the measured owner key */
        const char *exec_cmd;           /* run with /bin/sh -c, secret on stdin; NULL: stdout */
        unsigned timeout_s;             /* idle time allowed per connection (default 10) */
        /* When set (the fuzz harness), the secret goes here instead of exec_cmd or stdout;
         * returns 0 or -errno. */
        int (*deliver)(const uint8_t *secret, size_t size, void *userdata);
        void *deliver_userdata;
};

/* Parses "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6), binds and listens; port 0 picks a free one.
 * *ret_port is the port bound. -EINVAL for a bad address, -errno of socket/bind/listen. */
int agent_listen(const char *addr_port, int *ret_fd, uint16_t *ret_port);

/* Serves on listen_fd (taking it over) until a secret was delivered (0) or SIGINT/SIGTERM
 * arrived (-EINTR); logs each request at notice level (never a secret). -errno when the server
 * could not start. */
int agent_run(const struct agent_config *cfg, int listen_fd);

/* The same agent without a listening socket or a thread of its own, driven by the caller: the
 * fuzz harness hands it one end of a socketpair per connection and calls agent_step() while it
 * writes requests to the other end. agent_new() returns 0, -ENOMEM or -EIO. */
struct agent;
int agent_new(const struct agent_config *cfg, struct agent **ret);
/* Serves the connected stream socket fd (taken over, closed on failure too) as a client at
 * 127.0.0.1. -EIO when refused (connection limit). */
int agent_add_connection(struct agent *ag, int fd);
/* Does, without waiting, what the connections allow (reads, answers, writes, deadlines).
 * 0 or -EIO. */
int agent_step(struct agent *ag);
/* Closes every connection (ending their requests) and destroys every session. */
void agent_free(struct agent *ag);
