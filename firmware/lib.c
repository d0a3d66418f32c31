/* What the compiler may call in a freestanding program (memset, memcpy), the console and
 * CRC-32: the firmware links no C library. */
#include "fw.h"

#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void con_puts(const char *s)
{
    while (*s)
        csr_write(IOE_MGMT_CON_PUT, (uint8_t)*s++);
}

void con_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        csr_write(IOE_MGMT_CON_PUT, (uint32_t) "0123456789abcdef"[v >> i & 15]);
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), four bits at a time through a 16-entry
 * table built on first use: no multiply, 64 bytes of table */
uint32_t crc32(const void *p, uint32_t len)
{
    static uint32_t tbl[16];
    if (!tbl[1]) {
        for (uint32_t n = 0; n < 16; n++) {
            uint32_t c = n;
            for (int k = 0; k < 4; k++)
                c = c >> 1 ^ (0xedb88320u & -(c & 1));
            tbl[n] = c;
        }
    }
    const uint8_t *b = p;
    uint32_t c = 0xffffffffu;
    while (len--) {
        c ^= *b++;
        c = tbl[c & 15] ^ c >> 4;
        c = tbl[c & 15] ^ c >> 4;
    }
    return ~c;
}
