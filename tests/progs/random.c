/*
 * getrandom: two calls return different bytes, flags are checked, and a large request
 * looks random. The facts are compared with a native run; the last line ("hex: ...")
 * differs every run, and the harness checks that two runs in a VM print different ones.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const char *yes(int c)
{
    return c ? "yes" : "no";
}

static int bits_set(const unsigned char *p, size_t n)
{
    int bits = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned b = p[i]; b; b >>= 1)
            bits += b & 1;
    return bits;
}

int main(void)
{
    unsigned char a[32], b[32], big[4096];
    ssize_t ra = getrandom(a, sizeof(a), 0);
    ssize_t rb = getrandom(b, sizeof(b), 0);
    printf("getrandom(32) twice: %zd, %zd\n", ra, rb);
    printf("getrandom: two calls differ: %s\n", yes(memcmp(a, b, sizeof(a)) != 0));

    printf("getrandom(GRND_NONBLOCK): %zd\n", getrandom(b, sizeof(b), GRND_NONBLOCK));
    errno = 0;
    ssize_t r = getrandom(b, sizeof(b), 0x100);
    printf("getrandom(bad flags): %zd, EINVAL: %s\n", r, yes(errno == EINVAL));
    printf("getrandom(0 bytes): %zd\n", getrandom(b, 0, 0));

    ssize_t rbig = getrandom(big, sizeof(big), 0);
    int bits = bits_set(big, sizeof(big));
    printf("getrandom(4096): %zd, ones between 45%% and 55%% of bits: %s\n", rbig,
           yes(bits > 4096 * 8 * 45 / 100 && bits < 4096 * 8 * 55 / 100));

    printf("hex: ");
    for (size_t i = 0; i < sizeof(a); i++)
        printf("%02x", a[i]);
    printf("\n");
    return 0;
}
