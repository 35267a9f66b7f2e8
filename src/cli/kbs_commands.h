/*
 * The key broker subcommand of `cloister`. Like those of commands.h, it takes the
 * arguments after its own name (argv[0] is the subcommand's name) and returns the
 * process exit status.
 */
#ifndef CLOISTER_CLI_KBS_COMMANDS_H
#define CLOISTER_CLI_KBS_COMMANDS_H

/*
 * `cloister kbs`: serves the key broker protocol until SIGINT or SIGTERM. 0 after a
 * signal, 1 if it cannot start (one line on stderr), 2 on a usage error.
 */
int cmd_kbs(int argc, char **argv);

#endif
