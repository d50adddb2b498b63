/* dropin.c -- rbldnsd's command line, translated for server_run.
 *
 * Mirrors start rbldnsd from init scripts with zone specs on the command
 * line; given such a line dnsbld becomes rbldnsd: lib/rbldnsd_args.c turns
 * the options and specs into a config, this file adds what only this mode
 * has (the loader built into the server, where its store goes, -d's dump)
 * and hands over to the one server path.
 */
#include "dropin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "autoload.h"
#include "defaults.h"
#include "log.h"
#include "rbldnsd_args.h"
#include "server.h"
#include "store.h"
#include "store_claim.h"
#include "zonedump.h"
#include "version.h"

/* rbldnsd's options that take an argument (lib/rbldnsd_args.c's string). */
static const char dropin_argopts[] = "urbwtcplsFxX";

int dropin_wanted(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--") == 0)
			return i + 1 < argc;
		if (strcmp(s, "--store") == 0) {
			i++;
			continue;
		}
		if (s[0] != '-' || s[1] == '\0')
			return 1;
		if (s[1] == '-')
			continue;
		/* A cluster of flags; the first that takes an argument takes
		 * the rest of the word, or the next word. */
		for (const char *p = s + 1; *p; p++) {
			if (strchr(dropin_argopts, *p)) {
				if (p[1] == '\0')
					i++;
				break;
			}
		}
	}
	return 0;
}

/* The store of an instance that names none (--store): one per set of -b
 * values, DEFAULT_DROPIN_STORE/KEY, so a restart finds its data again and
 * instances listening elsewhere never share one (server/store_claim.c).
 * KEY is the -b values as written, sorted, in file-name-safe characters;
 * a long one ends in a hash of the whole. */
static char *dropin_store_default(const struct config *cfg)
{
	char key[256] = "", *path;
	size_t len = 0;
	uint64_t h = STORE_HASH_INIT;
	int *done = calloc(cfg->nlisten ? cfg->nlisten : 1, sizeof(*done));

	if (!done)
		return NULL;
	for (size_t n = 0; n < cfg->nlisten; n++) {
		const struct cfg_listen *min = NULL;
		size_t at = 0;
		char one[512];

		/* the smallest not taken yet: the key ignores -b's order */
		for (size_t i = 0; i < cfg->nlisten; i++) {
			const struct cfg_listen *l = &cfg->listen[i];

			if (done[i])
				continue;
			if (!min || strcmp(l->host, min->host) < 0 ||
			    (strcmp(l->host, min->host) == 0 &&
			     strcmp(l->port, min->port) < 0)) {
				min = l;
				at = i;
			}
		}
		done[at] = 1;
		snprintf(one, sizeof(one), "%s%s_%s", n ? "+" : "", min->host,
			 min->port);
		h = store_hash_update(h, one, strlen(one));
		for (const char *p = one; *p && len < sizeof(key) - 1; p++)
			key[len++] = strchr("abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789.-_+", *p) ? *p : '_';
	}
	free(done);
	key[len] = '\0';
	if (len > 100)
		snprintf(key + 80, sizeof(key) - 80, "~%016llx",
			 (unsigned long long)h);
	if (!len)
		snprintf(key, sizeof(key), "default");
	if (asprintf(&path, "%s/%s", DEFAULT_DROPIN_STORE, key) < 0)
		return NULL;
	return path;
}

/* -d: load into a store of its own, print the zones in BIND format, and
 * remove the store again (a dump leaves nothing behind, as in rbldnsd). */
static int dropin_dump(struct rbldnsd_args *a, struct autoload_options *ao)
{
	char tmpl[] = "/tmp/dnsbld-dump.XXXXXX", err[1024];
	struct zonedump_options zo = {
		.ttl_default = a->cfg->default_ttl,
		.ttl_min = a->cfg->min_ttl,
		.ttl_max = a->cfg->max_ttl,
		.now = time(NULL),
		.version = "dnsbld " DNSBLD_VERSION,
	};
	struct autoload *al = NULL;
	struct store_reader *rd = NULL;
	int rc = 1;

	log_init("dnsbld", 0, LOG_LVL_INFO);
	if (a->work_dir && chdir(a->work_dir) < 0) {
		fprintf(stderr, "dnsbld: unable to chdir to %s\n", a->work_dir);
		return 1;
	}
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "dnsbld: cannot make a temporary store\n");
		return 1;
	}
	if (!a->cfg->store && !(a->cfg->store = strdup(tmpl)))
		goto out;
	ao->prune = 0;
	if (autoload_open(&al, ao, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsbld: %s\n", err);
		goto out;
	}
	if (autoload_load_all(al) && !a->quick_start)
		goto out;
	if (store_reader_new(autoload_store(al), &rd) < 0) {
		fprintf(stderr, "dnsbld: cannot read the store\n");
		goto out;
	}
	rc = zonedump_write(stdout, a->cfg, rd, &zo, err, sizeof(err)) < 0;
	if (fflush(stdout) != 0 || rc) {
		fprintf(stderr, "dnsbld: %s\n", rc ? err : "write error");
		rc = 1;
	}
out:
	store_reader_free(rd);
	autoload_free(al);
	if (strcmp(a->cfg->store ? a->cfg->store : "", tmpl) == 0)
		store_claim_remove(tmpl);
	else
		rmdir(tmpl);
	return rc;
}

int dropin_main(int argc, char *argv[])
{
	struct rbldnsd_args a;
	struct autoload_options ao;
	struct server_options o;
	char err[1024];
	int rc;

	if (rbldnsd_args_parse(argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsbld: %s\n", err);
		return 1;
	}
	if (a.help) {
		rbldnsd_args_usage("dnsbld", stdout);
		rbldnsd_args_free(&a);
		return 0;
	}
	memset(&ao, 0, sizeof(ao));
	ao.cfg = a.cfg;
	ao.accept_host_bits = a.accept_host_bits;
	ao.no_gunzip = a.no_gunzip;
	ao.check_interval = a.check_interval;
	if (a.dump) {
		rc = dropin_dump(&a, &ao);
		rbldnsd_args_free(&a);
		return rc;
	}
	if (!a.cfg->store) {
		if (!(a.cfg->store = dropin_store_default(a.cfg))) {
			fprintf(stderr, "dnsbld: out of memory\n");
			rbldnsd_args_free(&a);
			return 1;
		}
		ao.prune = 1;
	}
	memset(&o, 0, sizeof(o));
	o.workdir = a.work_dir;
	o.paths_in_root = 1;
	o.family = a.family;
	o.autoload = &ao;
	o.quick_start = a.quick_start;
	o.notes = a.ignored;
	o.nnotes = a.nignored;
	rc = server_run(a.cfg, &o);
	rbldnsd_args_free(&a);
	return rc;
}
