/* mixx_test.h: what the cmocka tests share: an assertion on MixxEngine return codes that prints both codes'
 * names (and, through cmocka, file:line). Include after <cmocka.h>. */
#ifndef MIXX_TEST_H
#define MIXX_TEST_H

#include "mixxengine.h"

#define assert_rc(call, expected)                                                                            \
    do {                                                                                                     \
        int rc_ = (call);                                                                                    \
        if (rc_ != (expected))                                                                               \
            fail_msg("%s returned %s (%d), expected %s (%d)", #call, mixx_error_name(rc_), rc_,             \
                     mixx_error_name(expected), (int)(expected));                                            \
    } while (0)

#endif
