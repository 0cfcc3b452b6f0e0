/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cleanup.h"
#include "crl.h"
#include "fileio.h"
#include "log.h"

DEFINE_FREEP(X509_CRL, X509_CRL_free);
DEFINE_FREEP(BIO, BIO_free);
DEFINE_FREEP(BIGNUM, BN_free);

struct crl {
        X509_CRL *crl;
};

static int openssl_debug(const char *what) {
        unsigned long e;
        char buf[256];

        while ((e = ERR_get_error()) != 0) {
                ERR_error_string_n(e, buf, sizeof(buf));
                log_debug("%s: %s", what, buf);
        }
        return -EBADMSG;
}

void crl_free(struct crl *crl) {
        if (!crl)
                return;
        X509_CRL_free(crl->crl);
        free(crl);
}

int crl_from_mem(const void *data, size_t size, struct crl **ret) {
        static const char pem_begin[] = "-----BEGIN X509 CRL-----";
        _cleanup_(X509_CRL_freep) X509_CRL *x = NULL;
        struct crl *c;

        if (size == 0 || size > INT32_MAX)
                return -EBADMSG;
        if (size >= sizeof(pem_begin) - 1 && memmem(data, size, pem_begin, sizeof(pem_begin) - 1)) {
                _cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(data, (int) size);
                _cleanup_(X509_CRL_freep) X509_CRL *extra = NULL;

                if (!bio)
                        return -ENOMEM;
                x = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
                if (!x)
                        return openssl_debug("PEM_read_bio_X509_CRL");
                extra = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
                ERR_clear_error();      /* the expected "no start line" at the end */
                if (extra) {
                        log_debug("PEM file holds more than one CRL");
                        return -EBADMSG;
                }
        } else {
                const unsigned char *p = data;

                x = d2i_X509_CRL(NULL, &p, (long) size);
                if (!x)
                        return openssl_debug("d2i_X509_CRL");
                if ((size_t) (p - (const unsigned char *) data) != size) {
                        log_debug("bytes after the DER CRL");
                        return -EBADMSG;
                }
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->crl = TAKE(x);
        *ret = c;
        return 0;
}

int crl_load(const char *path, struct crl **ret) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t size;
        int r = fileio_read_full(path, CRL_FILE_MAX, &data, &size);

        if (r < 0)
                return r;
        return crl_from_mem(data, size, ret);
}

static int asn1_time_to_time_t(const ASN1_TIME *a, time_t *ret) {
        struct tm tm = {};

        if (!a || ASN1_TIME_to_tm(a, &tm) != 1) {
                ERR_clear_error();
                return -EBADMSG;
        }
        *ret = timegm(&tm);
        return 0;
}

const char *utc_text(time_t t, char buf[static UTC_TEXT_SIZE]) {
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, UTC_TEXT_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, UTC_TEXT_SIZE, "(time %lld)", (long long) t);
        return buf;
}

int cert_dates(const struct crypto_cert *cert, time_t *ret_not_before, time_t *ret_not_after) {
        const X509 *x = crypto_cert_x509(cert);

        if (asn1_time_to_time_t(X509_get0_notBefore(x), ret_not_before) < 0 ||
            asn1_time_to_time_t(X509_get0_notAfter(x), ret_not_after) < 0)
                return -EBADMSG;
        return 0;
}

static void serial_text(const ASN1_INTEGER *serial, char *buf, size_t size) {
        _cleanup_(BN_freep) BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
        char *hex = bn ? BN_bn2hex(bn) : NULL;

        snprintf(buf, size, "0x%s", hex ? hex : "?");
        OPENSSL_free(hex);
        ERR_clear_error();
}

void cert_serial_text(const struct crypto_cert *cert, char *buf, size_t size) {
        serial_text(X509_get0_serialNumber(crypto_cert_x509(cert)), buf, size);
}

int crl_check(const struct crl *crl, const struct crypto_cert *ark, time_t at, char *why,
              size_t why_size) {
        const X509 *x = crypto_cert_x509(ark);
        const X509_ALGOR *alg = NULL;
        const ASN1_BIT_STRING *sig = NULL;
        char t[UTC_TEXT_SIZE];
        EVP_PKEY *key;
        time_t this_update, next_update;

        if (X509_NAME_cmp(X509_CRL_get_issuer(crl->crl), X509_get_subject_name(x)) != 0) {
                snprintf(why, why_size, "its issuer is not the ARK");
                return -EKEYREJECTED;
        }
        X509_CRL_get0_signature(crl->crl, &sig, &alg);
        key = X509_get0_pubkey(x);
        if (!crypto_algor_is_amd_pss(alg) || !key ||
            (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS")) ||
            X509_CRL_verify(crl->crl, key) != 1) {
                ERR_clear_error();
                snprintf(why, why_size, "not signed by the ARK (RSASSA-PSS SHA-384)");
                return -EKEYREJECTED;
        }
        if (asn1_time_to_time_t(X509_CRL_get0_lastUpdate(crl->crl), &this_update) < 0) {
                snprintf(why, why_size, "thisUpdate does not decode");
                return -EKEYREJECTED;
        }
        if (!X509_CRL_get0_nextUpdate(crl->crl) ||
            asn1_time_to_time_t(X509_CRL_get0_nextUpdate(crl->crl), &next_update) < 0) {
                snprintf(why, why_size, "no valid nextUpdate");
                return -ESTALE;
        }
        if (at < this_update) {
                snprintf(why, why_size, "not yet valid (thisUpdate %s)", utc_text(this_update, t));
                return -ESTALE;
        }
        if (at >= next_update) {
                snprintf(why, why_size, "expired (nextUpdate %s)", utc_text(next_update, t));
                return -ESTALE;
        }
        return 0;
}

int crl_lookup(const struct crl *crl, const struct crypto_cert *cert, time_t *ret_when) {
        const ASN1_INTEGER *serial = X509_get0_serialNumber(crypto_cert_x509(cert));
        X509_REVOKED *rev = NULL;
        int r;

        *ret_when = 0;
        /* By serial number alone: AMD's CRL, issued by the ARK, also lists certificates that the
         * ASK or ASVK issued. */
        r = X509_CRL_get0_by_serial(crl->crl, &rev, serial);
        ERR_clear_error();
        if (r != 1 || !rev)
                return 0;       /* 0: not listed; 2: removeFromCRL */
        if (asn1_time_to_time_t(X509_REVOKED_get0_revocationDate(rev), ret_when) < 0)
                *ret_when = 0;
        return 1;
}
