/* SPDX-License-Identifier: Apache-2.0 */
/* AMD's public root and intermediate certificates, compiled in: the ARK, the ASK (signs VCEKs) and
 * the ASVK (signs VLEKs) of Milan, Genoa and Turin (KDS spec 57230; snp-facts B.3.10). They
 * complete a chain the user gave only the VCEK or VLEK of; trust still comes from the pinned ARK
 * keys (trust.h), which attest_chain_verify() checks as for any ARK. The table is generated at
 * build time from tests/data/attest/amd-roots (scripts/gen-amd-roots.py). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "report.h"

enum amd_root_kind {
        AMD_ROOT_ARK,
        AMD_ROOT_ASK,
        AMD_ROOT_ASVK,
};

struct amd_root {
        enum snp_generation generation;
        enum amd_root_kind kind;
        const uint8_t *der;
        size_t size;
};

/* Every built-in certificate; terminated by an entry with der NULL. */
extern const struct amd_root amd_roots[];

/* "ARK", "ASK", "ASVK". */
const char *amd_root_kind_name(enum amd_root_kind kind);

/* The built-in certificate of this generation and kind, or NULL. */
const struct amd_root *amd_root_find(enum snp_generation gen, enum amd_root_kind kind);

/* Loads it into *ret. -ENOENT when there is none for gen (SNP_GEN_UNKNOWN); -errno of parsing. */
int amd_root_load(enum snp_generation gen, enum amd_root_kind kind, struct crypto_cert **ret);
