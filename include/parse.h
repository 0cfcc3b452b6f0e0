/* SPDX-License-Identifier: Apache-2.0 */
/* Strict parsing of numbers from the command line and config files: the whole string must be a
 * number (decimal, or hexadecimal with 0x), no sign, no spaces, no overflow. */
#pragma once

#include <stdint.h>

/* -EINVAL when s is not a number, -ERANGE when outside [min, max]. */
int parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret);
int parse_u64(const char *s, uint64_t *ret);

/* A memory size in MiB: "2048" (MiB), "2048M", "4G" (either case), from 1 MiB to 2^32 MiB.
 * -EINVAL otherwise; -ENOMEM. */
int parse_size_mib(const char *s, uint64_t *ret);
