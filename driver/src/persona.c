/*
 * Host personas: the architecture whose KVM libioe answers as. A KVM host is of one
 * architecture; its KVM_CREATE_VM type argument, KVM_IRQ_LINE layout, extensions and
 * device types are that architecture's. The persona is chosen when the card is opened
 * (ioe_open_host, or IOE_HOST for programs that call ioe_open).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct persona personas[] = {
    {"arm64", HOST_ARM64},
    {"ppc64", HOST_PPC64},
    {"ppc-booke", HOST_PPC_BOOKE},
    {"s390x", HOST_S390X},
    {"x86_64", HOST_X86_64},
};

static _Thread_local char last_error[256];

const char *ioe_last_error(void)
{
    return last_error;
}

void set_last_error(const char *fmt, const char *arg)
{
    snprintf(last_error, sizeof(last_error), fmt, arg);
}

const struct persona *persona_find(const char *name, int *err)
{
    const char *src = name ? "host persona" : "IOE_HOST";
    if (!name)
        name = getenv("IOE_HOST");
    if (!name || !*name)
        name = "arm64";
    for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++)
        if (strcmp(personas[i].name, name) == 0)
            return &personas[i];
    char msg[160];
    snprintf(msg, sizeof(msg), "%s '%%s' is unknown (arm64, ppc64, ppc-booke, s390x, x86_64)",
             src);
    set_last_error(msg, name);
    *err = -EINVAL;
    return NULL;
}
