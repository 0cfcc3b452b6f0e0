/* SPDX-License-Identifier: Apache-2.0 */
/* The key server's answers (src/kds.c) and the CRL reader (src/crl.c). The input is one answer:
 *   byte 0: the request: bits 0-1 the item (0 VCEK, 1 cert_chain, 2 CRL, 3 VCEK), bit 2 VLEK,
 *           bits 3-4 the product (Milan, Genoa, Turin, unknown);
 *   byte 1: the HTTP status (0-3: 200, 4: 404, 5: 429, 6: 503, 7: 300 + the byte);
 *   byte 2: Retry-After in seconds (255: none);
 *   the rest: the body.
 * The harness's transport (kds_options.get) gives that answer to kds_vcek(), kds_chain() or
 * kds_crl() of a client with an empty cache of its own and no waiting, for the chip and TCB of a
 * real report of the product. The body also goes to crl_from_mem(), crl_check() and
 * crl_lookup().
 * Oracles: an answer that is not 200 is an error (404 -ENOENT, 429/503 -EBUSY, else -EPROTO); a
 * failure names why and leaves no file in the cache but crl.absent; a success caches what was
 * answered (the bytes of the VCEK or CRL; the chain's two certificates in order) and an offline
 * client then finds it exactly when it is still current; no CRL verifies under the real Milan
 * ARK (AMD never signed one of these), and one that verifies under the harness's test ARK
 * revokes what the one it signed does: the real Milan ASK (serial 0x010001), not the VCEK. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "crl.h"
#include "crypto.h"
#include "fileio.h"
#include "fuzz.h"
#include "kds.h"
#include "report.h"

/* RSA-4096, self-signed with RSASSA-PSS SHA-384 (openssl req -x509 -newkey rsa:4096 ...). It
 * signed corpus/kds/crl-test-ark (openssl ca -gencrl, RSASSA-PSS SHA-384, salt 48; thisUpdate
 * 2026-01-01, nextUpdate 2036-01-01), which revokes serial 010001; its key was thrown away. */
static const char test_ark_pem[] =
        "-----BEGIN CERTIFICATE-----\n"
        "MIIGSTCCA/2gAwIBAgIUJ3IBKK4Zqv7HIM4hQfsLMIxdhDEwQQYJKoZIhvcNAQEK\n"
        "MDSgDzANBglghkgBZQMEAgIFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgIF\n"
        "AKIDAgEwMH8xFDASBgNVBAsMC0VuZ2luZWVyaW5nMQswCQYDVQQGEwJVUzEUMBIG\n"
        "A1UEBwwLU2FudGEgQ2xhcmExCzAJBgNVBAgMAkNBMRkwFwYDVQQKDBBzbnBjdGwg\n"
        "ZnV6eiB0ZXN0MRwwGgYDVQQDDBNBUkstTWlsYW4tZnV6ei10ZXN0MCAXDTI2MTEz\n"
        "MDAzMzkyOVoYDzIxMjYxMTA2MDMzOTI5WjB/MRQwEgYDVQQLDAtFbmdpbmVlcmlu\n"
        "ZzELMAkGA1UEBhMCVVMxFDASBgNVBAcMC1NhbnRhIENsYXJhMQswCQYDVQQIDAJD\n"
        "QTEZMBcGA1UECgwQc25wY3RsIGZ1enogdGVzdDEcMBoGA1UEAwwTQVJLLU1pbGFu\n"
        "LWZ1enotdGVzdDCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBALFzShEt\n"
        "RHPdgEEmQLVhy4LM2zLj4cAWTQI72OMqrklyUr7tMzBzTxrmG+cSJ+A2LoQGS4dH\n"
        "bZdgvCcdda3TDccbnhkhB0dkv7cGoZd6rvT5y3+uQa5EifUmcpDEDv7gWFC2afR2\n"
        "ou8YmtW5upEJ6fyRLyKstIfEW867q609d/PYfYJm+I/l5a6JTj0GNtwtz6kaMC8X\n"
        "C1GsSMGxFkKnjoddnxN76QKHWrduD3pJVHa6Sp3SOu29PM3oQtkXQ9YJ3H5P6pCz\n"
        "7iP2zzS3B/BH4ZtdruUBeZvn+qbLwrFzxodT1ihADVqkmf8qtNnPHPW8YyZnx8ZZ\n"
        "sBQY2ZHbyCqOtjQlUuVKWzFCrK0xLP/xO2Ay7ggsE4x0s/Up7fnboMRI5EPcZ6wh\n"
        "lUozCp6Ea++3EUQnXMRhPf0R/iVBuVjvjHBBFOy+5VRxyVKmJKbGeAn81U6CNXpL\n"
        "NyunsKxo+B5hz5L/dJXDhQR8P0jmwqB2hTeXQoZuXeo4KzBhGx+ID8qTe/YDU1IU\n"
        "2QGnc8XddiOemvovBQQzkszWOmFbiZsfuZf6F7MyoghMXW5s2wo6INxz3zOlpqee\n"
        "niOWP5EWHa2coTYd8SE+ZLTNj9d0rZCArdeEaXcniymFaIEf7XFhuLBS2n3gGCFT\n"
        "ehEybgQUNYuKqSiyM8yDf3kpq1I9XezGwgStAgMBAAGjUzBRMB0GA1UdDgQWBBSs\n"
        "jFdW7qYQN12HQzKygdz0R4lT4zAfBgNVHSMEGDAWgBSsjFdW7qYQN12HQzKygdz0\n"
        "R4lT4zAPBgNVHRMBAf8EBTADAQH/MEEGCSqGSIb3DQEBCjA0oA8wDQYJYIZIAWUD\n"
        "BAICBQChHDAaBgkqhkiG9w0BAQgwDQYJYIZIAWUDBAICBQCiAwIBMAOCAgEAAGBJ\n"
        "ozTGGu+sB6L/uqBNg6CwNFnXA5JXYbSra0HojTh7IYyzFCbbkTCHsnfS7VE748q8\n"
        "h8Yenp+o/7kdCBt1w3WNshOya5tbWCnDc25eDCrBp0PliwZPGi3XWuKxoQ61PZ2V\n"
        "QgZSmMJJnCr0XGg9HaFc0Yg1xlU5IpB96OnF9oCkSYe9Jn6IvL6RR8/E5M1mDKNo\n"
        "nAVyuCkXDsdv/uBvvOXxUEESDb+zZGL7ZMUItBK5ekkOt/4yQ752OcjDqWVlqmcM\n"
        "eFJgfEt0HdSVBfc8GazNzW/gnNiCj7BlS3wvxrWkThjvfShA2vIdk2GYFZ31amxU\n"
        "mvAC8e2uITG55dHqQTgGUaxL+RhR/wtyi1zdrGpoYUXFH8WYAiDN/rWGNegJxtkY\n"
        "aDrP5w6kRKEKUwH2VWwbropt/Aqskb79lkON3deJU6a/+Co9VtrXl84osDqlS4CC\n"
        "0uDVghQZx7mgt9S2e1f6JAdDarGnlcnWMFRjXG3rGL75y/ldUW72Y3H2wd/LN2DT\n"
        "zsO2VTsh+NakfZ4DEpwXddQ7vcQ9myhy07TrWn6zioutG9wt3wBfKePLaiR09qDe\n"
        "580pHDUn9C3LzqEYSpxQYZyeJ0ART0hpcUiIcTbO4dU9eXbTTbz5XAQpeI1PWh2c\n"
        "hapuDALC0LF3JAdlFGQHbEQC4+x9GTkxWrKGMpk=\n"
        "-----END CERTIFICATE-----\n"
        ;

#define AT ((time_t) 1780272000)        /* 2026-06-01, within the test CRL's dates */

static const char *const cases[3] = {
        "attest/oak-milan-vcek-v3-40a2778d/",
        "attest/oak-genoa-vcek-v5-6d1ceffa/",
        "attest/oak-turin-vcek-v5-3f44a09b/",
};
static struct snp_report reports[3];
static struct crypto_cert *test_ark, *real_ark, *real_ask, *real_vcek;
/* In /dev/shm where there is one: the cache's atomic writes sync each file, which costs a disk
 * flush per input elsewhere. */
static char cache[64];

struct answer {
        long status, retry_after;
        const uint8_t *body;
        size_t size;
};

static int fake_get(void *ctx, const char *url, size_t max_resp, unsigned connect_timeout_s,
                    unsigned timeout_s, long *ret_status, long *ret_retry_after,
                    uint8_t **ret_data, size_t *ret_size) {
        const struct answer *a = ctx;

        (void) url;
        (void) connect_timeout_s;
        (void) timeout_s;
        if (a->size > max_resp)
                return -EFBIG;
        *ret_data = malloc(a->size + 1);
        if (!*ret_data)
                return -ENOMEM;
        memcpy(*ret_data, a->body, a->size);
        (*ret_data)[a->size] = 0;
        *ret_size = a->size;
        *ret_status = a->status;
        *ret_retry_after = a->retry_after;
        return 0;
}

static struct crypto_cert *cert_fixture(const char *rel) {
        struct crypto_cert *c = NULL;
        char path[PATH_MAX];

        fuzz_fixture_path(rel, path);
        FUZZ_CHECK(crypto_cert_load(path, &c) == 0);
        return c;
}

static void cleanup_cache(void) {
        (void) rmdir(cache);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        for (size_t i = 0; i < 3; i++) {
                _cleanup_(freep) char *rel = NULL;
                _cleanup_(freep) uint8_t *r = NULL;
                size_t n;

                FUZZ_CHECK(asprintf(&rel, "%sreport.bin", cases[i]) > 0);
                r = fuzz_fixture(rel, &n);
                FUZZ_CHECK(report_parse(r, n, &reports[i], NULL) == 0);
        }
        FUZZ_CHECK(crypto_cert_from_mem(test_ark_pem, sizeof(test_ark_pem) - 1, &test_ark) == 0);
        real_ark = cert_fixture("attest/oak-milan-vcek-v3-40a2778d/ark.pem");
        real_ask = cert_fixture("attest/oak-milan-vcek-v3-40a2778d/ask.pem");
        real_vcek = cert_fixture("attest/oak-milan-vcek-v3-40a2778d/vcek.der");
        snprintf(cache, sizeof(cache), "/dev/shm/snpctl-fuzz-kds-XXXXXX");
        if (!mkdtemp(cache)) {
                snprintf(cache, sizeof(cache), "/tmp/snpctl-fuzz-kds-XXXXXX");
                FUZZ_CHECK(mkdtemp(cache) != NULL);
        }
        atexit(cleanup_cache);
        return 0;
}

static size_t n_files;

static int count_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        const char *base = path + ftw->base;

        (void) st;
        if (type == FTW_F && strcmp(base, "crl.absent") != 0)
                n_files++;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st;
        if (ftw->level > 0)
                FUZZ_CHECK((type == FTW_DP ? rmdir(path) : unlink(path)) == 0);
        return 0;
}

/* Regular files in the cache, crl.absent not counted. */
static size_t cached_files(void) {
        n_files = 0;
        FUZZ_CHECK(nftw(cache, count_file, 16, FTW_PHYS) == 0);
        return n_files;
}

static bool same_bytes(const char *path, const uint8_t *data, size_t size) {
        _cleanup_(freep) uint8_t *got = NULL;
        size_t n;

        return fileio_read_full(path, KDS_MAX_BODY, &got, &n) == 0 && n == size &&
               memcmp(got, data, size) == 0;
}

static bool same_cert(const char *path, const struct crypto_cert *want) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *got = NULL;
        _cleanup_(freep) char *a = NULL, *b = NULL;
        size_t na, nb;

        return crypto_cert_load(path, &got) == 0 && crypto_cert_to_pem(got, &a, &na) == 0 &&
               crypto_cert_to_pem(want, &b, &nb) == 0 && na == nb && memcmp(a, b, na) == 0;
}

/* The CRL reader on any bytes, with the oracles on signatures and contents. */
static void check_crl(const uint8_t *data, size_t size) {
        _cleanup_(crl_freep) struct crl *crl = NULL;
        char why[256];
        time_t when;

        if (crl_from_mem(data, size, &crl) < 0)
                return;
        FUZZ_CHECK(crl_check(crl, real_ark, AT, why, sizeof(why)) < 0);
        FUZZ_CHECK(memchr(why, 0, sizeof(why)) != NULL);
        if (crl_check(crl, test_ark, AT, why, sizeof(why)) == 0) {
                FUZZ_CHECK(crl_lookup(crl, real_ask, &when) == 1);
                FUZZ_CHECK(crl_lookup(crl, real_vcek, &when) == 0);
        } else {
                (void) crl_lookup(crl, real_ask, &when);
                (void) crl_lookup(crl, real_vcek, &when);
        }
}

static int request(struct kds *k, unsigned item, enum snp_generation product, bool vlek,
                   char **ret_a, char **ret_b, char **ret_why) {
        const struct snp_report *rep = &reports[product >= SNP_GEN_MILAN &&
                                                product <= SNP_GEN_TURIN ? product - 1 : 0];

        *ret_b = NULL;
        switch (item) {
        case 1:
                return kds_chain(k, product, vlek, ret_a, ret_b, ret_why);
        case 2:
                return kds_crl(k, product, vlek, ret_a, ret_why);
        default:
                return kds_vcek(k, product, rep->chip_id, rep->reported_tcb, ret_a, ret_why);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const enum snp_generation products[4] = {
                SNP_GEN_MILAN, SNP_GEN_GENOA, SNP_GEN_TURIN, SNP_GEN_UNKNOWN,
        };
        _cleanup_(kds_freep) struct kds *k = NULL, *offline = NULL;
        _cleanup_(freep) char *a = NULL, *b = NULL, *why = NULL;
        _cleanup_(freep) char *a2 = NULL, *b2 = NULL, *why2 = NULL;
        struct answer ans;
        struct kds_options o = { .cache_dir = cache, .get = fake_get, .get_ctx = &ans };
        enum snp_generation product;
        unsigned item;
        bool vlek;
        int r, r2;

        if (size < 3)
                return 0;
        item = data[0] & 3;
        vlek = data[0] & 4;
        product = products[(data[0] >> 3) & 3];
        switch (data[1] & 7) {
        case 4: ans.status = 404; break;
        case 5: ans.status = 429; break;
        case 6: ans.status = 503; break;
        case 7: ans.status = 300 + data[1]; break;
        default: ans.status = 200; break;
        }
        ans.retry_after = data[2] == 255 ? -1 : data[2];
        ans.body = data + 3;
        ans.size = size - 3;
        check_crl(ans.body, ans.size);

        FUZZ_CHECK(kds_new(&o, &k) == 0);
        r = request(k, item, product, vlek, &a, &b, &why);
        if (r < 0) {
                FUZZ_CHECK(r == -ENOMEM || why != NULL);
                FUZZ_CHECK(cached_files() == 0);
                if (product == SNP_GEN_UNKNOWN)
                        FUZZ_CHECK(r == -EINVAL);
                else if (ans.status == 404)
                        FUZZ_CHECK(r == -ENOENT);
                else if (ans.status == 429 || ans.status == 503)
                        FUZZ_CHECK(r == -EBUSY);
                else
                        FUZZ_CHECK(r == -EPROTO || r == -EINVAL);
                goto out;
        }
        FUZZ_CHECK(r == 0 && ans.status == 200 && product != SNP_GEN_UNKNOWN);
        FUZZ_CHECK(kds_requests(k) == 1);

        /* What an offline client finds in the cache afterwards. */
        o.offline = true;
        FUZZ_CHECK(kds_new(&o, &offline) == 0);
        r2 = request(offline, item, product, vlek, &a2, &b2, &why2);
        FUZZ_CHECK(kds_requests(offline) == 0);
        if (item == 1) {
                struct crypto_cert *certs[2] = {};
                int64_t now = (int64_t) time(NULL), na0, na1;
                size_t n = 0;

                FUZZ_CHECK(crypto_certs_from_pem(ans.body, ans.size, certs, 2, &n) == 0 && n == 2);
                FUZZ_CHECK(same_cert(b, certs[0]) && same_cert(a, certs[1]));
                FUZZ_CHECK(cached_files() == 2);
                if (crypto_cert_not_after(certs[0], &na0) == 0 &&
                    crypto_cert_not_after(certs[1], &na1) == 0 && na0 > now && na1 > now)
                        FUZZ_CHECK(r2 == 0 && strcmp(a, a2) == 0 && strcmp(b, b2) == 0);
                else
                        FUZZ_CHECK(r2 == -ENOENT);
                crypto_cert_free(certs[0]);
                crypto_cert_free(certs[1]);
        } else if (item == 2) {
                int64_t next;

                FUZZ_CHECK(same_bytes(a, ans.body, ans.size));
                FUZZ_CHECK(cached_files() == 1);
                FUZZ_CHECK(crypto_crl_next_update(ans.body, ans.size, &next) == 0);
                FUZZ_CHECK((r2 == 0) == (next > (int64_t) time(NULL)));
        } else {
                /* Filed under the chip and TCB it certifies: the asked one, or another one,
                 * which an offline client asking for this chip does not find. */
                FUZZ_CHECK(same_bytes(a, ans.body, ans.size));
                FUZZ_CHECK(cached_files() == 1);
                FUZZ_CHECK(r2 == 0 ? strcmp(a, a2) == 0 : r2 == -ENOENT);
        }
out:
        FUZZ_CHECK(nftw(cache, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
        return 0;
}
