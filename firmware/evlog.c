/* Event log and counters (docs/firmware.md): the firmware polls the engines' error counters
 * and logs each increase with the card's cycle counter in a ring the host reads through the
 * mailbox; the counters count every event, also those the ring lost to wrap-around. */
#include "fw.h"

#define LOG_ENTRIES 32 /* power of two */

struct entry {
    uint32_t type, cycle, value;
};

static struct entry ring[LOG_ENTRIES];
static uint32_t head, total; /* next slot; entries ever added */
static uint32_t counts[IOE_FW_NR_EVENTS];

/* a counter register the firmware watches, present when the card has the block */
struct source {
    uint32_t type, reg, detail_reg; /* detail_reg: logged value (0: the increase) */
    uint32_t feature_reg, feature_mask;
};

static const struct source sources[] = {
    {IOE_FW_EV_DMA_FAULT, IOE_DMA_FAULTS, IOE_DMA_FAULT_ADDR_LO, IOE_CORE_PARAM_DMA,
     IOE_CORE_PARAM_DMA_NR_SEGS_MASK << IOE_CORE_PARAM_DMA_NR_SEGS_SHIFT},
    {IOE_FW_EV_ITS_DROP, IOE_ITS_MSI_DROP, 0, IOE_CORE_FEATURES,
     IOE_CORE_FEATURES_ITS_MASK << IOE_CORE_FEATURES_ITS_SHIFT},
    {IOE_FW_EV_NOTIFY_DROP, IOE_CORE_NOTIFY_DROP, 0, 0, 0},
};
#define NR_SOURCES (sizeof(sources) / sizeof(sources[0]))

static uint32_t last[NR_SOURCES];
static uint32_t present; /* bit i: sources[i] exists on this card */

void evlog_add(uint32_t type, uint32_t value)
{
    ring[head] = (struct entry){type, csr_read(IOE_MGMT_TIME), value};
    head = (head + 1) & (LOG_ENTRIES - 1);
    total++;
}

void evlog_init(void)
{
    for (uint32_t i = 0; i < NR_SOURCES; i++) {
        const struct source *s = &sources[i];
        if (s->feature_reg && !(csr_read(s->feature_reg) & s->feature_mask))
            continue;
        present |= 1u << i;
        last[i] = csr_read(s->reg); /* events before this boot are not ours to log */
    }
}

void evlog_poll(void)
{
    for (uint32_t i = 0; i < NR_SOURCES; i++) {
        if (!(present >> i & 1))
            continue;
        const struct source *s = &sources[i];
        uint32_t now = csr_read(s->reg), delta = now - last[i];
        if (!delta)
            continue;
        last[i] = now;
        counts[s->type] += delta;
        evlog_add(s->type, s->detail_reg ? csr_read(s->detail_reg) : delta);
    }
}

void evlog_count_boot(uint32_t restarts)
{
    counts[IOE_FW_EV_BOOT]++;
    evlog_add(IOE_FW_EV_BOOT, restarts);
}

uint32_t evlog_count(uint32_t type)
{
    return type < IOE_FW_NR_EVENTS ? counts[type] : 0;
}

uint32_t evlog_kept(void)
{
    return total < LOG_ENTRIES ? total : LOG_ENTRIES;
}

uint32_t evlog_lost(void)
{
    return total - evlog_kept();
}

int evlog_entry(uint32_t index, uint32_t *type, uint32_t *cycle, uint32_t *value)
{
    if (index >= evlog_kept())
        return 0;
    const struct entry *e = &ring[(head - evlog_kept() + index) & (LOG_ENTRIES - 1)];
    *type = e->type;
    *cycle = e->cycle;
    *value = e->value;
    return 1;
}
