/* SPDX-License-Identifier: Apache-2.0 */
#include "unit.h"

#include "applets.h"

static void table_sorted_and_complete(void **state) {
        (void) state;
        for (const struct applet *a = applet_table; a->name; a++) {
                assert_non_null(a->main);
                assert_non_null(a->summary);
                assert_true(a->summary[0] >= 'A' && a->summary[0] <= 'Z');
                if (a[1].name && strcmp(a->name, a[1].name) >= 0)
                        fail_msg("applet table not sorted at '%s' / '%s'", a->name, a[1].name);
                assert_ptr_equal(applet_find(a->name), a);
        }
}

static void lookups_are_exact(void **state) {
        (void) state;
        assert_null(applet_find(""));
        assert_null(applet_find("nosuch"));
        assert_null(applet_find("m"));
        assert_null(applet_find("measur"));
        assert_null(applet_find("measure2"));
        assert_non_null(applet_find_alias("idblock-generator"));
        assert_null(applet_find_alias("idblock-generato"));
        assert_string_equal(applet_find_alias("config-generator")->prepend, "init");
        assert_string_equal(applet_find_alias("launch-qemu.sh")->applet, "launch");
        assert_string_equal(applet_find_alias("sev-snp-measure")->applet, "measure");
}

/* The meson list of applets (SNPCTL_APPLETS) and the table name the same applets. */
static void table_matches_build(void **state) {
        const char *env = getenv("SNPCTL_APPLETS");
        char buf[1024] = "";
        size_t n = 0;

        (void) state;
        if (!env)
                skip();
        for (const struct applet *a = applet_table; a->name; a++) {
                n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", a->name);
                assert_true(n < sizeof(buf));
        }
        assert_string_equal(buf, env);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(table_sorted_and_complete),
                cmocka_unit_test(lookups_are_exact),
                cmocka_unit_test(table_matches_build),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
