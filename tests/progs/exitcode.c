/* Exits with the status given as its argument (exit(3) truncates it to 8 bits). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: exitcode N\n");
        return 3;
    }
    int code = atoi(argv[1]);
    printf("exiting with %d\n", code); /* still buffered: exit() must flush it */
    exit(code);
}
