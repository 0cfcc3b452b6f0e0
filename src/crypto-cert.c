/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate part of the OpenSSL door (see crypto.h): loading one X.509 certificate, its
 * names, key and extensions, and the RSASSA-PSS check of AMD's chain. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cleanup.h"
#include "crypto.h"
#include "crypto-private.h"
#include "fileio.h"
#include "log.h"

/* ---- Certificates ---- */

void crypto_cert_free(struct crypto_cert *cert) {
        if (!cert)
                return;
        X509_free(cert->x509);
        free(cert);
}

static bool looks_like_pem(const uint8_t *data, size_t size) {
        static const char tag[] = "-----BEGIN";

        for (size_t i = 0; i + sizeof(tag) - 1 <= size; i++) {
                if (memcmp(data + i, tag, sizeof(tag) - 1) == 0)
                        return true;
                if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
                        return false;
        }
        return false;
}

int crypto_cert_from_mem(const void *data, size_t size, struct crypto_cert **ret) {
        _cleanup_(X509_freep) X509 *x = NULL;
        struct crypto_cert *c;

        if (size == 0 || size > INT32_MAX)
                return -EBADMSG;
        if (looks_like_pem(data, size)) {
                _cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(data, (int) size);
                _cleanup_(X509_freep) X509 *extra = NULL;

                if (!bio)
                        return openssl_error("BIO_new_mem_buf");
                x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
                if (!x) {
                        (void) openssl_error("PEM_read_bio_X509");
                        return -EBADMSG;
                }
                extra = PEM_read_bio_X509(bio, NULL, NULL, NULL);
                ERR_clear_error();      /* the expected "no start line" at the end */
                if (extra) {
                        log_debug("PEM file holds more than one certificate");
                        return -EBADMSG;
                }
        } else {
                const unsigned char *p = data;

                x = d2i_X509(NULL, &p, (long) size);
                if (!x) {
                        (void) openssl_error("d2i_X509");
                        return -EBADMSG;
                }
                if ((size_t) (p - (const unsigned char *) data) != size) {
                        log_debug("DER certificate followed by %zu stray bytes",
                                  size - (size_t) (p - (const unsigned char *) data));
                        return -EBADMSG;
                }
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->x509 = TAKE(x);
        *ret = c;
        return 0;
}

int crypto_cert_load(const char *path, struct crypto_cert **ret) {
        _cleanup_(freep) uint8_t *data = NULL;
        size_t size;
        int r = fileio_read_full(path, 1 << 20, &data, &size);

        if (r < 0)
                return r;
        return crypto_cert_from_mem(data, size, ret);
}

int crypto_cert_pubkey_sha256(const struct crypto_cert *cert, uint8_t out[CRYPTO_SHA256_SIZE]) {
        unsigned char *der = NULL;
        int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert->x509), &der), r;

        if (n <= 0)
                return openssl_error("i2d_X509_PUBKEY");
        r = crypto_sha256(der, (size_t) n, out);
        OPENSSL_free(der);
        return r;
}

int crypto_cert_subject_cn(const struct crypto_cert *cert, char *buf, size_t size) {
        const X509_NAME *name = X509_get_subject_name(cert->x509);
        int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
        const ASN1_STRING *s;
        int len;

        if (i < 0)
                return -ENOENT;
        s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        len = ASN1_STRING_length(s);
        if (len < 0 || (size_t) len >= size)
                return -ENAMETOOLONG;
        memcpy(buf, ASN1_STRING_get0_data(s), (size_t) len);
        buf[len] = '\0';
        if (strlen(buf) != (size_t) len)        /* an embedded NUL */
                return -EBADMSG;
        return 0;
}

int crypto_cert_issued_by(const struct crypto_cert *cert, const struct crypto_cert *issuer) {
        return X509_NAME_cmp(X509_get_issuer_name(cert->x509),
                             X509_get_subject_name(issuer->x509)) == 0;
}

static bool algor_is(const X509_ALGOR *a, int nid) {
        const ASN1_OBJECT *obj;

        if (!a)
                return false;
        X509_ALGOR_get0(&obj, NULL, NULL, a);
        return OBJ_obj2nid(obj) == nid;
}

/* KDS spec 57230: RSASSA-PSS with SHA-384, MGF1 with SHA-384, 48-byte salt, trailer 1. The
 * parameters are checked before X509_verify() (X509_CRL_verify()) so that no other variant is
 * ever accepted. */
bool crypto_algor_is_amd_pss(const X509_ALGOR *alg) {
        _cleanup_(RSA_PSS_PARAMS_freep) RSA_PSS_PARAMS *pss = NULL;
        _cleanup_(X509_ALGOR_freep) X509_ALGOR *mgf_hash = NULL;
        const ASN1_OBJECT *obj;
        const void *pval;
        int ptype;

        if (!alg)
                return false;
        X509_ALGOR_get0(&obj, &ptype, &pval, alg);
        if (OBJ_obj2nid(obj) != NID_rsassaPss || ptype != V_ASN1_SEQUENCE)
                return false;
        pss = ASN1_item_unpack((const ASN1_STRING *) pval, ASN1_ITEM_rptr(RSA_PSS_PARAMS));
        if (!pss)
                return false;
        if (!algor_is(pss->hashAlgorithm, NID_sha384) || !algor_is(pss->maskGenAlgorithm, NID_mgf1))
                return false;
        X509_ALGOR_get0(NULL, &ptype, &pval, pss->maskGenAlgorithm);
        if (ptype != V_ASN1_SEQUENCE)
                return false;
        mgf_hash = ASN1_item_unpack((const ASN1_STRING *) pval, ASN1_ITEM_rptr(X509_ALGOR));
        if (!algor_is(mgf_hash, NID_sha384))
                return false;
        if (!pss->saltLength || ASN1_INTEGER_get(pss->saltLength) != 48)
                return false;
        if (pss->trailerField && ASN1_INTEGER_get(pss->trailerField) != 1)
                return false;
        return true;
}

static bool pss_params_are_amd(const X509 *x) {
        const X509_ALGOR *alg;

        X509_get0_signature(NULL, &alg, x);
        return crypto_algor_is_amd_pss(alg);
}

const X509 *crypto_cert_x509(const struct crypto_cert *cert) {
        return cert->x509;
}

int crypto_cert_verify_amd_pss(const struct crypto_cert *cert, const struct crypto_cert *issuer) {
        EVP_PKEY *key = cert_key(issuer);
        int r;

        if (!key)
                return -EKEYREJECTED;
        if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS")) {
                log_debug("issuer key is not RSA");
                return -EKEYREJECTED;
        }
        if (!pss_params_are_amd(cert->x509)) {
                ERR_clear_error();
                log_debug("signature algorithm is not RSASSA-PSS SHA-384/MGF1-SHA-384/salt 48");
                return -EKEYREJECTED;
        }
        r = X509_verify(cert->x509, key);
        if (r == 1)
                return 0;
        (void) openssl_error("X509_verify");
        return -EKEYREJECTED;           /* 0: bad signature; -1: malformed */
}

int crypto_cert_key_is_p384(const struct crypto_cert *cert) {
        return pkey_is_p384(cert_key(cert));
}

static int find_ext(const X509 *x, const char *oid, const ASN1_OCTET_STRING **ret) {
        _cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
        int i, j;

        if (!obj)
                return openssl_error("OBJ_txt2obj");
        i = X509_get_ext_by_OBJ(x, obj, -1);
        if (i < 0)
                return -ENOENT;
        j = X509_get_ext_by_OBJ(x, obj, i);
        if (j >= 0) {
                log_debug("extension %s appears twice", oid);
                return -EBADMSG;
        }
        *ret = X509_EXTENSION_get_data(X509_get_ext(x, i));
        return *ret ? 0 : -EBADMSG;
}

int crypto_cert_ext_raw(const struct crypto_cert *cert, const char *oid, uint8_t **ret_data,
                        size_t *ret_size) {
        const ASN1_OCTET_STRING *v;
        uint8_t *copy;
        int r = find_ext(cert->x509, oid, &v), n;

        if (r < 0)
                return r;
        n = ASN1_STRING_length(v);
        copy = malloc(n > 0 ? (size_t) n : 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, ASN1_STRING_get0_data(v), (size_t) n);
        *ret_data = copy;
        *ret_size = (size_t) n;
        return 0;
}

/* The extension's value decoded as one DER item of type it, with no bytes left over. */
static int ext_item(const struct crypto_cert *cert, const char *oid, const ASN1_ITEM *it,
                    ASN1_VALUE **ret) {
        const ASN1_OCTET_STRING *v;
        const unsigned char *p;
        ASN1_VALUE *item;
        int r = find_ext(cert->x509, oid, &v);

        if (r < 0)
                return r;
        p = ASN1_STRING_get0_data(v);
        item = ASN1_item_d2i(NULL, &p, ASN1_STRING_length(v), it);
        if (!item || p != ASN1_STRING_get0_data(v) + ASN1_STRING_length(v)) {
                ASN1_item_free(item, it);
                ERR_clear_error();
                return -EBADMSG;
        }
        *ret = item;
        return 0;
}

int crypto_cert_ext_uint(const struct crypto_cert *cert, const char *oid, uint64_t *ret) {
        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *i = NULL;
        uint64_t value;
        int r = ext_item(cert, oid, ASN1_ITEM_rptr(ASN1_INTEGER), (ASN1_VALUE **) &i);

        if (r < 0)
                return r;
        if (ASN1_INTEGER_get_uint64(&value, i) != 1) {
                ERR_clear_error();
                return -EBADMSG;
        }
        *ret = value;
        return 0;
}

int crypto_cert_ext_ia5(const struct crypto_cert *cert, const char *oid, char **ret) {
        _cleanup_(ASN1_IA5STRING_freep) ASN1_IA5STRING *s = NULL;
        char *copy;
        int r = ext_item(cert, oid, ASN1_ITEM_rptr(ASN1_IA5STRING), (ASN1_VALUE **) &s), n;

        if (r < 0)
                return r;
        n = ASN1_STRING_length(s);
        copy = strndup((const char *) ASN1_STRING_get0_data(s), (size_t) n);
        if (!copy)
                return -ENOMEM;
        if (strlen(copy) != (size_t) n) {
                free(copy);
                return -EBADMSG;
        }
        *ret = copy;
        return 0;
}

/* For the KDS cache (kds.c): how long a fetched certificate or CRL stays good, the PEM form
 * of a certificate, and the two-certificate PEM bundle of KDS's cert_chain. */

static int asn1_time_unix(const ASN1_TIME *t, int64_t *ret) {
        struct tm tm;

        if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
                return -EBADMSG;
        *ret = (int64_t) timegm(&tm);
        return 0;
}

int crypto_cert_not_after(const struct crypto_cert *cert, int64_t *ret) {
        return asn1_time_unix(X509_get0_notAfter(cert->x509), ret);
}

int crypto_cert_to_pem(const struct crypto_cert *cert, char **ret_pem, size_t *ret_size) {
        _cleanup_(BIO_freep) BIO *bio = BIO_new(BIO_s_mem());
        const char *p;
        long n;
        char *copy;

        if (!bio || PEM_write_bio_X509(bio, cert->x509) != 1)
                return openssl_error("PEM_write_bio_X509");
        n = BIO_get_mem_data(bio, &p);
        if (n <= 0)
                return openssl_error("BIO_get_mem_data");
        copy = strndup(p, (size_t) n);
        if (!copy)
                return -ENOMEM;
        *ret_pem = copy;
        *ret_size = (size_t) n;
        return 0;
}

int crypto_certs_from_pem(const void *data, size_t size, struct crypto_cert **ret, size_t n,
                          size_t *ret_n) {
        _cleanup_(BIO_freep) BIO *bio = NULL;
        X509 *x;
        size_t got = 0;
        int r = 0;

        if (size == 0 || size > INT32_MAX || !looks_like_pem(data, size))
                return -EBADMSG;
        bio = BIO_new_mem_buf(data, (int) size);
        if (!bio)
                return openssl_error("BIO_new_mem_buf");
        while (r == 0 && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
                if (got == n)
                        r = -EBADMSG;
                else if (!(ret[got] = calloc(1, sizeof(**ret))))
                        r = -ENOMEM;
                if (r < 0)
                        X509_free(x);
                else
                        ret[got++]->x509 = x;
        }
        ERR_clear_error();      /* the expected "no start line" at the end */
        if (r == 0 && got == 0)
                r = -EBADMSG;
        if (r < 0) {
                for (size_t i = 0; i < got; i++) {
                        crypto_cert_free(ret[i]);
                        ret[i] = NULL;
                }
                return r;
        }
        *ret_n = got;
        return 0;
}

int crypto_crl_next_update(const void *data, size_t size, int64_t *ret) {
        X509_CRL *crl = NULL;
        int r;

        if (size == 0 || size > INT32_MAX)
                return -EBADMSG;
        if (looks_like_pem(data, size)) {
                _cleanup_(BIO_freep) BIO *bio = BIO_new_mem_buf(data, (int) size);

                if (!bio)
                        return openssl_error("BIO_new_mem_buf");
                crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        } else {
                const unsigned char *p = data;

                crl = d2i_X509_CRL(NULL, &p, (long) size);
                if (crl && (size_t) (p - (const unsigned char *) data) != size) {
                        X509_CRL_free(crl);
                        crl = NULL;
                }
        }
        if (!crl) {
                (void) openssl_error("reading a CRL");
                return -EBADMSG;
        }
        r = X509_CRL_get0_nextUpdate(crl) ? asn1_time_unix(X509_CRL_get0_nextUpdate(crl), ret) :
                                            -ENOENT;
        X509_CRL_free(crl);
        return r;
}
