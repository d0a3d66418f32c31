/*
 * The management core and its firmware (docs/firmware.md) on each target of IOE_TEST_TARGETS
 * (default soft = the C model's instruction-set simulator, sim = the RTL core in Verilator),
 * and the two compared:
 *   - boot: the built firmware answers INFO (version, size, the CRC-32 of its image, as zlib
 *     computes it here), its boot self-test passed, its console line;
 *   - mailbox: ECHO round trip with its notification, unknown commands, the full self-test
 *     with a DMA window, the event log and counters after a DMA fault;
 *   - isa: the ISA test image (firmware/isa) loaded over the CSR path: every RV32I instruction
 *     class against values computed here, every trap (cause and PC equal on both cards), the
 *     watchdog restarting a stuck core, the timer;
 *   - errors: bad arguments, a held core times out, an image too large.
 * Every answer that does not depend on timing is compared between the targets.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include <ioe/card.h>
#include <ioe/fw.h>
#include <ioe/regs.h>

#include "ioe_fw_image.h"
#include "targets.h"

extern const uint32_t ioe_isa_test_image[];
extern const size_t ioe_isa_test_image_words;

#define NANS (IOE_FW_MBOX_WORDS - 1)

static struct ioe_card *open_card(const char *target)
{
    struct ioe_card *c = NULL;
    assert_int_equal(ioe_card_open(target, &c), 0);
    return c;
}

static uint32_t rd(struct ioe_card *c, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(c, addr, &v), 0);
    return v;
}

/* ---------------------------------------------------------------- boot */
static void test_boot(void **state)
{
    (void)state;
    uint32_t info[TT_MAX_TARGETS][NANS];
    for (size_t t = 0; t < tt_count(); t++) {
        struct ioe_card *c = open_card(tt_target(t));
        uint32_t *a = info[t], st[NANS];
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_INFO, NULL, 0, a, 0), 0);
        assert_int_equal(a[0], IOE_FW_VERSION);
        assert_true(a[1] > 0 && a[1] <= ioe_fw_image_words * 4);
        assert_int_equal(a[2], (uint32_t)crc32(0, (const Bytef *)ioe_fw_image, a[1]));
        assert_int_equal(a[3], IOE_PARAM_MGMT_MEM_WORDS_DEFAULT);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_SELFTEST, NULL, 0, st, 0), 0);
        assert_int_equal(st[0], IOE_FW_TEST_REGMAP | IOE_FW_TEST_RAM);
        assert_int_equal(st[1], 0);
        char con[128];
        assert_true(ioe_fw_console(c, con, sizeof(con)) > 0);
        assert_string_equal(con, "ioe-fw 00010000 selftest 00000003 ok\n");
        assert_int_equal(ioe_fw_console(c, con, sizeof(con)), 0); /* the ring is empty now */
        uint32_t h[NANS];
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_HEALTH, NULL, 0, h, 0), 0);
        printf("%s: image %u bytes, boot-to-ready %u cycles\n", tt_target(t), a[1], h[3]);
        assert_int_equal(h[1], 2); /* INFO and SELFTEST before this one */
        assert_int_equal(h[2], 0);
        assert_true(h[3] > 0);
        ioe_card_close(c);
        assert_memory_equal(info[t], info[0], sizeof(info[0]));
    }
}

/* ---------------------------------------------------------------- mailbox */
static void test_mailbox(void **state)
{
    (void)state;
    static const uint32_t args[NANS] = {1, 0x80000000u, 0xdeadbeefu, 3, 4, 5, 0xffffffffu};
    for (size_t t = 0; t < tt_count(); t++) {
        struct ioe_card *c = open_card(tt_target(t));
        uint32_t a[NANS];
        struct ioe_notification n[4];
        uint64_t t0 = 0;
        int caps = (int)ioe_card_caps(c);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, NULL, 0, a, 0), 0); /* booted */
        ioe_card_drain(c, n, 4);
        if (caps & IOE_CARD_CAP_STEP)
            assert_int_equal(ioe_card_cycles(c, &t0), 0);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, args, NANS, a, 0), 0);
        assert_memory_equal(a, args, sizeof(a));
        /* the answer's notification */
        assert_int_equal(ioe_card_drain(c, n, 4), 1);
        assert_int_equal(n[0].src, IOE_NOTIFY_SRC_MGMT);
        assert_int_equal(n[0].vm, 0);
        assert_int_equal(n[0].vcpu, 0);
        if (caps & IOE_CARD_CAP_STEP)
            printf("%s: mailbox round trip (doorbell batch to answer notification) %" PRIu64
                   " cycles\n",
                   tt_target(t), n[0].cycle - t0);
        assert_true(rd(c, IOE_MGMT_STATUS) >> IOE_MGMT_STATUS_ANSWER_SHIFT & 1);
        /* an unknown command is answered with -EINVAL */
        assert_int_equal(ioe_fw_call(c, 0x99, NULL, 0, a, 0), -EINVAL);
        ioe_card_close(c);
    }
}

/* the full self-test, with a DMA window; then a DMA fault reaches the event log */
static void test_selftest_and_log(void **state)
{
    (void)state;
    uint32_t keep[TT_MAX_TARGETS][3 * NANS];
    for (size_t t = 0; t < tt_count(); t++) {
        struct ioe_card *c = open_card(tt_target(t));
        static uint64_t host[8];
        memset(host, 0, sizeof(host));
        assert_int_equal(ioe_card_dma_map(c, 0x40000000, host, sizeof(host)), 0);
        uint32_t a[NANS], args[3] = {1, 0x40000008, 0};
        assert_int_equal(ioe_card_write32(c, IOE_CORE_SCRATCH, 0x5ca1ab1e), 0);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_SELFTEST, args, 3, a, 0), 0);
        assert_int_equal(a[0], IOE_FW_TEST_REGMAP | IOE_FW_TEST_RAM | IOE_FW_TEST_SCRATCH |
                                   IOE_FW_TEST_DMA);
        assert_int_equal(a[1], 0);
        assert_int_equal(rd(c, IOE_CORE_SCRATCH), 0x5ca1ab1e); /* restored */
        assert_int_equal(host[1], (uint64_t)0xc0de0000u << 32 | (0x10e0f00du ^ 0x40000008u));
        memcpy(keep[t], a, sizeof(a));
        /* a DMA probe through the window with no segment faults */
        assert_int_equal(ioe_card_write32(c, IOE_DMA_CTRL, 1), 0);
        assert_int_equal(ioe_card_write32(c, IOE_CORE_DMA_ADDR_LO, 0x12345678), 0);
        assert_int_equal(ioe_card_write32(c, IOE_CORE_DMA_CMD, 1), 0);
        for (int i = 0; i < 100 && !(rd(c, IOE_DMA_FAULTS)); i++)
            assert_int_equal(ioe_card_step(c, 10), 0);
        assert_int_equal(rd(c, IOE_DMA_FAULTS), 1);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_COUNTERS, NULL, 0, a, 0), 0);
        memcpy(keep[t] + NANS, a, sizeof(a));
        assert_int_equal(a[IOE_FW_EV_DMA_FAULT - 1], 1);
        assert_int_equal(a[IOE_FW_EV_BOOT - 1], 1);
        /* the log: the boot, then the fault with its address */
        uint32_t e[NANS];
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_LOG, (uint32_t[]){0}, 1, e, 0), 0);
        assert_int_equal(e[0], 2);
        assert_int_equal(e[1], 0);
        assert_int_equal(e[2], IOE_FW_EV_BOOT);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_LOG, (uint32_t[]){1}, 1, a, 0), 0);
        assert_int_equal(a[2], IOE_FW_EV_DMA_FAULT);
        assert_int_equal(a[4], 0x12345678 & ~7u);
        assert_true(a[3] >= e[3]); /* cycles in order */
        a[3] = 0;                  /* the cycle is timing: not compared */
        memcpy(keep[t] + 2 * NANS, a, sizeof(a));
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_LOG, (uint32_t[]){2}, 1, a, 0), 0);
        assert_int_equal(a[2], 0); /* past the last entry */
        assert_memory_equal(keep[t], keep[0], sizeof(keep[0]));
        ioe_card_close(c);
    }
}

/* ---------------------------------------------------------------- ISA */
#define ISA_A 0x80000f05u
#define ISA_B 0x00000023u
#define ISA_C 0xfffffff9u

/* what isa_run (firmware/isa/isa_test.S) must store, in its order */
static void isa_expect(uint32_t *r)
{
    const uint32_t A = ISA_A, B = ISA_B, C = ISA_C, sh = B & 31;
    const uint32_t data = 0x8a7b6c5du;
    uint32_t i = 0;
    r[i++] = A + B;
    r[i++] = A - B;
    r[i++] = A & B;
    r[i++] = A | B;
    r[i++] = A ^ B;
    r[i++] = A << sh;
    r[i++] = A >> sh;
    r[i++] = (uint32_t)((int32_t)A >> sh);
    r[i++] = (int32_t)A < (int32_t)B;
    r[i++] = A < B;
    r[i++] = A - 2048;
    r[i++] = A & 0x7ff;
    r[i++] = A | 0xffffff00u;
    r[i++] = A ^ 0x555;
    r[i++] = A << 31;
    r[i++] = A >> 1;
    r[i++] = (uint32_t)((int32_t)A >> 4);
    r[i++] = (int32_t)C < -6;
    r[i++] = C < 5;
    r[i++] = 0xabcde000u;                /* LUI */
    r[i++] = 0x12345000u;                /* AUIPC - its PC */
    r[i++] = 4;                          /* JAL link - its PC */
    r[i++] = 4;                          /* JALR link - its PC */
    r[i++] = 1u << 0 | 0u << 1 | 1u << 2 /* BEQ taken, not; BNE */
             | ((int32_t)A < (int32_t)B) << 3 | ((int32_t)A >= (int32_t)B) << 4 | (A < B) << 5 |
             (A >= B) << 6 | ((int32_t)B < (int32_t)C) << 7 | 1u << 8;
    r[i++] = (uint32_t)(int8_t)(data >> 24);     /* LB +3 */
    r[i++] = data >> 24;                         /* LBU +3 */
    r[i++] = (uint32_t)(int16_t)(data >> 16);    /* LH +2 */
    r[i++] = data >> 16;                         /* LHU +2 */
    r[i++] = data;                               /* LW */
    r[i++] = (uint32_t)(int8_t)(data >> 8);      /* LB +1 */
    r[i++] = (uint32_t)(int16_t)(data & 0xffff); /* LH +0 */
    r[i++] = 0x22331100u;                        /* SB +1, SH +2 over zero */
    r[i++] = C;                                  /* SW, LW */
    r[i++] = A;                                  /* SW, LW of SCRATCH over the bus */
    r[i++] = IOE_CORE_ID_RESET >> 8 & 0xff;      /* LBU ID + 1 over the bus */
    r[i++] = 0;                                  /* x0 */
    r[i++] = 1;                                  /* after FENCE, FENCE.I */
    r[i++] = 0x15a15a;                           /* the end */
    assert_int_equal(i, 38);
}

static void load_isa(struct ioe_card *c)
{
    assert_int_equal(ioe_fw_load(c, ioe_isa_test_image, ioe_isa_test_image_words), 0);
}

/* restart the core at PC 0 (what the host does after a trap) */
static void restart(struct ioe_card *c)
{
    assert_int_equal(ioe_card_write32(c, IOE_MGMT_CTRL, 0), 0);
    assert_int_equal(ioe_card_write32(c, IOE_MGMT_CTRL, 1), 0);
}

static void test_isa(void **state)
{
    (void)state;
    uint32_t want[42] = {0}, got[TT_MAX_TARGETS][42];
    uint32_t trap_pc[TT_MAX_TARGETS][12];
    /* cause of the trap that command 2 + n raises (firmware/isa/isa_test.S, isa_trap) */
    static const uint32_t cause[12] = {11, 3, 2, 4, 6, 5, 7, 5, 7, 0, 1, 2};
    isa_expect(want);
    for (size_t t = 0; t < tt_count(); t++) {
        struct ioe_card *c = open_card(tt_target(t));
        load_isa(c);
        for (uint32_t g = 0; g < 6; g++)
            assert_int_equal(ioe_fw_call(c, 1, &g, 1, got[t] + 7 * g, 0), 0);
        for (int i = 0; i < 38; i++)
            if (got[t][i] != want[i])
                fail_msg("%s: ISA result %d is 0x%08x, want 0x%08x", tt_target(t), i, got[t][i],
                         want[i]);
        uint32_t a[NANS];
        for (uint32_t n = 0; n < 12; n++) {
            assert_int_equal(ioe_fw_call(c, 2 + n, NULL, 0, a, 0), -EIO); /* stopped at a trap */
            uint32_t st = rd(c, IOE_MGMT_STATUS);
            assert_true(st >> IOE_MGMT_STATUS_TRAPPED_SHIFT & 1);
            if (rd(c, IOE_MGMT_TRAP_CAUSE) != cause[n])
                fail_msg("%s: trap %u has cause %u, want %u", tt_target(t), n,
                         rd(c, IOE_MGMT_TRAP_CAUSE), cause[n]);
            trap_pc[t][n] = rd(c, IOE_MGMT_TRAP_PC);
            restart(c);
        }
        assert_int_equal(trap_pc[t][10], 0x10000); /* a fetch fault reports the target */
        /* the timer advances between two reads */
        assert_int_equal(ioe_fw_call(c, 17, NULL, 0, a, 0), 0);
        assert_true(a[0] > 0 && a[0] < 1000);
        /* a core that stops kicking the watchdog is restarted and serves again */
        uint32_t before = rd(c, IOE_MGMT_WDOG_COUNT);
        assert_int_equal(ioe_fw_call(c, 16, NULL, 0, a, 0), 0);
        for (int i = 0; i < 1000 && rd(c, IOE_MGMT_WDOG_COUNT) == before; i++)
            assert_int_equal(ioe_card_step(c, 100), 0);
        assert_int_equal(rd(c, IOE_MGMT_WDOG_COUNT), before + 1);
        uint32_t g = 5;
        assert_int_equal(ioe_fw_call(c, 1, &g, 1, a, 0), 0);
        assert_int_equal(a[2], 0x15a15a);
        ioe_card_close(c);
        assert_memory_equal(got[t], got[0], sizeof(got[0]));
        assert_memory_equal(trap_pc[t], trap_pc[0], sizeof(trap_pc[0]));
    }
}

/* ---------------------------------------------------------------- errors */
static void test_errors(void **state)
{
    (void)state;
    for (size_t t = 0; t < tt_count(); t++) {
        struct ioe_card *c = open_card(tt_target(t));
        uint32_t a[NANS], args[8] = {0};
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, args, 8, a, 0), -EINVAL);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, NULL, 1, a, 0), -EINVAL);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, NULL, 0, NULL, 0), -EINVAL);
        assert_int_equal(ioe_fw_call(NULL, IOE_FW_CMD_ECHO, NULL, 0, a, 0), -EINVAL);
        assert_int_equal(ioe_fw_console(c, NULL, 4), -EINVAL);
        assert_int_equal(ioe_fw_load(c, ioe_fw_image, 0), -EINVAL);
        static uint32_t big[IOE_PARAM_MGMT_MEM_WORDS_DEFAULT + 1];
        assert_int_equal(ioe_fw_load(c, big, sizeof(big) / sizeof(big[0])), -EFBIG);
        /* a core that does not run never answers: a timeout, not a hang */
        assert_int_equal(ioe_card_write32(c, IOE_MGMT_CTRL, 0), 0);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, NULL, 0, a, 50), -ETIMEDOUT);
        /* started again, the firmware answers the request still waiting */
        assert_int_equal(ioe_card_write32(c, IOE_MGMT_CTRL, 1), 0);
        assert_int_equal(ioe_fw_call(c, IOE_FW_CMD_ECHO, NULL, 0, a, 0), 0);
        ioe_card_close(c);
    }
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot),
        cmocka_unit_test(test_mailbox),
        cmocka_unit_test(test_selftest_and_log),
        cmocka_unit_test(test_isa),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
