/*
 * The management core's firmware from the host (<ioe/fw.h>, docs/firmware.md): mailbox
 * requests, the console ring and image loading, over the card's CSR window. The same code for
 * every transport: a simulated card is stepped while the host waits, a real one is polled.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <ioe/card.h>
#include <ioe/fw.h>
#include <ioe/regs.h>

#define DEFAULT_TIMEOUT_MS 10000u
#define STEP_CYCLES 64 /* a simulated card advances this much between looks at STATUS */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* 0 when the card has the management core, else -ENODEV (or the transport's error) */
static int has_core(struct ioe_card *card)
{
    uint32_t f = 0;
    int r = ioe_card_read32(card, IOE_CORE_FEATURES, &f);
    if (r)
        return r;
    return f >> IOE_CORE_FEATURES_MGMT_SHIFT & IOE_CORE_FEATURES_MGMT_MASK ? 0 : -ENODEV;
}

/* wait until (STATUS & bit) is set; -EIO when the core stopped at a trap, -ETIMEDOUT */
static int wait_status(struct ioe_card *card, uint32_t bit, unsigned timeout_ms)
{
    bool stepped = ioe_card_caps(card) & IOE_CARD_CAP_STEP;
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        uint32_t st = 0;
        int r = ioe_card_read32(card, IOE_MGMT_STATUS, &st);
        if (r)
            return r;
        if (st & bit)
            return 0;
        if (st >> IOE_MGMT_STATUS_TRAPPED_SHIFT & 1)
            return -EIO;
        if (now_ns() > deadline)
            return -ETIMEDOUT;
        if (stepped) {
            r = ioe_card_step(card, STEP_CYCLES);
            if (r)
                return r;
        } else {
            nanosleep(&(struct timespec){0, 10000}, NULL);
        }
    }
}

int ioe_fw_call(struct ioe_card *card, uint32_t cmd, const uint32_t *args, size_t nargs,
                uint32_t ans[IOE_FW_MBOX_WORDS - 1], unsigned timeout_ms)
{
    if (!card || !ans || nargs > IOE_FW_MBOX_WORDS - 1 || (nargs && !args))
        return -EINVAL;
    int r = has_core(card);
    if (r)
        return r;
    struct ioe_csr_op ops[IOE_FW_MBOX_WORDS + 1];
    for (size_t i = 0; i < IOE_FW_MBOX_WORDS; i++)
        ops[i] = (struct ioe_csr_op){IOE_CSR_WRITE, IOE_MGMT_MBOX0 + 4 * (uint32_t)i,
                                     i == 0       ? cmd
                                     : i <= nargs ? args[i - 1]
                                                  : 0,
                                     0, 0};
    ops[IOE_FW_MBOX_WORDS] = (struct ioe_csr_op){IOE_CSR_WRITE, IOE_MGMT_DOORBELL, 1, 0, 0};
    r = ioe_card_batch(card, ops, IOE_FW_MBOX_WORDS + 1);
    if (r)
        return r;
    r = wait_status(card, 1u << IOE_MGMT_STATUS_ANSWER_SHIFT,
                    timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS);
    if (r)
        return r;
    for (size_t i = 0; i < IOE_FW_MBOX_WORDS; i++)
        ops[i] = (struct ioe_csr_op){IOE_CSR_READ, IOE_MGMT_MBOX0 + 4 * (uint32_t)i, 0, 0, 0};
    r = ioe_card_batch(card, ops, IOE_FW_MBOX_WORDS);
    if (r)
        return r;
    for (size_t i = 1; i < IOE_FW_MBOX_WORDS; i++)
        ans[i - 1] = ops[i].val;
    return (int32_t)ops[0].val;
}

int ioe_fw_console(struct ioe_card *card, char *buf, size_t max)
{
    if (!card || !buf || max == 0)
        return -EINVAL;
    int r = has_core(card);
    if (r)
        return r;
    size_t n = 0;
    while (n + 1 < max) {
        uint32_t v = 0;
        r = ioe_card_read32(card, IOE_MGMT_CON_GET, &v);
        if (r)
            return r;
        if (!(v >> IOE_MGMT_CON_GET_VALID_SHIFT & 1))
            break;
        buf[n++] = (char)(v & IOE_MGMT_CON_GET_CHAR_MASK);
    }
    buf[n] = '\0';
    return (int)n;
}

int ioe_fw_load(struct ioe_card *card, const uint32_t *words, size_t nwords)
{
    if (!card || !words || nwords == 0)
        return -EINVAL;
    int r = has_core(card);
    if (r)
        return r;
    uint32_t param = 0;
    r = ioe_card_read32(card, IOE_CORE_PARAM_MGMT, &param);
    if (r)
        return r;
    if (nwords >
        (param >> IOE_CORE_PARAM_MGMT_MEM_WORDS_SHIFT & IOE_CORE_PARAM_MGMT_MEM_WORDS_MASK))
        return -EFBIG;
    r = ioe_card_write32(card, IOE_MGMT_CTRL, 0); /* hold the core */
    for (size_t i = 0; !r && i < nwords; i++) {
        struct ioe_csr_op ops[2] = {{IOE_CSR_WRITE, IOE_MGMT_IMEM_ADDR, (uint32_t)i, 0, 0},
                                    {IOE_CSR_WRITE, IOE_MGMT_IMEM_WDATA, words[i], 0, 0}};
        r = ioe_card_batch(card, ops, 2);
    }
    if (r)
        return r;
    /* drop what the old firmware left in the console and the mailbox state with it */
    char junk[64];
    while ((r = ioe_fw_console(card, junk, sizeof(junk))) > 0)
        ;
    if (r < 0)
        return r;
    return ioe_card_write32(card, IOE_MGMT_CTRL, 1u << IOE_MGMT_CTRL_RUN_SHIFT);
}
