/* test_config_web.c -- lib/config_web.c: the `web:` section and
 * `self_delist`: values, defaults, token lookup and every error with its
 * `file:line: key: reason`.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "config_web.h"

static char tmpdir[512];

static struct config *load(const char *text, char *err, size_t errlen)
{
	char path[600];
	struct config *cfg = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/c.yaml", tmpdir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	if (config_load_flags(path, CONFIG_NO_FILE_CHECK, &cfg, err, errlen) < 0)
		return NULL;
	return cfg;
}

#define DS "datasets: {hand: {type: ip4set, manual: true}}\n"
#define TOK "0123456789abcdef"

static void expect_error(const char *text, const char *want, int line)
{
	char err[1024];
	struct config *cfg = load(text, err, sizeof(err));
	const char *tail = strstr(err, "c.yaml:");

	if (!check_one(cfg == NULL, "config rejected", __FILE__, line)) {
		config_free(cfg);
		return;
	}
	if (!check_one(tail && strncmp(tail + 7, want, strlen(want)) == 0,
		       "error message", __FILE__, line))
		fprintf(stderr, "    got  \"%s\"\n    want \"c.yaml:%s...\"\n",
			err, want);
}
#define EXPECT_ERROR(text, want) expect_error((text), (want), __LINE__)

static void test_values(void)
{
	char err[1024];
	struct config *cfg = load(DS
		"web:\n"
		"  listen: \"[::1]:8443\"\n"
		"  tokens:\n"
		"    ops: {token: " TOK "A, rights: [read, edit, delist]}\n"
		"    desk: {token: " TOK "B, rights: [delist]}\n"
		"  rate_limit: 30\n"
		"  requests_per_client: 2\n"
		"  requests_per_address: 1\n"
		"  trust_proxy: true\n", err, sizeof(err));
	const struct cfg_web *w;

	CHECK(cfg != NULL);
	if (!cfg) {
		fprintf(stderr, "    %s\n", err);
		return;
	}
	w = cfg->web;
	CHECK(w != NULL);
	CHECK_STR(w->listen.host, "::1");
	CHECK_STR(w->listen.port, "8443");
	CHECK_INT(w->ntokens, 2);
	CHECK_STR(w->tokens[0].name, "ops");
	CHECK_INT(w->tokens[0].rights, CFG_WEB_READ | CFG_WEB_EDIT |
		  CFG_WEB_DELIST);
	CHECK_INT(w->tokens[1].rights, CFG_WEB_DELIST);
	CHECK_INT(w->rate_limit, 30);
	CHECK_INT(w->requests_per_client, 2);
	CHECK_INT(w->requests_per_address, 1);
	CHECK_INT(w->trust_proxy, 1);
	CHECK(config_web_token(w, TOK "B") == &w->tokens[1]);
	CHECK(config_web_token(w, TOK "A") == &w->tokens[0]);
	CHECK(config_web_token(w, TOK) == NULL);
	CHECK(config_web_token(w, TOK "AB") == NULL);
	CHECK(config_web_token(w, "") == NULL);
	config_free(cfg);
}

static void test_defaults(void)
{
	char err[1024];
	struct config *cfg = load(DS "web: {}\n", err, sizeof(err));
	struct cfg_web *w = config_web_default();

	CHECK(cfg && cfg->web);
	if (cfg && cfg->web) {
		CHECK_STR(cfg->web->listen.host, "127.0.0.1");
		CHECK_STR(cfg->web->listen.port, "8080");
		CHECK_INT(cfg->web->ntokens, 0);
		CHECK_INT(cfg->web->rate_limit, 120);
		CHECK_INT(cfg->web->requests_per_client, 5);
		CHECK_INT(cfg->web->requests_per_address, 3);
		CHECK(config_web_token(cfg->web, "anything") == NULL);
	}
	config_free(cfg);
	CHECK(w && strcmp(w->listen.port, "8080") == 0);
	config_web_free(w);
	/* No web: key at all. */
	cfg = load(DS, err, sizeof(err));
	CHECK(cfg && cfg->web == NULL);
	config_free(cfg);
	/* listen with only a host: the default port. */
	cfg = load(DS "web: {listen: 127.0.0.2}\n", err, sizeof(err));
	CHECK(cfg && cfg->web && strcmp(cfg->web->listen.port, "8080") == 0);
	config_free(cfg);
}

static void test_self_delist(void)
{
	char err[1024];
	struct config *cfg = load(
		"datasets:\n"
		"  hand: {type: ip4set, manual: true, self_delist: true}\n"
		"  traps: {type: trap, self_delist: true}\n"
		"  other: {type: ip4set, manual: true}\n", err, sizeof(err));

	CHECK(cfg != NULL);
	if (cfg) {
		CHECK_INT(config_dataset(cfg, "hand")->self_delist, 1);
		CHECK_INT(config_dataset(cfg, "traps")->self_delist, 1);
		CHECK_INT(config_dataset(cfg, "other")->self_delist, 0);
	}
	config_free(cfg);
	EXPECT_ERROR("datasets:\n  spam: {type: ip4set, files: x, self_delist: true}\n",
		     "2: datasets.spam: self_delist needs a manual dataset");
	EXPECT_ERROR("datasets:\n  hand: {type: ip4set, manual: true, self_delist: 2}\n",
		     "2: datasets.hand.self_delist:");
}

static void test_errors(void)
{
	EXPECT_ERROR(DS "web: [a]\n", "2: web: expected a map");
	EXPECT_ERROR(DS "web: {colour: red}\n",
		     "2: web: colour: unknown key (known: listen, tokens");
	EXPECT_ERROR(DS "web: {listen: \"127.0.0.1:99999\"}\n",
		     "2: web.listen: \"127.0.0.1:99999\": bad port");
	EXPECT_ERROR(DS "web: {rate_limit: 0}\n",
		     "2: web.rate_limit: \"0\" is not a number in 1..1000000");
	EXPECT_ERROR(DS "web: {trust_proxy: maybe}\n",
		     "2: web.trust_proxy: \"maybe\" is not true or false");
	EXPECT_ERROR(DS "web:\n  tokens:\n    ops: {token: short, rights: [read]}\n",
		     "4: web.tokens.ops.token: too short");
	EXPECT_ERROR(DS "web:\n  tokens:\n    ops: {token: " TOK ", rights: [write]}\n",
		     "4: web.tokens.ops.rights: unknown right \"write\"");
	EXPECT_ERROR(DS "web:\n  tokens:\n    ops: {token: " TOK "}\n",
		     "4: web.tokens.ops: missing \"rights\"");
	EXPECT_ERROR(DS "web:\n  tokens:\n    ops: {rights: [read]}\n",
		     "4: web.tokens.ops: missing \"token\"");
	EXPECT_ERROR(DS "web:\n  tokens:\n    a: {token: " TOK ", rights: [read]}\n"
		     "    b: {token: " TOK ", rights: [edit]}\n",
		     "5: web.tokens.b.token: the same secret as token a");
	EXPECT_ERROR(DS "web:\n  tokens:\n    \"a b\": {token: " TOK ", rights: [read]}\n",
		     "4: web.tokens.a b: bad token name");
	EXPECT_ERROR(DS "web:\n  tokens:\n    ops: {token: " TOK ", rights: read}\n",
		     "4: web.tokens.ops.rights: expected a list");
	EXPECT_ERROR(DS "web:\n  tokens:\n    ops: {token: \"" TOK " x\", rights: [read]}\n",
		     "4: web.tokens.ops.token: a token has no blanks");
}

int main(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char tmpl[480];

	snprintf(tmpl, sizeof(tmpl), "%s/test_config_web.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl) || !realpath(tmpl, tmpdir)) {
		perror(tmpl);
		return 2;
	}
	test_values();
	test_defaults();
	test_self_delist();
	test_errors();
	return check_report();
}
