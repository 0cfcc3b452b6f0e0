/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest-url.h"
#include "cleanup.h"
#include "http.h"
#include "log.h"
#include "output.h"

/* An agent's answer, for a message: the host's text, escaped (output_escape()). */
static const char *agent_text(const uint8_t *data, size_t size, char *buf, size_t bsize) {
        return output_escape(data, size, buf, bsize);
}

static unsigned timeout_of(unsigned timeout_s) {
        return timeout_s ? timeout_s : ATTEST_URL_TIMEOUT_DEFAULT;
}

/* POSTs the nonce to the agent's path for `what` (an answer of at most max bytes); anything but
 * HTTP 200 is an error. 0 or -errno (logged, or the reason in *ret_why). */
static int post(const char *url, const char *path, const char *what,
                const uint8_t nonce[HANDSHAKE_NONCE_SIZE], int max, unsigned timeout_s,
                uint8_t **ret_resp, size_t *ret_size, char **ret_why) {
        _cleanup_(freep) uint8_t *resp = NULL;
        size_t size = 0;
        long status;
        char text[128];
        int r;

        r = http_post(url, path, nonce, HANDSHAKE_NONCE_SIZE, max, timeout_of(timeout_s), &status,
                      &resp, &size);
        if (r == -EINVAL)
                return log_fail_why(ret_why, r, "bad --url '%s' (http://HOST:PORT)", url);
        if (r == -EFBIG)
                return log_fail_why(ret_why, -EBADMSG, "agent '%s' answered more than %d bytes",
                                    url, max);
        if (r < 0)
                return log_fail_why(ret_why, r, "requesting %s from '%s': %s", what, url,
                                    strerror(-r));
        if (status != 200)
                return log_fail_why(ret_why, -EPROTO, "agent '%s' answered HTTP %ld: %s", url,
                                    status, agent_text(resp, size, text, sizeof(text)));
        *ret_resp = TAKE(resp);
        *ret_size = size;
        return 0;
}

int attest_url_fetch(const char *url, unsigned timeout_s,
                     const uint8_t nonce[HANDSHAKE_NONCE_SIZE], uint8_t **ret_resp,
                     size_t *ret_size, char **ret_why) {
        _cleanup_(freep) uint8_t *resp = NULL;
        size_t size = 0;
        int r;

        if (ret_why)
                *ret_why = NULL;
        r = post(url, HANDSHAKE_PATH_ATTEST, "a report", nonce, HANDSHAKE_ATTEST_MAX, timeout_s,
                 &resp, &size, ret_why);
        if (r < 0)
                return r;
        if (size < HANDSHAKE_ATTEST_MIN)
                return log_fail_why(ret_why, -EBADMSG, "agent '%s' answered %zu bytes, not a key "
                                    "and a report", url, size);
        *ret_resp = TAKE(resp);
        *ret_size = size;
        return 0;
}

int attest_url_ssh_host_key(const char *url, unsigned timeout_s,
                            const uint8_t nonce[HANDSHAKE_NONCE_SIZE], struct hostkey *ret_key,
                            uint8_t **ret_resp, size_t *ret_size, char **ret_why) {
        _cleanup_(freep) uint8_t *resp = NULL;
        size_t size = 0;
        int r;

        if (ret_why)
                *ret_why = NULL;
        r = post(url, HOSTKEY_PATH, "the SSH host key", nonce, HOSTKEY_ANSWER_MAX, timeout_s,
                 &resp, &size, ret_why);
        if (r < 0)
                return r;
        r = hostkey_split_answer(resp, size, ret_key, ret_resp, ret_size);
        if (r == -EBADMSG)
                return log_fail_why(ret_why, r, "agent '%s' answered %zu bytes, not an SSH host "
                                    "key and a report", url, size);
        return r;
}

int attest_url_deliver(const char *url, unsigned timeout_s, const struct crypto_key *owner_key,
                       const uint8_t nonce[HANDSHAKE_NONCE_SIZE],
                       const uint8_t agent_pub[HANDSHAKE_KEY_SIZE], const uint8_t *secret,
                       size_t size, char **ret_why) {
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *eph = NULL;
        _cleanup_(freep) uint8_t *msg = NULL, *resp = NULL;
        uint8_t eph_pub[HANDSHAKE_KEY_SIZE];
        size_t msg_size, resp_size;
        long status;
        char text[128];
        int r;

        if (ret_why)
                *ret_why = NULL;
        r = crypto_x25519_new(&eph, eph_pub);
        if (r >= 0)
                r = handshake_seal(owner_key, eph, eph_pub, nonce, agent_pub, secret, size, &msg,
                                   &msg_size);
        if (r < 0)
                return log_fail_why(ret_why, r, "sealing the secret: %s", strerror(-r));
        r = http_post(url, HANDSHAKE_PATH_SECRET, msg, msg_size, 4096, timeout_of(timeout_s),
                      &status, &resp, &resp_size);
        if (r < 0)
                return log_fail_why(ret_why, r, "sending the secret to '%s': %s", url,
                                    strerror(-r));
        if (status != 200)
                return log_fail_why(ret_why, -EPROTO, "agent '%s' refused the secret (HTTP %ld): "
                                    "%s", url, status,
                                    agent_text(resp, resp_size, text, sizeof(text)));
        return 0;
}
