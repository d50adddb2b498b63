/* cares_query.c -- query a DNSBL name with c-ares, as MTA-side tools do.
 *
 * The integration tests use it to check that a real stub resolver library
 * (the one dnsbl-query and many mail filters use) reads dnsbld's answers:
 * A and TXT parsed by c-ares' own parsers, NXDOMAIN and NODATA as c-ares
 * reports them, and TCP when asked (-t).
 *
 *   cares_query [-t] SERVER:PORT NAME A|TXT|SOA
 * prints "A 127.0.0.2", "TXT text", "SOA ..." lines, or "NXDOMAIN",
 * "NODATA", "ERROR <c-ares message>"; exits 0 if a reply was parsed.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

/* RR types and class, numerically (arpa/nameser.h is not C11-clean). */
enum { CQ_A = 1, CQ_SOA = 6, CQ_TXT = 16 };

static int cq_status = 1;

static void cq_done(void *arg, int status, int timeouts, unsigned char *abuf,
		    int alen)
{
	int type = *(int *)arg;

	(void)timeouts;
	if (status == ARES_ENOTFOUND) {
		printf("NXDOMAIN\n");
		cq_status = 0;
		return;
	}
	if (status == ARES_ENODATA) {
		printf("NODATA\n");
		cq_status = 0;
		return;
	}
	if (status != ARES_SUCCESS) {
		printf("ERROR %s\n", ares_strerror(status));
		return;
	}
	if (type == CQ_A) {
		struct ares_addrttl addrs[64];
		int n = 64;
		char buf[INET_ADDRSTRLEN];

		status = ares_parse_a_reply(abuf, alen, NULL, addrs, &n);
		if (status != ARES_SUCCESS) {
			printf("ERROR %s\n", ares_strerror(status));
			return;
		}
		for (int i = 0; i < n; i++)
			printf("A %s ttl=%d\n",
			       inet_ntop(AF_INET, &addrs[i].ipaddr, buf,
					 sizeof(buf)), addrs[i].ttl);
	} else if (type == CQ_TXT) {
		struct ares_txt_reply *txt = NULL, *t;

		status = ares_parse_txt_reply(abuf, alen, &txt);
		if (status != ARES_SUCCESS) {
			printf("ERROR %s\n", ares_strerror(status));
			return;
		}
		for (t = txt; t; t = t->next)
			printf("TXT %.*s\n", (int)t->length, t->txt);
		ares_free_data(txt);
	} else {
		struct ares_soa_reply *soa = NULL;

		status = ares_parse_soa_reply(abuf, alen, &soa);
		if (status != ARES_SUCCESS) {
			printf("ERROR %s\n", ares_strerror(status));
			return;
		}
		printf("SOA %s %s %u\n", soa->nsname, soa->hostmaster,
		       soa->serial);
		ares_free_data(soa);
	}
	cq_status = 0;
}

int main(int argc, char **argv)
{
	struct ares_options opts;
	ares_channel ch;
	int optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	int tcp = 0, argi = 1, type;

	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		tcp = 1;
		argi++;
	}
	if (argc - argi != 3) {
		fprintf(stderr, "usage: cares_query [-t] SERVER:PORT NAME A|TXT|SOA\n");
		return 2;
	}
	type = strcmp(argv[argi + 2], "TXT") == 0 ? CQ_TXT
	     : strcmp(argv[argi + 2], "SOA") == 0 ? CQ_SOA : CQ_A;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return 2;
	memset(&opts, 0, sizeof(opts));
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
		     (tcp ? ARES_FLAG_USEVC : 0);
	opts.timeout = 2000;
	opts.tries = 2;
	if (ares_init_options(&ch, &opts, optmask) != ARES_SUCCESS ||
	    ares_set_servers_ports_csv(ch, argv[argi]) != ARES_SUCCESS) {
		fprintf(stderr, "cares_query: cannot set up c-ares\n");
		return 2;
	}
	ares_query(ch, argv[argi + 1], 1, type, cq_done, &type);
	for (;;) {
		fd_set r, w;
		struct timeval tv, *tvp;
		int nfds;

		FD_ZERO(&r);
		FD_ZERO(&w);
		nfds = ares_fds(ch, &r, &w);
		if (nfds == 0)
			break;
		tvp = ares_timeout(ch, NULL, &tv);
		select(nfds, &r, &w, NULL, tvp);
		ares_process(ch, &r, &w);
	}
	ares_destroy(ch);
	ares_library_cleanup();
	return cq_status;
}
