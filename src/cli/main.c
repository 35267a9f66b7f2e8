/* The `cloister` command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cloister COMMAND [OPTIONS] ...\n"
               "\n"
               "commands:\n"
               "  run [--mem SIZE] [--env K=V]... [--trace] [--stats] PROGRAM [ARGS...]\n"
               "          run a static Linux x86-64 program in its own KVM virtual machine\n"
               "  measure [--cpus N] IMAGE.cwi\n"
               "          print the SEV-SNP launch digest the image will have\n"
               "  verify --report FILE --vcek FILE [...]\n"
               "          check an AMD SEV-SNP attestation report (cloister verify --help)\n"
               "\n"
               "  cloister --version | --help\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("cloister %s\n", CLOISTER_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "measure"))
        return cmd_measure(argc - 1, argv + 1);
    fprintf(stderr, "cloister: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
