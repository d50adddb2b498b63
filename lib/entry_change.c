/* entry_change.c -- hand edits as the store takes them (entry_change.h). */
#include "entry_change.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "feed_entry.h"

int entry_change_build(const struct dataset *ds, int del,
		       struct store_change *ch)
{
	size_t nip = dataset_nip(ds);
	struct store_ip_edit *ip = calloc(nip ? nip : 1, sizeof(*ip));
	struct store_dn_edit *dn = calloc(ds->ndn ? ds->ndn : 1, sizeof(*dn));

	if (!ip || !dn) {
		free(ip);
		free(dn);
		return -1;
	}
	for (size_t i = 0; i < nip; i++) {
		struct ds_ip_entry ent, *e = &ent;

		dataset_ip_get(ds, i, &ent);
		ip[i].op = del ? STORE_EDIT_REMOVE : e->excluded ?
			STORE_EDIT_EXCLUDE : STORE_EDIT_SET;
		ip[i].family = e->family;
		ip[i].plen = e->plen;
		memcpy(ip[i].addr, e->addr, 16);
		if (ip[i].op == STORE_EDIT_SET)
			ip[i].value = ds->values[e->value];
	}
	for (size_t i = 0; i < ds->ndn; i++) {
		const struct ds_dn_entry *e = &ds->dn[i];

		dn[i].op = del ? STORE_EDIT_REMOVE : e->excluded ?
			STORE_EDIT_EXCLUDE : STORE_EDIT_SET;
		dn[i].wild = e->wild;
		memcpy(dn[i].name, e->name, wname_len(e->name));
		if (dn[i].op == STORE_EDIT_SET)
			dn[i].value = ds->values[e->value];
	}
	ch->ip = ip;
	ch->nip = nip;
	ch->dn = dn;
	ch->ndn = ds->ndn;
	return 0;
}

void entry_prefix(int family, const uint8_t addr[16], unsigned plen,
		  uint8_t out[16], char *text, size_t textlen)
{
	char a[INET6_ADDRSTRLEN];

	memmove(out, addr, 16);
	for (unsigned b = plen; b < 128; b++)
		out[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	if (text && inet_ntop(family == 4 ? AF_INET : AF_INET6, out, a,
			      sizeof(a)))
		snprintf(text, textlen, "%s/%u", a, plen);
}

int entry_delist_traps(struct store *st, const struct config *cfg, int family,
		       const uint8_t addr[16], int64_t now,
		       int64_t norelist_until, const char *reason,
		       const char *user, int self_only,
		       void (*each)(void *arg, const char *dataset, int removed),
		       void *arg, char *err, size_t errlen)
{
	struct store_trap_hit who;
	int ntrap = 0;

	memset(&who, 0, sizeof(who));
	who.family = (uint8_t)family;
	for (size_t k = 0; k < cfg->ndatasets; k++) {
		const struct cfg_dataset *d = &cfg->datasets[k];
		char why[512];
		int removed = 0, rc;

		if (d->type != DS_TRAP || !d->trap || (self_only && !d->self_delist))
			continue;
		ntrap++;
		/* The listing is the sender's /32, or its prefix6 block. */
		who.plen = (uint8_t)(family == 4 ? 32 : d->trap->prefix6);
		entry_prefix(family, addr, who.plen, who.addr, NULL, 0);
		rc = store_trap_delist(st, d->name, &who, now, norelist_until,
				       reason, user, &removed, why, sizeof(why));
		if (rc == STORE_ENOTFOUND)
			continue;   /* not stored yet: nothing listed there */
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", d->name, why);
			return -1;
		}
		if (each)
			each(arg, d->name, removed);
	}
	return ntrap;
}

struct last_add {
	enum ds_type type;
	const struct feed_entry_want *want;
	struct entry_added *out;
	int found;
};

static int last_add_cb(const struct store_hist *h, void *arg)
{
	struct last_add *la = arg;
	struct dataset *ds = NULL;
	char err[256];

	if (h->op != STORE_HIST_ADD ||
	    feed_entry_parse(la->type, h->entry, 0, &ds, err, sizeof(err)) < 0)
		return 0;
	if (feed_entry_has(ds, la->want)) {
		la->out->time = h->time;
		snprintf(la->out->user, sizeof(la->out->user), "%s", h->user);
		snprintf(la->out->entry, sizeof(la->out->entry), "%s", h->entry);
		snprintf(la->out->reason, sizeof(la->out->reason), "%s",
			 h->reason);
		la->found = 1;
	}
	dataset_free(ds);
	return 0;
}

int entry_last_add(struct store_reader *rd, const char *name,
		   enum ds_type type, const struct feed_entry_want *want,
		   struct entry_added *out)
{
	struct last_add la = { type, want, out, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_iter_history(rd, name, last_add_cb, &la);
	return rc < 0 ? rc : la.found;
}

int entry_each_dataset(struct store_reader *rd,
		       void (*fn)(void *arg, const char *name,
				  const char *section,
				  const struct store_dsmeta *m,
				  const struct store_dsmeta *parent),
		       void *arg)
{
	char **names = NULL;
	size_t n = 0;
	int rc = store_dataset_names(rd, &names, &n);

	if (rc < 0)
		return rc;
	for (size_t k = 0; k < n; k++) {
		struct store_dsmeta *m = NULL;

		if (store_dataset_meta(rd, names[k], &m) == STORE_OK) {
			if (m->type != DS_COMBINED)
				fn(arg, names[k], NULL, m, NULL);
			for (size_t s = 0; s < m->nchildren; s++) {
				char label[64];

				snprintf(label, sizeof(label), "%zu%s%s", s + 1,
					 m->children[s].label ? ":" : "",
					 m->children[s].label ?
					 m->children[s].label : "");
				if (m->children[s].meta)
					fn(arg, names[k], label,
					   m->children[s].meta, m);
			}
		}
		store_dsmeta_free(m);
		free(names[k]);
	}
	free(names);
	return 0;
}
