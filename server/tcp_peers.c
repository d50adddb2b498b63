/* tcp_peers.c -- per-address TCP connection counts: a chained hash table
 * under one mutex (connections open and close far less often than queries
 * come, and the table holds only addresses with a connection open). */
#include "tcp_peers.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#define TCP_PEERS_BUCKETS 1024

struct tcp_peer {
	uint8_t addr[16];
	int family;
	unsigned n;
	struct tcp_peer *next;
};

struct tcp_peers {
	pthread_mutex_t lock;
	struct tcp_peer *b[TCP_PEERS_BUCKETS];
};

struct tcp_peers *tcp_peers_new(void)
{
	struct tcp_peers *t = calloc(1, sizeof(*t));

	if (t && pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

void tcp_peers_free(struct tcp_peers *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < TCP_PEERS_BUCKETS; i++)
		while (t->b[i]) {
			struct tcp_peer *p = t->b[i];

			t->b[i] = p->next;
			free(p);
		}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The bucket of an address (FNV-1a over its bytes). */
static struct tcp_peer **tcp_peers_bucket(struct tcp_peers *t,
					  const uint8_t *addr, int family)
{
	uint32_t h = 2166136261u ^ (uint32_t)family;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	return &t->b[h % TCP_PEERS_BUCKETS];
}

/* The slot pointing at the address's entry (*slot NULL: none). */
static struct tcp_peer **tcp_peers_find(struct tcp_peers *t,
					const struct sockaddr *client,
					uint8_t addr[16], int *family)
{
	struct tcp_peer **pp;

	*family = acl_client_addr(client, addr);
	pp = tcp_peers_bucket(t, addr, *family);
	while (*pp && ((*pp)->family != *family ||
		       memcmp((*pp)->addr, addr, 16) != 0))
		pp = &(*pp)->next;
	return pp;
}

int tcp_peers_add(struct tcp_peers *t, const struct sockaddr *client,
		  unsigned max)
{
	struct tcp_peer **pp, *p;
	uint8_t addr[16];
	int family, ok = 0;

	pthread_mutex_lock(&t->lock);
	pp = tcp_peers_find(t, client, addr, &family);
	if (*pp) {
		if ((*pp)->n < max) {
			(*pp)->n++;
			ok = 1;
		}
	} else if (max > 0 && (p = calloc(1, sizeof(*p))) != NULL) {
		memcpy(p->addr, addr, 16);
		p->family = family;
		p->n = 1;
		*pp = p;
		ok = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

void tcp_peers_del(struct tcp_peers *t, const struct sockaddr *client)
{
	struct tcp_peer **pp, *p;
	uint8_t addr[16];
	int family;

	pthread_mutex_lock(&t->lock);
	pp = tcp_peers_find(t, client, addr, &family);
	p = *pp;
	if (p && --p->n == 0) {
		*pp = p->next;
		free(p);
	}
	pthread_mutex_unlock(&t->lock);
}
