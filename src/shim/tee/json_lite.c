/* A minimal JSON reader (json_lite.h): a skipper for values and a member lookup. */
#include "tee/json_lite.h"
#include "lib/lib.h"

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The index just past the string starting at s[i] == '"', or 0 if malformed. */
static size_t skip_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
        else if ((u8)s[i] < 0x20)
            return 0;
    }
    return 0;
}

/* The index past the value starting at s[i], or 0; depth bounds recursion. */
static size_t skip_value(const char *s, size_t i, size_t n, int depth)
{
    i = skip_ws(s, i, n);
    if (i >= n || depth > 32)
        return 0;
    if (s[i] == '"')
        return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        char close = s[i] == '{' ? '}' : ']';
        bool object = s[i] == '{';
        i = skip_ws(s, i + 1, n);
        if (i < n && s[i] == close)
            return i + 1;
        for (;;) {
            if (object) {
                if (i >= n || s[i] != '"' || !(i = skip_string(s, i, n)))
                    return 0;
                i = skip_ws(s, i, n);
                if (i >= n || s[i] != ':')
                    return 0;
                i++;
            }
            if (!(i = skip_value(s, i, n, depth + 1)))
                return 0;
            i = skip_ws(s, i, n);
            if (i < n && s[i] == ',') {
                i = skip_ws(s, i + 1, n);
                continue;
            }
            return i < n && s[i] == close ? i + 1 : 0;
        }
    }
    /* a number, true, false or null */
    size_t start = i;
    while (i < n && (s[i] == '-' || s[i] == '+' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
                     (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    return i > start ? i : 0;
}

bool json_member(const char *s, size_t n, const char *key, const char **v, size_t *vlen)
{
    size_t i = skip_ws(s, 0, n), klen = strlen(key);
    if (i >= n || s[i] != '{')
        return false;
    i = skip_ws(s, i + 1, n);
    while (i < n && s[i] == '"') {
        size_t kend = skip_string(s, i, n);
        if (!kend)
            return false;
        bool match = kend - i - 2 == klen && !memcmp(s + i + 1, key, klen);
        i = skip_ws(s, kend, n);
        if (i >= n || s[i] != ':')
            return false;
        size_t vstart = skip_ws(s, i + 1, n);
        size_t vend = skip_value(s, vstart, n, 0);
        if (!vend)
            return false;
        if (match) {
            *v = s + vstart;
            *vlen = vend - vstart;
            return true;
        }
        i = skip_ws(s, vend, n);
        if (i < n && s[i] == ',')
            i = skip_ws(s, i + 1, n);
    }
    return false;
}

s64 json_string(const char *v, size_t vlen, char *out, size_t cap)
{
    if (vlen < 2 || v[0] != '"' || v[vlen - 1] != '"')
        return -1;
    size_t o = 0;
    for (size_t i = 1; i + 1 < vlen; i++) {
        char c = v[i];
        if (c == '\\') {
            if (++i + 1 > vlen - 1)
                return -1;
            switch (v[i]) {
            case '"':
            case '\\':
            case '/':
                c = v[i];
                break;
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            default:
                return -1; /* \u and the rest: not in what brokers send us */
            }
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = 0;
    return (s64)o;
}
