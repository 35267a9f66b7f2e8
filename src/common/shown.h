/*
 * A string from outside (a client's request, a file) shown in a one-line message:
 * bytes outside printable ASCII become '?', and a long string is cut, so that what an
 * attacker sends can neither forge lines nor flood a log.
 */
#ifndef CLOISTER_COMMON_SHOWN_H
#define CLOISTER_COMMON_SHOWN_H

#define SHOWN_MAX 40 /* characters shown before "..." */

/* Fills out (SHOWN_MAX + 4 bytes) with s as shown; returns out. */
const char *shown(const char *s, char out[SHOWN_MAX + 4]);

#endif
