/* SPDX-License-Identifier: Apache-2.0 */
/* Known answers for the handshake: the primitives against their RFC/NIST vectors, and one whole
 * protocol message computed by a second implementation (python3-cryptography, from
 * docs/protocol.md, as handshake-peer.py's seal() does; inputs at protocol_known_answer). Then
 * every byte of a sealed message changed is refused. */
#include <errno.h>
#include <unistd.h>

#include "unit.h"

#include "cleanup.h"
#include "crypto.h"
#include "handshake.h"
#include "hex.h"
#include "provider.h"

static void unhex(const char *s, uint8_t *out, size_t n) {
        assert_int_equal(hex_decode_exact(s, out, n), 0);
}

static void sha512_abc(void **state) {
        uint8_t out[64], want[64];

        (void) state;
        unhex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", want, 64);
        assert_int_equal(crypto_sha512("abc", 3, out), 0);
        assert_memory_equal(out, want, 64);
}

/* RFC 5869 appendix A.1 */
static void hkdf_rfc5869_case1(void **state) {
        uint8_t ikm[22], salt[13], info[10], okm[42], want[42];

        (void) state;
        memset(ikm, 0x0b, sizeof(ikm));
        for (size_t i = 0; i < sizeof(salt); i++)
                salt[i] = (uint8_t) i;
        for (size_t i = 0; i < sizeof(info); i++)
                info[i] = (uint8_t) (0xf0 + i);
        unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
              "34007208d5b887185865", want, 42);
        assert_int_equal(crypto_hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info,
                                            sizeof(info), okm, sizeof(okm)), 0);
        assert_memory_equal(okm, want, 42);
}

/* RFC 7748 section 6.1 */
static void x25519_rfc7748(void **state) {
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *alice = NULL, *bob = NULL;
        uint8_t apriv[32], bpriv[32], apub[32], bpub[32], want[32], s1[32], s2[32];

        (void) state;
        unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", apriv, 32);
        unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", bpriv, 32);
        assert_int_equal(crypto_x25519_from_private(apriv, &alice, apub), 0);
        assert_int_equal(crypto_x25519_from_private(bpriv, &bob, bpub), 0);
        unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", want, 32);
        assert_memory_equal(apub, want, 32);
        unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", want, 32);
        assert_memory_equal(bpub, want, 32);
        unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want, 32);
        assert_int_equal(crypto_x25519_derive(alice, bpub, s1), 0);
        assert_int_equal(crypto_x25519_derive(bob, apub, s2), 0);
        assert_memory_equal(s1, want, 32);
        assert_memory_equal(s2, want, 32);
        /* A low-order point (here: zero) gives an all-zero secret: refused. */
        memset(want, 0, 32);
        assert_int_equal(crypto_x25519_derive(alice, want, s1), -EKEYREJECTED);
}

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14 (AES-256). */
static void gcm_known(void **state) {
        uint8_t key[32] = {}, iv[12] = {}, pt[16] = {}, ct[16], tag[16], want[16], back[16];

        (void) state;
        assert_int_equal(crypto_aes256gcm_seal(key, iv, NULL, 0, NULL, 0, NULL, tag), 0);
        unhex("530f8afbc74536b9a963b4f1c4cb738b", want, 16);
        assert_memory_equal(tag, want, 16);
        assert_int_equal(crypto_aes256gcm_seal(key, iv, NULL, 0, pt, 16, ct, tag), 0);
        unhex("cea7403d4d606b6e074ec5d3baf39d18", want, 16);
        assert_memory_equal(ct, want, 16);
        unhex("d0d1c8a799996bf0265b98b5d48ab919", want, 16);
        assert_memory_equal(tag, want, 16);
        assert_int_equal(crypto_aes256gcm_open(key, iv, NULL, 0, ct, 16, tag, back), 0);
        assert_memory_equal(back, pt, 16);
        tag[15] ^= 1;
        assert_int_equal(crypto_aes256gcm_open(key, iv, NULL, 0, ct, 16, tag, back), -EBADMSG);
}

/* Computed with python3-cryptography from docs/protocol.md (handshake-peer.py vector, an
 * implementation independent of src/handshake.c): agent private key 40..5f, ephemeral owner
 * private key 80..9f, nonce 00..1f, owner P-384 private scalar c0..ef, secret "disk key
 * 0123456789". ECDSA signatures are randomized: MSG carries the one Python made. */
#define AGENT_PUB "79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a"
#define RD "ad57a5a709dab99b53a51ec25bde8dfdfef85c1e3c719ca05419a62e368b6f59" \
           "3a6f2c0e8bf6a0577e5acc71850f43b1cce9c11793a8ecc393545da379e822b4"
#define OWNER_DIGEST "7811fd3a5831c888a53c3603e98db1e43bcc1c8968d44af8be13840487975cd4" \
                     "742c9c5a62f441a8db84bcfdff8968cf"
#define MSG "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" \
            "493e82fc74464a59268817623d2053c5eb8e2cc4a988b4fee179ec6b010d531d" \
            "e05bb6230e34b43ebfb7b63b28b620255b1b368920f86cd4e16e2d044c26733b" \
            "5b0cc4932b243b972bc3fb9bdf32f9fb00000000000000000000000000000000" \
            "00000000000000002a9cdf2e1a5617fa703c0e1f21ae166dc9fdc74a870931c3" \
            "c3975cf4cd244b2ad082cef1cab448ff4666adb1d05395750000000000000000" \
            "00000000000000000000000000000000b9ca96301c55d170c5711be78a6d5acb" \
            "5a0f6d8fd6c8c303c73fab164e2fbb4bf4de3519fd186bd3232cdc76e8b2a785" \
            "000000000000000000000000000000000000000000000000f00fd7c5856fb4dd" \
            "c5d0093bc8808980d70b3b7948ce65764353d95cf220141bbaf07f3e2f1493ae" \
            "2d9222b0572080f6000000000000000000000000000000000000000000000000" \
            "d8778c811e6d2f482b9a5ac38abc4d8dd5df6aff9d7bc60153b93060d8089d09" \
            "ef476c"
static const char owner_pem[] =
        "-----BEGIN PRIVATE KEY-----\n"
        "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDAwcLDxMXGx8jJysvM\n"
        "zc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u+hZANiAAT7+TLfm/vD\n"
        "K5c7JCuTxAxbO3MmTAQtbuHUbPggiTYbWyUgtig7tre/PrQ0DiO2W+B1lVPQsa1m\n"
        "Rv9ItMrxzoLQKkskzfRcl8PDMQmHSsf9yW0WriEfDjxw+hdWGi7fnCo=\n"
        "-----END PRIVATE KEY-----\n";
static const char secret[] = "disk key 0123456789";

#define SIG_AT 0xD0             /* sig_r, sig_s: 144 bytes */
#define SIG_END 0x160

static void keys(struct crypto_x25519 **agent, uint8_t apub[32], struct crypto_x25519 **eph,
                 uint8_t epub[32], uint8_t nonce[32], struct crypto_key **owner) {
        char path[] = "/tmp/snpctl-test-owner-XXXXXX";
        uint8_t a[32], o[32];
        int fd;

        for (size_t i = 0; i < 32; i++) {
                a[i] = (uint8_t) (0x40 + i);
                o[i] = (uint8_t) (0x80 + i);
                nonce[i] = (uint8_t) i;
        }
        assert_int_equal(crypto_x25519_from_private(a, agent, apub), 0);
        assert_int_equal(crypto_x25519_from_private(o, eph, epub), 0);
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, owner_pem, strlen(owner_pem)), (ssize_t) strlen(owner_pem));
        close(fd);
        assert_int_equal(crypto_key_load_pem(path, NULL, owner), 0);
        unlink(path);
}

static void protocol_known_answer(void **state) {
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *agent = NULL, *eph = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *owner = NULL;
        _cleanup_(freep) uint8_t *msg = NULL, *out = NULL, *out2 = NULL;
        uint8_t apub[32], epub[32], nonce[32], rd[64], want[64], digest[48], wdigest[48];
        uint8_t wmsg[HANDSHAKE_SECRET_HDR + 19];
        size_t n = 0, m = 0;

        (void) state;
        keys(&agent, apub, &eph, epub, nonce, &owner);
        unhex(AGENT_PUB, want, 32);
        assert_memory_equal(apub, want, 32);
        assert_int_equal(handshake_report_data(nonce, apub, rd), 0);
        unhex(RD, want, 64);
        assert_memory_equal(rd, want, 64);
        assert_int_equal(handshake_owner_digest(owner, digest), 0);
        unhex(OWNER_DIGEST, wdigest, 48);
        assert_memory_equal(digest, wdigest, 48);
        /* Python's message, signature included, opens here. */
        unhex(MSG, wmsg, sizeof(wmsg));
        assert_int_equal(handshake_open(agent, apub, nonce, wdigest, wmsg, sizeof(wmsg), &out,
                                        &m), 0);
        assert_int_equal(m, strlen(secret));
        assert_memory_equal(out, secret, m);
        /* Ours equals it but for the randomized signature, which verifies. */
        assert_int_equal(handshake_seal(owner, eph, epub, nonce, apub, secret, strlen(secret),
                                        &msg, &n), 0);
        assert_int_equal(n, sizeof(wmsg));
        assert_memory_equal(msg, wmsg, SIG_AT);
        assert_memory_equal(msg + SIG_END, wmsg + SIG_END, n - SIG_END);
        assert_int_equal(handshake_open(agent, apub, nonce, wdigest, msg, n, &out2, &m), 0);
        assert_memory_equal(out2, secret, m);
}

static void open_refuses_every_change(void **state) {
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *agent = NULL, *eph = NULL;
        _cleanup_(crypto_x25519_freep) struct crypto_x25519 *eph2 = NULL;
        _cleanup_(crypto_key_freep) struct crypto_key *owner = NULL, *other = NULL;
        _cleanup_(freep) uint8_t *msg = NULL, *msg2 = NULL;
        uint8_t apub[32], epub[32], nonce[32], pub2[32], digest[48];
        size_t n = 0, n2 = 0;

        (void) state;
        keys(&agent, apub, &eph, epub, nonce, &owner);
        assert_int_equal(handshake_owner_digest(owner, digest), 0);
        assert_int_equal(handshake_seal(owner, eph, epub, nonce, apub, secret, strlen(secret),
                                        &msg, &n), 0);
        for (size_t i = 0; i < n; i++)
                for (unsigned bit = 0; bit < 8; bit += 7) {
                        uint8_t *out = NULL;
                        size_t m = 0;
                        int r;

                        msg[i] ^= (uint8_t) (1u << bit);
                        r = handshake_open(agent, apub, nonce, digest, msg, n, &out, &m);
                        msg[i] ^= (uint8_t) (1u << bit);
                        assert_null(out);
                        /* nonce bytes: another session; anything else: not the owner's
                         * message, refused before anything is decrypted */
                        assert_int_equal(r, i < 32 ? -ESTALE : -EPERM);
                }
        {
                uint8_t *out = NULL, other_digest[48], other_pub[32];
                size_t m = 0;

                /* The agent key must be the one the secret was sealed and signed for. */
                memcpy(other_pub, apub, 32);
                other_pub[0] ^= 1;
                assert_int_equal(handshake_open(agent, other_pub, nonce, digest, msg, n, &out, &m),
                                 -EPERM);
                /* A guest measured with another owner key refuses it. */
                memcpy(other_digest, digest, 48);
                other_digest[47] ^= 1;
                assert_int_equal(handshake_open(agent, apub, nonce, other_digest, msg, n, &out,
                                                &m), -EPERM);
                assert_int_equal(handshake_open(agent, apub, nonce, digest, msg,
                                                HANDSHAKE_SECRET_HDR, &out, &m), -EBADMSG);
                assert_int_equal(handshake_open(agent, apub, nonce, digest, msg, n - 1, &out, &m),
                                 -EPERM);
                assert_null(out);
        }
        /* A well-formed message signed by another key: refused. */
        assert_int_equal(crypto_key_generate_p384(&other), 0);
        assert_int_equal(crypto_x25519_new(&eph2, pub2), 0);
        assert_int_equal(handshake_seal(other, eph2, pub2, nonce, apub, secret, strlen(secret),
                                        &msg2, &n2), 0);
        {
                uint8_t *out = NULL;
                size_t m = 0;

                assert_int_equal(handshake_open(agent, apub, nonce, digest, msg2, n2, &out, &m),
                                 -EPERM);
        }
        assert_int_equal(handshake_seal(owner, eph2, pub2, nonce, apub, secret, 0, &msg2, &n2),
                         -EINVAL);
        assert_int_equal(handshake_seal(owner, eph2, pub2, nonce, apub, secret,
                                        HANDSHAKE_MAX_SECRET + 1, &msg2, &n2), -EINVAL);
}

/* MSG_REPORT_RSP (snp-facts B.2.1): status, report_size, 24 reserved, report at 0x20. */
static void report_resp(void **state) {
        uint8_t resp[4000] = {}, rep[1184];
        uint32_t status = 0;

        (void) state;
        resp[4] = 0xa0;
        resp[5] = 0x04;                 /* 1184 */
        memset(resp + 0x20, 0x5a, 1184);
        assert_int_equal(provider_parse_report_resp(resp, sizeof(resp), rep, &status), 0);
        assert_int_equal(rep[0], 0x5a);
        assert_int_equal(rep[1183], 0x5a);
        resp[0] = 0x16;                 /* INVALID_PARAM */
        assert_int_equal(provider_parse_report_resp(resp, sizeof(resp), rep, &status), -EIO);
        assert_int_equal(status, 0x16);
        resp[0] = 0;
        resp[4] = 0x9f;
        assert_int_equal(provider_parse_report_resp(resp, sizeof(resp), rep, &status), -EBADMSG);
        assert_int_equal(provider_parse_report_resp(resp, 100, rep, &status), -EBADMSG);
}

static void provider_names(void **state) {
        enum provider_kind k;

        (void) state;
        assert_int_equal(provider_from_name("sim", &k), 0);
        assert_int_equal(k, PROVIDER_SIM);
        assert_int_equal(provider_from_name("tsm", &k), 0);
        assert_int_equal(k, PROVIDER_TSM);
        assert_int_equal(provider_from_name("SIM", &k), -EINVAL);
        assert_string_equal(provider_name(PROVIDER_IOCTL), "ioctl");
}

/* Not an SNP guest: the request is refused before any device is touched, and a missing device
 * reads as "no provider". */
static void provider_refuses(void **state) {
        struct provider p = { .kind = PROVIDER_IOCTL, .vmpl = 4 };
        uint8_t rd[64] = {}, rep[1184];

        (void) state;
        assert_int_equal(provider_get_report(&p, rd, rep, NULL, NULL, NULL), -EINVAL);
        p.vmpl = PROVIDER_VMPL_DEFAULT;
        p.dev = "/nonexistent/sev-guest";
        assert_int_equal(provider_get_report(&p, rd, rep, NULL, NULL, NULL), -ENODEV);
        p.kind = PROVIDER_TSM;
        p.tsm_root = "/nonexistent/tsm/report";
        assert_int_equal(provider_get_report(&p, rd, rep, NULL, NULL, NULL), -ENODEV);
        p.kind = PROVIDER_SIM;
        assert_int_equal(provider_get_report(&p, rd, rep, NULL, NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(sha512_abc),
                cmocka_unit_test(hkdf_rfc5869_case1),
                cmocka_unit_test(x25519_rfc7748),
                cmocka_unit_test(gcm_known),
                cmocka_unit_test(protocol_known_answer),
                cmocka_unit_test(open_refuses_every_change),
                cmocka_unit_test(report_resp),
                cmocka_unit_test(provider_names),
                cmocka_unit_test(provider_refuses),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
