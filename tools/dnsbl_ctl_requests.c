/* dnsbl_ctl_requests.c -- dnsbl-ctl requests: the removal requests.
 *
 * People ask for removal on dnsbl-web's page; each request is kept in the
 * store (lib/store_request.c) with what was done: delisted at once where
 * the dataset allows self-service, else pending for the operator, who
 * lists them here (newest last) and acts with `del` or `delist`.
 */
#include "dnsbl_ctl.h"

#include <string.h>

#include "store_request.h"

static int requests_line(const struct store_request *q, void *arg)
{
	int pending_only = *(int *)arg;

	if (pending_only && strcmp(q->outcome, "pending") != 0)
		return 0;
	printf("%s  #%llu  %s  from %s", ctl_time(q->time),
	       (unsigned long long)q->id, q->item, q->client);
	if (q->contact[0])
		printf("  contact %s", q->contact);
	printf("  %s\n  message: %s\n", q->outcome, q->message);
	return 0;
}

static int requests_opt(struct ctl *c, int ch, const char *arg, void *a)
{
	(void)c;
	(void)ch;
	(void)arg;
	*(int *)a = 1;   /* --pending */
	return CTL_EXIT_OK;
}

int ctl_requests(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pending", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_reader *rd;
	struct store *st;
	int ex, rc, pending = 0, i;

	i = ctl_getopt(c, argc, argv, "", opts, requests_opt, &pending, &ex);
	if (i < 0)
		return ex;
	if (i < argc) {
		fprintf(stderr, "%s: requests: too many arguments\n", c->prog);
		ctl_verb_usage(c, ctl_verb_find(argv[0]), stderr);
		return CTL_EXIT_USAGE;
	}
	st = ctl_open_read(c, &rd);
	if (!st)
		return CTL_EXIT_FAILED;
	rc = store_iter_requests(rd, 0, requests_line, &pending);
	store_reader_free(rd);
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: requests: the store could not be read (%d)\n",
			c->prog, rc);
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}
