/* The `cloister` command: dispatches to a subcommand. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/image_commands.h"
#include "cli/kbs_commands.h"
#include "cli/sim_commands.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: cloister COMMAND [OPTIONS] ...\n"
               "\n"
               "commands:\n"
               "  run [--tee none|sim|snp] [--trace] [--stats] IMAGE.cwi [ARGS...]\n"
               "  run [--tee none|sim|snp] [--mem SIZE] [--env K=V]... [--trace] [--stats] "
               "PROGRAM [ARGS...]\n"
               "          run an image, or a static Linux x86-64 program, in its own KVM VM\n"
               "  build -o OUT.cwi [-f cloister.json] [--entry PROG[:DST]] [--add SRC:DST]...\n"
               "        [--env K=V]... [--cwd DIR] [--mem SIZE] [--cpus N] [-- ARGS...]\n"
               "          seal a program and its files into a measured image\n"
               "  inspect [--json] IMAGE.cwi\n"
               "          print an image's header, sections, manifest, files and digest\n"
               "  measure [--cpus N] IMAGE.cwi\n"
               "          print the SEV-SNP launch digest the image will have\n"
               "  sim init [DIR] [--force] | sim show [DIR]\n"
               "          create or show the simulated secure processor of --tee sim\n"
               "  verify --report FILE --vcek FILE [...]\n"
               "          check an AMD SEV-SNP attestation report (cloister verify --help)\n"
               "  kbs --policy FILE --resources DIR [--listen ADDR:PORT] [--trust FILE]...\n"
               "          a key broker: releases secrets only to attested workloads\n"
               "\n"
               "  cloister --version | --help\n");
}

int main(int argc, char **argv)
{
    /* Cloister needs no system-wide OpenSSL configuration (its algorithms and trust
     * roots are its own), and reading and parsing it cost ~1 ms of every start. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
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
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(cmd, "inspect"))
        return cmd_inspect(argc - 1, argv + 1);
    if (!strcmp(cmd, "sim"))
        return cmd_sim(argc - 1, argv + 1);
    if (!strcmp(cmd, "kbs"))
        return cmd_kbs(argc - 1, argv + 1);
    if (!strcmp(cmd, "measure"))
        return cmd_measure(argc - 1, argv + 1);
    fprintf(stderr, "cloister: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
