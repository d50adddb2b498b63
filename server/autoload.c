/* autoload.c -- the loader built into dnsbld (rbldnsd's command line). */
#include "autoload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsload.h"
#include "feedwatch.h"
#include "log.h"
#include "store_claim.h"

struct autoload {
	struct autoload_options o;
	int lock_fd;
	struct store *store;
	struct feedwatch *fw;
	int running;                 /* the watch thread runs */
};

int autoload_open(struct autoload **out, const struct autoload_options *o,
		  char *err, size_t errlen)
{
	struct autoload *al = calloc(1, sizeof(*al));
	struct feedwatch_options fo;
	const char *dir = o->cfg->store;

	*out = al;
	if (!al) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	al->o = *o;
	al->lock_fd = -1;
	if ((al->lock_fd = store_claim(dir, o->prune, err, errlen)) < 0)
		return -1;
	if (store_open(&al->store, dir, 0, err, errlen) < 0)
		return -1;   /* err names the store */
	memset(&fo, 0, sizeof(fo));
	fo.config = o->cfg;
	fo.store = al->store;
	fo.drop_strays = 1;
	fo.load.accept_host_bits = o->accept_host_bits;
	fo.load.no_gunzip = o->no_gunzip;
	fo.load.max_logged = 10;
	fo.load.log = log_stream(LOG_LVL_WARN);
	fo.recheck_s = o->check_interval ? (int)o->check_interval : -1;
	return feedwatch_new(&al->fw, &fo, err, errlen);
}

struct store *autoload_store(struct autoload *al)
{
	return al->store;
}

int autoload_load_all(struct autoload *al)
{
	return feedwatch_load_all(al->fw);
}

int autoload_give_to(struct autoload *al, uid_t uid, gid_t gid, char *err,
		     size_t errlen)
{
	return store_give_to(al->store, uid, gid, err, errlen);
}

int autoload_start(struct autoload *al)
{
	if (!al->o.check_interval) {
		log_info("check interval 0: the data files are not watched "
			 "(SIGHUP reloads them)");
		return 0;
	}
	if (feedwatch_thread_start(al->fw) < 0)
		return -1;
	al->running = 1;
	return 0;
}

void autoload_hup(struct autoload *al)
{
	if (al->running) {
		log_info("SIGHUP: re-checking the data files");
		feedwatch_recheck(al->fw);
		return;
	}
	/* Nothing else writes: reload here.  Each load is a diff, so
	 * unchanged files change nothing. */
	log_info("SIGHUP: reloading the data files");
	feedwatch_load_all(al->fw);
}

void autoload_free(struct autoload *al)
{
	if (!al)
		return;
	if (al->running)
		feedwatch_thread_stop(al->fw);
	if (al->fw)
		feedwatch_free(al->fw);
	if (al->store)
		store_close(al->store);
	if (al->lock_fd >= 0)
		close(al->lock_fd);
	free(al);
}
