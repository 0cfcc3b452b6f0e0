/* SPDX-License-Identifier: Apache-2.0 */
/* The owner's side of the transport: one HTTP POST with libcurl, with capped size and time. Only
 * ciphertext, nonces, public keys and reports pass through here. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* POSTs size bytes (application/octet-stream) to base_url + path, where base_url is
 * http://HOST[:PORT] or https://...; no redirects, no proxies. Reads at most max_resp bytes of
 * answer within timeout_s seconds. *ret_status is the HTTP status; *ret_data (NUL-terminated,
 * not counted) holds the body. -EINVAL for a bad URL, -ECONNREFUSED, -EHOSTUNREACH, -ETIMEDOUT,
 * -EFBIG when the answer is larger than max_resp, -EPROTO for other transfer errors, -ENOMEM. */
int http_post(const char *base_url, const char *path, const void *body, size_t size,
              size_t max_resp, unsigned timeout_s, long *ret_status, uint8_t **ret_data,
              size_t *ret_size);
