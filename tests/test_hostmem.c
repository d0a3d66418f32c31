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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_rules),
        cmocka_unit_test(test_functional_access),
        cmocka_unit_test(test_timed_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
