// Checks of the C++ Verilator testbenches (test_uart, test_pcie_ep): a failed check prints
// where and what, counts in `failures`, and the test goes on; main returns failures != 0.
#ifndef IOE_TEST_VCHECK_H
#define IOE_TEST_VCHECK_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);             \
        if (a_ != b_) {                                                                            \
            std::fprintf(stderr, "%s:%d: %s == 0x%llx, expected 0x%llx\n", __FILE__, __LINE__, #a, \
                         a_, b_);                                                                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

// The seed of a randomised testbench: `--seed N` or N as the first argument, else 1; printed.
static inline unsigned vcheck_seed(int argc, char **argv, const char *test)
{
    const char *s = argc > 2 && !std::strcmp(argv[1], "--seed") ? argv[2]
                    : argc > 1                                  ? argv[1]
                                                                : "1";
    unsigned seed = (unsigned)std::strtoul(s, nullptr, 0);
    std::printf("%s: seed %u\n", test, seed);
    return seed;
}

// Fields of a wide Verilator port (VlWide: 32-bit words), e.g. a packed struct: bits
// [lo, lo + width) set to v / read.
template <typename W> void wide_put(W &w, unsigned lo, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++) {
        unsigned b = lo + i;
        uint32_t m = 1u << (b % 32);
        w[b / 32] = (v >> i & 1) ? (w[b / 32] | m) : (w[b / 32] & ~m);
    }
}

template <typename W> uint64_t wide_get(const W &w, unsigned lo, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) {
        unsigned b = lo + i;
        v |= (uint64_t)(w[b / 32] >> (b % 32) & 1) << i;
    }
    return v;
}

#endif
