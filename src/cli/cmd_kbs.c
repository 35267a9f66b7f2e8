/*
 * `cloister kbs`: a key broker that releases secrets only to attested workloads. It
 * loads the policy and the extra roots, serves until SIGINT or SIGTERM, and logs one
 * line per request on stderr (docs/kbs.md).
 */
#include "cli/kbs_commands.h"

#include "kbs/kbs_policy.h"
#include "kbs/kbs_protocol.h"
#include "kbs/kbs_server.h"
#include "kbs/kbs_tls.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_STOPPED 0
#define EXIT_FAILED  1
#define EXIT_USAGE   2

#define DEFAULT_LISTEN "127.0.0.1:8080"

static const char kbs_usage[] =
    "usage: cloister kbs --policy FILE --resources DIR [--listen ADDR:PORT] [--trust FILE]...\n"
    "                    [--tls-cert FILE --tls-key FILE]\n"
    "  --policy FILE             JSON policy: launch digests, roots, TCB, debug, VMPL, "
    "per-resource "
    "rules\n"
    "  --resources DIR           the secrets, as DIR/<repository>/<type>/<tag>\n"
    "  --listen ADDR:PORT        where to serve HTTP (default " DEFAULT_LISTEN ")\n"
    "  --tls-cert FILE           serve HTTPS with this PEM certificate; prints its pin\n"
    "  --tls-key FILE            the certificate's private key (PEM, unencrypted)\n"
    "  --trust FILE              PEM root(s) to trust besides the policy's, e.g. a simulated "
    "chip's ARK\n"
    "  --session-lifetime SECS   how long a session lasts, attested or not (default 300)\n"
    "  --max-sessions N          live sessions at most (default 1024)\n";

struct kbs_args {
    const char *policy, *resources, *listen, *tls_cert, *tls_key;
    const char **trust;
    int ntrust;
    unsigned lifetime, max_sessions;
};

__attribute__((format(printf, 1, 2))) static int kbs_usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cloister: kbs: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", kbs_usage);
    return EXIT_USAGE;
}

static int parse_count(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v == 0 || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* Fills *a from the command line. Returns -1 to go on, or an exit status. */
static int parse_kbs_args(int argc, char **argv, struct kbs_args *a)
{
    enum {
        O_POLICY = 256,
        O_RESOURCES,
        O_LISTEN,
        O_TRUST,
        O_LIFETIME,
        O_SESSIONS,
        O_TLS_CERT,
        O_TLS_KEY,
        O_HELP
    };
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, O_POLICY},
        {"resources", required_argument, NULL, O_RESOURCES},
        {"listen", required_argument, NULL, O_LISTEN},
        {"trust", required_argument, NULL, O_TRUST},
        {"session-lifetime", required_argument, NULL, O_LIFETIME},
        {"max-sessions", required_argument, NULL, O_SESSIONS},
        {"tls-cert", required_argument, NULL, O_TLS_CERT},
        {"tls-key", required_argument, NULL, O_TLS_KEY},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    optind = 0; /* may run more than once in a process (tests) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        switch (c) {
        case O_POLICY:
            a->policy = optarg;
            break;
        case O_RESOURCES:
            a->resources = optarg;
            break;
        case O_LISTEN:
            a->listen = optarg;
            break;
        case O_TLS_CERT:
            a->tls_cert = optarg;
            break;
        case O_TLS_KEY:
            a->tls_key = optarg;
            break;
        case O_TRUST:
            a->trust[a->ntrust++] = optarg;
            break;
        case O_LIFETIME:
            if (parse_count(optarg, 86400, &a->lifetime) != 0)
                return kbs_usage_error("--session-lifetime takes 1 to 86400 seconds, not '%s'",
                                       optarg);
            break;
        case O_SESSIONS:
            if (parse_count(optarg, 1u << 20, &a->max_sessions) != 0)
                return kbs_usage_error("--max-sessions takes 1 to 1048576, not '%s'", optarg);
            break;
        case O_HELP:
            fputs(kbs_usage, stdout);
            return EXIT_STOPPED;
        case ':':
            return kbs_usage_error("%s needs a value", argv[optind - 1]);
        default:
            return kbs_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return kbs_usage_error("unexpected argument '%s'", argv[optind]);
    if (a->policy == NULL)
        return kbs_usage_error("--policy is required");
    if (a->resources == NULL)
        return kbs_usage_error("--resources is required");
    if ((a->tls_cert == NULL) != (a->tls_key == NULL))
        return kbs_usage_error("--tls-cert and --tls-key go together");
    if (a->listen == NULL)
        a->listen = DEFAULT_LISTEN;
    return -1;
}

int cmd_kbs(int argc, char **argv)
{
    struct kbs_args a = {0};
    a.trust = calloc((size_t)argc + 1, sizeof(*a.trust));
    if (a.trust == NULL)
        return EXIT_FAILED;
    int rc = parse_kbs_args(argc, argv, &a);
    if (rc >= 0) {
        free(a.trust);
        return rc;
    }

    char err[1024];
    struct kbs_policy *policy = NULL;
    struct kbs_broker *broker = NULL;
    struct kbs_server *server = NULL;
    struct kbs_tls tls = {0};
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    /* Blocked before the server's thread starts, so that it inherits the mask and only
     * sigwait() below sees the signals. */
    pthread_sigmask(SIG_BLOCK, &stop, &old);

    rc = EXIT_FAILED;
    if ((policy = kbs_policy_load(a.policy, err, sizeof(err))) == NULL)
        goto out;
    for (int i = 0; i < a.ntrust; i++)
        if (kbs_policy_add_roots_file(policy, a.trust[i], err, sizeof(err)) != 0)
            goto out;
    struct kbs_config cfg = {
        .policy = policy,
        .resources_dir = a.resources,
        .session_lifetime = a.lifetime,
        .max_sessions = a.max_sessions,
    };
    if ((broker = kbs_broker_new(&cfg, err, sizeof(err))) == NULL)
        goto out;
    if (a.tls_cert != NULL && kbs_tls_load(&tls, a.tls_cert, a.tls_key, err, sizeof(err)) != 0)
        goto out;
    struct kbs_server_config scfg = {.listen = a.listen,
                                     .broker = broker,
                                     .tls_cert_pem = tls.cert_pem,
                                     .tls_key_pem = tls.key_pem};
    if ((server = kbs_server_start(&scfg, err, sizeof(err))) == NULL)
        goto out;

    int nroots = policy->roots ? sk_X509_num(policy->roots) : 0;
    char roots[64] = "";
    if (policy->trust_amd)
        snprintf(roots, sizeof(roots), "AMD%s", nroots ? " + " : "");
    if (nroots)
        snprintf(roots + strlen(roots), sizeof(roots) - strlen(roots), "%d other%s", nroots,
                 nroots == 1 ? "" : "s");
    fprintf(stderr,
            "cloister kbs: listening on %s://%s (%s%s%spolicy %s: %zu launch digest%s, %zu "
            "resource rule%s; roots: %s; resources in %s)\n",
            tls.cert_pem ? "https" : "http", kbs_server_address(server),
            tls.cert_pem ? "certificate " : "", tls.cert_pem ? tls.pin : "",
            tls.cert_pem ? "; " : "", a.policy, policy->defaults.ndigests,
            policy->defaults.ndigests == 1 ? "" : "s", policy->nresources,
            policy->nresources == 1 ? "" : "s", roots, a.resources);
    fflush(stderr);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "cloister kbs: %s, stopping\n", sig == SIGINT ? "interrupted" : "terminated");
    rc = EXIT_STOPPED;
out:
    if (rc == EXIT_FAILED)
        fprintf(stderr, "cloister: kbs: %s\n", err);
    kbs_server_stop(server);
    kbs_tls_free(&tls);
    kbs_broker_free(broker);
    kbs_policy_free(policy);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(a.trust);
    return rc;
}
