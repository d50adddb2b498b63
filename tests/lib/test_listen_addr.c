/* test_listen_addr.c -- lib/listen_addr.c: the syntax of listen addresses
 * and ports, and names resolved into numeric, deduplicated entries.
 *
 * Resolution uses this machine's hosts file and services database as they
 * are: `localhost` (127.0.0.1, perhaps ::1 too), `domain` (53).  Nothing
 * binds a socket.  `nosuch.invalid` never resolves (RFC 6761).
 */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "listen_addr.h"
#include "rbldnsd_args.h"

/* A config holding entries {host, port, text, where}... (NULL-ended). */
static struct config *cfg_with(const char *const *e)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	size_t n = 0;

	while (e[n * 4])
		n++;
	cfg->listen = calloc(n, sizeof(*cfg->listen));
	cfg->nlisten = n;
	for (size_t i = 0; i < n; i++) {
		struct cfg_listen *l = &cfg->listen[i];

		l->host = strdup(e[i * 4]);
		l->port = strdup(e[i * 4 + 1]);
		l->text = e[i * 4 + 2] ? strdup(e[i * 4 + 2]) : NULL;
		l->where = e[i * 4 + 3] ? strdup(e[i * 4 + 3]) : NULL;
	}
	return cfg;
}

static int has(const struct config *cfg, const char *host, const char *port)
{
	for (size_t i = 0; i < cfg->nlisten; i++)
		if (strcmp(cfg->listen[i].host, host) == 0 &&
		    strcmp(cfg->listen[i].port, port) == 0)
			return 1;
	return 0;
}

/* Does `name` resolve to `addr` here (getent ahosts)? */
static int resolves_to(const char *name, int family, const char *addr)
{
	struct addrinfo hints, *ai, *a;
	char buf[NI_MAXHOST];
	int found = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(name, "53", &hints, &ai) != 0)
		return 0;
	for (a = ai; a; a = a->ai_next)
		if (getnameinfo(a->ai_addr, a->ai_addrlen, buf, sizeof(buf),
				NULL, 0, NI_NUMERICHOST) == 0 &&
		    strcmp(buf, addr) == 0)
			found = 1;
	freeaddrinfo(ai);
	return found;
}

static void test_check_host(void)
{
	const char *long_label =
		"ab23456789012345678901234567890123456789012345678901234567890123";

	CHECK(listen_check_host("127.0.0.1") == NULL);
	CHECK(listen_check_host("0.0.0.0") == NULL);
	CHECK(listen_check_host("::1") == NULL);
	CHECK(listen_check_host("::") == NULL);
	CHECK(listen_check_host("localhost") == NULL);
	CHECK(listen_check_host("localhost.") == NULL);
	CHECK(listen_check_host("dns-1.example_x.org") == NULL);
	CHECK_STR(listen_check_host(""), "missing host part");
	CHECK_STR(listen_check_host("300.1.1.1"), "bad IPv4 address");
	CHECK_STR(listen_check_host("127.1"), "bad IPv4 address");
	CHECK_STR(listen_check_host("fe80::zz"), "bad IPv6 address");
	CHECK_STR(listen_check_host("a..b"), "bad host name");
	CHECK_STR(listen_check_host(".a"), "bad host name");
	CHECK_STR(listen_check_host("a b"), "bad host name");
	CHECK_STR(listen_check_host("a/b"), "bad host name");
	CHECK_STR(listen_check_host(long_label), "bad host name");
	CHECK(listen_check_host(long_label + 1) == NULL);   /* 63 is fine */
}

static void test_check_port(void)
{
	unsigned port = 0;

	CHECK(listen_check_port("53", &port) == NULL);
	CHECK_INT(port, 53);
	CHECK(listen_check_port("0053", &port) == NULL);
	CHECK_INT(port, 53);
	CHECK(listen_check_port("65535", &port) == NULL);
	CHECK_INT(port, 65535);
	CHECK(listen_check_port("domain", &port) == NULL);
	CHECK_INT(port, 53);
	/* Never a different port: getaddrinfo would bind 65536 as 0 and
	 * rbldnsd binds 99999 as 34463. */
	port = 7;
	CHECK_STR(listen_check_port("65536", &port), "bad port: want 1..65535");
	CHECK_STR(listen_check_port("99999", &port), "bad port: want 1..65535");
	CHECK_STR(listen_check_port("18446744073709551669", &port),
		  "bad port: want 1..65535");
	CHECK_INT(port, 7);
	CHECK_STR(listen_check_port("0", &port), "bad port: want 1..65535");
	CHECK_STR(listen_check_port("", &port), "bad port: want 1..65535");
	CHECK_STR(listen_check_port("-53", &port), "bad port: unknown service name");
	CHECK_STR(listen_check_port("nosuch-service", &port),
		  "bad port: unknown service name");
}

/* rbldnsd's -b: a service name, resolved to its port. */
static void test_rbldnsd_b(void)
{
	struct rbldnsd_args a;
	char err[512] = "";
	char *const argv[] = { "rbldnsd", "-b", "127.0.0.1/domain", "-b",
			       "localhost/5300", "bl.test:ip4set:f", NULL };

	CHECK_INT(rbldnsd_args_parse(6, argv, &a, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(a.cfg->nlisten, 2);
	CHECK_INT(listen_resolve_config(a.cfg, AF_UNSPEC, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(a.cfg->nlisten >= 2);
	CHECK_STR(a.cfg->listen[0].host, "127.0.0.1");
	CHECK_STR(a.cfg->listen[0].port, "53");
	CHECK_STR(a.cfg->listen[0].text, "127.0.0.1/domain");
	CHECK_STR(a.cfg->listen[0].where, "-b");
	CHECK(has(a.cfg, "127.0.0.1", "5300"));
	for (size_t i = 1; i < a.cfg->nlisten; i++) {
		CHECK_STR(a.cfg->listen[i].port, "5300");
		CHECK_STR(a.cfg->listen[i].text, "localhost/5300");
	}
	CHECK_INT(has(a.cfg, "::1", "5300"), resolves_to("localhost", AF_INET6, "::1"));
	rbldnsd_args_free(&a);
}

/* The YAML config: a name and a service name, resolved; errors name the
 * file, line and key. */
static void test_yaml(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char dir[512], path[600], err[1024], want[1200];
	struct config *cfg = NULL;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/test_listen_addr.XXXXXX",
		 base && *base ? base : "/tmp");
	mkdir(base && *base ? base : "/tmp", 0755);
	if (!mkdtemp(dir)) {
		perror(dir);
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	f = fopen(path, "w");
	fputs("datasets:\n  a: {type: dnset, files: /dev/null}\n"
	      "listen:\n  - \"localhost:domain\"\n  - nosuch.invalid:5300\n", f);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, err, sizeof(err)), 0);
	if (!cfg)
		return;
	CHECK_INT(cfg->nlisten, 2);
	CHECK_STR(cfg->listen[0].host, "localhost");
	CHECK_STR(cfg->listen[0].port, "domain");
	/* The name that does not resolve fails, naming where it is. */
	CHECK_INT(listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:5: listen: \"nosuch.invalid:5300\": ",
		 path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK_INT(cfg->nlisten, 2);   /* unchanged */
	CHECK_STR(cfg->listen[1].host, "nosuch.invalid");
	/* Without it, localhost:domain becomes 127.0.0.1 port 53. */
	free(cfg->listen[1].host);
	free(cfg->listen[1].port);
	free(cfg->listen[1].text);
	free(cfg->listen[1].where);
	cfg->nlisten = 1;
	CHECK_INT(listen_resolve_config(cfg, AF_INET, err, sizeof(err)), 0);
	CHECK_INT(cfg->nlisten, 1);
	CHECK_STR(cfg->listen[0].host, "127.0.0.1");
	CHECK_STR(cfg->listen[0].port, "53");
	CHECK_STR(cfg->listen[0].text, "localhost:domain");
	snprintf(want, sizeof(want), "%s:4: listen", path);
	CHECK_STR(cfg->listen[0].where, want);
	config_free(cfg);
	unlink(path);
	rmdir(dir);
}

static void test_dedup(void)
{
	/* Five spellings, two sockets. */
	const char *const e[] = {
		"127.0.0.1", "53", NULL, NULL,
		"::1", "0053", NULL, NULL,
		"0:0::1", "53", NULL, NULL,
		"localhost", "domain", "localhost:domain", "c.yaml:2: listen",
		"127.0.0.1", "domain", NULL, NULL,
		NULL,
	};
	struct config *cfg = cfg_with(e);
	char err[512] = "";

	CHECK_INT(listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_INT(cfg->nlisten, 2);
	CHECK_STR(cfg->listen[0].host, "127.0.0.1");
	CHECK_STR(cfg->listen[0].port, "53");
	CHECK(cfg->listen[0].text == NULL);   /* written as it is */
	CHECK_STR(cfg->listen[1].host, "::1");
	CHECK_STR(cfg->listen[1].port, "53");
	CHECK_STR(cfg->listen[1].text, NULL);
	/* Resolving numeric entries again changes nothing. */
	CHECK_INT(listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)), 0);
	CHECK_INT(cfg->nlisten, 2);
	config_free(cfg);
}

static void test_errors(void)
{
	const char *const bad_port[] = { "127.0.0.1", "65536", "127.0.0.1/65536",
					 "-b", NULL };
	const char *const nosuch[] = { "127.0.0.1", "5300", NULL, NULL,
				       "nosuch.invalid", "53",
				       "nosuch.invalid/53", "-b", NULL };
	const char *const v6[] = { "::1", "5300", "::1/5300", "-b", NULL };
	const char *const plain[] = { "nosuch.invalid", "53", NULL, NULL, NULL };
	struct config *cfg;
	char err[512];

	cfg = cfg_with(bad_port);
	CHECK_INT(listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)), -1);
	CHECK_STR(err, "127.0.0.1/65536: bad port: want 1..65535 (-b)");
	config_free(cfg);

	cfg = cfg_with(nosuch);
	CHECK_INT(listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)), -1);
	CHECK(strncmp(err, "nosuch.invalid/53: ", 19) == 0);
	CHECK(strlen(err) > 5 && strcmp(err + strlen(err) - 5, " (-b)") == 0);
	CHECK_INT(cfg->nlisten, 2);   /* cfg unchanged */
	CHECK_STR(cfg->listen[1].host, "nosuch.invalid");
	config_free(cfg);

	/* -4 / -6: only that family. */
	cfg = cfg_with(v6);
	CHECK_INT(listen_resolve_config(cfg, AF_INET, err, sizeof(err)), -1);
	CHECK_STR(err, "::1/5300: Address family for hostname not supported (-b)");
	CHECK_INT(listen_resolve_config(cfg, AF_INET6, err, sizeof(err)), 0);
	CHECK_STR(cfg->listen[0].host, "::1");
	config_free(cfg);

	cfg = cfg_with(plain);
	CHECK_INT(listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)), -1);
	CHECK(strncmp(err, "listen nosuch.invalid port 53: ", 31) == 0);
	config_free(cfg);
}

int main(void)
{
	test_check_host();
	test_check_port();
	test_rbldnsd_b();
	test_yaml();
	test_dedup();
	test_errors();
	return check_report();
}
