/* SPDX-License-Identifier: Apache-2.0 */
/* The disk-key handshake, protocol version 2 (docs/protocol.md): the messages exchanged between
 * the owner (attest-verify --url) and the guest agent (attest-server), the REPORT_DATA binding of
 * the owner's nonce and the agent's ephemeral X25519 key, the sealing of the secret with
 * AES-256-GCM under an HKDF-SHA-256 key, and the owner's ECDSA P-384 signature over the whole
 * message, checked against the owner key digest the guest was measured with. Pure functions: no
 * I/O, no logging. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "snp-abi.h"

#define HANDSHAKE_VERSION        2
#define HANDSHAKE_PATH_ATTEST    "/snpctl/v2/attest"
#define HANDSHAKE_PATH_SECRET    "/snpctl/v2/secret"
#define HANDSHAKE_NONCE_SIZE     32
#define HANDSHAKE_KEY_SIZE       CRYPTO_X25519_SIZE
#define HANDSHAKE_OWNER_DIGEST_SIZE CRYPTO_SHA384_SIZE
#define HANDSHAKE_MAX_SECRET     65536          /* bytes of secret, at least 1 */
#define HANDSHAKE_MAX_CERTS      16384          /* SEV_FW_BLOB_MAX_SIZE (snp-facts B.2.2) */
/* attest response: agent public key, report, optional certificate table */
#define HANDSHAKE_ATTEST_MIN     (HANDSHAKE_KEY_SIZE + SNP_REPORT_SIZE)
#define HANDSHAKE_ATTEST_MAX     (HANDSHAKE_ATTEST_MIN + HANDSHAKE_MAX_CERTS)

/* The secret request (docs/protocol.md, step 2). The owner's long-term key and the signature
 * are in the SEV form of the SNP ABI (72-byte little-endian, zero-padded fields), the form of the
 * ID and author keys, so that the owner key digest is computed like ID_KEY_DIGEST. */
struct handshake_secret_hdr {
        uint8_t nonce[HANDSHAKE_NONCE_SIZE];    /* 0x000 the session's nonce */
        uint8_t owner_pub[HANDSHAKE_KEY_SIZE];  /* 0x020 owner's ephemeral X25519 key */
        uint8_t owner_qx[CRYPTO_SEV_FIELD_SIZE];/* 0x040 owner's long-term P-384 key */
        uint8_t owner_qy[CRYPTO_SEV_FIELD_SIZE];/* 0x088 */
        uint8_t sig_r[CRYPTO_SEV_FIELD_SIZE];   /* 0x0D0 ECDSA over the transcript */
        uint8_t sig_s[CRYPTO_SEV_FIELD_SIZE];   /* 0x118 */
        uint8_t tag[CRYPTO_GCM_TAG_SIZE];       /* 0x160 AES-GCM tag */
        /* 0x170 ciphertext, 1 to HANDSHAKE_MAX_SECRET bytes */
};
_Static_assert(sizeof(struct handshake_secret_hdr) == 0x170, "secret header is 368 bytes");
_Static_assert(__builtin_offsetof(struct handshake_secret_hdr, owner_qx) == 0x40, "owner_qx");
_Static_assert(__builtin_offsetof(struct handshake_secret_hdr, sig_r) == 0xD0, "sig_r");
_Static_assert(__builtin_offsetof(struct handshake_secret_hdr, tag) == 0x160, "tag");

#define HANDSHAKE_SECRET_HDR     sizeof(struct handshake_secret_hdr)
#define HANDSHAKE_SECRET_MAX     (HANDSHAKE_SECRET_HDR + HANDSHAKE_MAX_SECRET)

/* Domain labels (ASCII, no terminating NUL on the wire). */
#define HANDSHAKE_LABEL_REPORT_DATA "snpctl-handshake-v2 report-data"
#define HANDSHAKE_LABEL_KEY         "snpctl-handshake-v2 secret-key"
#define HANDSHAKE_LABEL_SIGNATURE   "snpctl-handshake-v2 owner-signature"

/* REPORT_DATA = SHA-512(label || nonce || agent public key). 0 or -EIO. */
int handshake_report_data(const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                          const uint8_t agent_pub[HANDSHAKE_KEY_SIZE],
                          uint8_t out[SNP_REPORT_DATA_SIZE]);

/* The owner key digest the guest is measured with: SHA-384 of the key's 0x404-byte SEV
 * public-key structure, computed like ID_KEY_DIGEST (idblock_key_digest()). -EINVAL when key is
 * not a P-384 key; -EIO. */
int handshake_owner_digest(const struct crypto_key *key,
                           uint8_t ret[HANDSHAKE_OWNER_DIGEST_SIZE]);

/* Builds the secret request for the agent key agent_pub and this nonce: sealed with the
 * ephemeral X25519 key eph (public half eph_pub) and signed with the owner's long-term P-384
 * private key owner_key. *ret_msg is a new buffer of *ret_size bytes (ciphertext only, nothing
 * secret). -EINVAL for an empty or oversized secret or a key that is not a P-384 private key,
 * -EKEYREJECTED for a low-order agent key, -ENOMEM, -EIO. */
int handshake_seal(const struct crypto_key *owner_key, const struct crypto_x25519 *eph,
                   const uint8_t eph_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                   const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], const void *secret, size_t size,
                   uint8_t **ret_msg, size_t *ret_size);

/* Opens a secret request with the agent's key, accepting only a message signed by the owner key
 * whose digest is owner_digest. In this order: -EBADMSG when the length is wrong; -ESTALE when it
 * names another nonce; -EPERM when the key in it is not the owner's or the signature does not
 * verify (nothing was decrypted); then -EBADMSG when the tag does not verify, -EKEYREJECTED for a
 * low-order ephemeral key, -ENOMEM, -EIO. On success *ret_secret is a new buffer the caller wipes
 * (crypto_wipe_free). */
int handshake_open(const struct crypto_x25519 *agent, const uint8_t agent_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                   const uint8_t owner_digest[HANDSHAKE_OWNER_DIGEST_SIZE], const void *msg,
                   size_t size, uint8_t **ret_secret, size_t *ret_size);
