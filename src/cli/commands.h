/*
 * The subcommands of `cloister`. Each takes the arguments after its own name
 * (argv[0] is the subcommand's name) and returns the process exit status.
 */
#ifndef CLOISTER_CLI_COMMANDS_H
#define CLOISTER_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_measure(int argc, char **argv);

#endif
