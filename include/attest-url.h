/* SPDX-License-Identifier: Apache-2.0 */
/* The owner's side of the disk-key handshake on the wire (docs/protocol.md), for
 * attest-verify --url: the two HTTP exchanges with a guest agent (snpctl attest-server). The
 * messages themselves are handshake.c's; the verdict on the report is attest.c's. Nothing is
 * logged above debug level: each failure comes back as a negative errno with a malloc'd reason
 * (*ret_why, if not NULL) that names the agent and quotes its answer escaped. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "handshake.h"
#include "hostkey.h"

#define ATTEST_URL_TIMEOUT_DEFAULT 30   /* seconds per request when the caller gives 0 */

/* Sends the fresh nonce to the agent at url and returns its answer: its X25519 key, the report
 * and, when the host gave one, a certificate table (*ret_resp, *ret_size bytes, at least
 * HANDSHAKE_ATTEST_MIN). 0; -EBADMSG when the answer cannot be a handshake answer (shorter than
 * a key and a report, or longer than HANDSHAKE_ATTEST_MAX): evidence to reject; -EPROTO when the
 * agent answered with an HTTP error; -EINVAL for a bad url; the other errors of http_post(). */
int attest_url_fetch(const char *url, unsigned timeout_s,
                     const uint8_t nonce[HANDSHAKE_NONCE_SIZE], uint8_t **ret_resp,
                     size_t *ret_size, char **ret_why);

/* Seals secret (size bytes) to the agent key agent_pub for this nonce, signed by owner_key, and
 * sends it (handshake_seal() with a fresh ephemeral key). 0 when the agent accepted it; -EPROTO
 * when it refused (HTTP error); the errors of handshake_seal() and http_post(). */
int attest_url_deliver(const char *url, unsigned timeout_s, const struct crypto_key *owner_key,
                       const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                       const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], const uint8_t *secret,
                       size_t size, char **ret_why);

/* Sends the fresh nonce to the agent's SSH host key path (docs/protocol.md, "The SSH host key")
 * and returns the key (*ret_key, hostkey_done() it) and the answer laid out as an attest answer,
 * SHA-256(key blob) || report || certificates (hostkey_split_answer()), so that one path checks
 * both. Errors as attest_url_fetch(); -EBADMSG also for a malformed key. */
int attest_url_ssh_host_key(const char *url, unsigned timeout_s,
                            const uint8_t nonce[HANDSHAKE_NONCE_SIZE], struct hostkey *ret_key,
                            uint8_t **ret_resp, size_t *ret_size, char **ret_why);
