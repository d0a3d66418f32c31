/* The management core's firmware (docs/firmware.md): boot self-test, then a loop that kicks
 * the watchdog, serves the host's mailbox and polls the engines for the event log. */
#include "fw.h"

#define WDOG_PERIOD (1u << 22) /* cycles; the loop kicks it every few hundred */
#define IDLE_SPINS 32          /* loop turns without bus accesses between two looks */
#define MBOX(i) (IOE_MGMT_MBOX0 + 4u * (i))
#define EINVAL 22

extern const uint8_t __image_start[], __image_end[];

static struct selftest boot_test;
static uint32_t ready_cycle, served, image_crc;

/* CRC-32 of the image (code and read-only data), computed on the first INFO request */
static uint32_t image_identity(void)
{
    if (!image_crc)
        image_crc = crc32(__image_start, (uint32_t)(__image_end - __image_start));
    return image_crc;
}

/* the answer of command `cmd` with arguments a[1..7] into a[1..7]; returns the status */
static int32_t serve(uint32_t cmd, uint32_t a[IOE_FW_MBOX_WORDS])
{
    uint32_t i;
    switch (cmd) {
    case IOE_FW_CMD_INFO:
        a[1] = IOE_FW_VERSION;
        a[2] = (uint32_t)(__image_end - __image_start);
        a[3] = image_identity();
        a[4] = IOE_FW_MEM_BYTES / 4;
        return 0;
    case IOE_FW_CMD_SELFTEST:
        if (a[1] & 1)
            selftest_run_all(&boot_test, (uint64_t)a[3] << 32 | a[2]);
        a[1] = boot_test.passed;
        a[2] = boot_test.failed;
        a[3] = boot_test.detail;
        return 0;
    case IOE_FW_CMD_LOG:
        i = a[1];
        a[1] = evlog_kept();
        a[2] = evlog_lost();
        a[3] = a[4] = a[5] = 0;
        evlog_entry(i, &a[3], &a[4], &a[5]);
        return 0;
    case IOE_FW_CMD_COUNTERS:
        for (i = 1; i < IOE_FW_NR_EVENTS; i++)
            a[i] = evlog_count(i);
        return 0;
    case IOE_FW_CMD_HEALTH:
        a[1] = csr_read(IOE_MGMT_TIME) - ready_cycle;
        a[2] = served;
        a[3] = csr_read(IOE_MGMT_WDOG_COUNT);
        a[4] = ready_cycle;
        a[5] = 1;
        return 0;
    case IOE_FW_CMD_ECHO: return 0;
    default: return -EINVAL;
    }
}

static void mailbox(void)
{
    uint32_t a[IOE_FW_MBOX_WORDS];
    evlog_poll(); /* counters and log up to date in the answer */
    for (uint32_t i = 0; i < IOE_FW_MBOX_WORDS; i++)
        a[i] = csr_read(MBOX(i));
    int32_t status = serve(a[0], a);
    for (uint32_t i = 1; i < IOE_FW_MBOX_WORDS; i++)
        csr_write(MBOX(i), a[i]);
    csr_write(MBOX(0), (uint32_t)status);
    served++;
    csr_write(IOE_MGMT_MBOX_DONE, 1);
}

int main(void)
{
    csr_write(IOE_MGMT_WDOG_LOAD, WDOG_PERIOD);
    csr_write(IOE_MGMT_WDOG_KICK, 1);
    evlog_init();
    evlog_count_boot(csr_read(IOE_MGMT_WDOG_COUNT));
    selftest_run(&boot_test);
    con_puts("ioe-fw ");
    con_hex(IOE_FW_VERSION);
    con_puts(" selftest ");
    con_hex(boot_test.passed);
    con_puts(boot_test.failed ? " FAIL\n" : " ok\n");
    ready_cycle = csr_read(IOE_MGMT_TIME);
    for (;;) {
        csr_write(IOE_MGMT_WDOG_KICK, 1);
        if (csr_read(IOE_MGMT_STATUS) >> IOE_MGMT_STATUS_DOORBELL_SHIFT & 1)
            mailbox();
        evlog_poll();
        /* leave the register bus to the host for a while (a few hundred cycles) */
        for (volatile uint32_t i = 0; i < IDLE_SPINS; i++)
            ;
    }
}
