/* SPDX-License-Identifier: Apache-2.0 */
/* The SSH host key report (docs/protocol.md, "The SSH host key"): a guest without a disk key to
 * receive (boot=verity) proves its SSH host key to its owner. The agent answers a nonce with the
 * key and a fresh report whose REPORT_DATA binds the nonce and the key blob; the owner checks
 * that report like any other and writes a known_hosts line. One definition of the binding, used
 * by both sides; pure functions, no I/O. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "handshake.h"
#include "snp-abi.h"

#define HOSTKEY_PATH            "/snpctl/v2/ssh-host-key"
#define HOSTKEY_LABEL           "snpctl-handshake-v2 ssh-host-key"
#define HOSTKEY_MAX_BLOB        4096    /* an RSA-16384 key blob is about 2 KiB */
#define HOSTKEY_MAX_TYPE        63      /* "ssh-ed25519", "ecdsa-sha2-nistp384", ... */
#define HOSTKEY_MAX_LINE        (HOSTKEY_MAX_TYPE + 2 * HOSTKEY_MAX_BLOB + 1024)
/* The answer: blob size (4, little-endian) || blob || report || certificates (0 to 16384). */
#define HOSTKEY_ANSWER_MIN      (4 + 1 + SNP_REPORT_SIZE)
#define HOSTKEY_ANSWER_MAX      (4 + HOSTKEY_MAX_BLOB + SNP_REPORT_SIZE + HANDSHAKE_MAX_CERTS)

struct hostkey {
        char type[HOSTKEY_MAX_TYPE + 1];        /* the blob's own key type string */
        uint8_t *blob;                          /* the SSH wire-format public key */
        size_t blob_size;
        uint8_t hash[CRYPTO_SHA256_SIZE];       /* SHA-256 of the blob ("SHA256:" fingerprint) */
};

void hostkey_done(struct hostkey *k);

/* Reads a key blob: its first field, an SSH string (4-byte big-endian length), is the key type,
 * 1 to 63 characters of [A-Za-z0-9@._+-], and something must follow it. Copies the blob.
 * -EBADMSG for anything else, -ENOMEM. */
int hostkey_from_blob(const uint8_t *blob, size_t size, struct hostkey *ret);

/* Reads an OpenSSH public key line, "TYPE BASE64 [COMMENT]" (a .pub file; leading and trailing
 * white space allowed, one line): the blob's own type must be TYPE. -EBADMSG otherwise. */
int hostkey_from_pub(const char *text, size_t len, struct hostkey *ret);

/* OpenSSH's fingerprint of k, "SHA256:" and the unpadded base64 of k->hash (50 bytes with the
 * NUL). -ENOMEM. */
#define HOSTKEY_FINGERPRINT_SIZE 51
int hostkey_fingerprint(const struct hostkey *k, char out[HOSTKEY_FINGERPRINT_SIZE]);

/* REPORT_DATA = SHA-512(HOSTKEY_LABEL || nonce || SHA-256(blob)). 0 or -EIO. */
int hostkey_report_data(const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                        const uint8_t key_hash[CRYPTO_SHA256_SIZE],
                        uint8_t out[SNP_REPORT_DATA_SIZE]);

/* The agent's answer for key k, a report and the host's certificates (may be NULL/0): a new
 * buffer in *ret. -EINVAL for a table over HANDSHAKE_MAX_CERTS, -ENOMEM. */
int hostkey_answer(const struct hostkey *k, const uint8_t report[SNP_REPORT_SIZE],
                   const uint8_t *certs, size_t certs_size, uint8_t **ret, size_t *ret_size);

/* Splits an answer (untrusted) into the key (*ret_key, hostkey_done() it) and *ret_rest, a new
 * buffer laid out as the attest answer, SHA-256(blob) (32) || report || certificates, so that
 * one path verifies both. -EBADMSG when malformed, -ENOMEM. */
int hostkey_split_answer(const uint8_t *answer, size_t size, struct hostkey *ret_key,
                         uint8_t **ret_rest, size_t *ret_size);

/* The known_hosts line for key k at addr ("HOST" or "HOST:PORT", "[V6]:PORT"; port 22 is left
 * out as ssh does): "HOST TYPE BASE64\n" or "[HOST]:PORT TYPE BASE64\n". The host is a name or
 * address: [A-Za-z0-9.:-] only. -EINVAL for a bad address, -ENOMEM. */
int hostkey_known_hosts_line(const char *addr, const struct hostkey *k, char **ret);
