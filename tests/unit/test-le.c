/* SPDX-License-Identifier: Apache-2.0 */
#include "unit.h"

#include "le.h"

static void get_is_little_endian(void **state) {
        static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

        (void) state;
        assert_int_equal(le16_get(b), 0x0201);
        assert_int_equal(le32_get(b + 1), 0x05040302);       /* unaligned */
        assert_true(le64_get(b + 1) == 0x0908070605040302ULL);
}

static void put_is_little_endian(void **state) {
        uint8_t b[9] = { 0 };

        (void) state;
        le64_put(b + 1, 0x1122334455667788ULL);
        assert_memory_equal(b + 1, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
        le32_put(b, 0xdeadbeef);
        assert_memory_equal(b, "\xef\xbe\xad\xde", 4);
        le16_put(b + 7, 0x0a0b);
        assert_memory_equal(b + 7, "\x0b\x0a", 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(get_is_little_endian),
                cmocka_unit_test(put_is_little_endian),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
