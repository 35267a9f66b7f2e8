/* Fatal shim errors: the monitor reports them and exits 125. */
#ifndef SHIM_PANIC_H
#define SHIM_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c))                                                                                  \
            panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__);                         \
    } while (0)

#endif
