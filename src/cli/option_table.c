/* The table-driven command-line parser: a table of options turned into getopt_long's. */
#include "cli/option_table.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* getopt_long's value for a long option: its row, above every short option's letter. */
#define LONG_OPTION_BASE 256

int cli_usage_verror(const struct cli_command *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "cloister: %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s", cmd->usage);
    return CLI_EXIT_USAGE;
}

__attribute__((format(printf, 2, 3))) static int option_error(const struct cli_command *cmd,
                                                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int status = cli_usage_verror(cmd, fmt, ap);
    va_end(ap);
    return status;
}

static bool is_short_option(const struct cli_option *o)
{
    return o->name[0] != '\0' && o->name[1] == '\0';
}

/*
 * getopt_long's two descriptions of cmd's options. "+" stops at the first operand, so
 * that nothing after "--" or a workload's name is taken for an option; ":" tells a
 * missing value apart from an unknown option.
 */
static void describe_for_getopt(const struct cli_command *cmd, char *shorts, struct option *longs)
{
    size_t ns = 0, nl = 0;
    shorts[ns++] = '+';
    shorts[ns++] = ':';
    for (size_t i = 0; i < cmd->noptions; i++) {
        const struct cli_option *o = &cmd->options[i];
        if (is_short_option(o)) {
            shorts[ns++] = o->name[0];
            if (o->takes_value)
                shorts[ns++] = ':';
        } else {
            longs[nl++] = (struct option){o->name, o->takes_value ? required_argument : no_argument,
                                          NULL, LONG_OPTION_BASE + (int)i};
        }
    }
    shorts[ns] = '\0';
    longs[nl] = (struct option){NULL, 0, NULL, 0};
}

static const struct cli_option *row_for(const struct cli_command *cmd, int c)
{
    if (c >= LONG_OPTION_BASE)
        return &cmd->options[c - LONG_OPTION_BASE];
    for (size_t i = 0; i < cmd->noptions; i++)
        if (is_short_option(&cmd->options[i]) && cmd->options[i].name[0] == c)
            return &cmd->options[i];
    return NULL;
}

/* Applies one option's row (not CLI_SHOW_USAGE's); 0 to go on, or the status the
 * command exits with. */
static int apply_row(const struct cli_option *o, void *args, const char *value)
{
    switch (o->action) {
    case CLI_STORE_VALUE:
        *(const char **)((char *)args + o->field) = value;
        return 0;
    case CLI_SET_TRUE:
        *(bool *)((char *)args + o->field) = true;
        return 0;
    case CLI_CALL:
        return o->call(args, value);
    case CLI_SHOW_USAGE:
        break;
    }
    return 0;
}

int cli_parse_options(const struct cli_command *cmd, int argc, char **argv, void *args,
                      int *operand)
{
    char shorts[2 * cmd->noptions + 3];
    struct option longs[cmd->noptions + 1];
    describe_for_getopt(cmd, shorts, longs);

    /* 0, not 1: getopt forgets where it was inside a group of short options too */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (c == ':')
            return option_error(cmd, "%s needs a value", argv[optind - 1]);
        const struct cli_option *o = c == '?' ? NULL : row_for(cmd, c);
        /* a short option is named by its letter: "-xy" is one argument, two options;
         * a long one as written ("--json=1" for a flag given a value) */
        if (!o && optopt > 0 && optopt < LONG_OPTION_BASE)
            return option_error(cmd, "unknown option '-%c'", optopt);
        if (!o)
            return option_error(cmd, "unknown option '%s'", argv[optind - 1]);
        if (o->action == CLI_SHOW_USAGE) {
            fputs(cmd->usage, stdout);
            return 0;
        }
        int status = apply_row(o, args, optarg);
        if (status)
            return status;
    }
    *operand = optind;
    return CLI_OPTIONS_PARSED;
}
