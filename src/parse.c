/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "parse.h"

int parse_u64(const char *s, uint64_t *ret) {
        unsigned long long v;
        char *end;
        int base = 10;

        if (!s || !isdigit((unsigned char) s[0]))
                return -EINVAL;         /* rejects "", " 1", "-1", "+1" that strtoull takes */
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                if (!isxdigit((unsigned char) s[2]))
                        return -EINVAL;
        }
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret) {
        uint64_t v;
        int r = parse_u64(s, &v);

        if (r < 0)
                return r;
        if (v < min || v > max)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

int parse_size_mib(const char *s, uint64_t *ret) {
        _cleanup_(freep) char *num = strdup(s);
        uint64_t v, mul = 1;
        size_t len;

        if (!num)
                return -ENOMEM;
        len = strlen(num);
        if (len > 1 && strchr("mMgG", num[len - 1])) {
                mul = strchr("gG", num[len - 1]) ? 1024 : 1;
                num[len - 1] = '\0';
        }
        if (parse_u64(num, &v) < 0 || v == 0 || v > (UINT64_C(1) << 32) / mul)
                return -EINVAL;
        *ret = v * mul;
        return 0;
}
