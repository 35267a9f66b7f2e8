/*
 * Echoes argc, every argv string and every environment entry, in order, with
 * non-printable bytes escaped, so the harness can compare them with a native run made
 * with `env -i` and the same variables.
 */
#include <stdio.h>
#include <string.h>

extern char **environ;

static void print_escaped(const char *label, int index, const char *s)
{
    printf("%s[%d] (%zu bytes) \"", label, index, strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p >= 0x20 && *p < 0x7f)
            putchar(*p);
        else
            printf("\\x%02x", *p);
    }
    printf("\"\n");
}

int main(int argc, char **argv)
{
    printf("argc: %d\n", argc);
    for (int i = 0; i < argc; i++)
        print_escaped("argv", i, argv[i]);
    printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    int n = 0;
    for (char **e = environ; *e; e++)
        print_escaped("env", n++, *e);
    printf("envc: %d\n", n);
    return 0;
}
