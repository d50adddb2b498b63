/* tcp_peers.h -- open TCP connections per client address, all workers.
 *
 * `tcp_max_per_client` caps the connections one address may hold open, so
 * one client cannot take all of `tcp_max_clients` and lock the others out.
 * Workers accept on threads of their own; the counts are a small hash table
 * under a mutex, touched only when a connection opens or closes (never per
 * query).  An IPv4 client on a dual-stack socket counts as its IPv4
 * address.
 */
#ifndef DNSBLD_TCP_PEERS_H
#define DNSBLD_TCP_PEERS_H

#include <sys/socket.h>

struct tcp_peers;

/* An empty table, or NULL on out of memory. */
struct tcp_peers *tcp_peers_new(void);
void tcp_peers_free(struct tcp_peers *t);

/* Counts one more connection of `client` unless it holds `max` already:
 * 1 if counted, 0 if over the cap (or out of memory). */
int tcp_peers_add(struct tcp_peers *t, const struct sockaddr *client,
		  unsigned max);
/* Counts one connection of `client` less (one that tcp_peers_add
 * counted). */
void tcp_peers_del(struct tcp_peers *t, const struct sockaddr *client);

#endif
