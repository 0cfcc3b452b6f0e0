/* SPDX-License-Identifier: Apache-2.0 */
/* Little-endian field access for firmware structures. Every SEV structure is little-endian and
 * may sit unaligned in a buffer, so fields are read through memcpy and le*toh(), which keeps the
 * code correct on a big-endian verifier host. */
#pragma once

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t le16_get(const void *p) {
        uint16_t v;

        memcpy(&v, p, sizeof(v));
        return le16toh(v);
}

static inline uint32_t le32_get(const void *p) {
        uint32_t v;

        memcpy(&v, p, sizeof(v));
        return le32toh(v);
}

static inline uint64_t le64_get(const void *p) {
        uint64_t v;

        memcpy(&v, p, sizeof(v));
        return le64toh(v);
}

static inline void le16_put(void *p, uint16_t v) {
        v = htole16(v);
        memcpy(p, &v, sizeof(v));
}

static inline void le32_put(void *p, uint32_t v) {
        v = htole32(v);
        memcpy(p, &v, sizeof(v));
}

static inline void le64_put(void *p, uint64_t v) {
        v = htole64(v);
        memcpy(p, &v, sizeof(v));
}
