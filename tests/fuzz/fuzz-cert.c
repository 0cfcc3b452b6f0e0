/* SPDX-License-Identifier: Apache-2.0 */
/* crypto_cert_from_mem() on any bytes, and on a certificate that loads every reader a verifier
 * uses: the AMD extensions (raw, integer, IA5String), the subject CN, the key checks, the RSA-PSS
 * check against the real Milan ASK, and the report signature check. Oracle: a certificate whose
 * key verifies the real report's signature has a P-384 key that does not verify the report of
 * another chip (not the SubjectPublicKeyInfo's fingerprint: OpenSSL reads the hybrid point
 * form 0x06/0x07 too, which re-encodes differently; regressions/cert/vcek-hybrid-point). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "attest.h"
#include "cleanup.h"
#include "crypto.h"
#include "fuzz.h"
#include "report.h"

#define CASE "attest/oak-milan-vcek-v3-40a2778d/"

#define OTHER "attest/oak-milan-vcek-v2-071c9784/report.bin"

static struct crypto_cert *ask;
static struct snp_report rep, other;

static const char *const oids[] = {
        ATTEST_OID_STRUCT_VERSION, ATTEST_OID_PRODUCT_NAME, ATTEST_OID_BL_SPL,
        ATTEST_OID_TEE_SPL, ATTEST_OID_SNP_SPL, ATTEST_OID_UCODE_SPL, ATTEST_OID_FMC_SPL,
        ATTEST_OID_HWID, ATTEST_OID_CSP_ID,
};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *vcek = NULL;
        _cleanup_(freep) uint8_t *a = NULL, *v = NULL, *r = NULL, *o = NULL;
        size_t na, nv, nr, no;

        (void) argc;
        (void) argv;
        a = fuzz_fixture(CASE "ask.pem", &na);
        v = fuzz_fixture(CASE "vcek.der", &nv);
        r = fuzz_fixture(CASE "report.bin", &nr);
        o = fuzz_fixture(OTHER, &no);
        FUZZ_CHECK(crypto_cert_from_mem(a, na, &ask) == 0);
        FUZZ_CHECK(crypto_cert_from_mem(v, nv, &vcek) == 0);
        FUZZ_CHECK(report_parse(r, nr, &rep, NULL) == 0);
        FUZZ_CHECK(report_parse(o, no, &other, NULL) == 0);
        FUZZ_CHECK(crypto_sev_verify_cert(vcek, rep.raw, SNP_REPORT_SIGNED_SIZE, rep.sig_r,
                                          rep.sig_s) == 0);
        FUZZ_CHECK(crypto_sev_verify_cert(vcek, other.raw, SNP_REPORT_SIGNED_SIZE, other.sig_r,
                                          other.sig_s) < 0);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(crypto_cert_freep) struct crypto_cert *cert = NULL;
        uint8_t key[CRYPTO_SHA256_SIZE];
        char cn[64];

        if (crypto_cert_from_mem(data, size, &cert) < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(oids); i++) {
                _cleanup_(freep) uint8_t *raw = NULL;
                _cleanup_(freep) char *ia5 = NULL;
                size_t n = 0;
                uint64_t u;

                if (crypto_cert_ext_raw(cert, oids[i], &raw, &n) == 0)
                        FUZZ_CHECK(raw != NULL);
                (void) crypto_cert_ext_uint(cert, oids[i], &u);
                if (crypto_cert_ext_ia5(cert, oids[i], &ia5) == 0)
                        FUZZ_CHECK(ia5 != NULL);
        }
        if (crypto_cert_subject_cn(cert, cn, sizeof(cn)) == 0)
                FUZZ_CHECK(memchr(cn, 0, sizeof(cn)) != NULL);
        (void) crypto_cert_pubkey_sha256(cert, key);
        (void) crypto_cert_key_is_p384(cert);
        (void) crypto_cert_issued_by(cert, ask);
        (void) crypto_cert_issued_by(cert, cert);
        (void) crypto_cert_verify_amd_pss(cert, ask);
        (void) crypto_cert_verify_amd_pss(cert, cert);
        if (crypto_cert_verify_amd_pss(ask, cert) == 0)
                FUZZ_CHECK(crypto_cert_issued_by(ask, cert) >= 0);
        if (crypto_sev_verify_cert(cert, rep.raw, SNP_REPORT_SIGNED_SIZE, rep.sig_r,
                                   rep.sig_s) == 0) {
                FUZZ_CHECK(crypto_cert_key_is_p384(cert) == 1);
                FUZZ_CHECK(crypto_sev_verify_cert(cert, other.raw, SNP_REPORT_SIGNED_SIZE,
                                                  other.sig_r, other.sig_s) < 0);
        }
        return 0;
}
