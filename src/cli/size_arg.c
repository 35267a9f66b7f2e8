/* Parsing sizes given on the command line: 256M, 1G, 65536, 512K. */
#include "cli/size_arg.h"

#include <errno.h>
#include <stdlib.h>

int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 0:
        break;
    case 'k':
    case 'K':
        shift = 10, end++;
        break;
    case 'm':
    case 'M':
        shift = 20, end++;
        break;
    case 'g':
    case 'G':
        shift = 30, end++;
        break;
    default:
        return -1;
    }
    if (*end == 'i' && shift)
        end++;
    if ((*end == 'B' || *end == 'b') && shift)
        end++;
    if (*end || (shift && v > (~0ull >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}
