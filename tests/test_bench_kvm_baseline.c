/*
 * The Linux KVM baseline of ioe-bench: KVM's own software injection (KVM_SIGNAL_MSI and an
 * irqfd-bound MSI route) into a minimal guest on this host. Where /dev/kvm is not usable
 * the module must say why and the test reports the skip; where it is, every sample must
 * be a plausible latency.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kvm_baseline.h"

#define N 50u

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void check_and_print(const char *name, const uint64_t *s, unsigned n)
{
    uint64_t sorted[N];
    for (unsigned i = 0; i < n; i++) {
        assert_true(s[i] > 0);
        assert_true(s[i] < 1000000000ull);
        sorted[i] = s[i];
    }
    qsort(sorted, n, sizeof sorted[0], cmp_u64);
    printf("%-15s min %8.2f us  median %8.2f us  max %8.2f us  (n=%u)\n", name,
           (double)sorted[0] / 1e3, (double)sorted[n / 2] / 1e3, (double)sorted[n - 1] / 1e3, n);
}

static void test_run(void **state)
{
    (void)state;
    uint64_t msi[N], msi_call[N], irqfd[N];
    memset(msi, 0, sizeof msi);
    memset(msi_call, 0, sizeof msi_call);
    memset(irqfd, 0, sizeof irqfd);
    struct kvm_baseline b = {.msi_ns = msi, .msi_call_ns = msi_call, .irqfd_ns = irqfd, .n = N};
    char why[256];
    memset(why, 'x', sizeof why);
    int err = kvm_baseline_run(&b, why, sizeof why);
    if (err) {
        assert_true(err < 0);
        assert_non_null(memchr(why, '\0', sizeof why));
        assert_true(strlen(why) > 0);
        printf("skipped: %s\n", why);
        return;
    }
    check_and_print("KVM_SIGNAL_MSI", msi, N);
    check_and_print("KVM_SIGNAL_MSI call", msi_call, N);
    check_and_print("KVM_IRQFD", irqfd, N);
    /* (the guest's handler may signal before the call has returned: no order between them) */
}

static void test_bad_args(void **state)
{
    (void)state;
    char why[128];
    assert_int_equal(kvm_baseline_run(NULL, why, sizeof why), -EINVAL);
    assert_true(strlen(why) > 0);
    struct kvm_baseline b = {.msi_ns = NULL, .irqfd_ns = NULL, .n = 3};
    assert_int_equal(kvm_baseline_run(&b, why, sizeof why), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
