/* SPDX-License-Identifier: Apache-2.0 */
/* The bound LUKS2 volume (issue 12). The VM host supplies the disk: it can attach a LUKS2 volume
 * of its own at root=, or edit the owner's metadata (cipher_null segments or keyslots open with
 * any key and keep the data in clear: the CVE-2025-59054 / CVE-2025-58356 class of malleable
 * LUKS2 metadata). So the guest opens only the volume the measured kernel command line names,
 * and only a header inside a short cipher allow-list.
 *
 * Everything is read with libcryptsetup (crypt_load, crypt_dump_json and the getters); the JSON
 * text crypt_dump_json() gives is read with json-c, as libcryptsetup validated it on loading.
 * Nothing here parses the binary header. Library code: debug logging only. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libcryptsetup.h>

#include "cleanup.h"
#include "crypto.h"
#include "cryptsetup-private.h"
#include "hex.h"
#include "log.h"
#include "luks.h"
#include "output.h"

/* LUKS2's smallest metadata: two copies of a 16 KiB binary header and JSON area. */
#define LUKS2_MIN_METADATA (2 * 16384)

__attribute__((format(printf, 2, 3)))
static int refuse(struct luks_info *info, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(info->reason, sizeof(info->reason), fmt, ap);
        va_end(ap);
        return 0;
}

static bool is_uuid(const char *s) {
        static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

        if (strlen(s) != sizeof(shape) - 1)
                return false;
        for (size_t i = 0; shape[i]; i++)
                if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char) s[i]))
                        return false;
        return true;
}

int luks_binding_parse(const char *s, struct luks_binding *ret) {
        struct luks_binding b;
        const char *colon = strchr(s, ':');

        memset(&b, 0, sizeof(b));
        if (!colon || (size_t) (colon - s) != LUKS_UUID_SIZE - 1)
                return -EINVAL;
        memcpy(b.uuid, s, LUKS_UUID_SIZE - 1);
        if (!is_uuid(b.uuid) || strlen(colon + 1) != 2 * LUKS_BINDING_HASH_SIZE ||
            hex_decode_exact(colon + 1, b.hash, sizeof(b.hash)) < 0)
                return -EINVAL;
        *ret = b;
        return 0;
}

void luks_binding_format(const struct luks_binding *b, char buf[LUKS_BINDING_STRING_SIZE]) {
        memcpy(buf, b->uuid, LUKS_UUID_SIZE - 1);
        buf[LUKS_UUID_SIZE - 1] = ':';
        hex_encode_buf(b->hash, sizeof(b->hash), buf + LUKS_UUID_SIZE);
}

/* ---- reading crypt_dump_json()'s text ---- */

/* The member key of obj as a string without control characters (so the serialization below,
 * one "name=value" line per field, stays unambiguous), else NULL. */
static const char *get_str(struct json_object *obj, const char *key) {
        struct json_object *v;
        const char *s;

        if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        s = json_object_get_string(v);
        if ((size_t) json_object_get_string_len(v) != strlen(s))
                return NULL;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return NULL;
        return s;
}

static bool get_int(struct json_object *obj, const char *key, int64_t *ret) {
        struct json_object *v;

        if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        errno = 0;
        *ret = json_object_get_int64(v);
        return errno == 0 && *ret >= 0;
}

/* The single member of an object: its key and value; false when there are 0 or 2+. */
static bool only_member(struct json_object *obj, const char **ret_key, struct json_object **ret_val) {
        if (!json_object_is_type(obj, json_type_object) || json_object_object_length(obj) != 1)
                return false;
        json_object_object_foreach(obj, k, v) {
                *ret_key = k;
                *ret_val = v;
        }
        return true;
}

/* A segment of a plain, fully encrypted LUKS2 volume has exactly these members. "integrity"
 * (dm-integrity/AEAD) and "flags" (reencryption backup segments) are refused: the first brings a
 * second key and journal we do not vet, the second only appears mid-reencryption. */
static const char *const segment_members[] = {
        "type", "offset", "size", "iv_tweak", "encryption", "sector_size",
};
static const char *const digest_members[] = {
        "type", "keyslots", "segments", "hash", "iterations", "salt", "digest",
};

static const char *unknown_member(struct json_object *obj, const char *const *known, size_t n) {
        json_object_object_foreach(obj, k, v) {
                bool found = false;

                (void) v;
                for (size_t i = 0; i < n && !found; i++)
                        found = strcmp(k, known[i]) == 0;
                if (!found)
                        return k;
        }
        return NULL;
}

/* ---- the policy and the binding ---- */

static bool cipher_allowed(const char *cipher, size_t key_bytes) {
        return cipher && strcmp(cipher, LUKS_ALLOWED_CIPHER) == 0 &&
               key_bytes == LUKS_ALLOWED_KEY_BYTES;
}

/* The keyslots: every one is a "luks2" keyslot whose area is encrypted with the allowed cipher,
 * holding a volume key of the allowed size. Keyslots are not bound (the owner adds and rotates
 * pass phrases), so a host may add its own; it still cannot open the volume, as its keyslot must
 * yield a key matching the bound digest. This check keeps cipher_null keyslots out all the same
 * (defense in depth, and the CVE class's exact shape). */
static int check_keyslots(struct crypt_device *cd, struct json_object *keyslots,
                          struct luks_info *info) {
        int max = crypt_keyslot_max(CRYPT_LUKS2);
        unsigned active = 0, listed = 0;

        if (!json_object_is_type(keyslots, json_type_object))
                return refuse(info, "the header has no keyslots object");
        json_object_object_foreach(keyslots, id, ks) {
                const char *type = get_str(ks, "type"), *enc;
                char *end;
                long n;
                size_t area_bytes = 0;
                int vk_bytes;

                errno = 0;
                n = strtol(id, &end, 10);
                if (errno != 0 || *end || end == id || n < 0 || n >= max)
                        return refuse(info, "keyslot '%s' has a bad number", id);
                if (!type || strcmp(type, "luks2") != 0)
                        return refuse(info, "keyslot %ld is of type %s, not luks2", n,
                                      type ? type : "(none)");
                enc = crypt_keyslot_get_encryption(cd, (int) n, &area_bytes);
                if (!cipher_allowed(enc, area_bytes))
                        return refuse(info, "keyslot %ld uses %s with a %zu-bit key, not in the "
                                      "allow-list (%s, %d-bit key)", n, enc ? enc : "(unknown)",
                                      area_bytes * 8, LUKS_ALLOWED_CIPHER,
                                      LUKS_ALLOWED_KEY_BYTES * 8);
                vk_bytes = crypt_keyslot_get_key_size(cd, (int) n);
                if (vk_bytes != LUKS_ALLOWED_KEY_BYTES)
                        return refuse(info, "keyslot %ld holds a %d-bit volume key, not %d bits",
                                      n, vk_bytes * 8, LUKS_ALLOWED_KEY_BYTES * 8);
                listed++;
        }
        for (int i = 0; i < max; i++) {
                crypt_keyslot_info s = crypt_keyslot_status(cd, i);

                if (s == CRYPT_SLOT_INVALID)
                        return refuse(info, "keyslot %d is invalid", i);
                if (s != CRYPT_SLOT_INACTIVE)
                        active++;
        }
        if (active != listed)
                return refuse(info, "libcryptsetup counts %u keyslots, the metadata lists %u",
                              active, listed);
        if (listed == 0)
                return refuse(info, "the header has no keyslot");
        info->keyslots = listed;
        return 1;
}

/* The binding: SHA-256 over this text, every line ending in "\n", in this order:
 *
 *     snpctl-luks2-binding-v1
 *     uuid=<the header's UUID>
 *     segment.type=crypt
 *     segment.offset=<JSON string>        bytes, as in the metadata
 *     segment.size=<JSON string>          "dynamic" or bytes
 *     segment.iv_tweak=<JSON string>
 *     segment.encryption=<JSON string>
 *     segment.sector_size=<decimal>
 *     digest.type=pbkdf2
 *     digest.hash=<JSON string>
 *     digest.iterations=<decimal>
 *     digest.salt=<JSON string>           base64, as in the metadata
 *     digest.digest=<JSON string>         base64, as in the metadata
 *
 * Values are the metadata's own strings, never re-encoded; none may hold a control character, so
 * no value can carry a line of its own. Keyslots are left out: the owner may add or rotate pass
 * phrases without re-binding.
 *
 * Why this names the volume key: the digest is PBKDF2(hash, volume key, salt, iterations), and
 * cryptsetup activates the segment only with a key that reproduces it (whatever keyslot or pass
 * phrase yielded the key). A header carrying the owner's digest therefore opens with the owner's
 * volume key alone, and with the owner's cipher, offset and sector size; a host volume, made with
 * a key the host knows, has another digest (the same UUID forced with --uuid does not help), and
 * the owner's header cannot be made to open with a key the host knows without a PBKDF2 preimage.
 * The volume key size is pinned to 64 bytes by the policy, which also closes HMAC's zero-padding
 * of shorter keys. What the binding does not give: freshness (an older copy of the owner's own
 * volume binds the same), and the data area itself (a foreign data area under the owner's header
 * decrypts to noise and fails to mount). */
static int binding_compute(const char *uuid, struct json_object *seg, struct json_object *dig,
                           struct luks_info *info) {
        _cleanup_(freep) char *text = NULL;
        const char *offset = get_str(seg, "offset"), *size = get_str(seg, "size"),
                   *iv_tweak = get_str(seg, "iv_tweak"), *enc = get_str(seg, "encryption"),
                   *hash = get_str(dig, "hash"), *salt = get_str(dig, "salt"),
                   *digest = get_str(dig, "digest");
        int64_t sector_size, iterations;
        int n;

        if (!offset || !size || !iv_tweak || !enc || !get_int(seg, "sector_size", &sector_size))
                return refuse(info, "segment 0 lacks offset, size, iv_tweak, encryption or "
                              "sector_size, or one is malformed");
        if (!hash || !salt || !digest || !get_int(dig, "iterations", &iterations))
                return refuse(info, "the digest lacks hash, iterations, salt or digest, or one "
                              "is malformed");
        n = asprintf(&text, LUKS_BINDING_LABEL "\nuuid=%s\n"
                     "segment.type=crypt\nsegment.offset=%s\nsegment.size=%s\n"
                     "segment.iv_tweak=%s\nsegment.encryption=%s\nsegment.sector_size=%lld\n"
                     "digest.type=pbkdf2\ndigest.hash=%s\ndigest.iterations=%lld\n"
                     "digest.salt=%s\ndigest.digest=%s\n",
                     uuid, offset, size, iv_tweak, enc, (long long) sector_size, hash,
                     (long long) iterations, salt, digest);
        if (n < 0) {
                text = NULL;
                return -ENOMEM;
        }
        log_debug("binding text:\n%s", text);
        if (crypto_sha256(text, (size_t) n, info->binding.hash) < 0)
                return -EIO;
        snprintf(info->binding.uuid, sizeof(info->binding.uuid), "%s", uuid);
        return 1;
}

/* 1 passes, 0 refused, <0 error; cd has the header loaded. */
static int check_loaded(struct crypt_device *cd, struct luks_info *info) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        struct json_object *segments, *digests, *keyslots, *seg, *dig, *list, *el;
        const char *json = NULL, *seg_id, *dig_id, *type, *enc, *uuid;
        uint32_t req = 0;
        int r, vk;

        if (strcmp(crypt_get_type(cd) ?: "", CRYPT_LUKS2) != 0)
                return refuse(info, "it is %s, not LUKS2", crypt_get_type(cd) ?: "unknown");
        r = crypt_persistent_flags_get(cd, CRYPT_FLAGS_REQUIREMENTS, &req);
        if (r < 0)
                return r;
        if (req != 0)
                return refuse(info, "requirement flags 0x%x are set (a reencryption in progress, "
                              "or a requirement this version does not know)", req);
        /* Persistent activation flags are not bound, so the host may set them. allow-discards
         * would pass TRIM through to the host's disk and show it which blocks are free (the
         * cryptsetup FAQ, 5.19); the other flags only tune dm-crypt's queues. */
        r = crypt_persistent_flags_get(cd, CRYPT_FLAGS_ACTIVATION, &req);
        if (r < 0)
                return r;
        if (req & CRYPT_ACTIVATE_ALLOW_DISCARDS)
                return refuse(info, "it sets the persistent flag allow-discards (TRIM would show "
                              "the host which blocks are free)");
        uuid = crypt_get_uuid(cd);
        if (!uuid || !is_uuid(uuid))
                return refuse(info, "it has no valid UUID");

        r = crypt_dump_json(cd, &json, 0);
        if (r < 0)
                return r;
        root = json_tokener_parse(json);
        if (!root)
                return refuse(info, "its metadata is not JSON");
        if (!json_object_object_get_ex(root, "segments", &segments) ||
            !json_object_object_get_ex(root, "digests", &digests) ||
            !json_object_object_get_ex(root, "keyslots", &keyslots))
                return refuse(info, "its metadata lacks segments, digests or keyslots");

        /* One segment: a plain dm-crypt mapping of the whole data area with the allowed cipher. */
        if (!only_member(segments, &seg_id, &seg))
                return refuse(info, "it has %d segments; exactly one is allowed",
                              json_object_is_type(segments, json_type_object) ?
                              json_object_object_length(segments) : 0);
        type = get_str(seg, "type");
        if (!type || strcmp(type, "crypt") != 0)
                return refuse(info, "segment %s is of type %s, not crypt", seg_id,
                              type ? type : "(none)");
        enc = get_str(seg, "encryption");
        snprintf(info->cipher, sizeof(info->cipher), "%s", enc ? enc : "(none)");
        vk = crypt_get_volume_key_size(cd);
        info->key_bits = vk > 0 ? (unsigned) vk * 8 : 0;
        if (!cipher_allowed(enc, vk > 0 ? (size_t) vk : 0))
                return refuse(info, "segment %s uses %s with a %u-bit key, not in the allow-list "
                              "(%s, %d-bit key)", seg_id, info->cipher, info->key_bits,
                              LUKS_ALLOWED_CIPHER, LUKS_ALLOWED_KEY_BYTES * 8);
        /* libcryptsetup's own view of the cipher must agree with the metadata's text. */
        if (strcmp(crypt_get_cipher(cd) ?: "", "aes") != 0 ||
            strcmp(crypt_get_cipher_mode(cd) ?: "", "xts-plain64") != 0)
                return refuse(info, "segment %s: libcryptsetup reports cipher %s-%s, the "
                              "metadata %s", seg_id, crypt_get_cipher(cd) ?: "?",
                              crypt_get_cipher_mode(cd) ?: "?", info->cipher);
        if (unknown_member(seg, segment_members, ELEMENTSOF(segment_members)))
                return refuse(info, "segment %s has a member '%s' (integrity, flags and others "
                              "are not allowed)", seg_id,
                              unknown_member(seg, segment_members, ELEMENTSOF(segment_members)));

        /* One digest, the one of that segment. */
        if (!only_member(digests, &dig_id, &dig))
                return refuse(info, "it has %d digests; exactly one is allowed",
                              json_object_is_type(digests, json_type_object) ?
                              json_object_object_length(digests) : 0);
        type = get_str(dig, "type");
        if (!type || strcmp(type, "pbkdf2") != 0)
                return refuse(info, "digest %s is of type %s, not pbkdf2", dig_id,
                              type ? type : "(none)");
        if (unknown_member(dig, digest_members, ELEMENTSOF(digest_members)))
                return refuse(info, "digest %s has an unknown member '%s'", dig_id,
                              unknown_member(dig, digest_members, ELEMENTSOF(digest_members)));
        if (!json_object_object_get_ex(dig, "segments", &list) ||
            !json_object_is_type(list, json_type_array) || json_object_array_length(list) != 1)
                return refuse(info, "digest %s does not cover exactly one segment", dig_id);
        el = json_object_array_get_idx(list, 0);
        if (!json_object_is_type(el, json_type_string) ||
            strcmp(json_object_get_string(el), seg_id) != 0)
                return refuse(info, "digest %s does not cover segment %s", dig_id, seg_id);

        r = check_keyslots(cd, keyslots, info);
        if (r <= 0)
                return r;
        return binding_compute(uuid, seg, dig, info);
}

/* Loads path as LUKS2 into *ret_cd: 1 loaded, 0 refused (not LUKS2), <0 error. */
static int load(const char *path, struct crypt_device **ret_cd, struct luks_info *info) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return -errno;
        /* Two 16 KiB header copies at least; libcryptsetup would say -EIO, as for a bad disk. */
        if (S_ISREG(st.st_mode) && st.st_size < LUKS2_MIN_METADATA)
                return refuse(info, "it is too small (%lld bytes) to hold a LUKS2 header",
                              (long long) st.st_size);
        r = crypt_init(&cd, path);
        if (r < 0)
                return r;
        crypt_set_log_callback(cd, crypt_log_debug, NULL);
        r = crypt_load(cd, CRYPT_LUKS2, NULL);
        if (r == -EINVAL) {
                /* Name what it is instead, when libcryptsetup knows it. */
                if (crypt_load(cd, NULL, NULL) == 0)
                        return refuse(info, "it is %s, not LUKS2", crypt_get_type(cd) ?: "unknown");
                return refuse(info, "it has no valid LUKS2 header");
        }
        if (r < 0)
                return r;
        *ret_cd = TAKE(cd);
        return 1;
}

int luks_inspect(const char *path, struct luks_info *ret) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        int r;

        memset(ret, 0, sizeof(*ret));
        crypt_set_log_callback(NULL, crypt_log_debug, NULL);
        r = load(path, &cd, ret);
        if (r <= 0)
                return r;
        return check_loaded(cd, ret);
}

/* Copies the LUKS2 header of device to path, which must not exist: libcryptsetup writes it into
 * a fresh private folder beside path (it creates the file exclusively, mode 0400), and a rename
 * that never replaces puts it in place. So an existing file is neither overwritten nor removed.
 * 1 copied, 0 refused (not LUKS2), <0 error. */
static int copy_header(const char *device, const char *path, struct luks_info *info) {
        _cleanup_(crypt_freep) struct crypt_device *cd = NULL;
        _cleanup_(freep) char *dir = NULL, *tmp = NULL;
        struct stat st;
        int r;

        if (stat(device, &st) < 0)
                return -errno;
        if (asprintf(&dir, "%s.XXXXXX", path) < 0) {
                dir = NULL;
                return -ENOMEM;
        }
        r = crypt_init(&cd, device);
        if (r < 0)
                return r;
        crypt_set_log_callback(cd, crypt_log_debug, NULL);
        /* Loaded here only to tell "not LUKS2" from a failure to write the copy. */
        r = crypt_load(cd, CRYPT_LUKS2, NULL);
        if (r == -EINVAL)
                return refuse(info, "it has no valid LUKS2 header");
        if (r < 0)
                return r;
        if (!mkdtemp(dir))
                return -errno;
        if (asprintf(&tmp, "%s/header", dir) < 0) {
                tmp = NULL;
                (void) rmdir(dir);
                return -ENOMEM;
        }
        r = crypt_header_backup(cd, CRYPT_LUKS2, tmp);
        if (r >= 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0)
                r = -errno;
        (void) unlink(tmp);
        (void) rmdir(dir);
        return r < 0 ? r : 1;
}

int luks_check_device(const char *device, const struct luks_binding *want, const char *header_out,
                      struct luks_info *ret) {
        struct stat st;
        char got[LUKS_BINDING_STRING_SIZE], exp[LUKS_BINDING_STRING_SIZE];
        int r;

        memset(ret, 0, sizeof(*ret));
        crypt_set_log_callback(NULL, crypt_log_debug, NULL);
        if (lstat(header_out, &st) == 0)
                return -EEXIST;
        if (errno != ENOENT)
                return -errno;

        /* TOCTOU: the host controls the device and may change its header at any moment. So the
         * header is copied once, and everything after reads the copy: this check, and then
         * `cryptsetup open --header COPY DEVICE`, which takes keyslots, digest and segment from
         * the copy and only the data area from the device. What was checked is what is used. */
        r = copy_header(device, header_out, ret);
        if (r <= 0)
                return r;

        r = luks_inspect(header_out, ret);
        if (r > 0 && strcmp(ret->binding.uuid, want->uuid) != 0) {
                ret->not_bound = true;
                r = refuse(ret, "UUID %s is not %s", ret->binding.uuid, want->uuid);
        } else if (r > 0 && !crypto_memeq(ret->binding.hash, want->hash, sizeof(want->hash))) {
                luks_binding_format(&ret->binding, got);
                luks_binding_format(want, exp);
                ret->not_bound = true;
                r = refuse(ret, "UUID %s matches, but its volume key digest or segment differ "
                           "(binding %s, expected %s)", want->uuid, got, exp);
        }
        if (r <= 0)
                (void) unlink(header_out);
        return r;
}
