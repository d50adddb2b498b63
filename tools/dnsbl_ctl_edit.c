/* dnsbl_ctl_edit.c -- dnsbl-ctl add, del, expire, history: edits by hand.
 *
 * Only datasets the config marks `manual: true` take hand edits: the
 * loader never loads them, so an edit is never overwritten by a feed, and
 * a file-fed dataset's edit is refused (its next load would undo it).  An
 * entry is one line in the rbldnsd syntax of the dataset's type, parsed by
 * the feed parsers (lib/feed_entry.c), so it means what it would in a data
 * file.  Each edit is one store transaction (lib/store_change.c): the
 * entries, their expiry, the SOA serial's move and a history record with
 * the Unix user and the reason all land together, served at once.
 */
#include "dnsbl_ctl.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entry_change.h"
#include "feed_entry.h"
#include "timeunit.h"

struct edit_opts {
	const char *reason;
	int64_t for_s;           /* --for, 0 = for good */
};

static int edit_opt(struct ctl *c, int ch, const char *arg, void *a)
{
	struct edit_opts *o = a;
	uint32_t s;
	const char *end;

	if (ch == 'r') {
		o->reason = arg;
		return CTL_EXIT_OK;
	}
	end = timeunit_scan(arg, &s);
	if (!end || *end || s == 0) {
		fprintf(stderr, "%s: --for wants a duration (seconds, or a number "
			"with s m h d w: 90m, 2d), not \"%s\"\n", c->prog, arg);
		return CTL_EXIT_USAGE;
	}
	o->for_s = s;
	return CTL_EXIT_OK;
}

/* Who edits: the Unix user (and who ran sudo, if someone did). */
static void edit_user(char *out, size_t len)
{
	struct passwd *pw = getpwuid(getuid());
	const char *sudo = getenv("SUDO_USER");

	if (pw)
		snprintf(out, len, "%s", pw->pw_name);
	else
		snprintf(out, len, "uid %u", (unsigned)getuid());
	if (getuid() == 0 && sudo && *sudo && strcmp(sudo, out) != 0)
		snprintf(out + strlen(out), len - strlen(out), " (sudo: %s)",
			 sudo);
}

/* The dataset to edit, or NULL after saying why not (*exit set). */
static const struct cfg_dataset *edit_target(struct ctl *c, const char *name,
					     int *exit)
{
	const struct cfg_dataset *d = ctl_dataset(c, name);

	*exit = CTL_EXIT_USAGE;
	if (!d)
		return NULL;
	if (!d->manual) {
		fprintf(stderr, "%s: %s: refused: %s is fed from %s%s, and its "
			"next load would undo a hand edit; edit that file, or "
			"list the entry in a dataset marked `manual: true` (%s:%d)"
			"\n", c->prog, name, name,
			d->nfiles ? d->files[0] : "files",
			d->nfiles > 1 ? " and more files" : "", c->cfg->path,
			d->line);
		*exit = CTL_EXIT_FAILED;
		return NULL;
	}
	return d;
}

/* The words after DATASET, joined by spaces: `add ds 192.0.2.1 :2:x y`
 * is the line "192.0.2.1 :2:x y". */
static char *edit_join(int n, char **words)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

static int edit_run(struct ctl *c, int argc, char **argv, int del)
{
	/* del takes the same options but --for (the first). */
	static const struct option add_opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct edit_opts o = { 0 };
	struct store_change ch = { 0 };
	struct store_apply_stats stats;
	const struct cfg_dataset *d;
	struct dataset *ds = NULL;
	struct store *st = NULL;
	char user[256], err[1024], *entry = NULL;
	int ex, changed = 0, rc, i;

	i = ctl_getopt(c, argc, argv, "", del ? add_opts + 1 : add_opts,
		       edit_opt, &o, &ex);
	if (i < 0)
		return ex;
	if (argc - i < 2) {
		fprintf(stderr, "%s: %s: give a DATASET and an ENTRY\n", c->prog,
			argv[0]);
		ctl_verb_usage(c, ctl_verb_find(argv[0]), stderr);
		return CTL_EXIT_USAGE;
	}
	d = edit_target(c, argv[i], &ex);
	if (!d)
		return ex;
	entry = edit_join(argc - i - 1, argv + i + 1);
	if (!entry)
		return CTL_EXIT_FAILED;
	if (feed_entry_parse(d->type, entry, 0, &ds, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s: bad %s entry: %s\n", c->prog, d->name,
			ds_type_name(d->type), err);
		free(entry);
		return CTL_EXIT_USAGE;
	}
	edit_user(user, sizeof(user));
	ch.type = d->type;
	ch.create = !del;
	ch.now = c->now;
	ch.expires = o.for_s ? c->now + o.for_s : 0;
	ch.op = del ? STORE_HIST_DEL : STORE_HIST_ADD;
	ch.entry = entry;
	ch.reason = o.reason;
	ch.user = user;
	ex = CTL_EXIT_FAILED;
	if (entry_change_build(ds, del, &ch) < 0 || !(st = ctl_open_write(c)))
		goto out;
	rc = store_change(st, d->name, &ch, &stats, &changed, err, sizeof(err));
	if (rc == STORE_ENOTFOUND && del) {
		fprintf(stderr, "%s: %s: \"%s\" is not in it (nothing stored "
			"yet): nothing deleted\n", c->prog, d->name, entry);
	} else if (rc < 0) {
		fprintf(stderr, "%s: %s: FAILED: %s; nothing changed\n", c->prog,
			d->name, err);
	} else if (!changed && del) {
		fprintf(stderr, "%s: %s: \"%s\" is not in it: nothing deleted\n",
			c->prog, d->name, entry);
	} else {
		ex = CTL_EXIT_OK;
		if (c->quiet)
			goto out;
		if (!changed)
			printf("%s: \"%s\" is listed so already: nothing changed\n",
			       d->name, entry);
		else
			printf("%s: %s \"%s\"%s%s: records +%llu -%llu, %llu "
			       "entr%s now\n", d->name, del ? "deleted" : "added",
			       entry, ch.expires ? ", until " : "",
			       ch.expires ? ctl_time(ch.expires) : "",
			       (unsigned long long)stats.added,
			       (unsigned long long)stats.removed,
			       (unsigned long long)stats.entries,
			       stats.entries == 1 ? "y" : "ies");
	}
out:
	store_close(st);
	free((void *)ch.ip);
	free((void *)ch.dn);
	dataset_free(ds);
	free(entry);
	return ex;
}

int ctl_add(struct ctl *c, int argc, char **argv)
{
	return edit_run(c, argc, argv, 0);
}

int ctl_del(struct ctl *c, int argc, char **argv)
{
	return edit_run(c, argc, argv, 1);
}

int ctl_expire(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	char user[256], err[1024];
	uint64_t n = 0;
	int ex;

	if (ctl_operands(c, argc, argv, 0, 0, &ex) < 0)
		return ex;
	st = ctl_open_write(c);
	if (!st)
		return CTL_EXIT_FAILED;
	edit_user(user, sizeof(user));
	ex = store_expire(st, c->now, user, &n, err, sizeof(err));
	store_close(st);
	if (ex < 0) {
		fprintf(stderr, "%s: expire: FAILED: %s; nothing changed\n",
			c->prog, err);
		return CTL_EXIT_FAILED;
	}
	if (!c->quiet)
		printf("%llu entr%s expired\n", (unsigned long long)n,
		       n == 1 ? "y" : "ies");
	return CTL_EXIT_OK;
}

/* ---- delist ---------------------------------------------------------------- */

struct delist_say {
	const struct ctl *c;
	const char *address;
	int64_t until;
};

static void delist_said(void *arg, const char *dataset, int removed)
{
	const struct delist_say *dl = arg;

	if (!dl->c->quiet)
		printf("%s: %s %s%s%s\n", dataset, dl->address,
		       removed ? "delisted" : "was not listed",
		       dl->until ? "; not listed again until " : "",
		       dl->until ? ctl_time(dl->until) : "");
}

/* `delist ADDRESS --reason TEXT [--for DURATION]`: ends the trap listing of
 * ADDRESS (its /32, or its prefix6 for IPv6) in every trap dataset, and
 * with --for keeps the traps from listing it again for that long.  One
 * transaction per dataset, recorded in the history. */
int ctl_delist(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct edit_opts o = { 0 };
	struct store_trap_hit who;
	struct delist_say dl;
	struct store *st = NULL;
	char user[256], err[1024];
	int ex, i, ntrap = 0;

	i = ctl_getopt(c, argc, argv, "", opts, edit_opt, &o, &ex);
	if (i < 0)
		return ex;
	memset(&who, 0, sizeof(who));
	if (argc - i != 1 || !o.reason || !*o.reason) {
		fprintf(stderr, "%s: delist: give one ADDRESS and --reason TEXT\n",
			c->prog);
		ctl_verb_usage(c, ctl_verb_find(argv[0]), stderr);
		return CTL_EXIT_USAGE;
	}
	if (inet_pton(AF_INET, argv[i], who.addr) == 1)
		who.family = 4;
	else if (inet_pton(AF_INET6, argv[i], who.addr) == 1)
		who.family = 6;
	else {
		fprintf(stderr, "%s: delist: \"%s\" is not an IPv4 or IPv6 "
			"address\n", c->prog, argv[i]);
		return CTL_EXIT_USAGE;
	}
	edit_user(user, sizeof(user));
	for (size_t k = 0; k < c->cfg->ndatasets; k++)
		ntrap += c->cfg->datasets[k].type == DS_TRAP;
	if (!ntrap) {
		fprintf(stderr, "%s: delist: %s has no trap dataset\n", c->prog,
			c->cfg->path);
		return CTL_EXIT_FAILED;
	}
	if (!(st = ctl_open_write(c)))
		return CTL_EXIT_FAILED;
	dl.c = c;
	dl.address = argv[i];
	dl.until = o.for_s ? c->now + o.for_s : 0;
	ntrap = entry_delist_traps(st, c->cfg, who.family, who.addr, c->now,
				   dl.until, o.reason, user, 0, delist_said,
				   &dl, err, sizeof(err));
	store_close(st);
	if (ntrap < 0) {
		fprintf(stderr, "%s: %s; nothing changed there\n", c->prog, err);
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

/* ---- history --------------------------------------------------------------- */

static int history_line(const struct store_hist *h, void *arg)
{
	static const char *const ops[] = { "?", "add", "del", "expire" };

	(void)arg;
	printf("%s  %-6s  %s  %s  by %s", ctl_time(h->time),
	       (unsigned)h->op < 4 ? ops[h->op] : "?", h->dataset, h->entry,
	       h->user[0] ? h->user : "?");
	if (h->expires)
		printf("  until %s", ctl_time(h->expires));
	if (h->reason[0])
		printf("  reason: %s", h->reason);
	printf("\n");
	return 0;
}

int ctl_history(struct ctl *c, int argc, char **argv)
{
	struct store_reader *rd;
	struct store *st;
	int ex, rc, i = ctl_operands(c, argc, argv, 0, 1, &ex);

	if (i < 0)
		return ex;
	st = ctl_open_read(c, &rd);
	if (!st)
		return CTL_EXIT_FAILED;
	rc = store_iter_history(rd, argc - i ? argv[i] : NULL, history_line,
				NULL);
	store_reader_free(rd);
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: history: the store could not be read (%d)\n",
			c->prog, rc);
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}
