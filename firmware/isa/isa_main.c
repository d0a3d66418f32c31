/* The ISA test image's main (tests/test_fw.c): runs isa_run once, then serves the mailbox:
 *   1: MBOX1..7 = results[7 * arg1 ..]          2 + n: raise trap n (isa_trap)
 *   16: answer, arm the watchdog, stop kicking it    17: MBOX1 = cycles between two TIME reads */
#include "../fw.h"

#define ISA_RESULTS 38
#define ISA_GROUPS ((ISA_RESULTS + 6) / 7)

void isa_run(uint32_t *results, volatile uint32_t *scratch_reg, volatile const uint32_t *id_reg);
void isa_trap(uint32_t n);

static uint32_t results[ISA_GROUPS * 7];

int main(void)
{
    csr_write(IOE_MGMT_WDOG_LOAD, 0); /* an earlier image may have armed it */
    isa_run(results, (volatile uint32_t *)(IOE_FW_CSR_BASE + IOE_CORE_SCRATCH),
            (volatile const uint32_t *)(IOE_FW_CSR_BASE + IOE_CORE_ID));
    for (;;) {
        if (!(csr_read(IOE_MGMT_STATUS) >> IOE_MGMT_STATUS_DOORBELL_SHIFT & 1))
            continue;
        uint32_t cmd = csr_read(IOE_MGMT_MBOX0), arg = csr_read(IOE_MGMT_MBOX1);
        if (cmd == 1 && arg < ISA_GROUPS) {
            for (uint32_t i = 0; i < 7; i++)
                csr_write(IOE_MGMT_MBOX1 + 4 * i, results[7 * arg + i]);
        } else if (cmd == 16) { /* answered first, so that the restarted image finds no request */
            csr_write(IOE_MGMT_MBOX0, 0);
            csr_write(IOE_MGMT_MBOX_DONE, 1);
            csr_write(IOE_MGMT_WDOG_LOAD, 2000);
            csr_write(IOE_MGMT_WDOG_KICK, 1);
            for (;;)
                ;
        } else if (cmd == 17) {
            uint32_t t0 = csr_read(IOE_MGMT_TIME);
            csr_write(IOE_MGMT_MBOX1, csr_read(IOE_MGMT_TIME) - t0);
        } else if (cmd >= 2 && cmd < 2 + 12) {
            isa_trap(cmd - 2);
        }
        csr_write(IOE_MGMT_MBOX0, 0);
        csr_write(IOE_MGMT_MBOX_DONE, 1);
    }
}
