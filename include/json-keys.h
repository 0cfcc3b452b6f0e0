/* SPDX-License-Identifier: Apache-2.0 */
/* Duplicate object keys in JSON text. json-c keeps the last of two equal keys without a word, so
 * a second "vmpl" further down a config would silently turn a check off; this finds them in the
 * text json-c has already accepted. No allocation per byte; work is O(n log n) in the keys. */
#pragma once

#include <stddef.h>

#define JSON_KEY_SHOWN 64               /* bytes of a duplicate key kept for the message */

struct json_duplicate {
        char key[JSON_KEY_SHOWN + 1];   /* decoded, NUL-terminated, cut at JSON_KEY_SHOWN bytes */
        size_t first_line, second_line; /* 1-based */
};

/* Scans valid JSON text (as json-c accepted it) for an object with two equal keys (compared after
 * decoding escapes). 1 and *ret filled for the first such pair in document order, 0 when none,
 * -EINVAL when the text is not valid JSON after all, -ENOMEM. */
int json_find_duplicate_key(const char *text, size_t len, struct json_duplicate *ret);
