/* config_error.h -- the one error format of the YAML config.
 *
 * Every config error reads "file:line: key: reason", whichever file parses
 * the section (config.c, config_web.c).
 */
#ifndef DNSBLD_CONFIG_ERROR_H
#define DNSBLD_CONFIG_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

/* Writes "file:line: key: reason" into err (reason from fmt and ap; no
 * "key: " when key is empty; line 1 when n is NULL). */
void cfg_verror(char *err, size_t errlen, const char *file,
		const yaml_node_t *n, const char *key, const char *fmt,
		va_list ap) __attribute__((format(printf, 6, 0)));

#endif
