/* SPDX-License-Identifier: Apache-2.0 */
/* Revocation and validity dates of AMD's chain. AMD's key server publishes one certificate
 * revocation list per product and chain (/vcek/v1/{product}/crl, /vlek/v1/{product}/crl; DER),
 * signed by the ARK with RSASSA-PSS SHA-384 (snp-facts B.3.9-3.10). A CRL is used only when the
 * ARK signed it, names the ARK as issuer and is current (thisUpdate <= time < nextUpdate). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cleanup.h"
#include "crypto.h"

struct crl;

/* A CRL file's size at most: AMD's list a few KiB. */
#define CRL_FILE_MAX (1 << 20)

/* Loads one CRL from a DER or PEM (exactly one X509 CRL block) file, or from memory. -errno of
 * reading; -EBADMSG when the bytes are not exactly one CRL. */
int crl_load(const char *path, struct crl **ret);
int crl_from_mem(const void *data, size_t size, struct crl **ret);
void crl_free(struct crl *crl);
DEFINE_FREEP(struct crl, crl_free);

/* Whether the CRL may be used for the chain rooted at ark, at time at: its issuer name is the
 * ARK's subject, the ARK's key signed it (RSASSA-PSS SHA-384, MGF1-SHA-384, salt 48), and
 * thisUpdate <= at < nextUpdate (a CRL without nextUpdate is not used). 0: usable.
 * -EKEYREJECTED: issuer or signature wrong; -ESTALE: expired or not yet valid; in both cases why
 * (why_size bytes) says which, with the date. */
int crl_check(const struct crl *crl, const struct crypto_cert *ark, time_t at, char *why,
              size_t why_size);

/* 1 when the CRL lists cert's serial number (revocation date in *ret_when, 0 when unreadable),
 * 0 when it does not. An entry whose reason is removeFromCRL does not count. */
int crl_lookup(const struct crl *crl, const struct crypto_cert *cert, time_t *ret_when);

/* The certificate's notBefore and notAfter. 0; -EBADMSG when a date does not decode. */
int cert_dates(const struct crypto_cert *cert, time_t *ret_not_before, time_t *ret_not_after);

/* The certificate's serial number in hex ("0x..."; cut to size). */
void cert_serial_text(const struct crypto_cert *cert, char *buf, size_t size);

/* t as "2025-04-01T12:00:00Z" (buf of at least 21 bytes). */
#define UTC_TEXT_SIZE 21
const char *utc_text(time_t t, char buf[static UTC_TEXT_SIZE]);
