/*
 * Unit tests for the bind-clash rule both sides check (include/cloister/net_bind.h),
 * against what Linux answers (tests/progs/dualbind.c compares the same with native
 * runs): a dual-stack pair is allowed, a repeated or overlapping bind is not, specific
 * addresses meet only their own and the wildcard, SO_REUSEPORT on both lifts a clash.
 */
#include "unit.h"

#include <cloister/net_bind.h>

static struct cl_bind v4(const char *dotted, bool reuseport)
{
    struct cl_bind b = {.sock_family = 4, .addr_family = 4, .reuseport = reuseport};
    unsigned a[4] = {0, 0, 0, 0};
    sscanf(dotted, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
    for (int i = 0; i < 4; i++)
        b.addr[i] = (uint8_t)a[i];
    return b;
}

/* An IPv6 socket bound to :: (last 0) or ::LAST, or to the IPv4-mapped 0.0.0.0. */
static struct cl_bind v6(int last, bool v6only, bool reuseport)
{
    struct cl_bind b = {
        .sock_family = 6, .addr_family = 6, .v6only = v6only, .reuseport = reuseport};
    b.addr[15] = (uint8_t)last;
    return b;
}

static void test_dual_stack(void)
{
    struct cl_bind any4 = v4("0.0.0.0", false), only6 = v6(0, true, false);
    struct cl_bind dual6 = v6(0, false, false);
    CHECK(!cl_bind_clash(&any4, &only6));
    CHECK(!cl_bind_clash(&only6, &any4));
    CHECK(cl_bind_clash(&any4, &dual6));
    CHECK(cl_bind_clash(&dual6, &any4));
    CHECK(cl_bind_clash(&only6, &dual6));
    CHECK(cl_bind_clash(&any4, &any4));
}

static void test_specific_addresses(void)
{
    struct cl_bind lo = v4("127.0.0.1", false), other = v4("10.0.0.1", false);
    struct cl_bind any4 = v4("0.0.0.0", false), lo6 = v6(1, false, false);
    CHECK(!cl_bind_clash(&lo, &other));
    CHECK(cl_bind_clash(&lo, &any4));
    CHECK(cl_bind_clash(&lo, &lo));
    CHECK(!cl_bind_clash(&lo6, &lo)); /* ::1 covers no IPv4 address */
    CHECK(!cl_bind_clash(&lo6, &any4));
    struct cl_bind dual6 = v6(0, false, false);
    CHECK(cl_bind_clash(&lo6, &dual6));
    /* an IPv6 socket bound to ::ffff:127.0.0.1 covers that IPv4 address */
    struct cl_bind mapped = lo;
    mapped.sock_family = 6;
    CHECK(cl_bind_clash(&mapped, &lo));
    CHECK(!cl_bind_clash(&mapped, &other));
}

static void test_reuseport(void)
{
    struct cl_bind a = v4("0.0.0.0", true), b = v4("0.0.0.0", true), c = v4("0.0.0.0", false);
    struct cl_bind d = v6(0, false, true);
    CHECK(!cl_bind_clash(&a, &b));
    CHECK(!cl_bind_clash(&a, &d));
    CHECK(cl_bind_clash(&a, &c));
    CHECK(cl_bind_clash(&c, &a));
}

int main(void)
{
    RUN(dual_stack);
    RUN(specific_addresses);
    RUN(reuseport);
    UNIT_EXIT();
}
