/* SPDX-License-Identifier: Apache-2.0 */
/* The LUKS2 volume an owner prepared, bound by the measured kernel command line (issue 12): a
 * header policy (the ciphers allowed) and a binding, "UUID:HEX", that names the volume key. Read
 * through libcryptsetup only; nothing here parses the on-disk format itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define LUKS_UUID_SIZE 37                       /* 36 characters and a NUL */
#define LUKS_BINDING_HASH_SIZE CRYPTO_SHA256_SIZE
#define LUKS_BINDING_STRING_SIZE (LUKS_UUID_SIZE + 2 * LUKS_BINDING_HASH_SIZE + 1)
#define LUKS_REASON_SIZE 512

/* The one allowed cipher for the data segment and for every keyslot, and its key size. */
#define LUKS_ALLOWED_CIPHER "aes-xts-plain64"
#define LUKS_ALLOWED_KEY_BYTES 64               /* 512 bits: AES-256 in XTS */

/* The domain label that starts the binding's serialization (docs/man/snpctl-disk.1.scd). */
#define LUKS_BINDING_LABEL "snpctl-luks2-binding-v1"

struct luks_binding {
        char uuid[LUKS_UUID_SIZE];
        uint8_t hash[LUKS_BINDING_HASH_SIZE];
};

/* What luks_inspect() found; the binding is set only when the header passed the policy. */
struct luks_info {
        struct luks_binding binding;
        char cipher[64];                        /* the segment's encryption */
        unsigned key_bits;                      /* the volume key */
        unsigned keyslots;
        char reason[LUKS_REASON_SIZE];          /* why it was refused */
        bool not_bound;                         /* refused: it passed the policy, not the binding */
};

/* Parses "UUID:HEX": a UUID in the 8-4-4-4-12 hex form and 64 hex digits. 0 or -EINVAL. */
int luks_binding_parse(const char *s, struct luks_binding *ret);

/* Writes "UUID:HEX" (lowercase hex) into buf, LUKS_BINDING_STRING_SIZE bytes. */
void luks_binding_format(const struct luks_binding *b, char buf[LUKS_BINDING_STRING_SIZE]);

/* Reads the LUKS2 header at path (an image, a device or a header file) and checks the policy.
 * 1 when it passes (ret->binding is its binding), 0 when it is refused (ret->reason says why:
 * not LUKS2, a requirement flag, a cipher outside the allow-list, ...), or a negative errno when
 * it could not be read (-ENOENT, -EIO, -ENOMEM). ret is filled as far as the header was read. */
int luks_inspect(const char *path, struct luks_info *ret);

/* The guest's check. Copies the header of device into header_out (which must not exist; written
 * by libcryptsetup in a private folder beside it, mode 0400, and renamed without replacing), then inspects THAT COPY: 1 when the copy passes the
 * policy and carries the binding want; 0 when refused (ret->reason names it); <0 when the header
 * could not be read or copied (-EEXIST: header_out exists). On 0 and on <0 the copy is removed
 * (an existing header_out is left alone). Open the volume with the copy (--header), never with
 * the device's own header. */
int luks_check_device(const char *device, const struct luks_binding *want, const char *header_out,
                      struct luks_info *ret);

/* ---- making a LUKS2 image (src/luks-encrypt.c) ---- */

#define LUKS_KEY_FILE_SIZE 64                   /* random bytes: the keyslot's pass phrase */

struct luks_encrypt_params {
        const char *in;                 /* the plain image (file or block device), only read */
        uint64_t in_offset;             /* bytes: where the data starts (a partition) */
        uint64_t in_size;               /* bytes, a multiple of 512, > 0 */
        const char *out;                /* the LUKS2 image to make */
        const char *key_file;           /* the pass phrase, 64 random bytes, mode 0600 */
        bool force;                     /* replace an existing out and key_file */
        /* Called after each chunk (may be NULL). */
        void (*progress)(uint64_t done, uint64_t total, void *userdata);
        void *userdata;
};

/* Makes out, a LUKS2 image of in's in_size bytes at in_offset: the header (aes-xts-plain64 with
 * a fresh random 512-bit volume key, 512-byte sectors, data at 16 MiB, one keyslot under the
 * pass phrase: PBKDF2-SHA256 at 1000 iterations, as it is 512 random bits), then the data
 * encrypted as dm-crypt would. The volume key and pass phrase never leave memory except as the
 * key file; both are wiped. out and key_file are written without names and linked in place only
 * when complete and checked (the key file first), so an interrupted run, even by SIGKILL,
 * leaves neither, and in is never written. ret: what luks_inspect() says of out (its binding).
 * -EEXIST (out or key_file exists, without force); -EBUSY (in is in use); -EXDEV (out or
 * key_file is in); -ERANGE (the range is outside in); -EINVAL (sizes); -EOPNOTSUPP (the folder
 * has no O_TMPFILE); -errno, -EIO, -ENOMEM. */
int luks_encrypt_image(const struct luks_encrypt_params *p, struct luks_info *ret);
