/* dnsbl_query_input.h -- the items to check: arguments or standard input.
 *
 * Standard input is read without blocking the query loop: the loop polls
 * the descriptor and calls dq_input_fill() once it is readable, so answers
 * keep being printed while a slow pipe (tail -f ...) delivers items.
 * Items are separated by blanks or newlines; '#' starts a comment.
 */
#ifndef DNSBLD_DNSBL_QUERY_INPUT_H
#define DNSBLD_DNSBL_QUERY_INPUT_H

#include <stddef.h>

#define DQ_INPUT_BUF 65536

struct dq_input {
	char *const *argv;    /* items given as arguments */
	int argc, argi;
	int fd;               /* -1: arguments only */
	char buf[DQ_INPUT_BUF];
	size_t start, end;    /* unread bytes of buf */
	int eof;
	int skip_token;       /* dropping the rest of an overlong item */
	int skip_line;        /* dropping the rest of a comment */
};

/* Items from `argv` (not copied; they must outlive the input). */
void dq_input_from_args(struct dq_input *in, char *const *argv, int argc);

/* Items from descriptor `fd`. */
void dq_input_from_fd(struct dq_input *in, int fd);

/* The next item into `out` (cut to `outlen` - 1 bytes: an item that long is
 * refused by dnsbl_item_parse anyway).  Returns 1, 0 if dq_input_fill()
 * must read more first, or -1 at the end. */
int dq_input_next(struct dq_input *in, char *out, size_t outlen);

/* The descriptor to poll before dq_input_fill(), or -1 (arguments, end). */
int dq_input_fd(const struct dq_input *in);

/* Reads once from the descriptor.  Returns 0, or -1 on a read error (the
 * input then ends; errno says why). */
int dq_input_fill(struct dq_input *in);

#endif
