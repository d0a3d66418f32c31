/* ioectl fw SUB (see ioectl_fw.h). */
#include "ioectl_fw.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ioe/fw.h>

static const char *const subs[] = {"info", "selftest", "log", "counters", "console"};
#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static const char *const event_name[IOE_FW_NR_EVENTS] = {
    [IOE_FW_EV_DMA_FAULT] = "dma-fault",
    [IOE_FW_EV_ITS_DROP] = "its-msi-drop",
    [IOE_FW_EV_NOTIFY_DROP] = "notify-drop",
    [IOE_FW_EV_BOOT] = "boot",
};

int ioectl_fw_check(const char *sub)
{
    for (size_t i = 0; i < NSUBS; i++)
        if (!strcmp(sub, subs[i]))
            return 0;
    return -EINVAL;
}

static int fw_error(const char *prog, const char *sub, int err)
{
    if (err == -ENODEV)
        fprintf(stderr, "%s: fw %s: this card has no management core (FEATURES.MGMT is 0)\n", prog,
                sub);
    else if (err == -ETIMEDOUT)
        fprintf(stderr, "%s: fw %s: the firmware does not answer (timeout)\n", prog, sub);
    else if (err == -EIO)
        fprintf(stderr, "%s: fw %s: the management core stopped at a trap\n", prog, sub);
    else
        fprintf(stderr, "%s: fw %s: %s\n", prog, sub, strerror(-err));
    return 1;
}

static const char *tests_str(uint32_t bits, char *buf, size_t n)
{
    static const char *const names[] = {"regmap", "ram", "scratch", "dma"};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (bits >> i & 1)
            snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? " " : "", names[i]);
    return buf[0] ? buf : "-";
}

int ioectl_fw(struct ioe_card *card, const char *prog, const char *sub)
{
    uint32_t a[IOE_FW_MBOX_WORDS - 1], h[IOE_FW_MBOX_WORDS - 1];
    char buf[256];
    int err;
    if (!strcmp(sub, "info")) {
        if ((err = ioe_fw_call(card, IOE_FW_CMD_INFO, NULL, 0, a, 0)) ||
            (err = ioe_fw_call(card, IOE_FW_CMD_HEALTH, NULL, 0, h, 0)))
            return fw_error(prog, sub, err);
        printf("firmware %u.%u.%u, image %u bytes, crc32 0x%08x, memory %u words\n", a[0] >> 16,
               a[0] >> 8 & 0xff, a[0] & 0xff, a[1], a[2], a[3]);
        printf("ready at cycle %u, up %u cycles, %u requests served, %u watchdog restarts\n", h[3],
               h[0], h[1], h[2]);
    } else if (!strcmp(sub, "selftest")) {
        uint32_t run = 1;
        if ((err = ioe_fw_call(card, IOE_FW_CMD_SELFTEST, &run, 1, a, 0)))
            return fw_error(prog, sub, err);
        printf("passed: %s\n", tests_str(a[0], buf, sizeof(buf)));
        printf("failed: %s", tests_str(a[1], buf, sizeof(buf)));
        printf(a[1] ? " (detail 0x%08x)\n" : "\n", a[2]);
        printf("selftest %s\n", a[1] ? "FAILED" : "passed");
        return a[1] ? 1 : 0;
    } else if (!strcmp(sub, "log")) {
        uint32_t i = 0, kept = 1;
        for (; i < kept; i++) {
            if ((err = ioe_fw_call(card, IOE_FW_CMD_LOG, &i, 1, a, 0)))
                return fw_error(prog, sub, err);
            kept = a[0];
            if (i == 0)
                printf("%u entries (%u lost to wrap-around)\n", a[0], a[1]);
            if (a[2])
                printf("  cycle %10u  %-14s 0x%08x\n", a[3],
                       a[2] < IOE_FW_NR_EVENTS ? event_name[a[2]] : "?", a[4]);
        }
    } else if (!strcmp(sub, "counters")) {
        if ((err = ioe_fw_call(card, IOE_FW_CMD_COUNTERS, NULL, 0, a, 0)))
            return fw_error(prog, sub, err);
        for (uint32_t e = 1; e < IOE_FW_NR_EVENTS; e++)
            printf("  %-14s %u\n", event_name[e], a[e - 1]);
    } else { /* a request first: a card opened just now has booted when it is answered */
        if ((err = ioe_fw_call(card, IOE_FW_CMD_ECHO, NULL, 0, a, 0)) ||
            (err = ioe_fw_console(card, buf, sizeof(buf))) < 0)
            return fw_error(prog, sub, err);
        fputs(buf, stdout);
    }
    return 0;
}
