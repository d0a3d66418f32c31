/*
 * What both libFuzzer targets share: reading an input as a stream of numbers (0 when it is
 * used up) and checking a result. Seeds are written with the same layout by
 * tests/fuzz/make_seeds.c.
 */
#ifndef IOE_FUZZ_INPUT_H
#define IOE_FUZZ_INPUT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ioe/ioe.h>

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline uint64_t fz_num(struct fz *f, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && f->n; i++, f->p++, f->n--)
        v |= (uint64_t)*f->p << (8 * i);
    return v;
}
#define fz_u8(f) ((uint8_t)fz_num(f, 1))
#define fz_u16(f) ((uint16_t)fz_num(f, 2))
#define fz_u32(f) ((uint32_t)fz_num(f, 4))
#define fz_u64(f) fz_num(f, 8)

/* Copy up to len input bytes into dst, zero the rest. */
static inline void fz_bytes(struct fz *f, void *dst, size_t len)
{
    size_t k = len < f->n ? len : f->n;
    memcpy(dst, f->p, k);
    memset((uint8_t *)dst + k, 0, len - k);
    f->p += k;
    f->n -= k;
}

/* A result of ioe_ioctl or ioe_close: >= 0, or -1 with a positive errno (errno is cleared
 * before the call). */
static inline void fz_check(int ret)
{
    if (ret < -1 || (ret == -1 && errno <= 0))
        __builtin_trap();
}

#endif
