/* SPDX-License-Identifier: Apache-2.0 */
#include "unit.h"

#include "cleanup.h"
#include "output.h"

static void escape_known(void **state) {
        static const char evil[] = "SEV-VCEK\nPASS  measurement\x1b[32m\\\x7f\xff";
        char buf[128];

        (void) state;
        assert_string_equal(output_escape_str("ARK-Milan", buf, sizeof(buf)), "ARK-Milan");
        assert_string_equal(output_escape(evil, sizeof(evil) - 1, buf, sizeof(buf)),
                            "SEV-VCEK\\x0aPASS  measurement\\x1b[32m\\x5c\\x7f\\xff");
        assert_string_equal(output_escape("a\0b", 3, buf, sizeof(buf)), "a\\x00b");
        assert_string_equal(output_escape_str(NULL, buf, sizeof(buf)), "(null)");
        assert_string_equal(output_escape("", 0, buf, sizeof(buf)), "");
}

static void escape_bounded(void **state) {
        char buf[64];

        (void) state;
        /* Exactly fits: no ellipsis. */
        assert_string_equal(output_escape("abcd", 4, buf, 5), "abcd");
        /* One too many: cut with "...", within the buffer. */
        assert_string_equal(output_escape("abcde", 5, buf, 5), "a...");
        /* An escape is never cut in half. */
        assert_string_equal(output_escape("\n\n\n", 3, buf, 9), "\\x0a...");
        assert_string_equal(output_escape("\n\n", 2, buf, 9), "\\x0a\\x0a");
        for (size_t size = 5; size <= sizeof(buf); size++) {
                static const char in[] = "\x01\x02 long \x1b text \\ with \xff bytes \n end";

                memset(buf, 'Z', sizeof(buf));
                output_escape(in, sizeof(in) - 1, buf, size);
                assert_true(strlen(buf) < size);
                for (const char *p = buf; *p; p++)
                        assert_true(*p >= 0x20 && *p <= 0x7e);
        }
        buf[0] = 'x';
        output_escape("abc", 3, buf, 1);
        assert_int_equal(buf[0], '\0');
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(escape_known),
                cmocka_unit_test(escape_bounded),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
