/* fuzz_query.c -- libFuzzer target: query parsing and answering.
 *
 * The server's own path (server/query.c, answer.c, zones.c, acl.c,
 * responder.c, compiled into this target) answers the input as one DNS
 * packet against a small fixed store.  The store is built once, in
 * LLVMFuzzerInitialize, by the loader's code (config_load, dsload_dataset)
 * from a few feed lines of every servable dataset type: ip4set, ip4tset,
 * ip4trie, ip6trie, ip6tset, dnset, generic, combined, and an acl on one
 * zone.  The packet's ID picks the transport and the client, so a seed is
 * a plain DNS message: bit 0 set = TCP, bit 1 set = an IPv6 client
 * (else IPv4), the high byte = the last byte of the client address
 * (127.0.0.x or ::ffff:127.0.0.x / ::x).  With FUZZ_QUERY_SHOW=1 set,
 * each reply's rcode and answer count are printed (to check the seeds).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "dsload.h"
#include "fuzz_util.h"
#include "log.h"
#include "responder.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *fq_cfg;
static struct store *fq_store;
static struct responder fq_resp;
static uint8_t fq_out[65536];

struct fq_file {
	const char *name, *text;
};

static const struct fq_file fq_files[] = {
	{ "spam.ip4set",
	  "$SOA 3600 ns1.example.org. hostmaster.example.org. 0 1h 15m 1w 5m\n"
	  "$NS 3600 ns1.example.org. ns2.example.org\n"
	  "$TTL 300\n"
	  ":127.0.0.2:Listed: see http://example.org/lookup?$\n"
	  "127.0.0.2\n10.0.0.0/8 :3:range\n192.0.2.0-192.0.2.99\n"
	  "!10.9.0.0/16\n198.51.100.7 :4\n" },
	{ "tset.ip4tset", ":127.0.0.5:tset $\n203.0.113.1\n203.0.113.2\n" },
	{ "trie.ip4trie", "172.16.0.0/12 :6:trie\n172.16.5.0/24 :7:more\n"
	  "!172.16.5.5\n127.0.0.2 :8:test\n" },
	{ "v6.ip6trie", "2001:db8::/32 :2:six $\n2001:db8:1::/48 :3:more\n"
	  "!2001:db8:1:2::/64\n::1 :9\n" },
	{ "v6.ip6tset", ":127.0.0.4:tset6\n2001:db8:5:0\n2001:db8:6:1\n!2001:db8:5:0:0:0:0:1\n" },
	{ "names.dnset", ":127.0.0.2:bad domain $\nbad.example\n"
	  "*.wild.example :3:wild\n.both.example\n!ok.wild.example\n"
	  "test :2\n" },
	{ "gen.generic", "@ A 127.0.0.5\n$TTL 300\nfoo TXT \"quoted text\"\n"
	  "foo MX 10 mx.example\nbar 600 IN A 1.2\n" },
	{ "zen.combined",
	  "$TTL 900\n$1 one\n$DATASET ip4set:sbl sbl @\n"
	  "10.0.0.0/8 :2:sbl $1\n$DATASET dnset:dbl dbl\n$TTL 60\n"
	  "example.com :3:dbl\n$DATASET ip4tset xbl\n:4:xbl\n1.2.3.4\n"
	  "$DATASET ip6trie v6\n2001:db8::/32 :5:v6\n" },
	{ "clients.acl", "127.0.0.66 :ignore\n127.0.0.77 :refuse\n"
	  "127.0.0.88 :empty\n127.0.0.99 :127.0.0.9:acl says $\n"
	  "::2 :refuse\n" },
};

static const char fq_yaml[] =
	"store: store\n"
	"datasets:\n"
	"  spam: {type: ip4set, files: spam.ip4set}\n"
	"  tset: {type: ip4tset, files: tset.ip4tset}\n"
	"  trie: {type: ip4trie, files: trie.ip4trie}\n"
	"  v6: {type: ip6trie, files: v6.ip6trie}\n"
	"  v6t: {type: ip6tset, files: v6.ip6tset}\n"
	"  names: {type: dnset, files: names.dnset}\n"
	"  gen: {type: generic, files: gen.generic}\n"
	"  zen: {type: combined, files: zen.combined}\n"
	"  clients: {type: acl, files: clients.acl}\n"
	"zones:\n"
	"  bl.example.org: {datasets: [spam, tset, trie]}\n"
	"  v6.example.org:\n"
	"    datasets: [v6, v6t]\n"
	"    ns: [ns1.example.org]\n"
	"    soa: {mname: ns1.example.org, rname: hostmaster@example.org}\n"
	"  dbl.example.org:\n"
	"    datasets: [names]\n"
	"    acl: clients\n"
	"    ttl: 15m\n"
	"  gen.example.org: {datasets: [gen]}\n"
	"  zen.example.org: {datasets: [zen, v6]}\n"
	"  all.example: {datasets: [spam, v6, names, gen]}\n"
	"server:\n"
	"  max_udp_size: 1232\n";

static void fq_fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_query: %s: %s\n", what, err);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[1024];
	const char *cfgpath;

	(void)argc;
	(void)argv;
	log_init("fuzz_query", 0, LOG_LVL_ERROR);
	for (size_t i = 0; i < sizeof(fq_files) / sizeof(fq_files[0]); i++)
		fuzz_write(fq_files[i].name, (const uint8_t *)fq_files[i].text,
			   strlen(fq_files[i].text));
	cfgpath = fuzz_write("dnsbld.yaml", (const uint8_t *)fq_yaml,
			     sizeof(fq_yaml) - 1);
	if (config_load(cfgpath, &fq_cfg, err, sizeof(err)) < 0)
		fq_fail("config", err);
	if (dsload_open_store(fq_cfg->store, &fq_store, err, sizeof(err)) < 0)
		fq_fail("store", err);
	for (size_t i = 0; i < fq_cfg->ndatasets; i++) {
		struct dsload_options o = { .log = stderr };
		struct dsload_report rep;

		if (dsload_dataset(fq_store, &fq_cfg->datasets[i], &o, &rep) < 0)
			fq_fail(fq_cfg->datasets[i].name, rep.err);
		if (rep.warnings)
			fq_fail(fq_cfg->datasets[i].name, "bad lines in the feed");
	}
	if (responder_init(&fq_resp, fq_cfg, fq_store, "fuzz", err,
			   sizeof(err)) < 0)
		fq_fail("responder", err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *pkt = malloc(size ? size : 1);
	struct sockaddr_storage ss;
	unsigned id = size >= 2 ? (unsigned)(data[0] << 8 | data[1]) : 0;
	int tcp = id & 1;
	size_t n;

	if (!pkt)
		abort();
	memcpy(pkt, data, size);   /* exactly `size` bytes: over-reads trap */
	memset(&ss, 0, sizeof(ss));
	if (id & 2) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		if (id & 4) {             /* v4-mapped 127.0.0.x */
			s6->sin6_addr.s6_addr[10] = 0xff;
			s6->sin6_addr.s6_addr[11] = 0xff;
			s6->sin6_addr.s6_addr[12] = 127;
		}
		s6->sin6_addr.s6_addr[15] = (uint8_t)(id >> 8);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(0x7f000000u | (id >> 8));
	}
	if (responder_begin(&fq_resp) < 0)
		abort();
	n = query_respond(&fq_resp.qc, pkt, size, (const struct sockaddr *)&ss,
			  tcp, fq_out, tcp ? sizeof(fq_out) : 65535);
	if (n > sizeof(fq_out))
		abort();
	/* Over UDP a reply never exceeds the configured EDNS maximum. */
	if (!tcp && n > (fq_cfg->max_udp_size < 512 ? 512
						    : fq_cfg->max_udp_size))
		abort();
	/* A reply echoes the query's ID. */
	if (n >= 2 && (size < 2 || memcmp(fq_out, pkt, 2) != 0))
		abort();
	/* FUZZ_QUERY_SHOW=1: one line per reply, to check the seeds. */
	if (n >= 12 && getenv("FUZZ_QUERY_SHOW"))
		fprintf(stderr, "fuzz_query: rcode %u, %u answers, %zu bytes\n",
			fq_out[3] & 0x0fu, (unsigned)(fq_out[6] << 8 | fq_out[7]), n);
	responder_idle(&fq_resp);
	free(pkt);
	return 0;
}
