/* test_rbldnsd_args.c -- lib/rbldnsd_args.c: rbldnsd command lines become
 * the same zones and datasets, and bad ones fail with rbldnsd's messages
 * (each message checked against the Debian binary). */
#include "check.h"
#include "rbldnsd_args.h"

#define ARGV(...) ((char *const[]){ "rbldnsd", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "rbldnsd", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(a, err, ...) \
	rbldnsd_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (a), (err), sizeof(err))

static void test_full_line(void)
{
	struct rbldnsd_args a;
	char err[256] = "";
	const struct config *c;

	CHECK_INT(PARSE(&a, err, "-u", "rbldns:mail", "-b", "127.0.0.1/5353", "-b", "::1/530",
			"-b", "10.0.0.1", "-t", "5m:1m:1h", "-c", "30", "-n", "-e", "-q", "-l", "+q.log",
			"-s", "stats.log", "-a", "-v", "-v", "-C", "-p", "/run/r.pid", "-w", "/srv",
			"-r", "/jail", "-F", "local1", "-f",
			"bl.example:ip4set:spam,extra", "bl.example:dnset:dom",
			"Other.Example.:ip4set:spam,extra", "bl.example:acl:bl.acl",
			":acl:global.acl"), 0);
	CHECK_STR(err, "");
	c = a.cfg;
	CHECK_STR(c->user, "rbldns");
	CHECK_STR(c->group, "mail");
	CHECK_INT(c->nlisten, 3);
	CHECK_STR(c->listen[0].host, "127.0.0.1");
	CHECK_STR(c->listen[0].port, "5353");
	CHECK_STR(c->listen[1].host, "::1");
	CHECK_STR(c->listen[1].port, "530");
	CHECK_STR(c->listen[2].port, "53");
	CHECK_INT(c->default_ttl, 300);
	CHECK_INT(c->min_ttl, 60);
	CHECK_INT(c->max_ttl, 3600);
	CHECK_INT(a.check_interval, 30);
	CHECK(!c->daemon && a.accept_host_bits && a.quick_start && a.no_gunzip);
	CHECK_STR(c->query_log, "q.log");
	CHECK(c->query_log_unbuffered);
	CHECK_STR(c->stats_file, "stats.log");
	CHECK_INT(c->stats_interval, 30);   /* -c */
	CHECK(!c->stats_relative);
	CHECK(a.minimal_answers);
	CHECK_INT(c->version_bind, CFG_VERSION_REFUSE);
	CHECK_STR(c->pidfile, "/run/r.pid");
	CHECK_STR(a.work_dir, "/srv");
	CHECK_STR(c->chroot, "/jail");
	CHECK_STR(c->syslog, "local1");
	CHECK_INT(a.nignored, 1);   /* -f */
	CHECK(c->store == NULL);   /* the server picks one per instance */

	/* Two zones; the identical spec is one shared dataset. */
	CHECK_INT(c->nzones, 2);
	CHECK_STR(c->zones[0].name, "bl.example");
	CHECK_INT(c->zones[0].ndatasets, 2);
	CHECK_STR(c->zones[0].datasets[0], "ip4set:spam,extra");
	CHECK_STR(c->zones[0].datasets[1], "dnset:dom");
	CHECK_STR(c->zones[0].acl, "acl:bl.acl");
	CHECK_STR(c->zones[1].name, "other.example");
	CHECK_INT(c->zones[1].ndatasets, 1);
	CHECK_STR(c->zones[1].datasets[0], "ip4set:spam,extra");
	CHECK_STR(c->zones[1].acl, "acl:global.acl");   /* the global acl */
	CHECK_INT(c->ndatasets, 4);
	CHECK_INT(c->datasets[0].type, DS_IP4SET);
	CHECK_INT(c->datasets[0].nfiles, 2);
	CHECK_STR(c->datasets[0].files[0], "spam");
	CHECK_STR(c->datasets[0].files[1], "extra");
	rbldnsd_args_free(&a);
}

static void test_file_separators(void)
{
	struct rbldnsd_args a;
	char err[256];

	/* ':' separates files too; empty names are skipped. */
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1/1", "--store", "/var/lib/x",
			"z:combined:a:b,,c"), 0);
	CHECK_INT(a.cfg->datasets[0].nfiles, 3);
	CHECK_STR(a.cfg->datasets[0].files[2], "c");
	CHECK_INT(a.cfg->datasets[0].type, DS_COMBINED);
	CHECK_STR(a.cfg->store, "/var/lib/x");
	CHECK_INT(a.cfg->default_ttl, 2100);     /* 35m */
	CHECK_INT(a.cfg->daemon, 1);            /* no -n */
	CHECK_STR(a.cfg->syslog, "daemon");
	CHECK_STR(a.cfg->user, "rbldns");       /* used when root */
	CHECK_INT(a.cfg->version_bind, CFG_VERSION_ANSWER);
	CHECK_INT(a.check_interval, 60);    /* 1m */
	rbldnsd_args_free(&a);
}

static void test_dataset_names(void)
{
	struct rbldnsd_args a;
	char err[256], longspec[400];

	/* Paths become store names without '/': escaped, still readable. */
	memset(longspec, 'x', sizeof(longspec));
	memcpy(longspec, "z:ip4set:/", 10);
	longspec[sizeof(longspec) - 1] = '\0';
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "z:ip4set:/var/lib/rbldns/spam,50%",
			"y:ip4set:/var/lib/rbldns/spam,50%", "w:dnset:a%2Fb", longspec), 0);
	CHECK_INT(a.cfg->ndatasets, 3);
	CHECK_STR(a.cfg->datasets[0].name, "ip4set:%2Fvar%2Flib%2Frbldns%2Fspam,50%25");
	CHECK_STR(a.cfg->datasets[0].files[0], "/var/lib/rbldns/spam");
	CHECK_STR(a.cfg->datasets[1].name, "dnset:a%252Fb");
	CHECK_INT(strlen(a.cfg->datasets[2].name), 200);
	CHECK(strchr(a.cfg->datasets[2].name, '/') == NULL);
	CHECK(a.cfg->datasets[2].name[183] == '~');
	CHECK_STR(a.cfg->zones[1].datasets[0], a.cfg->zones[0].datasets[0]);
	rbldnsd_args_free(&a);
}

static void test_errors(void)
{
	struct rbldnsd_args a;
	char err[256];

	CHECK_INT(PARSE(&a, err, "-z", "-b", "127.0.0.1", "z:ip4set:f"), -1);
	CHECK_STR(err, "invalid option -- 'z'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "-b"), -1);
	CHECK_STR(err, "option requires an argument -- 'b'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "bl.test:foo:x"), -1);
	CHECK_STR(err, "unknown dataset type `foo'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "bl.test"), -1);
	CHECK_STR(err, "invalid zone spec `bl.test'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "bl.test:ip4set:"), -1);
	CHECK_STR(err, "missing filenames for ip4set");
	CHECK_INT(PARSE(&a, err, "z:ip4set:f"), -1);
	CHECK_STR(err, "no address to listen on (-b option) specified");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1"), -1);
	CHECK_STR(err, "no zone(s) to service specified (-h for help)");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "bl.test:acl:a.acl"), -1);
	CHECK_STR(err, "missing data for zone `bl.test'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "-t", "1x", "z:ip4set:f"), -1);
	CHECK_STR(err, "invalid ttl (-t) value `1x'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "-t", "1h30m", "z:ip4set:f"), -1);
	CHECK_STR(err, "invalid ttl (-t) value `1h30m'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "-t", "::2m", "z:ip4set:f"), -1);
	CHECK_STR(err, "inconsistent def:min:max ttl: 2100:0:120");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "-c", "1x", "z:ip4set:f"), -1);
	CHECK_STR(err, "invalid check interval (-c) value `1x'");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", "z:ip4set:f", "z:acl:a", "z:acl:b"), -1);
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1", ":ip4set:f"), -1);
	CHECK_STR(err, "invalid zone spec `:ip4set:f'");
	/* -h needs nothing else. */
	CHECK_INT(PARSE(&a, err, "-h"), 0);
	CHECK(a.help);
	rbldnsd_args_free(&a);
}

/* -b: host and service names pass as written (the server resolves them);
 * what can never work fails here, naming the value and the option. */
static void test_listen(void)
{
	struct rbldnsd_args a;
	char err[256] = "";

	CHECK_INT(PARSE(&a, err, "-b", "localhost/domain", "-b", "127.0.0.1/",
			"-b", "::1", "z:ip4set:f"), 0);
	CHECK_STR(err, "");
	CHECK_INT(a.cfg->nlisten, 3);
	CHECK_STR(a.cfg->listen[0].host, "localhost");
	CHECK_STR(a.cfg->listen[0].port, "domain");
	CHECK_STR(a.cfg->listen[0].text, "localhost/domain");
	CHECK_STR(a.cfg->listen[0].where, "-b");
	CHECK_STR(a.cfg->listen[1].port, "53");   /* empty: 53, as rbldnsd */
	CHECK_STR(a.cfg->listen[2].host, "::1");
	CHECK_STR(a.cfg->listen[2].port, "53");
	rbldnsd_args_free(&a);

	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1/65536", "z:ip4set:f"), -1);
	CHECK_STR(err, "127.0.0.1/65536: bad port: want 1..65535 (-b)");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1/0", "z:ip4set:f"), -1);
	CHECK_STR(err, "127.0.0.1/0: bad port: want 1..65535 (-b)");
	CHECK_INT(PARSE(&a, err, "-b", "127.0.0.1/nosuch-service", "z:ip4set:f"), -1);
	CHECK_STR(err, "127.0.0.1/nosuch-service: bad port: unknown service "
		  "name (-b)");
	CHECK_INT(PARSE(&a, err, "-b", "/53", "z:ip4set:f"), -1);
	CHECK_STR(err, "/53: missing host part (-b)");
	CHECK_INT(PARSE(&a, err, "-b", "300.1.1.1/53", "z:ip4set:f"), -1);
	CHECK_STR(err, "300.1.1.1/53: bad IPv4 address (-b)");
	CHECK_INT(PARSE(&a, err, "-b", "local host/53", "z:ip4set:f"), -1);
	CHECK_STR(err, "local host/53: bad host name (-b)");
	CHECK_INT(PARSE(&a, err, "-b", "fe80::zz/53", "z:ip4set:f"), -1);
	CHECK_STR(err, "fe80::zz/53: bad IPv6 address (-b)");
}

static void test_time_units(void)
{
	uint32_t s = 0;

	CHECK_INT(rbldnsd_parse_time("45", &s), 0);
	CHECK_INT(s, 45);
	CHECK_INT(rbldnsd_parse_time("2w", &s), 0);
	CHECK_INT(s, 1209600);
	CHECK_INT(rbldnsd_parse_time("3D", &s), 0);
	CHECK_INT(s, 259200);
	CHECK_INT(rbldnsd_parse_time("m", &s), -1);
	CHECK_INT(rbldnsd_parse_time("5x", &s), -1);
	CHECK_INT(rbldnsd_parse_time("99999999999", &s), -1);
}

int main(void)
{
	test_full_line();
	test_file_separators();
	test_dataset_names();
	test_errors();
	test_listen();
	test_time_units();
	return check_report();
}
