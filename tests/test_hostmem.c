/* Host-memory model: mappings, faults, byte strobes, latency, outstanding limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ioe_hostmem.h"

static void test_map_rules(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    struct ioe_hostmem *hm = ioe_hostmem_create(10, 4);
    assert_non_null(hm);
    assert_int_equal(ioe_hostmem_map(hm, 0x1000, a, sizeof(a)), 0);
    assert_int_equal(ioe_hostmem_map(hm, 0x1020, b, sizeof(b)), -EEXIST);
    assert_int_equal(ioe_hostmem_map(hm, 0x0fc1, b, sizeof(b)), -EEXIST);
    assert_int_equal(ioe_hostmem_map(hm, 0x1040, b, sizeof(b)), 0); /* adjacent is fine */
    assert_int_equal(ioe_hostmem_map(hm, 0x2000, b, 0), -EINVAL);
    assert_int_equal(ioe_hostmem_map(hm, UINT64_MAX - 8, b, 64), -EINVAL);
    assert_int_equal(ioe_hostmem_unmap(hm, 0x1000, 32), -ENOENT);
    assert_int_equal(ioe_hostmem_unmap(hm, 0x1000, sizeof(a)), 0);
    assert_int_equal(ioe_hostmem_unmap(hm, 0x1000, sizeof(a)), -ENOENT);
    ioe_hostmem_destroy(hm);
}

static void test_functional_access(void **state)
{
    (void)state;
    uint8_t mem[32] = {0};
    uint32_t v = 0xdeadbeef, r = 0;
    struct ioe_hostmem *hm = ioe_hostmem_create(10, 4);
    assert_int_equal(ioe_hostmem_map(hm, 0x8000, mem, sizeof(mem)), 0);
    assert_int_equal(ioe_hostmem_write(hm, 0x8004, &v, 4), 0);
    assert_memory_equal(mem + 4, &v, 4);
    assert_int_equal(ioe_hostmem_read(hm, 0x8004, &r, 4), 0);
    assert_int_equal(r, v);
    /* straddling the end of a region, or outside every region */
    assert_int_equal(ioe_hostmem_write(hm, 0x801e, &v, 4), -EFAULT);
    assert_int_equal(mem[30], 0);
    assert_int_equal(ioe_hostmem_read(hm, 0x7ffe, &r, 4), -EFAULT);

    /* an 8-byte beat honours its byte strobes, little endian */
    memset(mem, 0x11, sizeof(mem));
    struct ioe_dma_req w = {
        .tag = 3, .write = true, .addr = 0x8008, .wdata = 0x8877665544332211ull, .wstrb = 0x81};
    struct ioe_dma_rsp rsp = ioe_hostmem_beat(hm, &w);
    assert_false(rsp.err);
    assert_int_equal(rsp.tag, 3);
    static const uint8_t want[8] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x88};
    assert_memory_equal(mem + 8, want, 8);
    struct ioe_dma_req rd = {.tag = 4, .addr = 0x8008};
    rsp = ioe_hostmem_beat(hm, &rd);
    assert_false(rsp.err);
    assert_true(rsp.rdata == 0x8811111111111111ull);
    rd.addr = 0x8004; /* misaligned */
    assert_true(ioe_hostmem_beat(hm, &rd).err);
    rd.addr = 0x9000; /* unmapped */
    assert_true(ioe_hostmem_beat(hm, &rd).err);
    struct ioe_hostmem_stats st;
    ioe_hostmem_get_stats(hm, &st);
    assert_int_equal(st.reads, 1);
    assert_int_equal(st.writes, 1);
    assert_int_equal(st.errors, 2);
    ioe_hostmem_destroy(hm);
}

static void test_timed_port(void **state)
{
    (void)state;
    uint64_t mem[8] = {10, 11, 12, 13, 14, 15, 16, 17};
    struct ioe_hostmem *hm = ioe_hostmem_create(200, 3);
    assert_int_equal(ioe_hostmem_map(hm, 0, mem, sizeof(mem)), 0);
    struct ioe_dma_rsp rsp;
    for (unsigned i = 0; i < 3; i++) {
        assert_true(ioe_hostmem_can_accept(hm));
        struct ioe_dma_req r = {.tag = (uint8_t)i, .addr = 8 * i};
        ioe_hostmem_submit(hm, &r, 100 + i);
    }
    assert_false(ioe_hostmem_can_accept(hm)); /* limit of outstanding requests */
    assert_int_equal(ioe_hostmem_poll(hm, 299, &rsp), 0);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(ioe_hostmem_poll(hm, 300 + i, &rsp), 1);
        assert_int_equal(rsp.tag, i);
        assert_true(rsp.rdata == 10 + i);
        assert_int_equal(ioe_hostmem_poll(hm, 300 + i, &rsp), 0); /* the next is not due yet */
        assert_true(ioe_hostmem_can_accept(hm));
    }
    ioe_hostmem_destroy(hm);
}

/* Injected faults (docs/reliability.md): which accesses each kind changes, on both ports */
static void test_fault_error_range(void **state)
{
    (void)state;
    uint64_t mem[8] = {0};
    struct ioe_hostmem *hm = ioe_hostmem_create(5, 4);
    assert_ptr_equal(ioe_hostmem_newest(), hm);
    assert_int_equal(ioe_hostmem_map(hm, 0, mem, sizeof(mem)), 0);
    struct ioe_hostmem_fault f = {.start = 0x10, .last = 0x17, .dirs = IOE_HOSTMEM_WRITES};
    assert_int_equal(ioe_hostmem_add_fault(hm, &f), 0);
    f.dirs = 0;
    assert_int_equal(ioe_hostmem_add_fault(hm, &f), -EINVAL);
    uint64_t v = 7;
    assert_int_equal(ioe_hostmem_write(hm, 0x14, &v, 8), -EFAULT); /* overlaps the range */
    assert_true(mem[2] == 0 && mem[3] == 0);                       /* nothing written */
    assert_int_equal(ioe_hostmem_write(hm, 0x18, &v, 8), 0);       /* just after it */
    assert_int_equal(ioe_hostmem_read(hm, 0x10, &v, 8), 0);        /* reads not affected */
    struct ioe_dma_req w = {.tag = 1, .write = true, .addr = 0x10, .wdata = 9, .wstrb = 0xff};
    assert_true(ioe_hostmem_beat(hm, &w).err);
    assert_true(mem[2] == 0);
    struct ioe_hostmem_stats st;
    ioe_hostmem_get_stats(hm, &st);
    assert_int_equal(st.faulted, 2);
    assert_int_equal(st.errors, 1);
    ioe_hostmem_clear_faults(hm);
    assert_false(ioe_hostmem_beat(hm, &w).err);
    assert_true(mem[2] == 9);
    ioe_hostmem_destroy(hm);
    assert_ptr_not_equal(ioe_hostmem_newest(), hm);
}

/* Submit reads of words 0..n-1 at cycle 0; the tags in the order their responses come by
 * cycle `until` */
static unsigned timed_order(struct ioe_hostmem *hm, unsigned n, uint64_t until, uint16_t *tags)
{
    for (unsigned i = 0; i < n; i++) {
        struct ioe_dma_req r = {.tag = (uint16_t)i, .addr = 8 * i};
        ioe_hostmem_submit(hm, &r, 0);
    }
    unsigned got = 0;
    struct ioe_dma_rsp rsp;
    for (uint64_t t = 0; t <= until; t++)
        while (ioe_hostmem_poll(hm, t, &rsp))
            tags[got++] = rsp.tag;
    return got;
}

static void test_fault_timing(void **state)
{
    (void)state;
    uint64_t mem[4] = {0};
    static const struct {
        enum ioe_hostmem_fault_kind kind;
        unsigned got;
        uint16_t order[4];
        bool functional_ok; /* the C model's access to word 1 succeeds */
    } cases[] = {
        {IOE_HOSTMEM_FAULT_LATE, 4, {0, 1, 2, 3}, true},    /* word 1 late: 2, 3 wait */
        {IOE_HOSTMEM_FAULT_REORDER, 4, {0, 2, 3, 1}, true}, /* 2, 3 pass it */
        {IOE_HOSTMEM_FAULT_TIMEOUT, 3, {0, 2, 3}, false},   /* never comes; its slot is held */
    };
    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct ioe_hostmem *hm = ioe_hostmem_create(10, 4);
        assert_int_equal(ioe_hostmem_map(hm, 0, mem, sizeof(mem)), 0);
        struct ioe_hostmem_fault f = {
            .start = 8, .last = 15, .kind = cases[c].kind, .dirs = IOE_HOSTMEM_READS, .delay = 50};
        assert_int_equal(ioe_hostmem_add_fault(hm, &f), 0);
        uint16_t tags[4];
        assert_int_equal(timed_order(hm, 4, 1000, tags), cases[c].got);
        assert_memory_equal(tags, cases[c].order, cases[c].got * sizeof(uint16_t));
        for (unsigned i = 0; cases[c].got < 4 && i < 3; i++) { /* the lost one holds a slot */
            struct ioe_dma_req r = {.tag = 9, .addr = 0};
            ioe_hostmem_submit(hm, &r, 2000);
        }
        assert_int_equal(ioe_hostmem_can_accept(hm), cases[c].got == 4);
        ioe_hostmem_flush(hm); /* a reset frees what never came */
        assert_true(ioe_hostmem_can_accept(hm));
        uint64_t v;
        assert_int_equal(ioe_hostmem_read(hm, 8, &v, 8) == 0, cases[c].functional_ok);
        ioe_hostmem_destroy(hm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_rules),    cmocka_unit_test(test_functional_access),
        cmocka_unit_test(test_timed_port),   cmocka_unit_test(test_fault_error_range),
        cmocka_unit_test(test_fault_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
