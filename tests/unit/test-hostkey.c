/* SPDX-License-Identifier: Apache-2.0 */
/* The SSH host key report's pieces (src/hostkey.c): the .pub parser against an ssh-keygen key and
 * its fingerprint as ssh-keygen -l prints it, REPORT_DATA against python3's hashlib, the answer's
 * layout both ways, and known_hosts lines as ssh writes them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "cleanup.h"
#include "hex.h"
#include "hostkey.h"

/* ssh-keygen -t ed25519 -C test; ssh-keygen -l -f gives the fingerprint below. */
#define PUB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZbz8sM/tC8KG16BT/IMckY45yPZ2UuSwPELQilpVZW test"
#define FP "SHA256:HlqH/NSGwtK1jHnM9AiNhFOiMw5Uhk/Vy8IUcShu1Ss"
#define B64 "AAAAC3NzaC1lZDI1NTE5AAAAIGZbz8sM/tC8KG16BT/IMckY45yPZ2UuSwPELQilpVZW"

static void parse_pub(void **state) {
        _cleanup_(hostkey_done) struct hostkey k = {};
        char fp[HOSTKEY_FINGERPRINT_SIZE];
        const char *text = "  " PUB "\n";

        (void) state;
        assert_int_equal(hostkey_from_pub(text, strlen(text), &k), 0);
        assert_string_equal(k.type, "ssh-ed25519");
        assert_int_equal(k.blob_size, 51);     /* string "ssh-ed25519", string of 32 bytes */
        assert_int_equal(hostkey_fingerprint(&k, fp), 0);
        assert_string_equal(fp, FP);
}

static void reject_pub(void **state) {
        static const char *const bad[] = {
                "",
                "ssh-ed25519",
                "ssh-rsa " B64,                         /* the line's type is not the blob's */
                "ssh-ed25519 " B64 "\nssh-ed25519 " B64, /* two lines */
                "ssh-ed25519 AAAA",                     /* no key after the type */
                "ssh-ed25519 " B64 "=",                 /* not canonical base64 */
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",     /* the type and nothing else */
                "ssh-ed25519 AAAADHNzaC1lZDI1NTE5IA==", /* a type with a space in it */
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct hostkey k = {};

                if (hostkey_from_pub(bad[i], strlen(bad[i]), &k) != -EBADMSG)
                        fail_msg("accepted '%s'", bad[i]);
        }
}

/* python3: hashlib.sha512(b"snpctl-handshake-v2 ssh-host-key" + bytes([1]) * 32 +
 * bytes([2]) * 32).hexdigest() */
static void report_data_known_answer(void **state) {
        uint8_t nonce[32], hash[32], rd[64], want[64];

        (void) state;
        memset(nonce, 1, sizeof(nonce));
        memset(hash, 2, sizeof(hash));
        assert_int_equal(hex_decode_exact("f722ce244bf0643b767ce83daa5cc3862be834d275741502196feb1"
                                          "39cd12524ee8603a208fc056348d33a29c3b4fc46e89a7cd99d6518"
                                          "75524ec9d32767e3ce", want, sizeof(want)), 0);
        assert_int_equal(hostkey_report_data(nonce, hash, rd), 0);
        assert_memory_equal(rd, want, sizeof(want));
}

static void answer_roundtrip(void **state) {
        _cleanup_(hostkey_done) struct hostkey k = {}, got = {};
        _cleanup_(freep) uint8_t *a = NULL, *rest = NULL;
        uint8_t report[SNP_REPORT_SIZE], certs[100];
        size_t n, rn;

        (void) state;
        memset(report, 0x5a, sizeof(report));
        memset(certs, 0xc3, sizeof(certs));
        assert_int_equal(hostkey_from_pub(PUB, strlen(PUB), &k), 0);
        assert_int_equal(hostkey_answer(&k, report, certs, sizeof(certs), &a, &n), 0);
        assert_int_equal(n, 4 + 51 + SNP_REPORT_SIZE + sizeof(certs));
        assert_int_equal(a[0], 51);
        assert_int_equal(hostkey_split_answer(a, n, &got, &rest, &rn), 0);
        assert_string_equal(got.type, "ssh-ed25519");
        assert_memory_equal(got.hash, k.hash, 32);
        assert_int_equal(rn, 32 + SNP_REPORT_SIZE + sizeof(certs));
        assert_memory_equal(rest, k.hash, 32);
        assert_memory_equal(rest + 32, report, sizeof(report));
        assert_memory_equal(rest + 32 + SNP_REPORT_SIZE, certs, sizeof(certs));
        /* Malformed: cut short, a blob size past the end, zero, over the limit. */
        assert_int_equal(hostkey_split_answer(a, n - sizeof(certs) - 1, &got, &rest, &rn), -EBADMSG);
        a[0] = 0xff;
        assert_int_equal(hostkey_split_answer(a, n, &got, &rest, &rn), -EBADMSG);
        memset(a, 0, 4);
        assert_int_equal(hostkey_split_answer(a, n, &got, &rest, &rn), -EBADMSG);
        a[1] = 0x20;                            /* 8192 */
        assert_int_equal(hostkey_split_answer(a, n, &got, &rest, &rn), -EBADMSG);
}

static void known_hosts_lines(void **state) {
        static const char *const good[][2] = {
                { "vm.example", "vm.example ssh-ed25519 " B64 "\n" },
                { "vm.example:22", "vm.example ssh-ed25519 " B64 "\n" },
                { "127.0.0.1:2222", "[127.0.0.1]:2222 ssh-ed25519 " B64 "\n" },
                { "[::1]:2222", "[::1]:2222 ssh-ed25519 " B64 "\n" },
                { "[::1]", "::1 ssh-ed25519 " B64 "\n" },
                { "fd00::2", "fd00::2 ssh-ed25519 " B64 "\n" },
        };
        static const char *const bad[] = { "", "a b", "h:0", "h:70000", "h:", "h:2x", "[::1", "[::1]x",
                                           "h,i", "*.example", "h\n", "[]:22" };
        _cleanup_(hostkey_done) struct hostkey k = {};

        (void) state;
        assert_int_equal(hostkey_from_pub(PUB, strlen(PUB), &k), 0);
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_(freep) char *line = NULL;

                assert_int_equal(hostkey_known_hosts_line(good[i][0], &k, &line), 0);
                assert_string_equal(line, good[i][1]);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *line = NULL;

                if (hostkey_known_hosts_line(bad[i], &k, &line) != -EINVAL)
                        fail_msg("accepted address '%s'", bad[i]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parse_pub),
                cmocka_unit_test(reject_pub),
                cmocka_unit_test(report_data_known_answer),
                cmocka_unit_test(answer_roundtrip),
                cmocka_unit_test(known_hosts_lines),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
