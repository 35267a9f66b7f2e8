/*
 * Command-line options described by a table, one row per option, parsed with getopt_long
 * so that every command accepts the same spellings: "--name value", "--name=value",
 * unambiguous prefixes ("--ent"), "-o value", "-ovalue", and "--" ending the options.
 */
#ifndef CLOISTER_CLI_OPTION_TABLE_H
#define CLOISTER_CLI_OPTION_TABLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A command's status for a command line it cannot use. */
#define CLI_EXIT_USAGE 2

/* cli_parse_options's "every option applied, go on". */
#define CLI_OPTIONS_PARSED (-1)

enum cli_option_action {
    CLI_STORE_VALUE, /* the value into the const char * at field */
    CLI_SET_TRUE,    /* true into the bool at field */
    CLI_CALL,        /* call(args, value) */
    CLI_SHOW_USAGE,  /* the usage on stdout, and the command ends with status 0 */
};

struct cli_option {
    const char *name; /* a long option's name, or one letter: a short option ("o" is -o) */
    bool takes_value;
    enum cli_option_action action;
    size_t field; /* CLI_STORE_VALUE, CLI_SET_TRUE: offsetof the member in the args */
    /* CLI_CALL: checks and applies value (NULL without one). 0 to go on, or the status
     * the command exits with. */
    int (*call)(void *args, const char *value);
};

/* The rows, spelled as a table reads best. */
#define CLI_STRING(name, type, member)                                                             \
    {                                                                                              \
        name, true, CLI_STORE_VALUE, offsetof(type, member), NULL                                  \
    }
#define CLI_FLAG(name, type, member)                                                               \
    {                                                                                              \
        name, false, CLI_SET_TRUE, offsetof(type, member), NULL                                    \
    }
#define CLI_VALUE_CALL(name, fn)                                                                   \
    {                                                                                              \
        name, true, CLI_CALL, 0, fn                                                                \
    }
#define CLI_HELP(name)                                                                             \
    {                                                                                              \
        name, false, CLI_SHOW_USAGE, 0, NULL                                                       \
    }

struct cli_command {
    const char *name;  /* "build": errors read "cloister: build: ..." */
    const char *usage; /* printed for --help, and after every usage error */
    const struct cli_option *options;
    size_t noptions;
};

/*
 * Applies argv[1..]'s options to args by cmd's table, stopping at the first operand or
 * after "--". Returns CLI_OPTIONS_PARSED with *operand the index of the first argument
 * it did not take, or the status the command exits with now: 0 after the usage was
 * shown, CLI_EXIT_USAGE after an unknown option or a missing value (named on stderr,
 * with the usage), or what a row's call returned. May be called again in one process.
 */
int cli_parse_options(const struct cli_command *cmd, int argc, char **argv, void *args,
                      int *operand);

/* Prints "cloister: NAME: <why>" and the usage on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_verror(const struct cli_command *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
