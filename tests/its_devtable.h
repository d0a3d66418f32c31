// The ITS device table of a GITS_BASER0 value as the ITS table ABI places it (docs/its.md,
// "Tables in guest memory"), for the C++ testbenches of the engine's units (test_its_devtab,
// test_its_walk): page size, entries per page, capacity, level-1 entry and level-2 page
// addresses, the DeviceIDs in range, in the VM's IOVA window.
#ifndef IOE_TEST_ITS_DEVTABLE_H
#define IOE_TEST_ITS_DEVTABLE_H

#include <cstdint>

constexpr unsigned kDevBits = 16; /* the units' default */

struct ItsDevTable {
    uint64_t baser0 = 0;
    uint8_t ivm = 0;

    bool indirect() const { return baser0 >> 62 & 1; }
    uint64_t page() const
    {
        static const uint64_t kPage[] = {4096, 16384, 65536, 65536};
        return kPage[baser0 >> 8 & 3];
    }
    uint64_t epp() const { return page() / 8; }
    uint64_t capacity() const { return ((baser0 & 0xff) + 1) * epp(); }
    uint64_t base() const { return baser0 & 0xFFFFFFFFF000ull & ~(page() - 1); }
    uint64_t iova(uint64_t a) const { return (uint64_t)ivm << 48 | a; }
    uint64_t l1_addr(uint64_t dev) const { return iova(base() + 8 * (dev / epp())); }
    uint64_t l2_page(uint64_t l1e) const { return l1e & 0xFFFFFFFFF000ull & ~(page() - 1); }
    bool beyond(uint64_t dev) const
    {
        return dev >= (1u << kDevBits) || (indirect() ? dev / epp() : dev) >= capacity();
    }
};

#endif
