/* Strings from outside, shown safely in messages (shown.h). */
#include "common/shown.h"

#include <stddef.h>
#include <string.h>

const char *shown(const char *s, char out[SHOWN_MAX + 4])
{
    size_t i = 0;
    for (; s[i] != '\0' && i < SHOWN_MAX; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i] != '\0') {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
    return out;
}
