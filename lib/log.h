/* log.h -- one logging call for every program: stderr, optionally syslog. */
#ifndef DNSBLD_LOG_H
#define DNSBLD_LOG_H

#include <stdio.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* `ident` prefixes every line ("dnsbld: ..."); use_syslog also sends lines
 * to syslog(3) with that ident. */
void log_init(const char *ident, int use_syslog, enum log_level max_level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A stdio stream whose every line becomes one log_msg(level, line), for
 * code that reports to a FILE * (the feed parsers' bad-line warnings), so
 * those lines get the program's prefix and reach syslog too.  One stream
 * per level, made on first use and kept for the life of the process; NULL
 * if it cannot be made (then use stderr). */
FILE *log_stream(enum log_level level);

#define log_err(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
