/* SPDX-License-Identifier: Apache-2.0 */
/* The disk-key handshake, protocol version 1 (docs/protocol.md): the messages exchanged between
 * the owner (attest-verify --url) and the guest agent (attest-server), the REPORT_DATA binding of
 * the owner's nonce and the agent's ephemeral X25519 key, and the sealing of the secret with
 * AES-256-GCM under an HKDF-SHA-256 key. Pure functions: no I/O, no logging. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define HANDSHAKE_VERSION        1
#define HANDSHAKE_PATH_ATTEST    "/snpctl/v1/attest"
#define HANDSHAKE_PATH_SECRET    "/snpctl/v1/secret"
#define HANDSHAKE_NONCE_SIZE     32
#define HANDSHAKE_KEY_SIZE       CRYPTO_X25519_SIZE
#define HANDSHAKE_MAX_SECRET     65536          /* bytes of secret, at least 1 */
#define HANDSHAKE_MAX_CERTS      16384          /* SEV_FW_BLOB_MAX_SIZE (snp-facts B.2.2) */
/* attest response: agent public key, report, optional certificate table */
#define HANDSHAKE_ATTEST_MIN     (HANDSHAKE_KEY_SIZE + 1184)
#define HANDSHAKE_ATTEST_MAX     (HANDSHAKE_ATTEST_MIN + HANDSHAKE_MAX_CERTS)
/* secret request: nonce, owner public key, tag, ciphertext */
#define HANDSHAKE_SECRET_HDR     (HANDSHAKE_NONCE_SIZE + HANDSHAKE_KEY_SIZE + CRYPTO_GCM_TAG_SIZE)
#define HANDSHAKE_SECRET_MAX     (HANDSHAKE_SECRET_HDR + HANDSHAKE_MAX_SECRET)

/* Domain labels (ASCII, no terminating NUL on the wire). */
#define HANDSHAKE_LABEL_REPORT_DATA "snpctl-handshake-v1 report-data"
#define HANDSHAKE_LABEL_KEY         "snpctl-handshake-v1 secret-key"

/* REPORT_DATA = SHA-512(label || nonce || agent public key). 0 or -EIO. */
int handshake_report_data(const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                          const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], uint8_t out[64]);

/* Builds the secret request for the agent key agent_pub and this nonce, using the owner key
 * owner (public half owner_pub). *ret_msg is a new buffer of *ret_size bytes (ciphertext only,
 * nothing secret). -EINVAL for an empty or oversized secret, -EKEYREJECTED for a low-order agent
 * key, -ENOMEM, -EIO. */
int handshake_seal(const struct crypto_x25519 *owner, const uint8_t owner_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                   const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], const void *secret, size_t size,
                   uint8_t **ret_msg, size_t *ret_size);

/* Opens a secret request with the agent's key. -EBADMSG when its length is wrong or the tag
 * does not verify, -ESTALE when it names another nonce, -EKEYREJECTED for a low-order owner key,
 * -ENOMEM, -EIO. On success *ret_secret is a new buffer the caller wipes (crypto_wipe_free). */
int handshake_open(const struct crypto_x25519 *agent, const uint8_t agent_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE], const void *msg, size_t size,
                   uint8_t **ret_secret, size_t *ret_size);
