/* SPDX-License-Identifier: Apache-2.0 */
/* The ID block and the ID authentication information structure of SNP_LAUNCH_FINISH (SNP ABI,
 * AMD 56860): the owner's signed statement of the expected launch digest and policy, and the
 * public keys whose SHA-384 digests the attestation report then carries. Every field is
 * little-endian; the structures are built and checked here, the ECDSA arithmetic is crypto.c's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define SNP_ID_BLOCK_SIZE 0x60
#define SNP_ID_AUTH_SIZE 0x1000
#define SNP_ECDSA_SIG_SIZE 0x200
#define SNP_ECDSA_PUBKEY_SIZE 0x404
#define SNP_LD_SIZE 48
#define SNP_ID_SIZE 16

#define SNP_ID_BLOCK_VERSION 1
#define SNP_ALGO_ECDSA_P384_SHA384 1    /* ID_KEY_ALGO, AUTHOR_KEY_ALGO */
#define SNP_CURVE_P384 2                /* public key CURVE */
#define SNP_POLICY_DEFAULT 0x30000ULL   /* SMT allowed, bit 17 must be one */

struct snp_id_block {
        uint8_t  ld[SNP_LD_SIZE];               /* 0x00 expected launch digest */
        uint8_t  family_id[SNP_ID_SIZE];        /* 0x30 */
        uint8_t  image_id[SNP_ID_SIZE];         /* 0x40 */
        uint32_t version;                       /* 0x50, 1 */
        uint32_t guest_svn;                     /* 0x54 */
        uint64_t policy;                        /* 0x58, must equal the launch policy */
};
_Static_assert(sizeof(struct snp_id_block) == SNP_ID_BLOCK_SIZE, "ID block is 96 bytes");
_Static_assert(offsetof(struct snp_id_block, family_id) == 0x30, "family_id offset");
_Static_assert(offsetof(struct snp_id_block, image_id) == 0x40, "image_id offset");
_Static_assert(offsetof(struct snp_id_block, version) == 0x50, "version offset");
_Static_assert(offsetof(struct snp_id_block, guest_svn) == 0x54, "guest_svn offset");
_Static_assert(offsetof(struct snp_id_block, policy) == 0x58, "policy offset");

/* ECDSA signature: r and s little-endian, zero-padded to 72 bytes. */
struct snp_ecdsa_sig {
        uint8_t r[CRYPTO_SEV_FIELD_SIZE];       /* 0x00 */
        uint8_t s[CRYPTO_SEV_FIELD_SIZE];       /* 0x48 */
        uint8_t reserved[0x200 - 0x90];         /* 0x90 */
};
_Static_assert(sizeof(struct snp_ecdsa_sig) == SNP_ECDSA_SIG_SIZE, "signature is 512 bytes");
_Static_assert(offsetof(struct snp_ecdsa_sig, s) == 0x48, "s offset");

/* ECDSA public key: the curve, then x and y little-endian, zero-padded to 72 bytes. */
struct snp_ecdsa_pubkey {
        uint32_t curve;                         /* 0x00, 2 = P-384 */
        uint8_t  qx[CRYPTO_SEV_FIELD_SIZE];     /* 0x04 */
        uint8_t  qy[CRYPTO_SEV_FIELD_SIZE];     /* 0x4C */
        uint8_t  reserved[0x404 - 0x94];        /* 0x94 */
};
_Static_assert(sizeof(struct snp_ecdsa_pubkey) == SNP_ECDSA_PUBKEY_SIZE, "key is 0x404 bytes");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, qx) == 0x04, "qx offset");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, qy) == 0x4C, "qy offset");
_Static_assert(offsetof(struct snp_ecdsa_pubkey, reserved) == 0x94, "reserved offset");

struct snp_id_auth {
        uint32_t id_key_algo;                   /* 0x000 */
        uint32_t author_key_algo;               /* 0x004 */
        uint8_t  reserved1[0x40 - 0x08];        /* 0x008 */
        struct snp_ecdsa_sig id_block_sig;      /* 0x040 ID key over the ID block */
        struct snp_ecdsa_pubkey id_key;         /* 0x240 */
        uint8_t  reserved2[0x680 - 0x644];      /* 0x644 */
        struct snp_ecdsa_sig id_key_sig;        /* 0x680 author key over id_key */
        struct snp_ecdsa_pubkey author_key;     /* 0x880 */
        uint8_t  reserved3[0x1000 - 0xC84];     /* 0xC84 */
};
_Static_assert(sizeof(struct snp_id_auth) == SNP_ID_AUTH_SIZE, "ID auth is 4096 bytes");
_Static_assert(offsetof(struct snp_id_auth, id_block_sig) == 0x040, "id_block_sig offset");
_Static_assert(offsetof(struct snp_id_auth, id_key) == 0x240, "id_key offset");
_Static_assert(offsetof(struct snp_id_auth, reserved2) == 0x644, "reserved2 offset");
_Static_assert(offsetof(struct snp_id_auth, id_key_sig) == 0x680, "id_key_sig offset");
_Static_assert(offsetof(struct snp_id_auth, author_key) == 0x880, "author_key offset");
_Static_assert(offsetof(struct snp_id_auth, reserved3) == 0xC84, "reserved3 offset");

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
