/* SPDX-License-Identifier: Apache-2.0 */
/* The ID block and ID auth structure as SNP_LAUNCH_FINISH and attest-verify read them: input
 * bytes 0-95 are the block, the rest the auth structure (the seeds are 96 + 4096 bytes, made
 * with snpctl idblock and the test keys of tests/data/measure). Oracles: idblock_verify() agrees
 * with snp_id_block_parse() and idblock_auth_key_digests(); a pair that verifies with the fixed
 * ID key (id_key_test.pem) holds the one block that key signed (the ssm-id_block vector of
 * tests/data/measure/vectors.json), and with the fixed author key, the fixed ID key. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "crypto.h"
#include "fuzz.h"
#include "idblock.h"
#include "snp-abi.h"

#define SIGNED_BLOCK "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAA" \
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA"

static uint8_t id_digest[CRYPTO_SHA384_SIZE], author_digest[CRYPTO_SHA384_SIZE];
static uint8_t *signed_block;

static void key_digest(const char *rel, uint8_t digest[CRYPTO_SHA384_SIZE]) {
        _cleanup_(crypto_key_freep) struct crypto_key *key = NULL;
        struct snp_ecdsa_pubkey pub;
        char path[PATH_MAX];

        fuzz_fixture_path(rel, path);
        FUZZ_CHECK(crypto_key_load_pem(path, NULL, &key) == 0);
        FUZZ_CHECK(idblock_pubkey_from_key(key, &pub) == 0);
        FUZZ_CHECK(idblock_key_digest(&pub, digest) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        size_t n;

        (void) argc;
        (void) argv;
        key_digest("measure/id_key_test.pem", id_digest);
        key_digest("measure/author_key_test.pem", author_digest);
        FUZZ_CHECK(base64_decode(SIGNED_BLOCK, strlen(SIGNED_BLOCK), &signed_block, &n) == 0);
        FUZZ_CHECK(n == SNP_ID_BLOCK_SIZE);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t block_size = size < SNP_ID_BLOCK_SIZE ? size : SNP_ID_BLOCK_SIZE;
        const uint8_t *auth = data + block_size;
        size_t auth_size = size - block_size;
        uint8_t id[CRYPTO_SHA384_SIZE], author[CRYPTO_SHA384_SIZE];
        struct snp_id_block_fields f;
        struct idblock_info info;
        bool has_author = false;
        int r, rp, rd;

        rp = snp_id_block_parse(data, block_size, &f);
        rd = idblock_auth_key_digests(auth, auth_size, id, author, &has_author);
        (void) snp_id_auth_id_key_algo(auth, auth_size);
        (void) snp_id_auth_has_author_key(auth, auth_size);
        memset(&info, 0, sizeof(info));
        r = idblock_verify(data, block_size, auth, auth_size, &info);
        FUZZ_CHECK(r >= 0 || r == -ENOMEM || r == -EIO);
        FUZZ_CHECK(memchr(info.reason, 0, sizeof(info.reason)) != NULL);
        if (r != 1)
                return 0;
        FUZZ_CHECK(rp == 0 && f.version == 1 && info.version == 1);
        FUZZ_CHECK(memcmp(f.ld, info.params.ld, sizeof(f.ld)) == 0);
        FUZZ_CHECK(f.policy == info.params.policy && f.guest_svn == info.params.guest_svn);
        FUZZ_CHECK(rd == 0 && has_author == info.has_author_key);
        FUZZ_CHECK(memcmp(id, info.id_key_digest, sizeof(id)) == 0);
        if (memcmp(info.id_key_digest, id_digest, sizeof(id_digest)) == 0)
                FUZZ_CHECK(memcmp(data, signed_block, SNP_ID_BLOCK_SIZE) == 0);
        if (has_author) {
                FUZZ_CHECK(memcmp(author, info.author_key_digest, sizeof(author)) == 0);
                if (memcmp(author, author_digest, sizeof(author)) == 0)
                        FUZZ_CHECK(memcmp(id, id_digest, sizeof(id)) == 0);
        }
        return 0;
}
