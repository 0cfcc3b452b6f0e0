/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "unit.h"

#include "cleanup.h"
#include "hex.h"

static void encode_known(void **state) {
        static const uint8_t in[] = { 0x00, 0x01, 0xab, 0xff, 0x7e };
        _cleanup_(freep) char *s = hex_encode(in, sizeof(in));
        char buf[3];

        (void) state;
        assert_string_equal(s, "0001abff7e");
        hex_encode_buf(in + 2, 1, buf);
        assert_string_equal(buf, "ab");
}

static void decode_known(void **state) {
        _cleanup_(freep) uint8_t *out = NULL;
        size_t n = 0;

        (void) state;
        assert_int_equal(hex_decode("00ABff7e", &out, &n), 0);
        assert_int_equal(n, 4);
        assert_memory_equal(out, "\x00\xab\xff\x7e", 4);
}

static void decode_rejects(void **state) {
        static const char *const bad[] = { "", "0", "abc", "0x00", "zz", "00 ", " 00", "0g", "-1" };
        uint8_t *out = NULL;
        size_t n = 0;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(hex_decode(bad[i], &out, &n), -EINVAL);
                assert_null(out);
        }
}

static void decode_exact(void **state) {
        uint8_t out[4] = { 0x55, 0x55, 0x55, 0x55 };

        (void) state;
        assert_int_equal(hex_decode_exact("01020304", out, 4), 0);
        assert_memory_equal(out, "\x01\x02\x03\x04", 4);
        assert_int_equal(hex_decode_exact("010203", out, 4), -ERANGE);
        assert_int_equal(hex_decode_exact("0102030405", out, 4), -ERANGE);
        assert_int_equal(hex_decode_exact("0102030x", out, 4), -EINVAL);
        assert_memory_equal(out, "\x01\x02\x03\x04", 4);       /* untouched on error */
}

static void roundtrip_all_bytes(void **state) {
        uint8_t in[256];
        _cleanup_(freep) char *s = NULL;
        _cleanup_(freep) uint8_t *out = NULL;
        size_t n;

        (void) state;
        for (int i = 0; i < 256; i++)
                in[i] = (uint8_t) i;
        s = hex_encode(in, sizeof(in));
        assert_non_null(s);
        assert_int_equal(strlen(s), 512);
        assert_int_equal(hex_decode(s, &out, &n), 0);
        assert_int_equal(n, 256);
        assert_memory_equal(in, out, 256);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(encode_known),
                cmocka_unit_test(decode_known),
                cmocka_unit_test(decode_rejects),
                cmocka_unit_test(decode_exact),
                cmocka_unit_test(roundtrip_all_bytes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
