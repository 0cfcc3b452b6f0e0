/* SPDX-License-Identifier: Apache-2.0 */
/* crypto.c's SEV signature verifier through both of its doors, the public point (ID blocks, the
 * handshake) and a certificate's key (the VCEK/VLEK of a report): the same answer and the same
 * errno for a valid signature, a flipped one, a non-canonical field and a key that is not P-384.
 * Keys and self-signed certificates are made fresh by the openssl command. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "cleanup.h"
#include "crypto.h"

static char dir[] = "/tmp/snpctl-crypto.XXXXXX";

static int setup(void **state) {
        (void) state;
        if (!mkdtemp(dir))
                return -1;
        return sh("cd '%s' && exec >/dev/null 2>&1 && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem && "
                  "openssl req -x509 -new -key p384.pem -subj /CN=p384 -days 1 -out p384.crt && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem && "
                  "openssl req -x509 -new -key p256.pem -subj /CN=p256 -days 1 -out p256.crt && "
                  "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem && "
                  "openssl req -x509 -new -key rsa.pem -subj /CN=rsa -days 1 -out rsa.crt",
                  dir) == 0 ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        return sh("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

static struct crypto_cert *cert(const char *name) {
        _cleanup_(freep) char *p = NULL;
        struct crypto_cert *c = NULL;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        assert_int_equal(crypto_cert_load(p, &c), 0);
        return c;
}

static struct crypto_key *key(const char *name) {
        _cleanup_(freep) char *p = NULL;
        struct crypto_key *k = NULL;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        assert_int_equal(crypto_key_load_pem(p, NULL, &k), 0);
        return k;
}

/* Both doors give want for the same inputs. */
static void both(const struct crypto_cert *c, const uint8_t *qx, const uint8_t *qy,
                 const char *data, const uint8_t *r, const uint8_t *s, int want) {
        assert_int_equal(crypto_sev_verify(qx, qy, data, strlen(data), r, s), want);
        assert_int_equal(crypto_sev_verify_cert(c, data, strlen(data), r, s), want);
}

static void sev_verify_by_point_and_by_cert(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = key("p384.pem");
        _cleanup_(crypto_cert_freep) struct crypto_cert *c = cert("p384.crt");
        uint8_t qx[CRYPTO_SEV_FIELD_SIZE], qy[CRYPTO_SEV_FIELD_SIZE];
        uint8_t r[CRYPTO_SEV_FIELD_SIZE], s[CRYPTO_SEV_FIELD_SIZE];

        (void) state;
        assert_int_equal(crypto_cert_key_is_p384(c), 1);
        assert_int_equal(crypto_key_sev_point(k, qx, qy), 0);
        assert_int_equal(crypto_sev_sign(k, "report", 6, r, s), 0);
        both(c, qx, qy, "report", r, s, 0);
        both(c, qx, qy, "reporT", r, s, -EKEYREJECTED);         /* other data */
        r[0] ^= 1;                                              /* flipped signature bit */
        both(c, qx, qy, "report", r, s, -EKEYREJECTED);
        r[0] ^= 1;
        s[47] ^= 0x80;
        both(c, qx, qy, "report", r, s, -EKEYREJECTED);
        s[47] ^= 0x80;
        memset(r, 0, sizeof(r));                                /* r = 0 is never valid */
        both(c, qx, qy, "report", r, s, -EKEYREJECTED);
        assert_int_equal(crypto_sev_sign(k, "report", 6, r, s), 0);
        s[48] = 1;                                              /* past the 48 bytes of P-384 */
        both(c, qx, qy, "report", r, s, -EBADMSG);
        s[48] = 0;
        r[71] = 0x80;
        both(c, qx, qy, "report", r, s, -EBADMSG);
        r[71] = 0;
        both(c, qx, qy, "report", r, s, 0);
        qy[0] ^= 1;                                             /* off the curve */
        assert_int_equal(crypto_sev_verify(qx, qy, "report", 6, r, s), -EBADMSG);
        qy[0] ^= 1;
        qx[50] = 1;
        assert_int_equal(crypto_sev_verify(qx, qy, "report", 6, r, s), -EBADMSG);
}

/* A key checked once (as a batch shares its VCEK) answers each signature as crypto_sev_verify()
 * does, however many it is used for; a key that crypto_sev_verify() refuses is refused at once. */
static void sev_pubkey_reused_answers_as_verify(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = key("p384.pem");
        _cleanup_(crypto_cert_freep) struct crypto_cert *c = cert("p384.crt");
        _cleanup_(crypto_cert_freep) struct crypto_cert *p256 = cert("p256.crt");
        _cleanup_(crypto_cert_freep) struct crypto_cert *rsa = cert("rsa.crt");
        _cleanup_(crypto_sev_pubkey_freep) struct crypto_sev_pubkey *byp = NULL, *byc = NULL;
        struct crypto_sev_pubkey *none = NULL;
        uint8_t qx[CRYPTO_SEV_FIELD_SIZE], qy[CRYPTO_SEV_FIELD_SIZE];
        uint8_t r[CRYPTO_SEV_FIELD_SIZE], s[CRYPTO_SEV_FIELD_SIZE];
        const char *data[] = { "report", "reporT", "report" };
        const int want[] = { 0, -EKEYREJECTED, 0 };

        (void) state;
        assert_int_equal(crypto_key_sev_point(k, qx, qy), 0);
        assert_int_equal(crypto_sev_pubkey_new(qx, qy, &byp), 0);
        assert_int_equal(crypto_sev_pubkey_from_cert(c, &byc), 0);
        assert_int_equal(crypto_sev_sign(k, "report", 6, r, s), 0);
        for (size_t i = 0; i < ELEMENTSOF(data); i++) {
                assert_int_equal(crypto_sev_pubkey_verify(byp, data[i], 6, r, s), want[i]);
                assert_int_equal(crypto_sev_pubkey_verify(byc, data[i], 6, r, s), want[i]);
        }
        r[0] ^= 1;                                              /* flipped signature bit */
        assert_int_equal(crypto_sev_pubkey_verify(byp, "report", 6, r, s), -EKEYREJECTED);
        assert_int_equal(crypto_sev_pubkey_verify(byc, "report", 6, r, s), -EKEYREJECTED);
        r[0] ^= 1;
        s[48] = 1;                                              /* past the 48 bytes of P-384 */
        assert_int_equal(crypto_sev_pubkey_verify(byp, "report", 6, r, s), -EBADMSG);
        s[48] = 0;
        assert_int_equal(crypto_sev_pubkey_verify(byc, "report", 6, r, s), 0);

        qy[0] ^= 1;                                             /* off the curve */
        assert_int_equal(crypto_sev_pubkey_new(qx, qy, &none), -EBADMSG);
        qy[0] ^= 1;
        qx[50] = 1;
        assert_int_equal(crypto_sev_pubkey_new(qx, qy, &none), -EBADMSG);
        assert_int_equal(crypto_sev_pubkey_from_cert(p256, &none), -EBADMSG);
        assert_int_equal(crypto_sev_pubkey_from_cert(rsa, &none), -EBADMSG);
        assert_null(none);
}

/* A certificate whose key is not ECDSA P-384 never verifies an SEV signature. */
static void sev_verify_refuses_other_keys(void **state) {
        _cleanup_(crypto_key_freep) struct crypto_key *k = key("p384.pem");
        _cleanup_(crypto_cert_freep) struct crypto_cert *p256 = cert("p256.crt");
        _cleanup_(crypto_cert_freep) struct crypto_cert *rsa = cert("rsa.crt");
        uint8_t r[CRYPTO_SEV_FIELD_SIZE], s[CRYPTO_SEV_FIELD_SIZE];

        (void) state;
        assert_int_equal(crypto_cert_key_is_p384(p256), 0);
        assert_int_equal(crypto_cert_key_is_p384(rsa), 0);
        assert_int_equal(crypto_sev_sign(k, "report", 6, r, s), 0);
        assert_int_equal(crypto_sev_verify_cert(p256, "report", 6, r, s), -EBADMSG);
        assert_int_equal(crypto_sev_verify_cert(rsa, "report", 6, r, s), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(sev_verify_by_point_and_by_cert),
                cmocka_unit_test(sev_verify_refuses_other_keys),
                cmocka_unit_test(sev_pubkey_reused_answers_as_verify),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
