/* Private interfaces of the firmware: register access, console, self-test, event log. */
#ifndef FW_H
#define FW_H

#include <stdint.h>

#define IOE_FW_FIRMWARE 1
#include <ioe/fw.h>
#include <ioe/regs.h>

static inline uint32_t csr_read(uint32_t addr)
{
    return *(volatile uint32_t *)(IOE_FW_CSR_BASE + addr);
}

static inline void csr_write(uint32_t addr, uint32_t val)
{
    *(volatile uint32_t *)(IOE_FW_CSR_BASE + addr) = val;
}

static inline uint32_t field(uint32_t v, unsigned shift, uint32_t mask)
{
    return v >> shift & mask;
}

void con_puts(const char *s);
void con_hex(uint32_t v);
uint32_t crc32(const void *p, uint32_t len);

/* self-test: results of the last run */
struct selftest {
    uint32_t passed, failed, detail;
};
/* the boot self-test (non-intrusive: reads the register map, marches its own memory) */
void selftest_run(struct selftest *st);
/* on request: also the SCRATCH register and, when dma_addr is not 0, a DMA probe round trip */
void selftest_run_all(struct selftest *st, uint64_t dma_addr);

/* event log and counters */
void evlog_init(void);
void evlog_add(uint32_t type, uint32_t value);
void evlog_count_boot(uint32_t restarts);
void evlog_poll(void);
uint32_t evlog_count(uint32_t type);
/* entry `index` (0 = oldest kept): 0 when there is none */
int evlog_entry(uint32_t index, uint32_t *type, uint32_t *cycle, uint32_t *value);
uint32_t evlog_kept(void);
uint32_t evlog_lost(void);

#endif
