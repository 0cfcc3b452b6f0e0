/* SPDX-License-Identifier: Apache-2.0 */
/* Duplicate keys in JSON text: found at any depth, compared decoded, named with both lines; none
 * in keys that only look alike, in values, in arrays or in different objects. */
#include <errno.h>

#include "unit.h"

#include "json-keys.h"

static int scan(const char *text, struct json_duplicate *d) {
        memset(d, 0, sizeof(*d));
        return json_find_duplicate_key(text, strlen(text), d);
}

static void finds_duplicates(void **state) {
        struct json_duplicate d;

        (void) state;
        assert_int_equal(scan("{\n \"vmpl\": 0,\n \"a\": 1,\n \"vmpl\": 3\n}", &d), 1);
        assert_string_equal(d.key, "vmpl");
        assert_int_equal(d.first_line, 2);
        assert_int_equal(d.second_line, 4);
        /* nested, and escaped spellings of one key */
        assert_int_equal(scan("{\"t\": {\"snp\": 1,\n\"sn\\u0070\": 0}}", &d), 1);
        assert_string_equal(d.key, "snp");
        assert_int_equal(d.second_line, 2);
        assert_int_equal(scan("[{}, {\"x\": [1, {\"k\": 1, \"k\": 2}]}]", &d), 1);
        assert_string_equal(d.key, "k");
        /* a surrogate pair decodes to one code point */
        assert_int_equal(scan("{\"\\ud83d\\ude00\": 1, \"\xf0\x9f\x98\x80\": 2}", &d), 1);
}

static void accepts_distinct_keys(void **state) {
        struct json_duplicate d;

        (void) state;
        assert_int_equal(scan("{\"a\": \"a\", \"b\": {\"a\": 1}, \"c\": [\"a\", \"a\"]}", &d), 0);
        assert_int_equal(scan("{\"a\": 1, \"A\": 2, \"a \": 3, \"a\\\"\": 4, \"\": 5}", &d), 0);
        assert_int_equal(scan("[{\"a\": 1}, {\"a\": 2}]", &d), 0);
        assert_int_equal(scan("\"{\\\"a\\\": 1, \\\"a\\\": 2}\"", &d), 0);      /* a string */
        assert_int_equal(scan("{}", &d), 0);
}

static void refuses_broken_text(void **state) {
        struct json_duplicate d;

        (void) state;
        assert_int_equal(scan("{\"a\": 1", &d), -EINVAL);
        assert_int_equal(scan("{\"a: 1}", &d), -EINVAL);
        assert_int_equal(scan("[}", &d), -EINVAL);
        assert_int_equal(scan("{\"\\q\": 1}", &d), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(finds_duplicates),
                cmocka_unit_test(accepts_distinct_keys),
                cmocka_unit_test(refuses_broken_text),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
