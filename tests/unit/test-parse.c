/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "unit.h"

#include "cleanup.h"
#include "parse.h"

static void accepts(void **state) {
        uint64_t v;
        unsigned u;

        (void) state;
        assert_int_equal(parse_u64("0", &v), 0);
        assert_true(v == 0);
        assert_int_equal(parse_u64("18446744073709551615", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_u64("0x30000", &v), 0);
        assert_true(v == 0x30000);
        assert_int_equal(parse_u64("0XfF", &v), 0);
        assert_true(v == 255);
        assert_int_equal(parse_uint("512", 1, 512, &u), 0);
        assert_int_equal(u, 512);
}

/* parse_size_mib(): MiB by default, M and G suffixes in either case, bounded. */
static void sizes(void **state) {
        uint64_t v;

        (void) state;
        assert_int_equal(parse_size_mib("2048", &v), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(parse_size_mib("512M", &v), 0);
        assert_int_equal(v, 512);
        assert_int_equal(parse_size_mib("4g", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size_mib("4294967296", &v), 0);
        assert_int_equal(parse_size_mib("4194304G", &v), 0);
        assert_int_equal(v, UINT64_C(1) << 32);
        assert_int_equal(parse_size_mib("4194305G", &v), -EINVAL);
        assert_int_equal(parse_size_mib("4294967297", &v), -EINVAL);
        assert_int_equal(parse_size_mib("0", &v), -EINVAL);
        assert_int_equal(parse_size_mib("M", &v), -EINVAL);
        assert_int_equal(parse_size_mib("2T", &v), -EINVAL);
        assert_int_equal(parse_size_mib("", &v), -EINVAL);
}

static void rejects(void **state) {
        static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "0x", "0xg", "1k", "abc", "1.5" };
        uint64_t v = 42;
        unsigned u = 42;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(parse_u64(bad[i], &v), -EINVAL);
        assert_true(v == 42);
        assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
        assert_int_equal(parse_uint("0", 1, 512, &u), -ERANGE);
        assert_int_equal(parse_uint("513", 1, 512, &u), -ERANGE);
        assert_int_equal(parse_uint("4294967296", 0, UINT32_MAX, &u), -ERANGE);
        assert_int_equal(u, 42);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(accepts),
                cmocka_unit_test(rejects),
                cmocka_unit_test(sizes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
