/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

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
