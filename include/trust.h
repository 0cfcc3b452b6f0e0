/* SPDX-License-Identifier: Apache-2.0 */
/* The trust anchors: SHA-256 fingerprints of the SubjectPublicKeyInfo of AMD's root keys (ARK), one
 * per CPU generation. The same ARK roots the VCEK (via ASK) and the VLEK (via ASVK) chains. */
#pragma once

#include <stdint.h>

#include "crypto.h"
#include "report.h"

struct trust_anchor {
        enum snp_generation generation;
        const char *subject_cn;         /* "ARK-Milan" */
        uint8_t pubkey_sha256[CRYPTO_SHA256_SIZE];
};

/* Terminated by an entry with subject_cn NULL. */
extern const struct trust_anchor trust_anchors[];

/* The pinned anchor whose key has this SHA-256 fingerprint, or NULL. */
const struct trust_anchor *trust_find(const uint8_t pubkey_sha256[CRYPTO_SHA256_SIZE]);
