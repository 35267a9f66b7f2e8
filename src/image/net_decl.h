/*
 * The workload's declared network, as text and as the manifest's binary records
 * (struct cwi_net_decl): "tcp:8080" for a port it may listen on, "tcp:10.0.0.5:5432"
 * or "udp:[fd00::1]:53" for a destination it may reach. Addresses are IP literals only:
 * a name resolved at run time would let the host choose where the workload connects,
 * after the measurement (docs/network.md).
 */
#ifndef CLOISTER_IMAGE_NET_DECL_H
#define CLOISTER_IMAGE_NET_DECL_H

#include <stdbool.h>
#include <stddef.h>

#include <cloister/cwi.h>

/* Longest text form: "udp:[" + 45 + "]:65535" and the NUL. */
#define NET_DECL_TEXT_MAX 64

/* Parses "[PROTO:]PORT" (listen) or "[PROTO:]HOST:PORT" (connect), PROTO tcp by
 * default; NULL if good, else what is wrong. */
const char *net_decl_parse(const char *text, bool listen, struct cwi_net_decl *out);
/* The canonical text: "tcp:8080", "tcp:10.0.0.5:5432", "udp:[::1]:53". */
void net_decl_format(const struct cwi_net_decl *d, char out[NET_DECL_TEXT_MAX]);
/* Whether a record read from an image is canonical for its kind; NULL or why not. */
const char *net_decl_problem(const struct cwi_net_decl *d, bool listen);
bool net_decl_equal(const struct cwi_net_decl *a, const struct cwi_net_decl *b);

#endif
