/* test_trap_config.c -- lib/config.c's `type: trap` keys: defaults, every
 * key, and the errors that name file:line: key. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "defaults.h"

static char path[600];

static struct config *load(const char *text, char *err, size_t errlen)
{
	struct config *cfg = NULL;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	if (config_load(path, &cfg, err, errlen) < 0)
		return NULL;
	return cfg;
}

static void expect_error(const char *text, const char *want)
{
	char err[1024] = "";
	struct config *cfg = load(text, err, sizeof(err));

	CHECK(cfg == NULL);
	if (!check_one(strstr(err, want) != NULL, want, __FILE__, __LINE__))
		fprintf(stderr, "    got: %s\n", err);
	config_free(cfg);
}

static void test_defaults(void)
{
	char err[1024];
	struct config *cfg = load("datasets:\n  t: {type: trap}\n", err,
				  sizeof(err));
	const struct cfg_dataset *d;

	CHECK(cfg != NULL);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	d = config_dataset(cfg, "t");
	CHECK_INT(d->type, DS_TRAP);
	CHECK_INT(d->manual, 1);
	CHECK_INT(d->nfiles, 0);
	CHECK_INT(d->trap->threshold, DEFAULT_TRAP_THRESHOLD);
	CHECK_INT(d->trap->window, 86400);
	CHECK_INT(d->trap->expire, 7 * 86400);
	CHECK_INT(d->trap->repeat_expire, 7 * 86400);
	CHECK_INT(d->trap->prefix6, 64);
	CHECK_INT(d->trap->allow_special, 1);
	CHECK_INT(d->trap->code, 0x7f000002);
	CHECK_STR(d->trap->txt, DEFAULT_TRAP_TXT);
	CHECK(d->trap->socket == NULL);
	CHECK(d->trap->listen_host == NULL);
	config_free(cfg);
}

static void test_full(void)
{
	char err[1024];
	struct config *cfg = load(
		"datasets:\n"
		"  wl: {type: ip4trie, manual: true}\n"
		"  t:\n"
		"    type: trap\n"
		"    threshold: 3\n"
		"    window: 24h\n"
		"    distinct_traps: true\n"
		"    expire: 7d\n"
		"    repeat_expire: 30d\n"
		"    repeat_within: 90d\n"
		"    prefix6: 56\n"
		"    allow: [192.0.2.0/24, 2001:db8::/32, 8.8.8.8, wl]\n"
		"    allow_special: false\n"
		"    code: 127.0.0.10\n"
		"    txt: \"$ ${hits} hits, last ${last}\"\n"
		"    socket: run/hits.sock\n"
		"    listen: 5380\n"
		"  t6: {type: trap, listen: \"[::1]:5381\"}\n"
		"zones:\n  bl.example: {datasets: [t, wl]}\n", err, sizeof(err));
	const struct cfg_trap *t;

	CHECK(cfg != NULL);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	t = config_dataset(cfg, "t")->trap;
	CHECK_INT(t->threshold, 3);
	CHECK_INT(t->window, 86400);
	CHECK_INT(t->distinct_traps, 1);
	CHECK_INT(t->repeat_expire, 30 * 86400);
	CHECK_INT(t->repeat_within, 90 * 86400);
	CHECK_INT(t->prefix6, 56);
	CHECK_INT(t->nallow, 3);
	CHECK_INT(t->allow[0].family, 4);
	CHECK_INT(t->allow[0].plen, 24);
	CHECK_INT(t->allow[1].family, 6);
	CHECK_INT(t->allow[2].plen, 32);
	CHECK_INT(t->nallow_datasets, 1);
	CHECK_STR(t->allow_datasets[0], "wl");
	CHECK_INT(t->allow_special, 0);
	CHECK_INT(t->code, 0x7f00000a);
	CHECK_STR(t->txt, "$ ${hits} hits, last ${last}");
	CHECK(t->socket && t->socket[0] == '/' &&
	      strstr(t->socket, "run/hits.sock"));
	CHECK_STR(t->listen_host, "127.0.0.1");
	CHECK_STR(t->listen_port, "5380");
	CHECK_STR(config_dataset(cfg, "t6")->trap->listen_host, "::1");
	config_free(cfg);
}

static void test_errors(void)
{
	expect_error("datasets:\n  t: {type: trap, files: [x]}\n",
		     ":2: datasets.t.files: unknown key");
	expect_error("datasets:\n  s: {type: ip4set, files: [x], threshold: 2}\n",
		     "datasets.s.threshold: unknown key");
	expect_error("datasets:\n  t: {type: trap, threshold: 0}\n",
		     "datasets.t.threshold: 0 is out of range 1..16");
	expect_error("datasets:\n  t: {type: trap, threshold: 17}\n",
		     "out of range 1..16");
	expect_error("datasets:\n  t: {type: trap, window: 3x}\n",
		     "datasets.t.window: \"3x\" is not a time");
	expect_error("datasets:\n  t: {type: trap, expire: 0}\n",
		     "window and expire must be above 0");
	expect_error("datasets:\n  t: {type: trap, prefix6: 129}\n",
		     "datasets.t.prefix6");
	expect_error("datasets:\n  t: {type: trap, allow: [10.0.0.1/8]}\n",
		     "host bits set");
	expect_error("datasets:\n  t: {type: trap, allow: [1.2.3.4/33]}\n",
		     "bad prefix length");
	expect_error("datasets:\n  t: {type: trap, allow: [nosuch]}\n",
		     "datasets.t.allow: no dataset named \"nosuch\"");
	expect_error("datasets:\n  d: {type: dnset, manual: true}\n"
		     "  t: {type: trap, allow: [d]}\n",
		     "\"d\" is not an address dataset");
	expect_error("datasets:\n  t: {type: trap, code: 10.0.0.2}\n",
		     "not an address in 127.0.0.0/8");
	expect_error("datasets:\n  t: {type: trap, txt: \"${nope}\"}\n",
		     "datasets.t.txt: unknown ${field}");
	expect_error("datasets:\n  t: {type: trap, listen: \"x:y:z\"}\n",
		     "datasets.t.listen");
	expect_error("datasets:\n  t: {type: trap, listen: 99999}\n",
		     "datasets.t.listen");
	expect_error("datasets:\n  t: {type: trap, distinct_traps: maybe}\n",
		     "is not true or false");
}

/* `tail:`: the preset and the regex forms, and their errors. */
static void test_tail(void)
{
	char err[1024];
	struct config *cfg = load(
		"datasets:\n"
		"  p:\n"
		"    type: trap\n"
		"    tail: {file: /var/log/mail.log, preset: postfix,\n"
		"           recipients: [trap@example.org, \"@traps.example.org\"]}\n"
		"  r:\n"
		"    type: trap\n"
		"    tail: {file: app.log, regex: \"c=([0-9.]+) t=([a-z]+)\",\n"
		"           trap_group: 2, from_start: true}\n", err, sizeof(err));
	const struct cfg_trap_tail *tl;

	CHECK(cfg != NULL);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	tl = config_dataset(cfg, "p")->trap->tail;
	CHECK(tl != NULL);
	CHECK_STR(tl->file, "/var/log/mail.log");
	CHECK_INT(tl->preset_postfix, 1);
	CHECK_INT(tl->nrecipients, 2);
	CHECK_STR(tl->recipients[1], "@traps.example.org");
	CHECK_INT(tl->from_start, 0);
	tl = config_dataset(cfg, "r")->trap->tail;
	CHECK(tl->file[0] == '/' && strstr(tl->file, "/app.log"));
	CHECK_INT(tl->ip_group, 1);
	CHECK_INT(tl->trap_group, 2);
	CHECK_INT(tl->from_start, 1);
	CHECK(config_dataset(cfg, "r")->trap->socket == NULL);
	config_free(cfg);

	expect_error("datasets:\n  t: {type: trap, tail: {file: x, regex: \"(\"}}\n",
		     "c.yaml:2: datasets.t.tail: regex: ");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x, regex: \"(a)\", "
		     "trap_group: 2}}\n", "regex has 1 group: ip_group or trap_group");
	expect_error("datasets:\n  t: {type: trap, tail: {regex: x}}\n",
		     "file is required");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x}}\n",
		     "give either preset or regex");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x, preset: exim, "
		     "recipients: a@b}}\n", "unknown preset \"exim\"");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x, preset: postfix}}\n",
		     "preset postfix needs recipients");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x, regex: x, "
		     "recipients: a@b}}\n", "recipients are for preset postfix");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x, preset: postfix, "
		     "recipients: [nobody]}}\n", "\"nobody\" is not an address");
	expect_error("datasets:\n  t: {type: trap, tail: {file: x, regex: x, "
		     "follow: yes}}\n", "datasets.t.tail.follow: unknown key");
	expect_error("datasets:\n  t: {type: trap, tail: x.log}\n",
		     "datasets.t.tail: expected a map");
}

int main(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char dir[512];

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(dir, sizeof(dir), "%s/test_trap_config.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	test_defaults();
	test_full();
	test_errors();
	test_tail();
	unlink(path);
	rmdir(dir);
	return check_report();
}
