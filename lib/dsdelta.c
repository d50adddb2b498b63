/* dsdelta.c -- an update of a big ip4set feed read from the lines that
 * changed (dsdelta.h).
 *
 * What is kept per dataset, in STOREDIR/delta/:
 *   NAME.text   a hard link to the file as it was loaded last: rsync and
 *               `mv` rename a new version in, so the link keeps the old
 *               one's bytes for the next update to compare with;
 *   NAME.state  struct delta_head, the file's path, then the prefixes
 *               several entries give (struct ds_ip4_multi, sorted), as
 *               the store made them;
 *   NAME.lines  the lines' index of the version kept, when an update
 *               made it (feed_lines_save): the next update need not
 *               index that version again.
 * Before an update uses them, it checks that they describe what is
 * stored: the link is the file that was read (device, inode, size,
 * mtime), the store holds the load they were kept by (its file hash and
 * entry count), and the file to load is another inode (one rewritten in
 * place has lost the old bytes).
 */
#include "dsdelta.h"

#include "feed_lines.h"
#include "feed_reader.h"
#include "content_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DELTA_MAGIC "dnsbld-delta 2\n"

struct delta_head {
	char magic[16];
	uint32_t type, accept_host_bits;
	uint64_t dev, ino, size;        /* the kept link */
	int64_t mtime_s, mtime_ns;
	uint64_t hash;                  /* its XXH64: the stored source's */
	uint64_t stored;                /* entries stored by that load */
	uint64_t entries, warnings;     /* its parse's counts */
	uint64_t nmulti;
	uint32_t pathlen, pad;
};

struct dsdelta {
	struct store *st;
	const struct cfg_dataset *d;
	char dir[4096], state_path[4096], text_path[4096], lines_path[4096];
	/* The file that was read: its identity, for the link made of it. */
	int have_file;
	uint64_t dev, ino;
	int accept_host_bits;
	/* The prefixes several entries give as kept (dd.multi: this
	 * struct's `multi`) and as the store writes them (dd.multi_out);
	 * `valid`: the load asked the store for them. */
	struct ds_ip4_multi *multi;
	struct ds_ip4_delta dd;
	int valid;
	/* An update read from changed lines, and its new version's index
	 * (saved for the next update). */
	struct dataset *removed;
	unsigned long nremoved, nadded;
	struct feed_lines cur;
};

/* Dataset names become file names: only the plain ones take part. */
static int delta_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 200 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int delta_paths(struct store *st, const char *name, char *dir,
		       char *state_path, char *text_path, char *lines_path)
{
	int a = snprintf(dir, 4096, "%s/delta", store_dir(st));
	int b = snprintf(state_path, 4096, "%s/%s.state", dir, name);
	int c = snprintf(text_path, 4096, "%s/%s.text", dir, name);
	int d = snprintf(lines_path, 4096, "%s/%s.lines", dir, name);

	return a > 0 && a < 4096 && b > 0 && b < 4096 && c > 0 && c < 4096 &&
	       d > 0 && d < 4096 ? 0 : -1;
}

/* The identity an index is saved under: the kept link's. */
static void delta_tag(uint64_t tag[4], uint64_t dev, uint64_t ino,
		      uint64_t size, int64_t mtime_s, int64_t mtime_ns)
{
	tag[0] = dev;
	tag[1] = ino;
	tag[2] = size;
	tag[3] = (uint64_t)mtime_s * 1000000000u + (uint64_t)mtime_ns;
}

struct dsdelta *dsdelta_begin(struct store *st, const struct cfg_dataset *d)
{
	struct dsdelta *dl;
	struct stat sb;

	if (d->type != DS_IP4SET || d->nfiles != 1 || d->manual ||
	    !delta_name_ok(d->name))
		return NULL;
	dl = calloc(1, sizeof(*dl));
	if (!dl)
		return NULL;
	dl->st = st;
	dl->d = d;
	if (delta_paths(st, d->name, dl->dir, dl->state_path, dl->text_path,
			dl->lines_path) < 0) {
		free(dl);
		return NULL;
	}
	/* A full parse's file is known by what it was before the read: a
	 * link made after it must find the same inode. */
	if (stat(d->files[0], &sb) == 0) {
		dl->have_file = 1;
		dl->dev = (uint64_t)sb.st_dev;
		dl->ino = (uint64_t)sb.st_ino;
	}
	return dl;
}

void dsdelta_free(struct dsdelta *dl)
{
	if (!dl)
		return;
	free(dl->multi);
	free(dl->dd.multi_out);
	dataset_free(dl->removed);
	feed_lines_free(&dl->cur);
	free(dl);
}

void dsdelta_forget(struct store *st, const char *name)
{
	char dir[4096], sp[4096], tp[4096], lp[4096];

	if (!delta_name_ok(name) || delta_paths(st, name, dir, sp, tp, lp) < 0)
		return;
	unlink(sp);
	unlink(tp);
	unlink(lp);
}

void dsdelta_changed(const struct dsdelta *dl, unsigned long *removed,
		     unsigned long *added)
{
	*removed = dl && dl->removed ? dl->nremoved : 0;
	*added = dl && dl->removed ? dl->nadded : 0;
}

void dsdelta_full(struct dsdelta *dl, struct dataset *ds)
{
	if (!dl)
		return;
	memset(&dl->dd, 0, sizeof(dl->dd));
	ds->ip4_delta = &dl->dd;
	dl->valid = 1;
}

/* ---- the kept state ------------------------------------------------------ */

static int state_read(struct dsdelta *dl, struct delta_head *h)
{
	FILE *f = fopen(dl->state_path, "rb");
	char path[4096];
	int ok = 0;

	if (!f)
		return -1;
	if (fread(h, sizeof(*h), 1, f) == 1 &&
	    memcmp(h->magic, DELTA_MAGIC, sizeof(DELTA_MAGIC)) == 0 &&
	    h->pathlen < sizeof(path) && h->nmulti < ((size_t)1 << 32) &&
	    fread(path, 1, h->pathlen, f) == h->pathlen) {
		path[h->pathlen] = '\0';
		dl->multi = malloc((h->nmulti ? h->nmulti : 1) *
				   sizeof(*dl->multi));
		ok = strcmp(path, dl->d->files[0]) == 0 && dl->multi &&
		     (!h->nmulti || fread(dl->multi, sizeof(*dl->multi),
					  h->nmulti, f) == h->nmulti);
		dl->dd.multi = dl->multi;
		dl->dd.nmulti = h->nmulti;
	}
	fclose(f);
	return ok ? 0 : -1;
}

static int state_write(const struct dsdelta *dl, const struct delta_head *h)
{
	char tmp[4200];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.new", dl->state_path);
	f = fopen(tmp, "wb");
	if (!f)
		return -1;
	ok = fwrite(h, sizeof(*h), 1, f) == 1 &&
	     fwrite(dl->d->files[0], 1, h->pathlen, f) == h->pathlen &&
	     (!h->nmulti || fwrite(dl->dd.multi_out, sizeof(*dl->dd.multi_out),
				   h->nmulti, f) == h->nmulti);
	ok = fclose(f) == 0 && ok;
	if (ok && rename(tmp, dl->state_path) == 0)
		return 0;
	unlink(tmp);
	return -1;
}

/* Does the store hold what `h` was kept by? */
static int state_matches_store(struct dsdelta *dl, const struct delta_head *h)
{
	struct store_reader *rd = NULL;
	struct store_dsmeta *m = NULL;
	int ok = 0;

	if (store_reader_new(dl->st, &rd) != 0)
		return 0;
	if (store_dataset_meta(rd, dl->d->name, &m) == 0) {
		ok = m->type == DS_IP4SET && m->entries == h->stored &&
		     m->nsources == 1 && m->sources[0].hash == h->hash &&
		     strcmp(m->sources[0].path, dl->d->files[0]) == 0;
		store_dsmeta_free(m);
	}
	store_reader_free(rd);
	return ok;
}

/* ---- reading the update --------------------------------------------------- */

/* The old version's lines, indexed on another thread. */
struct index_job {
	struct feed_lines fl;
	const char *text;
	size_t len;
	int rc;
};

static void *index_thread(void *arg)
{
	struct index_job *j = arg;

	j->rc = feed_lines_index(&j->fl, j->text, j->len);
	return NULL;
}

/* The lines to parse: every state line and the changed ones, merged in
 * file order into *out (n of them), their texts not yet found.  1 when a
 * changed line carries state. */
static int delta_lines(const struct feed_lines *fl, const size_t *changed,
		       size_t nchanged, struct feed_line **out, size_t *n)
{
	size_t i = 0, k = 0, total = fl->nstate + nchanged;
	struct feed_line *v = calloc(total ? total : 1, sizeof(*v));

	*out = v;
	*n = total;
	if (!v)
		return -1;
	for (size_t c = 0; c < total; c++) {
		size_t idx;

		if (i < fl->nstate && k < nchanged && fl->state[i] == changed[k])
			return 1;
		if (k == nchanged || (i < fl->nstate && fl->state[i] < changed[k]))
			idx = fl->state[i++];
		else
			idx = changed[k++];
		v[c].lineno = idx + 1;
	}
	return 0;
}

/* The lines' texts, from an indexed text in memory. */
static void delta_lines_text(const struct feed_lines *fl, struct feed_line *v,
			     size_t n)
{
	for (size_t c = 0; c < n; c++)
		v[c].text = feed_lines_get(fl, v[c].lineno - 1, &v[c].len,
					   &v[c].noeol);
}

/* Parses `lines` with the options of the load, warnings into `log`, no
 * limit on them (the caller checks the total). */
static int delta_parse_lines(const struct dsdelta *dl,
			     const struct feed_options *fo, FILE *log,
			     const struct feed_line *lines, size_t n,
			     struct dataset **ds, struct feed_result *res)
{
	struct feed_options o = *fo;
	char err[512];

	o.log = log;
	o.max_errors = 0;
	return feed_load_lines(dl->d->type, dl->d->files[0], lines, n, &o, ds,
			       res, err, sizeof(err));
}

/* Is the kept state the base of this load?  It describes what the store
 * holds and its link is the file that was read.  A version with bad lines
 * is parsed whole: its warnings are then shown as a full parse shows
 * them. */
static int delta_kept_ok(struct dsdelta *dl, const struct feed_options *fo,
			 struct delta_head *h)
{
	struct stat sb;

	return state_read(dl, h) == 0 && h->type == DS_IP4SET &&
	       h->accept_host_bits == (uint32_t)fo->accept_host_bits &&
	       !h->warnings && lstat(dl->text_path, &sb) == 0 &&
	       (uint64_t)sb.st_dev == h->dev && (uint64_t)sb.st_ino == h->ino &&
	       (uint64_t)sb.st_size == h->size &&
	       sb.st_mtim.tv_sec == h->mtime_s &&
	       sb.st_mtim.tv_nsec == h->mtime_ns && state_matches_store(dl, h);
}

/* Both versions read and compared. */
struct delta_read {
	int fd;
	void *map;              /* the kept version, mapped */
	size_t maplen;
	int nfd;                /* the new one, */
	struct stat st0;        /* as opened, */
	uint64_t hash;          /* its content hash */
	struct index_job old;
	struct feed_lines cur;
	struct feed_lines_diff diff;
};

static void delta_read_close(struct delta_read *r)
{
	feed_lines_diff_free(&r->diff);
	feed_lines_free(&r->cur);
	feed_lines_free(&r->old.fl);
	if (r->nfd >= 0)
		close(r->nfd);
	if (r->map != MAP_FAILED)
		munmap(r->map, r->maplen);
	if (r->fd >= 0)
		close(r->fd);
}

/* The new version is read a piece at a time into one buffer: its
 * content hash taken and its lines indexed as they come, and the lines
 * added read back from the file later.  Neither the whole text nor a
 * second thread is needed, so the read costs no fresh pages and, under
 * query load, no more CPU than it must. */
#define DELTA_PIECE ((size_t)1 << 20)
#define DELTA_BUF (DELTA_PIECE + FEED_ISTREAM_BUF)

/* Did the new version change since it was opened (rewritten in place)? */
static int delta_new_changed(const struct delta_read *r)
{
	struct stat sb;

	return fstat(r->nfd, &sb) < 0 || sb.st_size != r->st0.st_size ||
	       sb.st_mtim.tv_sec != r->st0.st_mtim.tv_sec ||
	       sb.st_mtim.tv_nsec != r->st0.st_mtim.tv_nsec;
}

/* Reads and indexes the new version: 0, or 1 when it is not to be
 * compared so (gzip, not plain, no newline at its end, changed while
 * read, a read error) or -1 out of memory. */
static int delta_index_new(struct delta_read *r)
{
	size_t len = (size_t)r->st0.st_size, off = 0, have = 0;
	struct content_hash ch;
	char *buf = malloc(DELTA_BUF), last = '\n';
	int rc;

	if (!buf)
		return -1;
	content_hash_init(&ch);
	rc = feed_lines_begin(&r->cur, buf, len);
	while (rc == 0 && off < len) {
		ssize_t n = read(r->nfd, buf + have, DELTA_BUF - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (size_t)n > len - off) {
			rc = 1;   /* a read error, or it changed size */
			break;
		}
		if (off == 0 && n >= 2 && (unsigned char)buf[0] == 0x1f &&
		    (unsigned char)buf[1] == 0x8b) {
			rc = 1;   /* gzip */
			break;
		}
		content_hash_update(&ch, buf + have, (size_t)n);
		off += (size_t)n;
		have += (size_t)n;
		last = buf[have - 1];
		rc = feed_lines_more(&r->cur, off);
		if (rc == 0 && off < len) {
			/* Keep the line not ended yet at the buffer's start. */
			size_t keep = off - r->cur.pos;

			memmove(buf, buf + (have - keep), keep);
			have = keep;
			feed_lines_window(&r->cur, buf, r->cur.pos);
		}
	}
	if (rc == 0 && (last != '\n' || delta_new_changed(r)))
		rc = 1;
	r->cur.text = NULL;   /* read back from the file from now on */
	r->hash = content_hash_digest(&ch);
	free(buf);
	return rc;
}

/* Reads the kept version (its saved index, else the file mapped and its
 * lines indexed on another thread meanwhile) and the new one (a piece at
 * a time: delta_index_new), and finds the lines that changed.  0, or 1 when the
 * two cannot be compared so (delta_read_close either way). */
static int delta_read_open(struct dsdelta *dl, const struct delta_head *h,
			   struct delta_read *r)
{
	const unsigned char *m;
	uint64_t tag[4];
	pthread_t th;
	int started, indexed, rc = 1;

	memset(r, 0, sizeof(*r));
	r->fd = r->nfd = -1;
	r->map = MAP_FAILED;
	r->fd = open(dl->text_path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return 1;
	r->nfd = open(dl->d->files[0], O_RDONLY | O_CLOEXEC);
	if (r->nfd < 0 || fstat(r->nfd, &r->st0) < 0 ||
	    !S_ISREG(r->st0.st_mode))
		return 1;
	/* A file rewritten in place is the link itself: the old bytes are
	 * gone (and a writer may be cutting the file: it is not mapped). */
	if ((uint64_t)r->st0.st_dev == h->dev &&
	    (uint64_t)r->st0.st_ino == h->ino)
		return 1;
	/* With the index the last update saved, the kept version is only
	 * read for its removed lines (feed_lines_read), not mapped. */
	delta_tag(tag, h->dev, h->ino, h->size, h->mtime_s, h->mtime_ns);
	indexed = feed_lines_load(&r->old.fl, dl->lines_path, tag, NULL,
				  h->size) == 0;
	if (h->size && !indexed) {
		r->map = mmap(NULL, h->size, PROT_READ, MAP_PRIVATE, r->fd, 0);
		if (r->map == MAP_FAILED)
			return 1;
		r->maplen = h->size;
		m = r->map;
		if (h->size >= 2 && m[0] == 0x1f && m[1] == 0x8b)
			return 1;   /* gzip */
	}
	r->old.text = r->map == MAP_FAILED ? "" : r->map;
	r->old.len = h->size;
	started = 0;
	if (indexed)
		r->old.rc = 0;
	else if (!(started = pthread_create(&th, NULL, index_thread,
					    &r->old) == 0))
		index_thread(&r->old);
	/* The new version is indexed as it is read.  (A last line without
	 * newline gets a note only a full parse shows.) */
	if (delta_index_new(r) == 0)
		rc = 0;
	if (started)
		pthread_join(th, NULL);
	if (rc == 0 && (r->old.rc != 0 ||
			feed_lines_diff(&r->old.fl, &r->cur, r->cur.n / 8 + 64,
					&r->diff) != 0))
		rc = 1;
	return rc;
}

/* Parses the changed lines of `r` into *add and dl->removed, with the
 * counts a full parse would give in *res.  0, or 1 when the update
 * cannot be made of them. */
static int delta_parse_changes(struct dsdelta *dl, const struct feed_options *fo,
			       const struct delta_head *h, struct delta_read *r,
			       struct dataset **add, struct feed_result *res)
{
	struct feed_line *lrm = NULL, *ladd = NULL;
	struct feed_result rrm, radd;
	struct dataset *rm = NULL;
	size_t nrm = 0, nadd = 0, heldlen = 0;
	char *held = NULL, *arena = NULL, *added = NULL;
	FILE *hold = NULL, *sink = NULL;
	int rc = 1;

	*add = NULL;
	memset(&rrm, 0, sizeof(rrm));
	memset(&radd, 0, sizeof(radd));
	if (delta_lines(&r->old.fl, r->diff.removed, r->diff.nremoved, &lrm,
			&nrm) ||
	    delta_lines(&r->cur, r->diff.added, r->diff.nadded, &ladd, &nadd))
		goto out;
	/* The added lines, read back; then the file must still be the one
	 * read, as a full parse's reader checks after reading it. */
	if (feed_lines_read(&r->cur, r->nfd, ladd, nadd, &added) < 0 ||
	    delta_new_changed(r))
		goto out;
	if (r->old.fl.text)
		delta_lines_text(&r->old.fl, lrm, nrm);
	else if (feed_lines_read(&r->old.fl, r->fd, lrm, nrm, &arena) < 0)
		goto out;
	/* The new lines' warnings are shown once the update is known to go
	 * ahead (the old version had none). */
	sink = fopen("/dev/null", "w");
	hold = open_memstream(&held, &heldlen);
	if (!sink || !hold ||
	    delta_parse_lines(dl, fo, sink, lrm, nrm, &rm, &rrm) < 0 ||
	    delta_parse_lines(dl, fo, hold, ladd, nadd, add, &radd) < 0 ||
	    h->entries < rrm.entries || rrm.warnings)
		goto out;
	memset(res, 0, sizeof(*res));
	res->lines = r->cur.n;
	res->entries = h->entries - rrm.entries + radd.entries;
	res->warnings = radd.warnings;
	if (fo->max_errors && res->warnings > fo->max_errors)
		goto out;   /* the full parse says which line was too many */
	res->sources = calloc(1, sizeof(*res->sources));
	if (!res->sources ||
	    !(res->sources[0].path = strdup(dl->d->files[0])))
		goto out;
	res->nsources = 1;
	res->sources[0].size = (uint64_t)r->st0.st_size;
	res->sources[0].mtime = (int64_t)r->st0.st_mtime;
	res->sources[0].hash = r->hash;
	fclose(hold);
	hold = NULL;
	if (heldlen)
		fwrite(held, 1, heldlen, fo->log ? fo->log : stderr);
	dl->removed = rm;
	rm = NULL;
	rc = 0;
out:
	if (rc) {
		dataset_free(*add);
		*add = NULL;
		feed_result_free(res);
	}
	if (hold)
		fclose(hold);
	free(held);
	if (sink)
		fclose(sink);
	dataset_free(rm);
	feed_result_free(&rrm);
	feed_result_free(&radd);
	free(lrm);
	free(ladd);
	free(arena);
	free(added);
	return rc;
}

int dsdelta_parse(struct dsdelta *dl, const struct feed_options *fo,
		  struct dataset **out, struct feed_result *res)
{
	struct delta_head h;
	struct delta_read r;
	struct dataset *add = NULL;
	int rc = 1;

	if (!dl)
		return 1;
	dl->accept_host_bits = fo->accept_host_bits;
	memset(res, 0, sizeof(*res));
	if (delta_kept_ok(dl, fo, &h)) {
		if (delta_read_open(dl, &h, &r) == 0)
			rc = delta_parse_changes(dl, fo, &h, &r, &add, res);
		if (rc == 0) {
			dl->have_file = 1;
			dl->dev = (uint64_t)r.st0.st_dev;
			dl->ino = (uint64_t)r.st0.st_ino;
			dl->valid = 1;
			dl->nremoved = r.diff.nremoved;
			dl->nadded = r.diff.nadded;
			dl->dd.update = 1;
			dl->dd.removed = dl->removed;
			add->ip4_delta = &dl->dd;
			*out = add;
			/* The index stays (saved for the next update). */
			dl->cur = r.cur;
			memset(&r.cur, 0, sizeof(r.cur));
		}
		delta_read_close(&r);
	}
	if (rc) {
		free(dl->multi);
		dl->multi = NULL;
		memset(&dl->dd, 0, sizeof(dl->dd));
	}
	return rc;
}

/* ---- keeping what the next update needs ---------------------------------- */

void dsdelta_stored(struct dsdelta *dl, const struct feed_result *res,
		    const struct store_apply_stats *stats)
{
	char tmp[4200];
	struct delta_head h;
	struct stat sb;
	unsigned char magic[2] = { 0, 0 };
	int fd;

	if (!dl)
		return;
	unlink(dl->state_path);
	if (!dl->valid || !dl->have_file || res->nsources != 1)
		goto forget;
	/* A gzip file is parsed whole every time. */
	fd = open(dl->d->files[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto forget;
	if (read(fd, magic, 2) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		close(fd);
		goto forget;
	}
	close(fd);
	if (mkdir(dl->dir, 0755) < 0 && errno != EEXIST)
		goto forget;
	/* The link must be the file that was read, unchanged since.  A file
	 * rewritten in place is linked already: a new link would move its
	 * ctime, which a watcher takes for a change. */
	snprintf(tmp, sizeof(tmp), "%s.new", dl->text_path);
	if (lstat(dl->text_path, &sb) < 0 || (uint64_t)sb.st_dev != dl->dev ||
	    (uint64_t)sb.st_ino != dl->ino) {
		unlink(tmp);
		if (link(dl->d->files[0], tmp) < 0 || lstat(tmp, &sb) < 0 ||
		    (uint64_t)sb.st_dev != dl->dev ||
		    (uint64_t)sb.st_ino != dl->ino ||
		    rename(tmp, dl->text_path) < 0) {
			unlink(tmp);
			goto forget;
		}
	}
	if ((uint64_t)sb.st_size != res->sources[0].size ||
	    (int64_t)sb.st_mtim.tv_sec != res->sources[0].mtime)
		goto forget;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, DELTA_MAGIC, sizeof(DELTA_MAGIC));
	h.type = DS_IP4SET;
	h.accept_host_bits = (uint32_t)dl->accept_host_bits;
	h.dev = (uint64_t)sb.st_dev;
	h.ino = (uint64_t)sb.st_ino;
	h.size = (uint64_t)sb.st_size;
	h.mtime_s = sb.st_mtim.tv_sec;
	h.mtime_ns = sb.st_mtim.tv_nsec;
	h.hash = res->sources[0].hash;
	h.stored = stats->entries;
	h.entries = res->entries;
	h.warnings = res->warnings;
	h.nmulti = dl->dd.nmulti_out;
	h.pathlen = (uint32_t)strlen(dl->d->files[0]);
	/* The new version's index, when this load made one (an update). */
	unlink(dl->lines_path);
	if (dl->cur.hash) {
		uint64_t tag[4];

		delta_tag(tag, h.dev, h.ino, h.size, h.mtime_s, h.mtime_ns);
		snprintf(tmp, sizeof(tmp), "%s.new", dl->lines_path);
		if (feed_lines_save(&dl->cur, tmp, tag) < 0 ||
		    rename(tmp, dl->lines_path) < 0)
			unlink(tmp);
	}
	if (state_write(dl, &h) == 0)
		return;
forget:
	dsdelta_forget(dl->st, dl->d->name);
}
