/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "idblock.h"
#include "le.h"

_Static_assert(CRYPTO_SEV_FIELD_SIZE == SNP_ECDSA_COMPONENT_SIZE, "SEV-form field size");

void idblock_fill(const struct idblock_params *params, struct snp_id_block *ret) {
        struct snp_id_block b;

        memset(&b, 0, sizeof(b));
        memcpy(b.ld, params->ld, sizeof(b.ld));
        memcpy(b.family_id, params->family_id, sizeof(b.family_id));
        memcpy(b.image_id, params->image_id, sizeof(b.image_id));
        le32_put(&b.version, SNP_ID_BLOCK_VERSION);
        le32_put(&b.guest_svn, params->guest_svn);
        le64_put(&b.policy, params->policy);
        *ret = b;
}

int idblock_pubkey_from_key(const struct crypto_key *key, struct snp_ecdsa_pubkey *ret) {
        struct snp_ecdsa_pubkey pk;
        int r;

        memset(&pk, 0, sizeof(pk));
        le32_put(&pk.curve, SNP_CURVE_P384);
        r = crypto_key_sev_point(key, pk.qx, pk.qy);
        if (r < 0)
                return r;
        *ret = pk;
        return 0;
}

int idblock_key_digest(const struct snp_ecdsa_pubkey *key, uint8_t ret[CRYPTO_SHA384_SIZE]) {
        return crypto_sha384(key, sizeof(*key), ret);
}

int idblock_auth_key_digests(const void *auth, size_t size, uint8_t ret_id[CRYPTO_SHA384_SIZE],
                             uint8_t ret_author[CRYPTO_SHA384_SIZE], bool *ret_has_author) {
        const struct snp_id_auth *a = auth;
        uint8_t id[CRYPTO_SHA384_SIZE], author[CRYPTO_SHA384_SIZE] = { 0 };
        bool has_author;
        int r;

        if (size != sizeof(*a) || snp_id_auth_id_key_algo(auth, size) != SNP_ALGO_ECDSA_P384_SHA384)
                return -EINVAL;
        has_author = snp_id_auth_has_author_key(auth, size);
        r = idblock_key_digest(&a->id_key, id);
        if (r >= 0 && has_author)
                r = idblock_key_digest(&a->author_key, author);
        if (r < 0)
                return r;
        memcpy(ret_id, id, sizeof(id));
        memcpy(ret_author, author, sizeof(author));
        if (ret_has_author)
                *ret_has_author = has_author;
        return 0;
}

void idblock_auth_assemble(const struct snp_ecdsa_sig *id_block_sig,
                           const struct snp_ecdsa_pubkey *id_key,
                           const struct snp_ecdsa_sig *id_key_sig,
                           const struct snp_ecdsa_pubkey *author_key, struct snp_id_auth *ret) {
        memset(ret, 0, sizeof(*ret));
        le32_put(&ret->id_key_algo, SNP_ALGO_ECDSA_P384_SHA384);
        ret->id_block_sig = *id_block_sig;
        ret->id_key = *id_key;
        if (author_key && id_key_sig) {
                /* AUTHOR_KEY_ALGO is ignored by the firmware unless AUTHOR_KEY_EN is set; zero
                 * marks "no author key" for a reader. */
                le32_put(&ret->author_key_algo, SNP_ALGO_ECDSA_P384_SHA384);
                ret->id_key_sig = *id_key_sig;
                ret->author_key = *author_key;
        }
}

static int sign_into(const struct crypto_key *key, const void *data, size_t size,
                     struct snp_ecdsa_sig *ret) {
        memset(ret, 0, sizeof(*ret));
        return crypto_sev_sign(key, data, size, ret->r, ret->s);
}

int idblock_sign(const struct snp_id_block *block, const struct crypto_key *id_key,
                 const struct crypto_key *author_key, struct snp_id_auth *ret_auth) {
        struct snp_ecdsa_sig block_sig, key_sig;
        struct snp_ecdsa_pubkey id_pub, author_pub;
        int r;

        r = idblock_pubkey_from_key(id_key, &id_pub);
        if (r < 0)
                return r;
        /* SNP ABI, ID authentication information: ID_BLOCK_SIG covers the whole 96-byte ID block,
         * ID_KEY_SIG the whole 0x404-byte ID_KEY structure. */
        r = sign_into(id_key, block, sizeof(*block), &block_sig);
        if (r < 0)
                return r;
        if (author_key) {
                r = idblock_pubkey_from_key(author_key, &author_pub);
                if (r < 0)
                        return r;
                r = sign_into(author_key, &id_pub, sizeof(id_pub), &key_sig);
                if (r < 0)
                        return r;
        }
        idblock_auth_assemble(&block_sig, &id_pub, author_key ? &key_sig : NULL,
                              author_key ? &author_pub : NULL, ret_auth);
        return 0;
}

static bool all_zero(const void *p, size_t size) {
        const uint8_t *b = p;

        for (size_t i = 0; i < size; i++)
                if (b[i] != 0)
                        return false;
        return true;
}

/* Records why the structures were rejected and returns 0 ("no"). */
static int __attribute__((format(printf, 2, 3)))
reject(struct idblock_info *info, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(info->reason, sizeof(info->reason), fmt, ap);
        va_end(ap);
        return 0;
}

/* A public-key structure as read: curve P-384 and zero reserved bytes. */
static int check_pubkey(const struct snp_ecdsa_pubkey *pk, const char *name,
                        struct idblock_info *info) {
        uint32_t curve = le32_get(&pk->curve);

        if (curve != SNP_CURVE_P384)
                return reject(info, "%s: curve %u, expected %u (P-384)", name, curve,
                              SNP_CURVE_P384);
        if (!all_zero(pk->reserved, sizeof(pk->reserved)))
                return reject(info, "%s: reserved bytes are not zero", name);
        return 1;
}

/* Maps crypto_sev_verify()'s answer to the predicate's. */
static int check_signature(const struct snp_ecdsa_pubkey *pk, const void *data, size_t size,
                           const struct snp_ecdsa_sig *sig, const char *name,
                           struct idblock_info *info) {
        int r;

        if (!all_zero(sig->reserved, sizeof(sig->reserved)))
                return reject(info, "%s: reserved bytes are not zero", name);
        r = crypto_sev_verify(pk->qx, pk->qy, data, size, sig->r, sig->s);
        if (r == -EKEYREJECTED)
                return reject(info, "%s does not verify", name);
        if (r == -EBADMSG)
                return reject(info, "%s: key or signature is not a valid P-384 value", name);
        if (r < 0)
                return r;
        return 1;
}

/* The checks of idblock_verify(), filling info as they go. */
static int check_pair(const void *block, size_t block_size, const void *auth, size_t auth_size,
                      struct idblock_info *info) {
        struct snp_id_block_fields b;
        struct snp_id_auth a;
        uint32_t id_algo, author_algo;
        bool author_area_zero;
        int r;

        if (block_size != SNP_ID_BLOCK_SIZE)
                return reject(info, "ID block is %zu bytes, expected %zu", block_size,
                              (size_t) SNP_ID_BLOCK_SIZE);
        if (auth_size != sizeof(a))
                return reject(info, "ID auth structure is %zu bytes, expected %zu", auth_size,
                              sizeof(a));
        (void) snp_id_block_parse(block, block_size, &b);      /* the version is checked below */
        memcpy(&a, auth, sizeof(a));    /* the caller's buffer need not be aligned */

        memcpy(info->params.ld, b.ld, sizeof(b.ld));
        memcpy(info->params.family_id, b.family_id, sizeof(b.family_id));
        memcpy(info->params.image_id, b.image_id, sizeof(b.image_id));
        info->version = b.version;
        info->params.guest_svn = b.guest_svn;
        info->params.policy = b.policy;
        r = idblock_key_digest(&a.id_key, info->id_key_digest);
        if (r < 0)
                return r;

        if (info->version != SNP_ID_BLOCK_VERSION)
                return reject(info, "ID block version %u, expected %u", info->version,
                              SNP_ID_BLOCK_VERSION);
        id_algo = le32_get(&a.id_key_algo);
        author_algo = le32_get(&a.author_key_algo);
        if (id_algo != SNP_ALGO_ECDSA_P384_SHA384)
                return reject(info, "ID_KEY_ALGO is %u, expected %u (ECDSA P-384 with SHA-384)",
                              id_algo, SNP_ALGO_ECDSA_P384_SHA384);
        if (!all_zero(a.reserved1, sizeof(a.reserved1)) ||
            !all_zero(a.reserved2, sizeof(a.reserved2)) ||
            !all_zero(a.reserved3, sizeof(a.reserved3)))
                return reject(info, "ID auth structure: reserved bytes are not zero");
        r = check_pubkey(&a.id_key, "ID key", info);
        if (r <= 0)
                return r;
        r = check_signature(&a.id_key, block, SNP_ID_BLOCK_SIZE, &a.id_block_sig,
                            "ID block signature (by the ID key)", info);
        if (r <= 0)
                return r;

        /* AUTHOR_KEY_ALGO 0 marks "no author key" (AUTHOR_KEY_EN must then stay 0): its key and
         * signature areas must be zero too, so that every byte of the structure is accounted
         * for. */
        author_area_zero = all_zero(&a.id_key_sig, sizeof(a.id_key_sig)) &&
                           all_zero(&a.author_key, sizeof(a.author_key));
        if (author_algo == 0) {
                if (!author_area_zero)
                        return reject(info, "AUTHOR_KEY_ALGO is 0 (no author key), but the author "
                                      "key or its signature is not zero");
                return 1;
        }
        if (author_algo != SNP_ALGO_ECDSA_P384_SHA384)
                return reject(info, "AUTHOR_KEY_ALGO is %u, expected %u (ECDSA P-384 with SHA-384)",
                              author_algo, SNP_ALGO_ECDSA_P384_SHA384);
        info->has_author_key = true;
        r = idblock_key_digest(&a.author_key, info->author_key_digest);
        if (r < 0)
                return r;
        r = check_pubkey(&a.author_key, "author key", info);
        if (r <= 0)
                return r;
        return check_signature(&a.author_key, &a.id_key, sizeof(a.id_key), &a.id_key_sig,
                               "ID key signature (by the author key)", info);
}

int idblock_verify(const void *block, size_t block_size, const void *auth, size_t auth_size,
                   struct idblock_info *ret_info) {
        struct idblock_info info;
        int r;

        memset(&info, 0, sizeof(info));
        r = check_pair(block, block_size, auth, auth_size, &info);
        if (r >= 0)
                *ret_info = info;
        return r;
}
