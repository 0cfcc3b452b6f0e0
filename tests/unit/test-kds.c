/* SPDX-License-Identifier: Apache-2.0 */
/* The key server client without a server: the VCEK URL of every real VCEK report agrees with what
 * its VCEK certifies (product, hwID, SPLs: KDS spec 57230, snp-facts B.3.9-10), TCBs that are not
 * of the product's layout are refused, an offline client names what its cache lacks, and KDS's
 * PEM cert_chain splits into its two certificates. tests/cli/test-certs.sh runs the network side
 * against tests/cli/fake-kds.py. */
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include "unit.h"

#include "attest.h"
#include "cleanup.h"
#include "crypto.h"
#include "fileio.h"
#include "hex.h"
#include "kds.h"
#include "report.h"

static const char *testdata(void) {
        const char *t = getenv("SNPCTL_TESTDATA");
        static char path[4096];

        if (!t || !*t)
                return NULL;
        snprintf(path, sizeof(path), "%s/attest", t);
        return access(path, R_OK) == 0 ? path : NULL;
}

/* The URL the certificate itself calls for: its productName, hwID and SPL extensions. */
static void url_of_cert(const struct crypto_cert *c, char *buf, size_t size) {
        static const char *const names[5] = { "fmcSPL", "blSPL", "teeSPL", "snpSPL", "ucodeSPL" };
        static const char *const oids[5] = {
                ATTEST_OID_FMC_SPL, ATTEST_OID_BL_SPL, ATTEST_OID_TEE_SPL, ATTEST_OID_SNP_SPL,
                ATTEST_OID_UCODE_SPL,
        };
        _cleanup_(freep) char *pname = NULL;
        _cleanup_(freep) uint8_t *hwid = NULL;
        char hex[2 * 64 + 1];
        size_t n = 0, len;
        enum snp_generation g;
        bool turin;

        assert_int_equal(crypto_cert_ext_ia5(c, ATTEST_OID_PRODUCT_NAME, &pname), 0);
        g = report_generation_from_name(pname);
        assert_int_not_equal(g, SNP_GEN_UNKNOWN);
        turin = g == SNP_GEN_TURIN;
        assert_int_equal(crypto_cert_ext_raw(c, ATTEST_OID_HWID, &hwid, &n), 0);
        if (n >= 2 && hwid[0] == 0x04 && hwid[1] == n - 2) {
                memmove(hwid, hwid + 2, n - 2);
                n -= 2;
        }
        assert_int_equal(n, turin ? 8 : 64);
        hex_encode_buf(hwid, n, hex);
        len = (size_t) snprintf(buf, size, "/vcek/v1/%s/%s", report_generation_name(g), hex);
        for (size_t i = turin ? 0 : 1; i < 5; i++) {
                uint64_t v;

                assert_int_equal(crypto_cert_ext_uint(c, oids[i], &v), 0);
                len += (size_t) snprintf(buf + len, size - len, "%c%s=%02u",
                                         len && strchr(buf, '?') ? '&' : '?', names[i],
                                         (unsigned) v);
        }
}

static void vcek_urls_of_real_reports(void **state) {
        const char *td = testdata();
        struct dirent **ents = NULL;
        unsigned checked = 0;
        int m;

        (void) state;
        if (!td)
                skip();
        m = scandir(td, &ents, NULL, alphasort);
        assert_true(m > 0);
        for (int i = 0; i < m; i++) {
                _cleanup_(crypto_cert_freep) struct crypto_cert *vcek = NULL;
                _cleanup_(freep) uint8_t *data = NULL;
                _cleanup_(freep) char *url = NULL, *pname = NULL;
                char path[4400], want[512];
                struct snp_report rep;
                size_t size;

                if (!strstr(ents[i]->d_name, "-vcek-")) {
                        free(ents[i]);
                        continue;
                }
                snprintf(path, sizeof(path), "%s/%s/vcek.der", td, ents[i]->d_name);
                if (access(path, R_OK) < 0)
                        snprintf(path, sizeof(path), "%s/%s/vcek.pem", td, ents[i]->d_name);
                assert_int_equal(crypto_cert_load(path, &vcek), 0);
                snprintf(path, sizeof(path), "%s/%s/report.bin", td, ents[i]->d_name);
                free(ents[i]);
                assert_int_equal(fileio_read_full(path, 1 << 16, &data, &size), 0);
                assert_int_equal(report_parse(data, size, &rep, NULL), 0);
                url_of_cert(vcek, want, sizeof(want));
                assert_int_equal(crypto_cert_ext_ia5(vcek, ATTEST_OID_PRODUCT_NAME, &pname), 0);
                assert_int_equal(kds_vcek_path(report_generation_from_name(pname), rep.chip_id,
                                               rep.reported_tcb, &url), 0);
                assert_string_equal(url, want);
                checked++;
        }
        free(ents);
        assert_true(checked >= 40);
}

static void vcek_path_refuses(void **state) {
        uint8_t chip[64] = { 1, 2, 3 };
        char *url = NULL;

        (void) state;
        assert_int_equal(kds_vcek_path(SNP_GEN_UNKNOWN, chip, 0, &url), -EINVAL);
        /* Byte 2 is reserved on Milan/Genoa (snp-facts B.3.3), TEE on Turin. */
        assert_int_equal(kds_vcek_path(SNP_GEN_MILAN, chip, UINT64_C(1) << 16, &url), -EINVAL);
        assert_int_equal(kds_vcek_path(SNP_GEN_TURIN, chip, UINT64_C(1) << 16, &url), 0);
        assert_non_null(strstr(url, "?fmcSPL=00&blSPL=00&teeSPL=01&snpSPL=00&ucodeSPL=00"));
        assert_non_null(strstr(url, "/vcek/v1/Turin/0102030000000000?"));
        free(url);
        /* Byte 6 is reserved on Turin, SNP on Milan. */
        assert_int_equal(kds_vcek_path(SNP_GEN_TURIN, chip, UINT64_C(20) << 48, &url), -EINVAL);
        assert_int_equal(kds_vcek_path(SNP_GEN_GENOA, chip, UINT64_C(20) << 48, &url), 0);
        assert_non_null(strstr(url, "?blSPL=00&teeSPL=00&snpSPL=20&ucodeSPL=00"));
        free(url);
}

static void offline_names_what_is_missing(void **state) {
        char dir[] = "/tmp/snpctl-kds-XXXXXX";
        struct kds_options o = { .url = "http://127.0.0.1:1", .offline = true };
        struct kds *k = NULL;
        uint8_t chip[64] = { 0xab };
        char *path = NULL, *ark = NULL, *ask = NULL, *why = NULL;

        (void) state;
        assert_non_null(mkdtemp(dir));
        o.cache_dir = dir;
        assert_int_equal(kds_new(&o, &k), 0);
        assert_int_equal(kds_vcek(k, SNP_GEN_MILAN, chip, 0, &path, &why), -ENOENT);
        assert_non_null(strstr(why, "VCEK of Milan chip ab00"));
        assert_non_null(strstr(why, "not in the cache"));
        free(why);
        assert_int_equal(kds_chain(k, SNP_GEN_GENOA, true, &ark, &ask, &why), -ENOENT);
        assert_non_null(strstr(why, "ASVK and ARK of Genoa"));
        assert_non_null(strstr(why, "http://127.0.0.1:1/vlek/v1/Genoa/cert_chain"));
        free(why);
        assert_int_equal(kds_crl(k, SNP_GEN_TURIN, false, &path, &why), -ENOENT);
        assert_non_null(strstr(why, "/vcek/v1/Turin/crl"));
        free(why);
        assert_int_equal(kds_requests(k), 0);
        kds_free(k);
        assert_int_equal(rmdir(dir), 0);        /* offline: nothing was made */
}

static void client_options(void **state) {
        struct kds_options o = { .url = "ftp://x" };
        const char *home = getenv("HOME"), *xdg = getenv("XDG_CACHE_HOME");
        _cleanup_(freep) char *h = home ? strdup(home) : NULL, *x = xdg ? strdup(xdg) : NULL;
        struct kds *k = NULL;

        (void) state;
        assert_int_equal(kds_new(&o, &k), -EINVAL);
        o.url = NULL;
        unsetenv("XDG_CACHE_HOME");
        setenv("HOME", "relative", 1);
        assert_int_equal(kds_new(&o, &k), -EINVAL);     /* no absolute folder to name */
        setenv("HOME", "/home/u", 1);
        assert_int_equal(kds_new(&o, &k), 0);
        kds_free(k);
        if (h)
                setenv("HOME", h, 1);
        if (x)
                setenv("XDG_CACHE_HOME", x, 1);
}

static void cert_chain_pem(void **state) {
        const char *td = testdata();
        _cleanup_(freep) uint8_t *ask = NULL, *ark = NULL, *both = NULL;
        struct crypto_cert *c[3] = {};
        char path[4200], cn[64];
        size_t ask_size, ark_size, n = 0;

        (void) state;
        if (!td)
                skip();
        snprintf(path, sizeof(path), "%s/amd-roots/genoa/vcek/ask.pem", td);
        assert_int_equal(fileio_read_full(path, 1 << 16, &ask, &ask_size), 0);
        snprintf(path, sizeof(path), "%s/amd-roots/genoa/vcek/ark.pem", td);
        assert_int_equal(fileio_read_full(path, 1 << 16, &ark, &ark_size), 0);
        both = malloc(ask_size + ark_size);
        assert_non_null(both);
        memcpy(both, ask, ask_size);
        memcpy(both + ask_size, ark, ark_size);
        assert_int_equal(crypto_certs_from_pem(both, ask_size + ark_size, c, 2, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(crypto_cert_subject_cn(c[0], cn, sizeof(cn)), 0);
        assert_string_equal(cn, "SEV-Genoa");
        assert_int_equal(crypto_cert_subject_cn(c[1], cn, sizeof(cn)), 0);
        assert_string_equal(cn, "ARK-Genoa");
        crypto_cert_free(c[0]);
        crypto_cert_free(c[1]);
        /* More than asked for, or not PEM: refused, nothing returned. */
        assert_int_equal(crypto_certs_from_pem(both, ask_size + ark_size, c, 1, &n), -EBADMSG);
        assert_null(c[0]);
        assert_int_equal(crypto_certs_from_pem("\x30\x82\x01", 3, c, 2, &n), -EBADMSG);
        assert_int_equal(crypto_crl_next_update(both, ask_size + ark_size, &(int64_t) { 0 }),
                         -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(vcek_urls_of_real_reports),
                cmocka_unit_test(vcek_path_refuses),
                cmocka_unit_test(offline_names_what_is_missing),
                cmocka_unit_test(client_options),
                cmocka_unit_test(cert_chain_pem),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
