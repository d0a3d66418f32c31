/*
 * <ioe/fw.h> - the management core's firmware (docs/firmware.md): its mailbox protocol,
 * shared by the firmware (firmware/) and libioe, and libioe's calls that use it.
 *
 * A request is MBOX0 = command, MBOX1..7 = arguments, then a write of DOORBELL; the firmware
 * answers in the same eight words (MBOX0 = 0 or a negative errno) and writes MBOX_DONE, which
 * sets STATUS.ANSWER and sends a notification {VM 0, vCPU 0, IOE_NOTIFY_SRC_MGMT}.
 */
#ifndef IOE_FW_H
#define IOE_FW_H

#include <stdint.h>

#define IOE_FW_MBOX_WORDS 8
#define IOE_FW_VERSION 0x00010000u  /* major [31:16], minor [15:8], patch [7:0] */
#define IOE_FW_CSR_BASE 0x80000000u /* the card's CSR window in the core's address space */

/* Commands (MBOX0 of a request) and the words of their answers (MBOX1..7). */
enum ioe_fw_cmd {
    /* answer: version, image size in bytes, CRC-32 of the image, memory words */
    IOE_FW_CMD_INFO = 1,
    /* arg1 bit 0: run the self-test again (arg2/arg3: a DMA address lo/hi the DMA probe may
     * write and read back; 0/0: no DMA probe). answer: tests passed, tests failed (bit masks of
     * IOE_FW_TEST_*), detail of the first failure */
    IOE_FW_CMD_SELFTEST = 2,
    /* arg1: index of the entry (0 = oldest kept). answer: entries kept, entries lost to
     * wrap-around, type, cycle, value (type 0 when index is past the last entry) */
    IOE_FW_CMD_LOG = 3,
    /* answer: one count per IOE_FW_EV_* (index 1..) */
    IOE_FW_CMD_COUNTERS = 4,
    /* answer: cycles since boot, requests served, watchdog restarts, boot-to-ready cycles,
     * trap-free flag (1) */
    IOE_FW_CMD_HEALTH = 5,
    /* answer: the arguments unchanged (mailbox round trip) */
    IOE_FW_CMD_ECHO = 6,
};

/* Self-test bits */
#define IOE_FW_TEST_REGMAP (1u << 0)  /* ID, VERSION, FEATURES, PARAM_MGMT as the map says */
#define IOE_FW_TEST_RAM (1u << 1)     /* march C- over a buffer of the core's memory */
#define IOE_FW_TEST_SCRATCH (1u << 2) /* march over the SCRATCH register, value restored */
#define IOE_FW_TEST_DMA (1u << 3)     /* DMA probe write and read back (when given a window) */

/* Event types of the log and indices of the counters */
enum ioe_fw_event {
    IOE_FW_EV_DMA_FAULT = 1,   /* DMA window: a request no segment holds (dma FAULTS) */
    IOE_FW_EV_ITS_DROP = 2,    /* ITS: an MSI that made no LPI pending (its MSI_DROP) */
    IOE_FW_EV_NOTIFY_DROP = 3, /* a notification dropped (core NOTIFY_DROP) */
    IOE_FW_EV_BOOT = 4,        /* the firmware booted (value: watchdog restarts so far) */
    IOE_FW_NR_EVENTS = 5,
};

#ifndef IOE_FW_FIRMWARE /* ---------------------------------------- libioe (host side) */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ioe_card;

/* One mailbox request: cmd and args[0..nargs) (nargs <= 7), wait for the answer (stepping a
 * simulated card) for at most timeout_ms (0: 1000 ms), answer words 1..7 into ans[0..7).
 * Returns the firmware's status (0 or a negative errno it answered), -ENODEV on a card
 * without the management core, -EINVAL for bad arguments, -ETIMEDOUT when the firmware does
 * not answer, -EIO when the core stopped at a trap, or the transport's error. */
int ioe_fw_call(struct ioe_card *card, uint32_t cmd, const uint32_t *args, size_t nargs,
                uint32_t ans[IOE_FW_MBOX_WORDS - 1], unsigned timeout_ms);

/* Read up to max-1 bytes of the console ring into buf (NUL-terminated); returns the count. */
int ioe_fw_console(struct ioe_card *card, char *buf, size_t max);

/* Load a firmware image (32-bit little-endian words) into the core's memory over the CSR path
 * and restart the core. -ENODEV without the core, -EFBIG when it does not fit, -EINVAL for
 * bad arguments. */
int ioe_fw_load(struct ioe_card *card, const uint32_t *words, size_t nwords);

#ifdef __cplusplus
}
#endif
#endif

#endif
