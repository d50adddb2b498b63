/* log.c -- stderr (and optional syslog) logging shared by all programs. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static const char *log_ident = "dnsbl";
static int log_to_syslog;
static enum log_level log_max = LOG_LVL_INFO;

void log_init(const char *ident, int use_syslog, enum log_level max_level)
{
	log_ident = ident;
	log_to_syslog = use_syslog;
	log_max = max_level;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so concurrent threads do not interleave. */
	fprintf(stderr, "%s: %s\n", log_ident, line);
	if (log_to_syslog)
		syslog(syslog_prio[level], "%s", line);
}

/* log_stream's cookie: the level, and the start of a line not ended yet. */
struct log_cookie {
	enum log_level level;
	char line[1024];
	size_t len;
};

static void log_cookie_flush(struct log_cookie *c)
{
	if (c->len)
		log_msg(c->level, "%.*s", (int)c->len, c->line);
	c->len = 0;
}

static ssize_t log_cookie_write(void *arg, const char *buf, size_t size)
{
	struct log_cookie *c = arg;

	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '\n')
			log_cookie_flush(c);
		else if (c->len < sizeof(c->line) - 1)
			c->line[c->len++] = buf[i];
	}
	return (ssize_t)size;
}

FILE *log_stream(enum log_level level)
{
	/* Static cookies: nothing to free, nothing a leak checker misses. */
	static struct log_cookie cookies[LOG_LVL_DEBUG + 1];
	static FILE *streams[LOG_LVL_DEBUG + 1];
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	cookie_io_functions_t io = { .write = log_cookie_write };
	FILE *f;

	pthread_mutex_lock(&lock);
	if (!streams[level]) {
		cookies[level].level = level;
		streams[level] = fopencookie(&cookies[level], "w", io);
		if (streams[level])
			setvbuf(streams[level], NULL, _IOLBF, 0);
	}
	f = streams[level];
	pthread_mutex_unlock(&lock);
	return f;
}
