/*
 * libioe's jtag target against a running OpenOCD (started by tests/test_jtag.py in front of
 * ioe-simd --jtag): register access through the debug bridge, the bridge's error for an
 * address without a register, the operations JTAG refuses, an OpenOCD that stops answering (it
 * is stopped and resumed) and one that goes away in the middle of a session (the last test: it
 * kills OpenOCD, whose pid is IOE_JTAG_OPENOCD_PID).
 *
 *   test_jtag TARGET     e.g. jtag:127.0.0.1:PORT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <ioe/card.h>
#include <ioe/ioe.h>
#include <ioe/regs.h>

#include "transport.h" /* transport_now_ns */

static const char *target;

static int open_card(void **state)
{
    struct ioe_card *c;
    int err = ioe_card_open(target, &c);
    if (err)
        fail_msg("open %s: %d (%s)", target, err, ioe_last_error());
    *state = c;
    return 0;
}

static int close_card(void **state)
{
    ioe_card_close(*state);
    return 0;
}

static void test_info(void **state)
{
    struct ioe_card_info info;
    assert_int_equal(ioe_card_info(*state, &info), 0);
    assert_int_equal(info.id, IOE_CORE_ID_RESET);
    assert_int_equal(info.version, IOE_CORE_VERSION_RESET);
    assert_int_equal(info.nr_vms, IOE_PARAM_NR_VMS_DEFAULT);
}

static void test_scratch(void **state)
{
    static const uint32_t values[] = {0xdeadbeef, 0x00000000, 0xffffffff, 0x12345678};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        uint32_t v = ~values[i];
        assert_int_equal(ioe_card_write32(*state, IOE_CORE_SCRATCH, values[i]), 0);
        assert_int_equal(ioe_card_read32(*state, IOE_CORE_SCRATCH, &v), 0);
        assert_int_equal(v, values[i]);
    }
}

/* several ops in one round trip, a POLL among them */
static void test_batch(void **state)
{
    struct ioe_csr_op ops[] = {
        {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0xa5a5f00d},
        {.kind = IOE_CSR_READ, .addr = IOE_CORE_ID},
        {.kind = IOE_CSR_POLL, .addr = IOE_CORE_SCRATCH, .mask = 0xffff, .expect = 0xf00d},
        {.kind = IOE_CSR_READ, .addr = IOE_CORE_SCRATCH},
    };
    assert_int_equal(ioe_card_batch(*state, ops, 4), 0);
    assert_int_equal(ops[1].val, IOE_CORE_ID_RESET);
    assert_int_equal(ops[2].val, 0xa5a5f00d);
    assert_int_equal(ops[3].val, 0xa5a5f00d);
}

/* the bridge reports the card's error answer; the ops before it took effect */
static void test_hole(void **state)
{
    uint32_t v = 1;
    assert_int_equal(ioe_card_read32(*state, 0xffc, &v), -EIO);
    assert_int_equal(v, 0);
    assert_non_null(strstr(ioe_last_error(), "no register"));
    assert_int_equal(ioe_card_write32(*state, 0x1020, 5), -EIO);
    struct ioe_csr_op ops[] = {
        {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0x600d},
        {.kind = IOE_CSR_READ, .addr = 0x03c},
        {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0xbad},
    };
    assert_int_equal(ioe_card_batch(*state, ops, 3), -EIO);
    assert_int_equal(ioe_card_read32(*state, IOE_CORE_SCRATCH, &v), 0);
    assert_int_equal(v, 0x600d);
}

static void test_refused(void **state)
{
    static char page[4096];
    struct ioe_notification n;
    uint64_t cyc;
    assert_int_equal(ioe_card_caps(*state), 0);
    assert_int_equal(ioe_card_dma_map(*state, 0x1000, page, sizeof(page)), -EOPNOTSUPP);
    assert_non_null(strstr(ioe_last_error(), "CSR window only"));
    assert_int_equal(ioe_card_drain(*state, &n, 1), -EOPNOTSUPP);
    assert_int_equal(ioe_card_wait(*state, 0), -EOPNOTSUPP);
    assert_int_equal(ioe_card_notify_fd(*state), -EOPNOTSUPP);
    assert_int_equal(ioe_card_msi(*state, 1, 2, 3), -EOPNOTSUPP);
    assert_int_equal(ioe_card_set_wired(*state, 0, 1), -EOPNOTSUPP);
    assert_int_equal(ioe_card_step(*state, 1), -EOPNOTSUPP);
    assert_int_equal(ioe_card_cycles(*state, &cyc), -EOPNOTSUPP);
    assert_int_equal(ioe_card_reset(*state), -EOPNOTSUPP);
    /* and register access still works */
    uint32_t v;
    assert_int_equal(ioe_card_read32(*state, IOE_CORE_ID, &v), 0);
}

/* OpenOCD stops answering (SIGSTOP) in the middle of a session: the access fails with
 * -ETIMEDOUT after the card's timeout, not an endless wait; OpenOCD then resumes. */
static void test_openocd_hung(void **state)
{
    (void)state;
    const char *pid_s = getenv("IOE_JTAG_OPENOCD_PID");
    if (!pid_s)
        skip();
    pid_t pid = (pid_t)atoi(pid_s);
    struct ioe_card_options opts = {.timeout_ms = 500};
    struct ioe_card *c;
    uint32_t v;
    assert_int_equal(ioe_card_open_opts(target, &opts, &c), 0);
    assert_int_equal(ioe_card_read32(c, IOE_CORE_ID, &v), 0);
    assert_int_equal(kill(pid, SIGSTOP), 0);
    uint64_t t0 = transport_now_ns();
    int err = ioe_card_read32(c, IOE_CORE_ID, &v);
    uint64_t took = transport_now_ns() - t0;
    assert_int_equal(kill(pid, SIGCONT), 0);
    assert_int_equal(err, -ETIMEDOUT);
    assert_non_null(strstr(ioe_last_error(), "did not answer"));
    assert_true(took >= 400000000ull && took < 5000000000ull);
    assert_int_equal(ioe_card_read32(c, IOE_CORE_ID, &v), -EIO); /* the session is over */
    ioe_card_close(c);
}

/* OpenOCD goes away between two accesses: the next one fails at once, and so do later ones */
static void test_openocd_stopped(void **state)
{
    const char *pid_s = getenv("IOE_JTAG_OPENOCD_PID");
    if (!pid_s)
        skip();
    pid_t pid = (pid_t)atoi(pid_s);
    uint32_t v;
    assert_int_equal(ioe_card_read32(*state, IOE_CORE_ID, &v), 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    uint64_t t0 = transport_now_ns();
    int err = ioe_card_read32(*state, IOE_CORE_ID, &v);
    assert_true(err == -EIO || err == -ETIMEDOUT);
    assert_non_null(strstr(ioe_last_error(), "OpenOCD"));
    assert_int_equal(ioe_card_write32(*state, IOE_CORE_SCRATCH, 1), -EIO);
    assert_true(transport_now_ns() - t0 < 15000000000ull); /* the reply timeout at most */
    /* reopening fails: nothing listens (ENODEV), or the dying OpenOCD's socket closes (EIO) */
    struct ioe_card *c;
    err = ioe_card_open(target, &c);
    assert_true(err == -ENODEV || err == -EIO);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_jtag TARGET\n");
        return 2;
    }
    target = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_info, open_card, close_card),
        cmocka_unit_test_setup_teardown(test_scratch, open_card, close_card),
        cmocka_unit_test_setup_teardown(test_batch, open_card, close_card),
        cmocka_unit_test_setup_teardown(test_hole, open_card, close_card),
        cmocka_unit_test_setup_teardown(test_refused, open_card, close_card),
        cmocka_unit_test(test_openocd_hung),
        cmocka_unit_test_setup_teardown(test_openocd_stopped, open_card, close_card),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
