/* SPDX-License-Identifier: Apache-2.0 */
/* What every unit test includes: cmocka needs these system headers first. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
