/*
 * cmocka assertions for the ioctl-style API: a call returns -1 with a given errno, or
 * succeeds (>= 0). Include after <cmocka.h>.
 */
#ifndef IOE_TEST_ASSERT_ERRNO_H
#define IOE_TEST_ASSERT_ERRNO_H

#include <errno.h>
#include <string.h>

#define assert_err(want, call)                                                                     \
    do {                                                                                           \
        errno = 0;                                                                                 \
        int r_ = (call);                                                                           \
        int e_ = errno;                                                                            \
        if (r_ != -1 || e_ != (want))                                                              \
            fail_msg("%s: returned %d errno %d (%s), expected -1 errno %d (%s)", #call, r_, e_,    \
                     strerror(e_), (want), strerror(want));                                        \
    } while (0)

#define assert_ok(call)                                                                            \
    do {                                                                                           \
        errno = 0;                                                                                 \
        int r_ = (call);                                                                           \
        if (r_ < 0)                                                                                \
            fail_msg("%s: returned %d errno %d (%s)", #call, r_, errno, strerror(errno));          \
    } while (0)

#endif
