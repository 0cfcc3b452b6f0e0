/* SPDX-License-Identifier: Apache-2.0 */
/* handshake_open() with fixed keys: the agent's X25519 key and nonce of test-handshake.c and
 * its owner key (fuzz_owner_pem). The seed is the message test-handshake.c checks, made
 * by tests/cli/handshake-peer.py. Oracles: (1) no message opens unless it is that one (but for
 * the signature's encoding), since nobody else holds the owner key; (2) a message the harness
 * seals itself, with the input as ephemeral key and secret, opens to the same secret, and no
 * longer opens once one byte of it changes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "fuzz.h"
#include "handshake.h"

static const char secret[] = "disk key 0123456789";

#define SIG_START offsetof(struct handshake_secret_hdr, sig_r)
#define SIG_END   offsetof(struct handshake_secret_hdr, tag)

static struct crypto_x25519 *agent;
static struct crypto_key *owner;
static uint8_t agent_pub[HANDSHAKE_KEY_SIZE], nonce[HANDSHAKE_NONCE_SIZE];
static uint8_t owner_digest[HANDSHAKE_OWNER_DIGEST_SIZE];
static uint8_t *signed_msg;
static size_t signed_size;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        uint8_t priv[HANDSHAKE_KEY_SIZE];
        char path[32];
        int fd;

        (void) argc;
        (void) argv;
        for (size_t i = 0; i < sizeof(priv); i++) {
                priv[i] = (uint8_t) (0x40 + i);
                nonce[i] = (uint8_t) i;
        }
        FUZZ_CHECK(crypto_x25519_from_private(priv, &agent, agent_pub) == 0);
        fd = fuzz_memfd((const uint8_t *) fuzz_owner_pem, strlen(fuzz_owner_pem), path);
        FUZZ_CHECK(crypto_key_load_pem(path, NULL, &owner) == 0);
        close(fd);
        FUZZ_CHECK(handshake_owner_digest(owner, owner_digest) == 0);
        signed_msg = fuzz_fixture(SNPCTL_FUZZ_CORPUS "/handshake/owner-signed", &signed_size);
        return 0;
}

static void open_as_is(const uint8_t *data, size_t size) {
        uint8_t *out = NULL;
        size_t n = 0;

        if (handshake_open(agent, agent_pub, nonce, owner_digest, data, size, &out, &n) != 0)
                return;
        FUZZ_CHECK(size == signed_size);
        FUZZ_CHECK(memcmp(data, signed_msg, SIG_START) == 0);
        FUZZ_CHECK(memcmp(data + SIG_END, signed_msg + SIG_END, size - SIG_END) == 0);
        FUZZ_CHECK(n == strlen(secret) && memcmp(out, secret, n) == 0);
        crypto_wipe_free(out, n);
}

static void seal_and_open(const uint8_t *data, size_t size) {
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *eph = NULL;
        _cleanup_(freep) uint8_t *msg = NULL;
        uint8_t eph_pub[HANDSHAKE_KEY_SIZE], *out = NULL;
        size_t msg_size = 0, n = 0, at;
        int r;

        if (size <= HANDSHAKE_KEY_SIZE || size - HANDSHAKE_KEY_SIZE > HANDSHAKE_MAX_SECRET)
                return;
        FUZZ_CHECK(crypto_x25519_from_private(data, &eph, eph_pub) == 0);
        r = handshake_seal(owner, eph, eph_pub, nonce, agent_pub, data + HANDSHAKE_KEY_SIZE,
                           size - HANDSHAKE_KEY_SIZE, &msg, &msg_size);
        FUZZ_CHECK(r == 0);
        r = handshake_open(agent, agent_pub, nonce, owner_digest, msg, msg_size, &out, &n);
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(n == size - HANDSHAKE_KEY_SIZE);
        FUZZ_CHECK(memcmp(out, data + HANDSHAKE_KEY_SIZE, n) == 0);
        crypto_wipe_free(out, n);
        out = NULL;
        /* One changed byte anywhere, chosen by the input. */
        at = data[0] % msg_size;
        msg[at] ^= (uint8_t) (1u << (data[1] & 7));
        r = handshake_open(agent, agent_pub, nonce, owner_digest, msg, msg_size, &out, &n);
        FUZZ_CHECK(r < 0 && out == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        open_as_is(data, size);
        seal_and_open(data, size);
        return 0;
}
