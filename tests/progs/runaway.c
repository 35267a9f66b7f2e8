/*
 * A workload that never ends on its own, for `cloister run --timeout`: argv[1] "spin"
 * (a loop in user mode, no system call), "sleep" (nanosleep, forever), "stdin" (a read
 * of stdin, which the test leaves without data) or "shim" (a jump into the shim's
 * pages: on PVM's ring-3 route they are reachable, and the shim's code then runs in
 * a state it never expects).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHIM_TEXT 0xffffffff80800040ul

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "spin";
    if (!strcmp(how, "sleep")) {
        for (;;)
            nanosleep(&(struct timespec){1000, 0}, NULL);
    } else if (!strcmp(how, "stdin")) {
        char b[16];
        printf("read %zd\n", read(0, b, sizeof(b)));
        return 0;
    } else if (!strcmp(how, "shim")) {
        ((void (*)(void))SHIM_TEXT)();
        return 0;
    }
    for (volatile unsigned long n = 0;; n++)
        ;
}
