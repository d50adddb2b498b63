/* test_config.c -- lib/config.c: a full valid file, defaults, and every error.
 *
 * Each case writes a real YAML file (and the data files it names) into a
 * temporary directory and loads it, checking the parsed values or the exact
 * `file:line: key: reason` message.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "dname.h"

static char tmpdir[512];

static void make_tmpdir(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char tmpl[480];

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(tmpl, sizeof(tmpl), "%s/test_config.XXXXXX", base);
	if (!mkdtemp(tmpl)) {
		perror(tmpl);
		exit(2);
	}
	/* Absolute, so resolved paths can be compared. */
	if (!realpath(tmpl, tmpdir)) {
		perror(tmpl);
		exit(2);
	}
}

/* Writes `text` to tmpdir/name and returns the full path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	static char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads `text` as tmpdir/c.yaml with `flags`; returns the config or NULL and
 * leaves the message in `err`. */
static struct config *load(const char *text, unsigned flags, char *err,
			   size_t errlen)
{
	struct config *cfg = NULL;
	const char *path = write_file("c.yaml", text);

	err[0] = '\0';
	if (config_load_flags(path, flags, &cfg, err, errlen) < 0)
		return NULL;
	return cfg;
}

/* Loads `text` expecting failure with a message ending in `want` after the
 * config path (so `want` starts with the line number). */
static void expect_error(const char *text, const char *want, int line)
{
	char err[1024], full[1200];
	struct config *cfg = load(text, 0, err, sizeof(err));

	snprintf(full, sizeof(full), "%s/c.yaml:%s", tmpdir, want);
	if (!check_one(cfg == NULL, "config rejected", __FILE__, line)) {
		config_free(cfg);
		return;
	}
	if (!check_one(strncmp(err, full, strlen(full)) == 0,
		       "error message", __FILE__, line))
		fprintf(stderr, "    got  \"%s\"\n    want \"%s...\"\n", err, full);
}

#define EXPECT_ERROR(text, want) expect_error((text), (want), __LINE__)

static void test_full(void)
{
	char err[1024], want[1024];
	struct config *cfg;
	const struct cfg_dataset *d;
	const struct cfg_zone *z;
	uint8_t w[DNAME_MAX];

	write_file("spam.ip4set", "1.2.3.4\n");
	write_file("more.ip4set", "5.6.7.8\n");
	write_file("v6.ip6trie", "2001:db8::/32\n");
	write_file("acl.txt", "127.0.0.1 :pass\n");
	cfg = load("# a full config\n"
		   "store: db/store\n"
		   "listen: [\"127.0.0.1:5353\", \"[::1]:5354\", \"::1\"]\n"
		   "datasets:\n"
		   "  spam:\n"
		   "    type: ip4set\n"
		   "    files: [spam.ip4set, more.ip4set]\n"
		   "    max_errors: 10\n"
		   "  six: { type: IP6TRIE, files: /dev/null }\n"
		   "  clients: { type: acl, files: acl.txt }\n"
		   "zones:\n"
		   "  BL.Example.org.:\n"
		   "    datasets: [spam, six]\n"
		   "    acl: clients\n"
		   "    ttl: 1h\n"
		   "    ns: [ns1.example.org, ns2.example.org.]\n"
		   "    soa:\n"
		   "      mname: ns1.example.org\n"
		   "      rname: hostmaster@example.org\n"
		   "      refresh: 2h\n"
		   "      minimum: 60\n"
		   "  v6.example.org: { datasets: six, ttl: 300 }\n"
		   "server:\n"
		   "  workers: 4\n"
		   "  max_udp_size: 4096\n"
		   "  tcp_idle_ms: 5000\n"
		   "  tcp_max_clients: 10\n",
		   0, err, sizeof(err));
	if (!check_one(cfg != NULL, "full config loads", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	snprintf(want, sizeof(want), "%s/db/store", tmpdir);
	CHECK_STR(cfg->store, want);
	CHECK_INT(cfg->nlisten, 3);
	CHECK_STR(cfg->listen[0].host, "127.0.0.1");
	CHECK_STR(cfg->listen[0].port, "5353");
	CHECK_STR(cfg->listen[1].host, "::1");
	CHECK_STR(cfg->listen[1].port, "5354");
	CHECK_STR(cfg->listen[2].host, "::1");
	CHECK_STR(cfg->listen[2].port, "53");

	CHECK_INT(cfg->ndatasets, 3);
	d = config_dataset(cfg, "spam");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->type, DS_IP4SET);
		CHECK_INT(d->nfiles, 2);
		snprintf(want, sizeof(want), "%s/spam.ip4set", tmpdir);
		CHECK_STR(d->files[0], want);
		snprintf(want, sizeof(want), "%s/more.ip4set", tmpdir);
		CHECK_STR(d->files[1], want);
		CHECK_INT(d->max_errors, 10);
		CHECK_INT(d->line, 5);
	}
	d = config_dataset(cfg, "six");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->type, DS_IP6TRIE);
		CHECK_INT(d->nfiles, 1);
		CHECK_STR(d->files[0], "/dev/null");
		CHECK_INT(d->max_errors, 0);
	}
	CHECK(config_dataset(cfg, "nope") == NULL);
	CHECK_INT(config_dataset(cfg, "clients")->type, DS_ACL);

	CHECK_INT(cfg->nzones, 2);
	z = &cfg->zones[0];
	CHECK_STR(z->name, "bl.example.org");
	dname_from_text("bl.example.org", 14, w, 1);
	CHECK(dname_equal(z->wname, w) && memcmp(z->wname, w, 16) == 0);
	CHECK_INT(z->ndatasets, 2);
	CHECK_STR(z->datasets[0], "spam");
	CHECK_STR(z->datasets[1], "six");
	CHECK_STR(z->acl, "clients");
	CHECK_INT(z->ttl, 3600);
	CHECK_INT(z->line, 12);
	CHECK_INT(z->nns, 2);
	dname_from_text("ns2.example.org", 15, w, 1);
	CHECK(z->nns == 2 && dname_equal(z->ns[1], w));
	CHECK_INT(z->soa.present, 1);
	CHECK(z->soa.mname && dname_equal(z->soa.mname, z->ns[0]));
	dname_from_text("hostmaster.example.org", 22, w, 1);
	CHECK(z->soa.rname && dname_equal(z->soa.rname, w));
	CHECK_INT(z->soa.ttl, 3600);     /* the zone's ttl */
	CHECK_INT(z->soa.refresh, 7200);
	CHECK_INT(z->soa.retry, 900);
	CHECK_INT(z->soa.expire, 604800);
	CHECK_INT(z->soa.minimum, 60);

	z = &cfg->zones[1];
	CHECK_STR(z->name, "v6.example.org");
	CHECK_INT(z->ndatasets, 1);
	CHECK_STR(z->datasets[0], "six");
	CHECK(z->acl == NULL);
	CHECK_INT(z->ttl, 300);
	CHECK_INT(z->soa.present, 0);
	CHECK_INT(z->nns, 0);

	CHECK_INT(cfg->workers, 4);
	CHECK_INT(cfg->max_udp_size, 4096);
	CHECK_INT(cfg->tcp_idle_ms, 5000);
	CHECK_INT(cfg->tcp_max_clients, 10);
	config_free(cfg);
}

static void test_defaults(void)
{
	char err[1024], want[1024];
	struct config *cfg;

	cfg = load("datasets:\n  a: {type: dnset, files: [/dev/null]}\n"
		   "workers: 2\n", 0, err, sizeof(err));
	if (!check_one(cfg != NULL, "minimal config loads", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	snprintf(want, sizeof(want), "%s/var/store", tmpdir);
	CHECK_STR(cfg->store, want);
	CHECK_INT(cfg->nlisten, 1);
	CHECK_STR(cfg->listen[0].host, "127.0.0.1");
	CHECK_STR(cfg->listen[0].port, "53");
	CHECK_INT(cfg->nzones, 0);
	CHECK_INT(cfg->workers, 2);   /* top-level form of server.workers */
	CHECK_INT(cfg->max_udp_size, 1232);
	CHECK_INT(cfg->tcp_idle_ms, 10000);
	CHECK_INT(cfg->tcp_max_clients, 256);
	config_free(cfg);

	/* A zone without its own ttl gets an SOA ttl of 2100; anchors work. */
	cfg = load("store: /abs/store\n"
		   "datasets:\n  a: &d {type: dnset, files: /dev/null}\n"
		   "  b: *d\n"
		   "zones:\n  z.test: {datasets: [a, b], soa: {mname: ns.z.test, "
		   "rname: h.z.test, ttl: 1d}}\n"
		   "  y.test: {datasets: a, soa: {mname: ns.z.test, rname: h.z.test}}\n",
		   0, err, sizeof(err));
	if (!check_one(cfg != NULL, "anchored config loads", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	CHECK_STR(cfg->store, "/abs/store");
	CHECK_INT(cfg->ndatasets, 2);
	CHECK_INT(cfg->zones[0].soa.ttl, 86400);
	CHECK_INT(cfg->zones[1].soa.ttl, 2100);
	CHECK_INT(cfg->zones[1].soa.minimum, 300);
	config_free(cfg);

	/* Paths are normalized lexically: ".", "..", "//", a trailing "/". */
	cfg = load("store: ./a/../b//c/./\n"
		   "datasets:\n  a: {type: dnset, files: [/dev/./null, ///dev//null,"
		   " /../dev/null, x/../../..]}\n", CONFIG_NO_FILE_CHECK, err,
		   sizeof(err));
	if (!check_one(cfg != NULL, "dotted paths load", __FILE__, __LINE__)) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	snprintf(want, sizeof(want), "%s/b/c", tmpdir);
	CHECK_STR(cfg->store, want);
	CHECK_STR(cfg->datasets[0].files[0], "/dev/null");
	CHECK_STR(cfg->datasets[0].files[1], "/dev/null");
	CHECK_STR(cfg->datasets[0].files[2], "/dev/null");
	/* tmpdir is below /tmp or TEST_TMPDIR: "x/../../.." is its grandparent. */
	snprintf(want, sizeof(want), "%s", tmpdir);
	*strrchr(want, '/') = '\0';
	if (strrchr(want, '/') != want)
		*strrchr(want, '/') = '\0';
	else
		want[1] = '\0';
	CHECK_STR(cfg->datasets[0].files[3], want);
	config_free(cfg);
}

static void test_files(void)
{
	char err[1024], want[1200];
	struct config *cfg;
	const char *text = "datasets:\n"
			   "  a:\n"
			   "    type: ip4set\n"
			   "    files:\n"
			   "      - /dev/null\n"
			   "      - missing.ip4set\n";

	EXPECT_ERROR(text, "6: datasets.a.files: ");
	cfg = load(text, 0, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/missing.ip4set: No such file or directory",
		 tmpdir);
	CHECK(cfg == NULL && strstr(err, want) != NULL);
	/* The loader's mode: files are checked when the dataset loads. */
	cfg = load(text, CONFIG_NO_FILE_CHECK, err, sizeof(err));
	CHECK(cfg != NULL);
	if (cfg) {
		snprintf(want, sizeof(want), "%s/missing.ip4set", tmpdir);
		CHECK_STR(cfg->datasets[0].files[1], want);
		config_free(cfg);
	}
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /}\n",
		     "2: datasets.a.files: /: is a directory");
	/* Unreadable: only meaningful when not root. */
	if (geteuid() != 0) {
		const char *p = write_file("secret", "x\n");

		chmod(p, 0);
		EXPECT_ERROR("datasets:\n  a: {type: dnset, files: secret}\n",
			     "2: datasets.a.files: ");
	}
}

static void test_errors(void)
{
	char err[1024], want[1200];
	struct config *cfg;

	/* The config file itself. */
	cfg = NULL;
	CHECK_INT(config_load("/nonexistent/c.yaml", &cfg, err, sizeof(err)), -1);
	CHECK(cfg == NULL);
	CHECK_STR(err, "/nonexistent/c.yaml: No such file or directory");
	EXPECT_ERROR("", "1: the config is empty");
	EXPECT_ERROR("# only a comment\n", "1: the config is empty");
	EXPECT_ERROR("- a\n- b\n", "1: the config must be a map");
	EXPECT_ERROR("datasets:\n  a: [unclosed\n", "3:1: YAML syntax error: ");
	EXPECT_ERROR("datasets:\n  a: {type: dnset\n  b: 1\n",
		     "3:");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n---\n"
		     "store: x\n", "4: a second YAML document");

	/* Unknown and duplicate keys. */
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "bogus: 1\n",
		     "3: bogus: unknown key (known: store, listen, datasets, ");
	EXPECT_ERROR("datasets:\n  a:\n    type: dnset\n    file: /dev/null\n",
		     "4: datasets.a.file: unknown key (known: type, files, "
		     "max_errors, manual, self_delist, max_shrink, "
		     "shrink_hold)");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "  a: {type: ip4set, files: /dev/null}\n",
		     "3: datasets.a: duplicate key (first on line 2)");
	EXPECT_ERROR("store: a\nstore: b\ndatasets: {}\n",
		     "2: store: duplicate key (first on line 1)");
	EXPECT_ERROR("server: {workers: 1, colour: red}\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: server.colour: unknown key");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, tll: 5}\n",
		     "4: zones.z.test.tll: unknown key (known: datasets, acl, ttl, soa, ns, codes, transfer, access, rate_limit, keys, countries, asns)");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: a\n    soa:\n"
		     "      mname: ns.z.test\n      rname: h.z.test\n      serial: 5\n",
		     "9: zones.z.test.soa.serial: unknown key");

	/* Wrong shapes. */
	EXPECT_ERROR("listen: {a: 1}\ndatasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: expected a list, found a map");
	EXPECT_ERROR("datasets:\n  - a\n", "2: datasets: expected a map, found a list");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: {x: 1}}\n",
		     "2: datasets.a.files: expected a list, found a map");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: []}\n",
		     "2: datasets.a.files: empty list");
	EXPECT_ERROR("datasets:\n  a: {type: [dnset], files: /dev/null}\n",
		     "2: datasets.a.type: expected a value, found a list");
	EXPECT_ERROR("datasets:\n  a: dnset\n", "2: datasets.a: expected a map, found a scalar");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "store:\n", "3: store: missing value");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: a\n    soa: [1, 2]\n",
		     "6: zones.z.test.soa: expected a map, found a list");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: {a: 1}\n",
		     "5: zones.z.test.datasets: expected a list, found a map");
	EXPECT_ERROR("datasets:\n  ? [a]\n  : {type: dnset}\n",
		     "2: datasets: a key must be a plain name, found a list");

	/* Bad values. */
	EXPECT_ERROR("datasets:\n  a: {type: ip5set, files: /dev/null}\n",
		     "2: datasets.a.type: unknown dataset type \"ip5set\"");
	EXPECT_ERROR("datasets:\n  a: {files: /dev/null}\n",
		     "2: datasets.a: missing \"type\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset}\n",
		     "2: datasets.a: missing \"files\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null, max_errors: -1}\n",
		     "2: datasets.a.max_errors: \"-1\" is not a number");
	EXPECT_ERROR("datasets:\n  a/b: {type: dnset, files: /dev/null}\n",
		     "2: datasets.a/b: bad dataset name");
	EXPECT_ERROR("datasets: {}\n", "1: datasets: no dataset defined");
	EXPECT_ERROR("store: x\n", "1: datasets: missing");
	EXPECT_ERROR("listen: [\"127.0.0.1:99999\"]\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"127.0.0.1:99999\": bad port: want 1..65535");
	EXPECT_ERROR("listen: [\"127.0.0.1:0\"]\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"127.0.0.1:0\": bad port");
	EXPECT_ERROR("listen:\n  - 127.0.0.1:53\n  - \"[::1]:dns\"\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "3: listen: \"[::1]:dns\": bad port: unknown service name");
	EXPECT_ERROR("listen: 300.1.1.1:53\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"300.1.1.1:53\": bad IPv4 address");
	EXPECT_ERROR("listen: local..host:53\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"local..host:53\": bad host name");
	EXPECT_ERROR("listen: \"fe80::1:53:x\"\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"fe80::1:53:x\": bad address (want ");
	EXPECT_ERROR("listen: \"[localhost]:53\"\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"[localhost]:53\": bad IPv6 address");
	EXPECT_ERROR("listen: \"[::1:53\"\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"[::1:53\": missing ']'");
	EXPECT_ERROR("listen: [\"127.0.0.1:53\", \"127.0.0.1:53\"]\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: listen: \"127.0.0.1:53\" is listed twice");
	EXPECT_ERROR("server: {max_udp_size: 100}\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: server.max_udp_size: 100 is out of range 512..65535");
	EXPECT_ERROR("tcp_idle_ms: soon\n"
		     "datasets:\n  a: {type: dnset, files: /dev/null}\n",
		     "1: tcp_idle_ms: \"soon\" is not a number");

	/* Zones. */
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: [a, b]\n",
		     "5: zones.z.test.datasets: no dataset named \"b\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: [a, a]\n",
		     "5: zones.z.test.datasets: \"a\" is listed twice");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {ttl: 5}\n",
		     "4: zones.z.test: missing \"datasets\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "  c: {type: acl, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: [a, c]}\n",
		     "5: zones.z.test.datasets: \"c\" is an acl dataset; name it in \"acl\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, acl: a}\n",
		     "4: zones.z.test.acl: \"a\" is a dnset dataset, not an acl");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, acl: nope}\n",
		     "4: zones.z.test.acl: no dataset named \"nope\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a}\n  Z.Test.: {datasets: a}\n",
		     "5: zones.Z.Test.: zone defined twice (first on line 4)");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  .: {datasets: a}\n",
		     "4: zones..: a zone cannot be the root");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, ttl: 10x}\n",
		     "4: zones.z.test.ttl: \"10x\" is not a time (units: s m h d w)");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, ttl: 99999999999w}\n",
		     "4: zones.z.test.ttl: \"99999999999w\" is too large");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: a\n    soa: {mname: ns.z.test}\n",
		     "6: zones.z.test.soa: missing \"rname\"");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, files: /dev/null}\n"
		     "zones:\n  z.test:\n    datasets: a\n    ns: [ns1.z.test, \"a..\\\\999\"]\n",
		     "6: zones.z.test.ns: \"a..\\999\" is not a valid domain name");

	/* A failed load leaves nothing behind (ASan would see a leak). */
	cfg = (struct config *)&want;
	CHECK_INT(config_load_flags(write_file("c.yaml", "datasets: [\n"), 0, &cfg,
				    err, sizeof(err)), -1);
	CHECK(cfg == (struct config *)&want);
}

/* Zone `codes:`, the names dnsbl-query prints for return codes. */
static void test_codes(void)
{
	char err[1024];
	struct config *cfg;

	cfg = load("datasets:\n  a: {type: ip4set, files: /dev/null}\n"
		   "zones:\n  z.test:\n    datasets: a\n"
		   "    codes: {127.0.0.2: spam source, 127.0.0.10: \"policy: dynamic\"}\n"
		   "  y.test: {datasets: a, codes: {}}\n"
		   "  x.test: {datasets: a}\n", 0, err, sizeof(err));
	CHECK(cfg != NULL);
	if (cfg) {
		const struct cfg_zone *z = &cfg->zones[0];

		CHECK_INT(z->ncodes, 2);
		CHECK_INT(z->codes[0].a, 0x7f000002);
		CHECK_STR(z->codes[0].name, "spam source");
		CHECK_INT(z->codes[1].a, 0x7f00000a);
		CHECK_STR(z->codes[1].name, "policy: dynamic");
		CHECK_INT(cfg->zones[1].ncodes, 0);
		CHECK_INT(cfg->zones[2].ncodes, 0);
		config_free(cfg);
	} else {
		fprintf(stderr, "    %s\n", err);
	}

#define CODES_CFG "datasets:\n  a: {type: ip4set, files: /dev/null}\n" \
		  "zones:\n  z.test:\n    datasets: a\n    codes:\n" \
		  "      127.0.0.2: fine\n"
	EXPECT_ERROR(CODES_CFG "      127.0.0.256: bad\n",
		     "8: zones.z.test.codes.127.0.0.256: \"127.0.0.256\" is not an IPv4 address");
	EXPECT_ERROR(CODES_CFG "      spam: bad\n",
		     "8: zones.z.test.codes.spam: \"spam\" is not an IPv4 address");
	EXPECT_ERROR(CODES_CFG "      10.0.0.2: bad\n",
		     "8: zones.z.test.codes.10.0.0.2: \"10.0.0.2\" is not in 127.0.0.0/8");
	EXPECT_ERROR(CODES_CFG "      127.0.0.2: again\n",
		     "8: zones.z.test.codes.127.0.0.2: duplicate key (first on line 7)");
	EXPECT_ERROR(CODES_CFG "      127.0.0.3: [a, b]\n",
		     "8: zones.z.test.codes.127.0.0.3: expected a value, found a list");
	EXPECT_ERROR(CODES_CFG "      127.0.0.3:\n",
		     "8: zones.z.test.codes.127.0.0.3: missing value");
	EXPECT_ERROR(CODES_CFG "      127.0.0.3: \"a\\tb\"\n",
		     "8: zones.z.test.codes.127.0.0.3: control character in the name");
	EXPECT_ERROR("datasets:\n  a: {type: ip4set, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, codes: [127.0.0.2]}\n",
		     "4: zones.z.test.codes: expected a map, found a list");
#undef CODES_CFG
}

/* A zone's `transfer: {allow, notify}` (server/xfr.c, server/notify.c). */
static void test_transfer(void)
{
	char err[1024];
	struct config *cfg;

	cfg = load("datasets:\n  a: {type: ip4set, files: /dev/null}\n"
		   "zones:\n  z.test:\n    datasets: a\n    transfer:\n"
		   "      allow: [192.0.2.0/24, \"2001:db8::53\", 10.1.2.3]\n"
		   "      notify: [\"192.0.2.53\", \"[2001:db8::53]:5300\"]\n"
		   "  y.test: {datasets: a, transfer: {}}\n"
		   "  x.test: {datasets: a}\n", 0, err, sizeof(err));
	CHECK(cfg != NULL);
	if (cfg) {
		const struct cfg_zone *z = &cfg->zones[0];

		CHECK_INT(z->has_transfer, 1);
		CHECK_INT(z->nxfr_allow, 3);
		CHECK_INT(z->xfr_allow[0].family, 4);
		CHECK_INT(z->xfr_allow[0].plen, 24);
		CHECK_INT(z->xfr_allow[1].family, 6);
		CHECK_INT(z->xfr_allow[1].plen, 128);
		CHECK_INT(z->xfr_allow[2].plen, 32);
		CHECK_INT(z->nxfr_notify, 2);
		CHECK_STR(z->xfr_notify[0].host, "192.0.2.53");
		CHECK_STR(z->xfr_notify[0].port, "53");
		CHECK_STR(z->xfr_notify[1].host, "2001:db8::53");
		CHECK_STR(z->xfr_notify[1].port, "5300");
		CHECK_INT(cfg->zones[1].has_transfer, 1);
		CHECK_INT(cfg->zones[1].nxfr_allow, 0);
		CHECK_INT(cfg->zones[2].has_transfer, 0);
		config_free(cfg);
	} else {
		fprintf(stderr, "    %s\n", err);
	}
#define XFR_CFG "datasets:\n  a: {type: ip4set, files: /dev/null}\n" \
		"zones:\n  z.test:\n    datasets: a\n    transfer:\n"
	EXPECT_ERROR(XFR_CFG "      allow: [192.0.2.1/24]\n",
		     "7: zones.z.test.transfer.allow: \"192.0.2.1/24\": host bits set beyond /24");
	EXPECT_ERROR(XFR_CFG "      allow: [ns1.example]\n",
		     "7: zones.z.test.transfer.allow: \"ns1.example\" is not an address or CIDR");
	EXPECT_ERROR(XFR_CFG "      notify: [\"192.0.2.1:0\"]\n",
		     "7: zones.z.test.transfer.notify: \"192.0.2.1:0\"");
	EXPECT_ERROR(XFR_CFG "      notify: [\"192.0.2.1\", \"192.0.2.1:53\"]\n",
		     "7: zones.z.test.transfer.notify: \"192.0.2.1:53\" is listed twice");
	EXPECT_ERROR(XFR_CFG "      also: []\n",
		     "7: zones.z.test.transfer.also: unknown key (known: allow, notify)");
	EXPECT_ERROR("datasets:\n  a: {type: ip4set, files: /dev/null}\n"
		     "zones:\n  z.test: {datasets: a, transfer: [127.0.0.1]}\n",
		     "4: zones.z.test.transfer: expected a map, found a list");
#undef XFR_CFG
}

/* Host names and service names are accepted as written (the server
 * resolves them), remembering where they were written. */
static void test_listen_names(void)
{
	char err[1024], where[700];
	struct config *cfg = load("listen:\n  - \"localhost:domain\"\n"
				  "  - 127.0.0.1\n  - \"[::1]:5354\"\n"
				  "  - localhost.:53\n"
				  "datasets:\n  a: {type: dnset, files: /dev/null}\n",
				  0, err, sizeof(err));

	CHECK_STR(err, "");
	if (!cfg)
		return;
	CHECK_INT(cfg->nlisten, 4);
	CHECK_STR(cfg->listen[0].host, "localhost");
	CHECK_STR(cfg->listen[0].port, "domain");
	CHECK_STR(cfg->listen[0].text, "localhost:domain");
	snprintf(where, sizeof(where), "%s/c.yaml:2: listen", tmpdir);
	CHECK_STR(cfg->listen[0].where, where);
	CHECK_STR(cfg->listen[1].host, "127.0.0.1");
	CHECK_STR(cfg->listen[1].port, "53");
	CHECK_STR(cfg->listen[2].host, "::1");
	CHECK_STR(cfg->listen[2].port, "5354");
	CHECK_STR(cfg->listen[2].text, "[::1]:5354");
	CHECK_STR(cfg->listen[3].host, "localhost.");
	config_free(cfg);
}

/* `manual: true`: a dataset with no files, edited with dnsbl-ctl. */
static void test_manual(void)
{
	char err[1024];
	struct config *cfg;
	const struct cfg_dataset *d;

	cfg = load("datasets:\n  hand: {type: ip4set, manual: true}\n"
		   "  a: {type: dnset, files: /dev/null, manual: false}\n"
		   "zones:\n  z.test: {datasets: [a, hand]}\n", 0, err,
		   sizeof(err));
	CHECK(cfg != NULL);
	if (!cfg) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	d = config_dataset(cfg, "hand");
	CHECK(d && d->manual && d->nfiles == 0 && d->type == DS_IP4SET);
	d = config_dataset(cfg, "a");
	CHECK(d && !d->manual && d->nfiles == 1);
	config_free(cfg);
	EXPECT_ERROR("datasets:\n  a: {type: dnset, manual: true, files: /dev/null}\n",
		     "2: datasets.a: a manual dataset has no \"files\" (it is "
		     "edited with dnsbl-ctl)");
	EXPECT_ERROR("datasets:\n  a: {type: combined, manual: true}\n",
		     "2: datasets.a: a manual dataset cannot be combined");
	EXPECT_ERROR("datasets:\n  a: {type: acl, manual: true}\n",
		     "2: datasets.a: a manual dataset cannot be acl");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, manual: maybe}\n",
		     "2: datasets.a.manual: \"maybe\" is not true or false");
	EXPECT_ERROR("datasets:\n  a: {type: dnset, manual: false}\n",
		     "2: datasets.a: missing \"files\"");
}

/* The process, log and answer keys (both places, defaults, errors). */
static void test_server_keys(void)
{
	char err[1024], want[1200];
	struct config *cfg;

	cfg = load("datasets: {a: {type: dnset, files: /dev/null}}\n", 0, err,
		   sizeof(err));
	CHECK(cfg != NULL);
	if (cfg) {
		CHECK_INT(cfg->default_ttl, 2100);
		CHECK_INT(cfg->stats_interval, 60);
		CHECK_INT(cfg->daemon, 0);
		CHECK(!cfg->user && !cfg->chroot && !cfg->syslog && !cfg->query_log);
		CHECK_INT(cfg->version_bind, CFG_VERSION_ANSWER);
	}
	config_free(cfg);

	cfg = load("datasets: {a: {type: dnset, files: /dev/null}}\n"
		   "user: dnsbl\ngroup: mail\nchroot: jail\npidfile: /run/d.pid\n"
		   "daemon: yes\nsyslog: local3\n"
		   "server:\n  query_log: \"-\"\n  query_log_unbuffered: true\n"
		   "  stats_file: jail/stats\n  stats_relative: on\n"
		   "  stats_interval: 5m\n  default_ttl: 1h\n  min_ttl: 1m\n"
		   "  max_ttl: 1d\n  version_bind: refuse\n", 0, err, sizeof(err));
	CHECK(cfg != NULL);
	if (!cfg) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	CHECK_STR(cfg->user, "dnsbl");
	CHECK_STR(cfg->group, "mail");
	snprintf(want, sizeof(want), "%s/jail", tmpdir);
	CHECK_STR(cfg->chroot, want);               /* beside the config */
	CHECK_STR(cfg->pidfile, "/run/d.pid");
	CHECK_INT(cfg->daemon, 1);
	CHECK_STR(cfg->syslog, "local3");
	CHECK_STR(cfg->query_log, "-");             /* stdout, not a file */
	CHECK_INT(cfg->query_log_unbuffered, 1);
	snprintf(want, sizeof(want), "%s/jail/stats", tmpdir);
	CHECK_STR(cfg->stats_file, want);
	CHECK_INT(cfg->stats_relative, 1);
	CHECK_INT(cfg->stats_interval, 300);
	CHECK_INT(cfg->default_ttl, 3600);
	CHECK_INT(cfg->min_ttl, 60);
	CHECK_INT(cfg->max_ttl, 86400);
	CHECK_INT(cfg->version_bind, CFG_VERSION_REFUSE);
	config_free(cfg);

#define DS "datasets: {a: {type: dnset, files: /dev/null}}\n"
	EXPECT_ERROR(DS "daemon: maybe\n",
		     "2: daemon: \"maybe\" is not true or false");
	EXPECT_ERROR(DS "server: {syslog: local9}\n",
		     "2: server.syslog: unknown syslog facility \"local9\"");
	EXPECT_ERROR(DS "version_bind: quiet\n",
		     "2: version_bind: \"quiet\" is not answer, hide or refuse");
	EXPECT_ERROR(DS "stats_interval: 5x\n",
		     "2: stats_interval: \"5x\" is not a time");
	EXPECT_ERROR(DS "min_ttl: 1h\nmax_ttl: 1m\n",
		     "1: min_ttl: 3600 is above max_ttl 60");
	EXPECT_ERROR(DS "group: mail\n", "1: group: needs `user` too");
	EXPECT_ERROR(DS "stats_relative: true\n",
		     "1: stats_relative: needs `stats_file`");
	EXPECT_ERROR(DS "server: {workers: 4x}\n",
		     "2: server.workers: \"4x\" is not a number");
	EXPECT_ERROR(DS "user: [a, b]\n", "2: user: expected a value, found a list");
#undef DS
}

int main(void)
{
	make_tmpdir();
	test_manual();
	test_full();
	test_defaults();
	test_files();
	test_errors();
	test_listen_names();
	test_codes();
	test_transfer();
	test_server_keys();
	return check_report();
}
