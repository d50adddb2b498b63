/* dnsbl_query_input.c -- the items to check: arguments or standard input.
 *
 * The buffer holds whatever read() returned; an item is taken only once the
 * blank after it (or the end of input) has arrived, so a read that ends in
 * the middle of an address never yields half of it.
 */
#include "dnsbl_query_input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int input_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Copies `len` bytes of an item, cut to fit `outlen`. */
static void input_copy(char *out, size_t outlen, const char *p, size_t len)
{
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

void dq_input_from_args(struct dq_input *in, char *const *argv, int argc)
{
	memset(in, 0, sizeof(*in));
	in->argv = argv;
	in->argc = argc;
	in->fd = -1;
}

void dq_input_from_fd(struct dq_input *in, int fd)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
}

int dq_input_next(struct dq_input *in, char *out, size_t outlen)
{
	if (in->fd < 0) {
		if (in->argi >= in->argc)
			return -1;
		input_copy(out, outlen, in->argv[in->argi],
			   strlen(in->argv[in->argi]));
		in->argi++;
		return 1;
	}
	for (;;) {
		const char *p = in->buf + in->start, *stop = in->buf + in->end;
		const char *q;

		if (in->skip_line) {
			const char *nl = memchr(p, '\n', (size_t)(stop - p));

			if (!nl) {
				in->start = in->end;
				break;
			}
			in->start = (size_t)(nl + 1 - in->buf);
			in->skip_line = 0;
			continue;
		}
		if (in->skip_token) {
			while (p < stop && !input_blank(*p) && *p != '#')
				p++;
			in->start = (size_t)(p - in->buf);
			if (p == stop)
				break;
			in->skip_token = 0;
			continue;
		}
		while (p < stop && input_blank(*p))
			p++;
		q = p;
		while (q < stop && !input_blank(*q) && *q != '#')
			q++;
		in->start = (size_t)(p - in->buf);
		if (p == stop)
			break;
		if (*p == '#') {
			in->skip_line = 1;
			in->start++;
			continue;
		}
		if (q == stop && !in->eof) {
			/* Incomplete: wait for the rest, unless it already
			 * fills the buffer (take its start, drop the rest). */
			if (in->start > 0 || in->end < sizeof(in->buf))
				break;
			in->skip_token = 1;
		}
		input_copy(out, outlen, p, (size_t)(q - p));
		in->start = (size_t)(q - in->buf);
		return 1;
	}
	if (in->eof)
		return -1;
	memmove(in->buf, in->buf + in->start, in->end - in->start);
	in->end -= in->start;
	in->start = 0;
	return 0;
}

int dq_input_fd(const struct dq_input *in)
{
	return in->fd >= 0 && !in->eof ? in->fd : -1;
}

int dq_input_fill(struct dq_input *in)
{
	ssize_t n;

	if (in->fd < 0 || in->eof)
		return 0;
	n = read(in->fd, in->buf + in->end, sizeof(in->buf) - in->end);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		in->eof = 1;
		return -1;
	}
	if (n == 0)
		in->eof = 1;
	in->end += (size_t)n;
	return 0;
}
