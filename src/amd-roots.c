/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "amd-roots.h"

const char *amd_root_kind_name(enum amd_root_kind kind) {
        switch (kind) {
        case AMD_ROOT_ARK:  return "ARK";
        case AMD_ROOT_ASK:  return "ASK";
        case AMD_ROOT_ASVK: return "ASVK";
        }
        return "?";
}

const struct amd_root *amd_root_find(enum snp_generation gen, enum amd_root_kind kind) {
        for (const struct amd_root *r = amd_roots; r->der; r++)
                if (r->generation == gen && r->kind == kind)
                        return r;
        return NULL;
}

int amd_root_load(enum snp_generation gen, enum amd_root_kind kind, struct crypto_cert **ret) {
        const struct amd_root *r = amd_root_find(gen, kind);

        if (!r)
                return -ENOENT;
        return crypto_cert_from_mem(r->der, r->size, ret);
}
