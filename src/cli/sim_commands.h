/*
 * The simulated secure processor's subcommand of `cloister`. Like those of commands.h,
 * it takes the arguments after its own name (argv[0] is "sim") and returns the process
 * exit status.
 */
#ifndef CLOISTER_CLI_SIM_COMMANDS_H
#define CLOISTER_CLI_SIM_COMMANDS_H

/* `cloister sim init|show`: 0, 1 failed (one line on stderr), 2 usage. */
int cmd_sim(int argc, char **argv);

#endif
