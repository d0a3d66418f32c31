/* ioectl fw SUB: the management core's firmware through its mailbox (<ioe/fw.h>). */
#ifndef IOECTL_FW_H
#define IOECTL_FW_H

#include <ioe/card.h>

/* The subcommands, for the usage text and the argument check. */
#define IOECTL_FW_USAGE                                                                            \
    "  fw info           firmware version, image size and CRC-32, memory, health\n"                \
    "  fw selftest       run the firmware's self-test again (SCRATCH march included)\n"            \
    "  fw log            the firmware's event log\n"                                               \
    "  fw counters       the firmware's event counters\n"                                          \
    "  fw console        what the firmware wrote to its console\n"

/* 0 when sub names a subcommand */
int ioectl_fw_check(const char *sub);
/* run it; 0, or 1 after printing why it failed (a card without the core, a firmware that does
 * not answer) */
int ioectl_fw(struct ioe_card *card, const char *prog, const char *sub);

#endif
