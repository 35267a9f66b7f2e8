/*
 * The image subcommands of `cloister`: build and inspect. Like those of commands.h, each
 * takes the arguments after its own name (argv[0] is the subcommand's name) and returns
 * the process exit status.
 */
#ifndef CLOISTER_CLI_IMAGE_COMMANDS_H
#define CLOISTER_CLI_IMAGE_COMMANDS_H

/* `cloister build`: 0 built, 1 the build failed (one line on stderr), 2 usage. */
int cmd_build(int argc, char **argv);
/* `cloister inspect`: 0, 2 usage, 125 the image is bad (one line on stderr). */
int cmd_inspect(int argc, char **argv);

#endif
