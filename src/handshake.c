/* SPDX-License-Identifier: Apache-2.0 */
/* Protocol version 1 of docs/protocol.md. The key schedule binds everything the owner checked:
 * the nonce (HKDF salt, AAD) and both public keys (HKDF info, AAD), so a secret sealed for one
 * session can be opened in no other. The key is used for exactly one message, so a fixed IV
 * derived with it is safe. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "crypto.h"
#include "handshake.h"

#define LABEL_LEN(l) (sizeof(l) - 1)

int handshake_report_data(const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                          const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], uint8_t out[64]) {
        uint8_t buf[LABEL_LEN(HANDSHAKE_LABEL_REPORT_DATA) + HANDSHAKE_NONCE_SIZE +
                    HANDSHAKE_KEY_SIZE];
        size_t n = LABEL_LEN(HANDSHAKE_LABEL_REPORT_DATA);

        memcpy(buf, HANDSHAKE_LABEL_REPORT_DATA, n);
        memcpy(buf + n, nonce, HANDSHAKE_NONCE_SIZE);
        memcpy(buf + n + HANDSHAKE_NONCE_SIZE, agent_pub, HANDSHAKE_KEY_SIZE);
        return crypto_sha512(buf, sizeof(buf), out);
}

/* key (32) || iv (12) = HKDF-SHA-256(ikm = X25519 shared secret, salt = nonce,
 * info = label || agent_pub || owner_pub); aad = nonce || agent_pub || owner_pub. */
static int schedule(const uint8_t shared[32], const uint8_t *nonce, const uint8_t *agent_pub,
                    const uint8_t *owner_pub, uint8_t okm[44], uint8_t aad[96]) {
        uint8_t info[LABEL_LEN(HANDSHAKE_LABEL_KEY) + 64];
        size_t n = LABEL_LEN(HANDSHAKE_LABEL_KEY);

        memcpy(info, HANDSHAKE_LABEL_KEY, n);
        memcpy(info + n, agent_pub, 32);
        memcpy(info + n + 32, owner_pub, 32);
        memcpy(aad, nonce, 32);
        memcpy(aad + 32, agent_pub, 32);
        memcpy(aad + 64, owner_pub, 32);
        return crypto_hkdf_sha256(shared, 32, nonce, HANDSHAKE_NONCE_SIZE, info, sizeof(info),
                                  okm, 44);
}

int handshake_seal(const struct crypto_x25519 *owner, const uint8_t owner_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                   const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], const void *secret, size_t size,
                   uint8_t **ret_msg, size_t *ret_size) {
        _cleanup_(freep) uint8_t *msg = NULL;
        uint8_t shared[32], okm[44], aad[96];
        int r;

        if (size == 0 || size > HANDSHAKE_MAX_SECRET)
                return -EINVAL;
        msg = malloc(HANDSHAKE_SECRET_HDR + size);
        if (!msg)
                return -ENOMEM;
        r = crypto_x25519_derive(owner, agent_pub, shared);
        if (r >= 0)
                r = schedule(shared, nonce, agent_pub, owner_pub, okm, aad);
        if (r >= 0) {
                memcpy(msg, nonce, 32);
                memcpy(msg + 32, owner_pub, 32);
                r = crypto_aes256gcm_seal(okm, okm + 32, aad, sizeof(aad), secret, size,
                                          msg + HANDSHAKE_SECRET_HDR, msg + 64);
        }
        crypto_wipe(shared, sizeof(shared));
        crypto_wipe(okm, sizeof(okm));
        if (r < 0)
                return r;
        *ret_msg = TAKE(msg);
        *ret_size = HANDSHAKE_SECRET_HDR + size;
        return 0;
}

int handshake_open(const struct crypto_x25519 *agent, const uint8_t agent_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE], const void *msg, size_t size,
                   uint8_t **ret_secret, size_t *ret_size) {
        const uint8_t *m = msg;
        uint8_t shared[32], okm[44], aad[96], *out;
        size_t n;
        int r;

        if (size <= HANDSHAKE_SECRET_HDR || size > HANDSHAKE_SECRET_MAX)
                return -EBADMSG;
        if (!crypto_memeq(m, nonce, HANDSHAKE_NONCE_SIZE))
                return -ESTALE;
        n = size - HANDSHAKE_SECRET_HDR;
        out = malloc(n);
        if (!out)
                return -ENOMEM;
        r = crypto_x25519_derive(agent, m + 32, shared);
        if (r >= 0)
                r = schedule(shared, nonce, agent_pub, m + 32, okm, aad);
        if (r >= 0)
                r = crypto_aes256gcm_open(okm, okm + 32, aad, sizeof(aad),
                                          m + HANDSHAKE_SECRET_HDR, n, m + 64, out);
        crypto_wipe(shared, sizeof(shared));
        crypto_wipe(okm, sizeof(okm));
        if (r < 0) {
                crypto_wipe_free(out, n);
                return r;
        }
        *ret_secret = out;
        *ret_size = n;
        return 0;
}
