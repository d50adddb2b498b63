/* log.c -- stderr (and optional syslog) logging shared by all programs. */
#include "log.h"

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
