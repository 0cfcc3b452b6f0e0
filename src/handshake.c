/* SPDX-License-Identifier: Apache-2.0 */
/* Protocol version 2 of docs/protocol.md. The key schedule binds everything the owner checked:
 * the nonce (HKDF salt, AAD) and both ephemeral public keys (HKDF info, AAD), so a secret sealed
 * for one session can be opened in no other. The key is used for exactly one message, so a
 * fixed IV derived with it is safe. The owner's signature covers the label, the agent key and
 * every byte of the message but itself; the agent checks it, against the owner key digest it was
 * measured with, before it decrypts anything. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "crypto.h"
#include "handshake.h"
#include "idblock.h"
#include "le.h"

#define LABEL_LEN(l) (sizeof(l) - 1)
#define SIG_OFFSET offsetof(struct handshake_secret_hdr, sig_r)
#define TAG_OFFSET offsetof(struct handshake_secret_hdr, tag)

int handshake_report_data(const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                          const uint8_t agent_pub[HANDSHAKE_KEY_SIZE],
                          uint8_t out[SNP_REPORT_DATA_SIZE]) {
        uint8_t buf[LABEL_LEN(HANDSHAKE_LABEL_REPORT_DATA) + HANDSHAKE_NONCE_SIZE +
                    HANDSHAKE_KEY_SIZE];
        size_t n = LABEL_LEN(HANDSHAKE_LABEL_REPORT_DATA);

        memcpy(buf, HANDSHAKE_LABEL_REPORT_DATA, n);
        memcpy(buf + n, nonce, HANDSHAKE_NONCE_SIZE);
        memcpy(buf + n + HANDSHAKE_NONCE_SIZE, agent_pub, HANDSHAKE_KEY_SIZE);
        return crypto_sha512(buf, sizeof(buf), out);
}

/* SHA-384 of the SEV public-key structure {curve 2, qx, qy, zero}: as ID_KEY_DIGEST. */
static int point_digest(const uint8_t qx[CRYPTO_SEV_FIELD_SIZE],
                        const uint8_t qy[CRYPTO_SEV_FIELD_SIZE],
                        uint8_t ret[HANDSHAKE_OWNER_DIGEST_SIZE]) {
        struct snp_ecdsa_pubkey pk;

        memset(&pk, 0, sizeof(pk));
        le32_put(&pk.curve, SNP_CURVE_P384);
        memcpy(pk.qx, qx, sizeof(pk.qx));
        memcpy(pk.qy, qy, sizeof(pk.qy));
        return idblock_key_digest(&pk, ret);
}

int handshake_owner_digest(const struct crypto_key *key,
                           uint8_t ret[HANDSHAKE_OWNER_DIGEST_SIZE]) {
        struct snp_ecdsa_pubkey pk;
        int r = idblock_pubkey_from_key(key, &pk);

        if (r < 0)
                return r;
        return idblock_key_digest(&pk, ret);
}

/* The signed transcript: label || agent_pub || the message without sig_r and sig_s. A new
 * buffer of *ret_size bytes, or NULL when out of memory. */
static uint8_t *transcript(const uint8_t *agent_pub, const uint8_t *msg, size_t size,
                           size_t *ret_size) {
        size_t l = LABEL_LEN(HANDSHAKE_LABEL_SIGNATURE);
        size_t n = l + HANDSHAKE_KEY_SIZE + SIG_OFFSET + (size - TAG_OFFSET);
        uint8_t *t = malloc(n), *p = t;

        if (!t)
                return NULL;
        memcpy(p, HANDSHAKE_LABEL_SIGNATURE, l);
        p += l;
        memcpy(p, agent_pub, HANDSHAKE_KEY_SIZE);
        p += HANDSHAKE_KEY_SIZE;
        memcpy(p, msg, SIG_OFFSET);
        p += SIG_OFFSET;
        memcpy(p, msg + TAG_OFFSET, size - TAG_OFFSET);
        *ret_size = n;
        return t;
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

int handshake_seal(const struct crypto_key *owner_key, const struct crypto_x25519 *eph,
                   const uint8_t eph_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                   const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], const void *secret, size_t size,
                   uint8_t **ret_msg, size_t *ret_size) {
        _cleanup_(freep) uint8_t *msg = NULL, *t = NULL;
        struct handshake_secret_hdr *h;
        uint8_t shared[32], okm[44], aad[96];
        size_t n = HANDSHAKE_SECRET_HDR + size, tn = 0;
        int r;

        if (size == 0 || size > HANDSHAKE_MAX_SECRET || !crypto_key_is_p384_private(owner_key))
                return -EINVAL;
        msg = calloc(1, n);
        if (!msg)
                return -ENOMEM;
        h = (struct handshake_secret_hdr *) msg;
        memcpy(h->nonce, nonce, sizeof(h->nonce));
        memcpy(h->owner_pub, eph_pub, sizeof(h->owner_pub));
        r = crypto_key_sev_point(owner_key, h->owner_qx, h->owner_qy);
        if (r >= 0)
                r = crypto_x25519_derive(eph, agent_pub, shared);
        if (r >= 0)
                r = schedule(shared, nonce, agent_pub, eph_pub, okm, aad);
        if (r >= 0)
                r = crypto_aes256gcm_seal(okm, okm + 32, aad, sizeof(aad), secret, size,
                                          msg + HANDSHAKE_SECRET_HDR, h->tag);
        crypto_wipe(shared, sizeof(shared));
        crypto_wipe(okm, sizeof(okm));
        if (r < 0)
                return r;
        t = transcript(agent_pub, msg, n, &tn);
        if (!t)
                return -ENOMEM;
        r = crypto_sev_sign(owner_key, t, tn, h->sig_r, h->sig_s);
        if (r < 0)
                return r;
        *ret_msg = TAKE(msg);
        *ret_size = n;
        return 0;
}

/* 0 when the message carries the owner key of owner_digest and that key signed it; -EPERM when
 * not; -ENOMEM, -EIO. */
static int check_owner(const uint8_t *agent_pub, const uint8_t *owner_digest, const uint8_t *msg,
                       size_t size) {
        const struct handshake_secret_hdr *h = (const struct handshake_secret_hdr *) msg;
        _cleanup_(freep) uint8_t *t = NULL;
        uint8_t d[HANDSHAKE_OWNER_DIGEST_SIZE];
        size_t tn = 0;
        int r;

        r = point_digest(h->owner_qx, h->owner_qy, d);
        if (r < 0)
                return r;
        if (!crypto_memeq(d, owner_digest, sizeof(d)))
                return -EPERM;
        t = transcript(agent_pub, msg, size, &tn);
        if (!t)
                return -ENOMEM;
        r = crypto_sev_verify(h->owner_qx, h->owner_qy, t, tn, h->sig_r, h->sig_s);
        if (r == -EKEYREJECTED || r == -EBADMSG)
                return -EPERM;
        return r;
}

int handshake_open(const struct crypto_x25519 *agent, const uint8_t agent_pub[HANDSHAKE_KEY_SIZE],
                   const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                   const uint8_t owner_digest[HANDSHAKE_OWNER_DIGEST_SIZE], const void *msg,
                   size_t size, uint8_t **ret_secret, size_t *ret_size) {
        const struct handshake_secret_hdr *h = msg;
        uint8_t shared[32], okm[44], aad[96], *out;
        size_t n;
        int r;

        if (size <= HANDSHAKE_SECRET_HDR || size > HANDSHAKE_SECRET_MAX)
                return -EBADMSG;
        if (!crypto_memeq(h->nonce, nonce, HANDSHAKE_NONCE_SIZE))
                return -ESTALE;
        r = check_owner(agent_pub, owner_digest, msg, size);
        if (r < 0)
                return r;
        n = size - HANDSHAKE_SECRET_HDR;
        out = malloc(n);
        if (!out)
                return -ENOMEM;
        r = crypto_x25519_derive(agent, h->owner_pub, shared);
        if (r >= 0)
                r = schedule(shared, nonce, agent_pub, h->owner_pub, okm, aad);
        if (r >= 0)
                r = crypto_aes256gcm_open(okm, okm + 32, aad, sizeof(aad),
                                          (const uint8_t *) msg + HANDSHAKE_SECRET_HDR, n, h->tag,
                                          out);
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
