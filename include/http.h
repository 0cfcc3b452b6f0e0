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

/* GETs url (http:// or https://; no redirects, no proxies): connected within connect_timeout_s,
 * the whole answer within timeout_s (and given up when it stalls). Reads at most max_resp bytes.
 * *ret_status is the HTTP status, *ret_retry_after the server's Retry-After in seconds (-1 when
 * none; a date is turned into seconds by libcurl), *ret_data (NUL-terminated, not counted) the
 * body. The same errnos as http_post(). */
int http_get(const char *url, size_t max_resp, unsigned connect_timeout_s, unsigned timeout_s,
             long *ret_status, long *ret_retry_after, uint8_t **ret_data, size_t *ret_size);
