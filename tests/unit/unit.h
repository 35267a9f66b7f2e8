/*
 * A minimal unit-test harness for host code: each tests/unit/test_*.c is one program
 * with several named cases. It prints one line per case, "PASS name" or
 * "FAIL name: why", and exits non-zero if any case failed. tests/run counts the lines.
 */
#ifndef CLOISTER_TESTS_UNIT_H
#define CLOISTER_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed_cases;
static int unit_case_failed;

/* Fails the current case with a message; the case goes on (so one run shows all). */
#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
            unit_case_failed = 1;                                                          \
        }                                                                                  \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                 \
    do {                                                                                   \
        long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);                      \
        if (unit_a_ != unit_b_) {                                                          \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__,    \
                    #a, unit_a_, unit_b_);                                                 \
            unit_case_failed = 1;                                                          \
        }                                                                                  \
    } while (0)

#define CHECK_STREQ(a, b)                                                                  \
    do {                                                                                   \
        const char *unit_a_ = (a), *unit_b_ = (b);                                         \
        if (strcmp(unit_a_, unit_b_) != 0) {                                               \
            fprintf(stderr, "  %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,          \
                    __LINE__, #a, unit_a_, unit_b_);                                       \
            unit_case_failed = 1;                                                          \
        }                                                                                  \
    } while (0)

/* Runs one case: RUN(name) calls test_name(). */
#define RUN(name)                                                                          \
    do {                                                                                   \
        unit_case_failed = 0;                                                              \
        test_##name();                                                                     \
        printf("%s %s\n", unit_case_failed ? "FAIL" : "PASS", #name);                      \
        fflush(stdout);                                                                    \
        unit_failed_cases += unit_case_failed;                                             \
    } while (0)

#define UNIT_EXIT() return unit_failed_cases ? 1 : 0

#endif
