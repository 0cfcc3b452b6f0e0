/* SPDX-License-Identifier: Apache-2.0 */
/* What the crypto module's files share (src/crypto*.c): one set of OpenSSL cleanup helpers, the
 * error-queue drain and the certificate struct. Not installed, not for other modules. The helpers
 * are static inline so that each file calls them by their short names. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cleanup.h"
#include "crypto.h"
#include "log.h"

/* The cleanup helpers of every OpenSSL type used here (cleanup.h), one set for the module. */
DEFINE_FREEP(ASN1_IA5STRING, ASN1_IA5STRING_free);
DEFINE_FREEP(ASN1_INTEGER, ASN1_INTEGER_free);
DEFINE_FREEP(ASN1_OBJECT, ASN1_OBJECT_free);
DEFINE_FREEP(BIGNUM, BN_free);
DEFINE_FREEP(BIO, BIO_free);
DEFINE_FREEP(ECDSA_SIG, ECDSA_SIG_free);
DEFINE_FREEP(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
DEFINE_FREEP(EVP_KDF, EVP_KDF_free);
DEFINE_FREEP(EVP_KDF_CTX, EVP_KDF_CTX_free);
DEFINE_FREEP(EVP_MD_CTX, EVP_MD_CTX_free);
DEFINE_FREEP(EVP_PKEY, EVP_PKEY_free);
DEFINE_FREEP(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
DEFINE_FREEP(RSA_PSS_PARAMS, RSA_PSS_PARAMS_free);
DEFINE_FREEP(X509, X509_free);
DEFINE_FREEP(X509_ALGOR, X509_ALGOR_free);
DEFINE_FREEP(unsigned char, OPENSSL_free);

/* Drains the whole OpenSSL error queue to the debug log (not only the first error). */
static inline int openssl_error(const char *what) {
        unsigned long e;
        char buf[256];

        while ((e = ERR_get_error()) != 0) {
                ERR_error_string_n(e, buf, sizeof(buf));
                log_debug("%s: %s", what, buf);
        }
        return -EIO;
}

/* An EC key on the named curve P-384 (certificates and keys); explicit curve parameters are not
 * accepted. */
static inline bool pkey_is_p384(const EVP_PKEY *pkey) {
        char group[64];
        size_t len;

        if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
                return false;
        if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) {
                (void) openssl_error("EVP_PKEY_get_group_name");
                return false;
        }
        return strcasecmp(group, "secp384r1") == 0 || strcasecmp(group, "P-384") == 0;
}

/* ---- Certificates (crypto-cert.c; the SEV verifier of crypto.c reads their keys) ---- */

struct crypto_cert {
        X509 *x509;
};

/* The certificate's public key, owned by the certificate; NULL when OpenSSL cannot decode it. */
static inline EVP_PKEY *cert_key(const struct crypto_cert *cert) {
        EVP_PKEY *key = X509_get0_pubkey(cert->x509);

        if (!key)
                (void) openssl_error("X509_get0_pubkey");
        return key;
}
