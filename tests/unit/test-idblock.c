/* SPDX-License-Identifier: Apache-2.0 */
/* The ID block module and crypto.c's ECDSA P-384 part: known answers from vectors.json (fixed
 * keys and digests from virtee/sev-snp-measure and virtee/sev), key loading in every accepted and
 * refused form (keys made here with the openssl command), and signatures checked against a point
 * exported by the openssl command rather than by our own code. */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include <json-c/json.h>

#include "base64.h"
#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "idblock.h"
#include "output.h"

static char dir[] = "/tmp/snpctl-idblock.XXXXXX";

static char *path_in(const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

/* Test keys, made fresh for each run. */
static int setup(void **state) {
        (void) state;
        if (!mkdtemp(dir))
                return -1;
        return sh("cd '%s' && exec >/dev/null 2>&1 && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p8.pem && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out author.pem && "
                  "openssl ecparam -name secp384r1 -genkey -out sec1.pem && "
                  "openssl pkcs8 -topk8 -in p8.pem -v2 aes-256-cbc -passout pass:s3cret -out p8enc.pem && "
                  "openssl ec -in sec1.pem -aes256 -passout pass:s3cret -out sec1enc.pem && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem && "
                  "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem && "
                  "openssl genpkey -algorithm ED25519 -out ed.pem && "
                  "openssl pkey -in p8.pem -pubout -out pub.pem && "
                  "openssl pkey -in p8.pem -pubout -outform DER -out pub.der && "
                  "printf 's3cret\\nsecond line\\n' > pass.txt && "
                  "echo 'not a key' > junk.pem", dir) == 0 ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        return sh("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

static struct crypto_key *load(const char *name, const char *pass, int want) {
        _cleanup_(freep) char *p = path_in(name);
        struct crypto_key *key = NULL;

        assert_int_equal(crypto_key_load_pem(p, pass, &key), want);
        if (want == 0)
                assert_non_null(key);
        return key;
}

static void loads_both_formats(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *a = load("p8.pem", NULL, 0);
        _cleanup_(crypto_key_freep) struct crypto_key *b = load("sec1.pem", NULL, 0);
        _cleanup_(crypto_key_freep) struct crypto_key *d = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *e = NULL;
        _cleanup_(freep) char *passfile = path_in("pass.txt");
        _cleanup_(freep) char *spec = NULL;

        (void) state;
        assert_true(crypto_key_is_p384_private(a));
        assert_true(crypto_key_is_p384_private(b));     /* after its EC PARAMETERS block */
        assert_null(load("p8enc.pem", "file:", -ENOENT));
        assert_true(asprintf(&spec, "file:%s", passfile) > 0);
        d = load("p8enc.pem", spec, 0);                 /* first line of the file only */
        assert_true(crypto_key_is_p384_private(d));
        setenv("SNPCTL_TEST_PASS", "s3cret", 1);
        e = load("sec1enc.pem", "env:SNPCTL_TEST_PASS", 0);
        assert_true(crypto_key_is_p384_private(e));
}

static void refuses_bad_pass(void **state) {
        (void) state;
        setenv("SNPCTL_TEST_WRONG", "wrong", 1);
        unsetenv("SNPCTL_TEST_UNSET");
        assert_null(load("p8enc.pem", "env:SNPCTL_TEST_WRONG", -EKEYREJECTED));
        assert_null(load("sec1enc.pem", "env:SNPCTL_TEST_WRONG", -EKEYREJECTED));
        assert_null(load("p8enc.pem", "env:SNPCTL_TEST_UNSET", -ENOENT));
        assert_null(load("p8enc.pem", "pass:s3cret", -EINVAL));  /* would be in argv */
        assert_null(load("p8enc.pem", "stdin", -EINVAL));
}

static void describes_refused_keys(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *p256 = load("p256.pem", NULL, 0);
        _cleanup_(crypto_key_freep) struct crypto_key *rsa = load("rsa.pem", NULL, 0);
        _cleanup_(crypto_key_freep) struct crypto_key *ed = load("ed.pem", NULL, 0);
        _cleanup_(crypto_key_freep) struct crypto_key *pub = load("pub.pem", NULL, 0);
        uint8_t qx[CRYPTO_SEV_FIELD_SIZE], qy[CRYPTO_SEV_FIELD_SIZE], r[72], s[72];
        char buf[128];

        (void) state;
        assert_false(crypto_key_is_p384_private(p256));
        assert_string_equal(crypto_key_describe(p256, buf, sizeof(buf)),
                            "an EC private key on curve prime256v1");
        assert_false(crypto_key_is_p384_private(rsa));
        assert_string_equal(crypto_key_describe(rsa, buf, sizeof(buf)),
                            "an RSA 2048-bit private key");
        assert_false(crypto_key_is_p384_private(ed));
        assert_string_equal(crypto_key_describe(ed, buf, sizeof(buf)),
                            "a private key of type ED25519");
        assert_false(crypto_key_is_p384_private(pub));
        assert_string_equal(crypto_key_describe(pub, buf, sizeof(buf)),
                            "an EC public key on curve secp384r1");
        /* None of them signs; a P-256 point has no SEV P-384 form. */
        assert_int_equal(crypto_sev_sign(p256, "x", 1, r, s), -EINVAL);
        assert_int_equal(crypto_sev_sign(rsa, "x", 1, r, s), -EINVAL);
        assert_int_equal(crypto_sev_sign(pub, "x", 1, r, s), -EINVAL);
        assert_int_equal(crypto_key_sev_point(p256, qx, qy), -EINVAL);
        assert_int_equal(crypto_key_sev_point(pub, qx, qy), 0);  /* a public P-384 key has one */
}

static void refuses_missing_and_junk(void **state) {
        (void) state;
        assert_null(load("nosuch.pem", NULL, -ENOENT));
        assert_null(load("junk.pem", NULL, -EBADMSG));
}

/* The exported point equals the one the openssl command writes (SubjectPublicKeyInfo DER ends in
 * 04 || X || Y, big-endian), reversed into SEV's little-endian fields. */
static void point_matches_openssl(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = load("p8.pem", NULL, 0);
        _cleanup_(freep) char *p = path_in("pub.der");
        _cleanup_(freep) uint8_t *der = NULL;
        struct snp_ecdsa_pubkey pk;
        const uint8_t *xy;
        size_t n;

        (void) state;
        assert_int_equal(fileio_read_full(p, 4096, &der, &n), 0);
        assert_true(n > 97);
        xy = der + n - 96;
        assert_int_equal(xy[-1], 0x04);
        assert_int_equal(idblock_pubkey_from_key(k, &pk), 0);
        assert_int_equal(le32toh(pk.curve), SNP_CURVE_P384);
        for (size_t i = 0; i < 48; i++) {
                assert_int_equal(pk.qx[i], xy[47 - i]);
                assert_int_equal(pk.qy[i], xy[95 - i]);
        }
        for (size_t i = 48; i < 72; i++)
                assert_true(pk.qx[i] == 0 && pk.qy[i] == 0);
        for (size_t i = 0; i < sizeof(pk.reserved); i++)
                assert_int_equal(pk.reserved[i], 0);
}

static void make_pair(const char *id, const char *author, struct snp_id_block *block,
                      struct snp_id_auth *auth) {
        _cleanup_(crypto_key_freep) struct crypto_key *ik = load(id, NULL, 0);
        _cleanup_(crypto_key_freep) struct crypto_key *ak = author ? load(author, NULL, 0) : NULL;
        struct idblock_params p = { .guest_svn = 7, .policy = SNP_POLICY_DEFAULT };

        for (size_t i = 0; i < sizeof(p.ld); i++)
                p.ld[i] = (uint8_t) (i * 3 + 1);
        memset(p.family_id, 0xfa, sizeof(p.family_id));
        memset(p.image_id, 0x1d, sizeof(p.image_id));
        idblock_fill(&p, block);
        assert_int_equal(idblock_sign(block, ik, ak, auth), 0);
}

static void sign_then_verify(void **state) {
        struct snp_id_block block;
        struct snp_id_auth auth;
        struct idblock_info info;
        struct snp_ecdsa_pubkey ipk, apk;
        uint8_t digest[48];

        (void) state;
        make_pair("p8.pem", "author.pem", &block, &auth);
        assert_int_equal(idblock_verify(&block, sizeof(block), &auth, sizeof(auth), &info), 1);
        assert_int_equal(info.version, 1);
        assert_int_equal(info.params.guest_svn, 7);
        assert_true(info.params.policy == 0x30000);
        assert_int_equal(info.params.ld[1], 4);
        assert_int_equal(info.params.family_id[0], 0xfa);
        assert_true(info.has_author_key);
        {
                _cleanup_(crypto_key_freep) struct crypto_key *ik = load("p8.pem", NULL, 0);
                _cleanup_(crypto_key_freep) struct crypto_key *ak = load("author.pem", NULL, 0);

                assert_int_equal(idblock_pubkey_from_key(ik, &ipk), 0);
                assert_int_equal(idblock_pubkey_from_key(ak, &apk), 0);
        }
        assert_memory_equal(&auth.id_key, &ipk, sizeof(ipk));
        assert_memory_equal(&auth.author_key, &apk, sizeof(apk));
        assert_int_equal(crypto_sha384(&ipk, sizeof(ipk), digest), 0);
        assert_memory_equal(info.id_key_digest, digest, 48);
        assert_int_equal(crypto_sha384(&apk, sizeof(apk), digest), 0);
        assert_memory_equal(info.author_key_digest, digest, 48);

        /* The same pair with the SEC1 key as the ID key, and without an author key. */
        make_pair("sec1.pem", NULL, &block, &auth);
        assert_int_equal(idblock_verify(&block, sizeof(block), &auth, sizeof(auth), &info), 1);
        assert_false(info.has_author_key);
        assert_int_equal(le32toh(auth.author_key_algo), 0);
        for (size_t i = 0; i < sizeof(info.author_key_digest); i++)
                assert_int_equal(info.author_key_digest[i], 0);
}

/* Flipping any single bit of either structure (with and without an author key) must fail. */
static void flipped_byte_fails(void **state) {
        static const char *authors[] = { "author.pem", NULL };
        struct idblock_info info;

        (void) state;
        for (size_t k = 0; k < ELEMENTSOF(authors); k++) {
                struct snp_id_block block;
                struct snp_id_auth auth;
                uint8_t *b = (uint8_t *) &block, *a = (uint8_t *) &auth;

                make_pair("p8.pem", authors[k], &block, &auth);
                for (size_t i = 0; i < sizeof(block); i++) {
                        b[i] ^= 0x01;
                        assert_int_equal(idblock_verify(b, sizeof(block), a, sizeof(auth), &info), 0);
                        assert_true(info.reason[0] != '\0');
                        b[i] ^= 0x01;
                }
                for (size_t i = 0; i < sizeof(auth); i++) {
                        a[i] ^= 0x80;
                        if (idblock_verify(b, sizeof(block), a, sizeof(auth), &info) != 0)
                                fail_msg("flipped byte 0x%zx of the ID auth structure verified "
                                         "(author key: %s)", i, authors[k] ? "yes" : "no");
                        a[i] ^= 0x80;
                }
                assert_int_equal(idblock_verify(b, sizeof(block), a, sizeof(auth), &info), 1);
                /* Wrong sizes. */
                assert_int_equal(idblock_verify(b, sizeof(block) - 1, a, sizeof(auth), &info), 0);
                assert_int_equal(idblock_verify(b, sizeof(block), a, sizeof(auth) + 1, &info), 0);
        }
}

static void verify_refuses_noncanonical(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = load("p8.pem", NULL, 0);
        struct snp_ecdsa_pubkey pk;
        uint8_t r[72], s[72];

        (void) state;
        assert_int_equal(idblock_pubkey_from_key(k, &pk), 0);
        assert_int_equal(crypto_sev_sign(k, "data", 4, r, s), 0);
        assert_int_equal(crypto_sev_verify(pk.qx, pk.qy, "data", 4, r, s), 0);
        assert_int_equal(crypto_sev_verify(pk.qx, pk.qy, "datA", 4, r, s), -EKEYREJECTED);
        s[60] = 1;                                      /* beyond the 48 bytes of P-384 */
        assert_int_equal(crypto_sev_verify(pk.qx, pk.qy, "data", 4, r, s), -EBADMSG);
        s[60] = 0;
        pk.qy[0] ^= 1;                                  /* off the curve */
        assert_int_equal(crypto_sev_verify(pk.qx, pk.qy, "data", 4, r, s), -EBADMSG);
}

static void keygen_writes_pkcs8(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *back = NULL;
        _cleanup_(freep) char *p = path_in("gen.pem");
        struct snp_ecdsa_pubkey a, b;
        char *pem = NULL;
        size_t n;

        (void) state;
        assert_int_equal(crypto_key_generate_p384(&k), 0);
        assert_int_equal(crypto_key_to_pkcs8_pem(k, NULL, &pem, &n), 0);
        assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
        assert_int_equal(strlen(pem), n);
        assert_int_equal(fileio_write_atomic(p, pem, n, 0600, 0), 0);
        crypto_wipe_free(pem, n);
        back = load("gen.pem", NULL, 0);
        assert_true(crypto_key_is_p384_private(back));
        assert_int_equal(idblock_pubkey_from_key(k, &a), 0);
        assert_int_equal(idblock_pubkey_from_key(back, &b), 0);
        assert_memory_equal(&a, &b, sizeof(a));
        /* openssl itself reads it as a P-384 key */
        assert_int_equal(sh("openssl pkey -in '%s' -noout -text 2>/dev/null | "
                            "grep -q 'NIST CURVE: P-384'", p), 0);
}

static void keygen_encrypts(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *back = NULL;
        _cleanup_(freep) char *p = path_in("genenc.pem");
        struct snp_ecdsa_pubkey a, b;
        char *pem = NULL;
        size_t n;

        (void) state;
        assert_int_equal(crypto_key_generate_p384(&k), 0);
        setenv("SNPCTL_TEST_EMPTY", "", 1);
        assert_int_equal(crypto_key_to_pkcs8_pem(k, "env:SNPCTL_TEST_EMPTY", &pem, &n), -EINVAL);
        assert_int_equal(crypto_key_to_pkcs8_pem(k, "pass:x", &pem, &n), -EINVAL);
        setenv("SNPCTL_TEST_GEN", "gen-pass", 1);
        setenv("SNPCTL_TEST_WRONG", "wrong", 1);
        assert_int_equal(crypto_key_to_pkcs8_pem(k, "env:SNPCTL_TEST_GEN", &pem, &n), 0);
        assert_true(strncmp(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38) == 0);
        assert_int_equal(fileio_write_atomic(p, pem, n, 0600, 0), 0);
        crypto_wipe_free(pem, n);
        assert_null(load("genenc.pem", "env:SNPCTL_TEST_WRONG", -EKEYREJECTED));
        back = load("genenc.pem", "env:SNPCTL_TEST_GEN", 0);
        assert_int_equal(idblock_pubkey_from_key(k, &a), 0);
        assert_int_equal(idblock_pubkey_from_key(back, &b), 0);
        assert_memory_equal(&a, &b, sizeof(a));
        /* openssl decrypts it with the same pass phrase */
        assert_int_equal(sh("openssl pkey -in '%s' -passin pass:gen-pass -noout 2>/dev/null", p), 0);
        assert_int_not_equal(sh("openssl pkey -in '%s' -passin pass:nope -noout 2>/dev/null", p), 0);
}

/* ---- known answers from vectors.json ---- */

static const char *testdata;

static char *td_path(const char *rel) {
        char *p;

        assert_true(asprintf(&p, "%s/measure/%s", testdata, rel) > 0);
        return p;
}

static const char *vstr(struct json_object *v, const char *key) {
        struct json_object *o;

        assert_true(json_object_object_get_ex(v, key, &o));
        return json_object_get_string(o);
}

static struct crypto_key *td_key(const char *rel) {
        _cleanup_(freep) char *p = td_path(rel);
        struct crypto_key *k = NULL;

        assert_int_equal(crypto_key_load_pem(p, NULL, &k), 0);
        assert_true(crypto_key_is_p384_private(k));
        return k;
}

static void expect_b64(const void *data, size_t size, const char *want, const char *what,
                       const char *id) {
        _cleanup_(freep) char *got = base64_encode(data, size);

        assert_non_null(got);
        if (strcmp(got, want) != 0)
                fail_msg("%s: %s differs:\n got  %s\n want %s", id, what, got, want);
}

static int vectors_checked;

static void kat_id_block(struct json_object *v) {
        const char *id = vstr(v, "id");
        _cleanup_(crypto_key_freep) struct crypto_key *ik = td_key(vstr(v, "id_key"));
        _cleanup_(crypto_key_freep) struct crypto_key *ak = td_key(vstr(v, "author_key"));
        struct idblock_params p = { .policy = SNP_POLICY_DEFAULT };
        struct snp_ecdsa_pubkey ipk, apk;
        struct snp_id_block block;
        struct snp_id_auth auth;
        struct idblock_info info;
        uint8_t digest[48];

        assert_int_equal(hex_decode_exact(vstr(v, "launch_digest"), p.ld, sizeof(p.ld)), 0);
        idblock_fill(&p, &block);
        expect_b64(&block, sizeof(block), vstr(v, "expected_id_block"), "ID block", id);
        assert_int_equal(idblock_pubkey_from_key(ik, &ipk), 0);
        assert_int_equal(idblock_key_digest(&ipk, digest), 0);
        expect_b64(digest, sizeof(digest), vstr(v, "expected_id_key_digest"), "ID key digest", id);
        assert_int_equal(idblock_pubkey_from_key(ak, &apk), 0);
        assert_int_equal(idblock_key_digest(&apk, digest), 0);
        expect_b64(digest, sizeof(digest), vstr(v, "expected_author_key_digest"),
                   "author key digest", id);

        /* Our signature over it verifies, and reports the same digests. */
        assert_int_equal(idblock_sign(&block, ik, ak, &auth), 0);
        assert_int_equal(idblock_verify(&block, sizeof(block), &auth, sizeof(auth), &info), 1);
        expect_b64(info.id_key_digest, 48, vstr(v, "expected_id_key_digest"), "verified ID key digest", id);
        expect_b64(info.author_key_digest, 48, vstr(v, "expected_author_key_digest"),
                   "verified author key digest", id);
        vectors_checked++;
}

static void read_sig(const char *rel, struct snp_ecdsa_sig *ret) {
        _cleanup_(freep) char *p = td_path(rel);
        _cleanup_(freep) uint8_t *data = NULL;
        size_t n;

        assert_int_equal(fileio_read_full(p, 4096, &data, &n), 0);
        assert_int_equal(n, sizeof(*ret));
        memcpy(ret, data, sizeof(*ret));
}

static void kat_id_auth(struct json_object *v) {
        const char *id = vstr(v, "id");
        _cleanup_(crypto_key_freep) struct crypto_key *ik = td_key(vstr(v, "id_key"));
        _cleanup_(crypto_key_freep) struct crypto_key *ak = td_key(vstr(v, "author_key"));
        struct snp_ecdsa_pubkey ipk, apk;
        struct snp_ecdsa_sig block_sig, key_sig;
        struct snp_id_auth auth;

        assert_int_equal(idblock_pubkey_from_key(ik, &ipk), 0);
        assert_int_equal(idblock_pubkey_from_key(ak, &apk), 0);
        read_sig(vstr(v, "id_block_sig"), &block_sig);
        read_sig(vstr(v, "id_key_sig"), &key_sig);
        idblock_auth_assemble(&block_sig, &ipk, &key_sig, &apk, &auth);
        expect_b64(&auth, sizeof(auth), vstr(v, "expected_id_auth"), "ID auth structure", id);
        vectors_checked++;
}

/* virtee/sev's fixed signatures are real ones: test_id_sig.bin signs the ID block of the case
 * "sev-id_block_and_key_digests" (same keys), test_auth_sig.bin the ID key structure (checked
 * once with the openssl command). So that expected block and expected auth structure form a pair
 * made outside snpctl, which must verify, with the expected key digests. */
static void kat_foreign_pair(struct json_object *blk, struct json_object *aut) {
        const char *b64_block = vstr(blk, "expected_id_block");
        const char *b64_auth = vstr(aut, "expected_id_auth");
        _cleanup_(freep) uint8_t *block = NULL;
        _cleanup_(freep) uint8_t *auth = NULL;
        struct idblock_info info;
        size_t nb, na;

        assert_string_equal(vstr(blk, "id_key"), vstr(aut, "id_key"));
        assert_string_equal(vstr(blk, "author_key"), vstr(aut, "author_key"));
        assert_int_equal(base64_decode(b64_block, strlen(b64_block), &block, &nb), 0);
        assert_int_equal(base64_decode(b64_auth, strlen(b64_auth), &auth, &na), 0);
        assert_int_equal(idblock_verify(block, nb, auth, na, &info), 1);
        assert_true(info.has_author_key);
        expect_b64(info.id_key_digest, 48, vstr(blk, "expected_id_key_digest"),
                   "ID key digest of the foreign pair", vstr(aut, "id"));
        expect_b64(info.author_key_digest, 48, vstr(blk, "expected_author_key_digest"),
                   "author key digest of the foreign pair", vstr(aut, "id"));
        {       /* the digests a report carries, from the auth structure alone */
                uint8_t id[48], author[48];
                bool has_author = false;

                assert_int_equal(idblock_auth_key_digests(auth, na, id, author, &has_author), 0);
                assert_true(has_author);
                expect_b64(id, 48, vstr(blk, "expected_id_key_digest"),
                           "idblock_auth_key_digests ID key", vstr(aut, "id"));
                expect_b64(author, 48, vstr(blk, "expected_author_key_digest"),
                           "idblock_auth_key_digests author key", vstr(aut, "id"));
                assert_int_equal(idblock_auth_key_digests(auth, na - 1, id, author, NULL), -EINVAL);
                memset(auth + 0x680, 0, 0x1000 - 0x680);        /* no author key */
                assert_int_equal(idblock_auth_key_digests(auth, na, id, author, &has_author), 0);
                assert_false(has_author);
                for (size_t i = 0; i < sizeof(author); i++)
                        assert_int_equal(author[i], 0);
                auth[0] = 2;                                    /* ID_KEY_ALGO */
                assert_int_equal(idblock_auth_key_digests(auth, na, id, author, NULL), -EINVAL);
                free(auth);
                auth = NULL;
                assert_int_equal(base64_decode(b64_auth, strlen(b64_auth), &auth, &na), 0);
        }
        block[0x58] ^= 0x04;                            /* policy 0x30000 -> 0x30004 */
        assert_int_equal(idblock_verify(block, nb, auth, na, &info), 0);
        assert_string_equal(info.reason, "ID block signature (by the ID key) does not verify");
        block[0x58] ^= 0x04;
        auth[0x880 + 4] ^= 0x01;                        /* author key x */
        assert_int_equal(idblock_verify(block, nb, auth, na, &info), 0);
}

static void known_answers(void **state) {
        _cleanup_(freep) char *p = td_path("vectors.json");
        _cleanup_(json_object_putp) struct json_object *all = NULL;
        struct json_object *virtee_block = NULL, *virtee_auth = NULL;
        int id_blocks = 0, id_auths = 0;

        (void) state;
        all = json_object_from_file(p);
        assert_non_null(all);
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                struct json_object *v = json_object_array_get_idx(all, i);
                const char *mode = vstr(v, "mode");

                if (strcmp(mode, "id-block") == 0) {
                        kat_id_block(v);
                        id_blocks++;
                        if (strcmp(vstr(v, "id"), "sev-id_block_and_key_digests") == 0)
                                virtee_block = v;
                } else if (strcmp(mode, "id-auth") == 0) {
                        kat_id_auth(v);
                        id_auths++;
                        virtee_auth = v;
                }
        }
        /* vectors.json holds two id-block cases and one id-auth case */
        assert_int_equal(id_blocks, 2);
        assert_int_equal(id_auths, 1);
        assert_non_null(virtee_block);
        assert_non_null(virtee_auth);
        kat_foreign_pair(virtee_block, virtee_auth);
        print_message("known answers: %d of %d id-block/id-auth vectors match byte for byte\n",
                      vectors_checked, id_blocks + id_auths);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(loads_both_formats),
                cmocka_unit_test(refuses_bad_pass),
                cmocka_unit_test(describes_refused_keys),
                cmocka_unit_test(refuses_missing_and_junk),
                cmocka_unit_test(point_matches_openssl),
                cmocka_unit_test(sign_then_verify),
                cmocka_unit_test(flipped_byte_fails),
                cmocka_unit_test(verify_refuses_noncanonical),
                cmocka_unit_test(keygen_writes_pkcs8),
                cmocka_unit_test(keygen_encrypts),
        };
        const struct CMUnitTest kat[] = {
                cmocka_unit_test(known_answers),
        };
        struct stat st;
        char *td = getenv("SNPCTL_TESTDATA");
        _cleanup_(freep) char *vec = NULL;
        int failed;

        failed = cmocka_run_group_tests(tests, setup, teardown);
        if (failed)
                return failed;
        if (td && asprintf(&vec, "%s/measure/vectors.json", td) < 0)
                vec = NULL;
        if (!vec || stat(vec, &st) < 0) {
                printf("skipped: no test data (known answers need %s/measure/vectors.json)\n",
                       td ? td : "$SNPCTL_TESTDATA");
                return 77;
        }
        testdata = td;
        return cmocka_run_group_tests(kat, NULL, NULL);
}
