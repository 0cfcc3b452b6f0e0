/* SPDX-License-Identifier: Apache-2.0 */
/* The ID block and the ID authentication information structure of SNP_LAUNCH_FINISH (SNP ABI,
 * AMD 56860): the owner's signed statement of the expected launch digest and policy, and the
 * public keys whose SHA-384 digests the attestation report then carries. The layouts are
 * snp-abi.h's; they are built, signed and checked here, the ECDSA arithmetic is crypto.c's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "snp-abi.h"

/* What goes into an ID block, in host byte order. */
struct idblock_params {
        uint8_t  ld[SNP_LD_SIZE];
        uint8_t  family_id[SNP_ID_SIZE];
        uint8_t  image_id[SNP_ID_SIZE];
        uint32_t guest_svn;
        uint64_t policy;
};

/* Fills ret with an ID block of version 1 from params. */
void idblock_fill(const struct idblock_params *params, struct snp_id_block *ret);

/* The SEV public-key structure of a P-384 key (private or public). -EINVAL for another key. */
int idblock_pubkey_from_key(const struct crypto_key *key, struct snp_ecdsa_pubkey *ret);

/* SHA-384 of the 0x404-byte public-key structure: the ID_KEY_DIGEST / AUTHOR_KEY_DIGEST of the
 * attestation report. 0 or -EIO. */
int idblock_key_digest(const struct snp_ecdsa_pubkey *key, uint8_t ret[CRYPTO_SHA384_SIZE]);

/* The ID_KEY_DIGEST and AUTHOR_KEY_DIGEST a report carries for a guest launched with the ID auth
 * structure auth (raw bytes, untrusted): SHA-384 of each 0x404-byte key; the author digest is
 * zero when the author-key area is all zero. -EINVAL when auth is not 4096 bytes with
 * ID_KEY_ALGO 1; -EIO. Signatures are not checked here (idblock_verify() does). */
int idblock_auth_key_digests(const void *auth, size_t size, uint8_t ret_id[CRYPTO_SHA384_SIZE],
                             uint8_t ret_author[CRYPTO_SHA384_SIZE], bool *ret_has_author);

/* Assembles an ID auth structure from its parts. Without an author key (author_key and
 * id_key_sig NULL) the author fields and AUTHOR_KEY_ALGO stay zero. */
void idblock_auth_assemble(const struct snp_ecdsa_sig *id_block_sig,
                           const struct snp_ecdsa_pubkey *id_key,
                           const struct snp_ecdsa_sig *id_key_sig,
                           const struct snp_ecdsa_pubkey *author_key, struct snp_id_auth *ret);

/* Signs block with id_key and the ID public key with author_key (NULL: none), and assembles the
 * ID auth structure. -EINVAL when a key is not a P-384 private key; -EIO. */
int idblock_sign(const struct snp_id_block *block, const struct crypto_key *id_key,
                 const struct crypto_key *author_key, struct snp_id_auth *ret_auth);

/* What a verified (or rejected) pair of structures says. */
struct idblock_info {
        struct idblock_params params;
        uint32_t version;
        bool has_author_key;
        uint8_t id_key_digest[CRYPTO_SHA384_SIZE];
        uint8_t author_key_digest[CRYPTO_SHA384_SIZE];  /* zero without an author key */
        char reason[160];                               /* why it was rejected */
};

/* Checks an ID block and an ID auth structure given as raw bytes (untrusted): exact sizes,
 * version 1, algorithm and curve fields, zero reserved fields, the ID key's signature over the
 * block and, when an author key is present, the author key's signature over the ID key. Returns 1
 * when all hold, 0 when not (ret_info->reason says why; the fields are filled as far as they
 * could be read), or a negative errno when it could not check (-ENOMEM, -EIO). */
int idblock_verify(const void *block, size_t block_size, const void *auth, size_t auth_size,
                   struct idblock_info *ret_info);
