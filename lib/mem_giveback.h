/* mem_giveback.h -- the pages of a big buffer that is read once, front to
 * back, given back behind its reader.
 *
 * The loader's parse holds a feed's whole text and its writer every parsed
 * entry; neither is read again once passed, so their pages can go back to
 * the system as the reading moves on (MADV_DONTNEED: the memory stays
 * allocated and reads as zeros), and the two are not held whole at once.
 */
#ifndef DNSBLD_MEM_GIVEBACK_H
#define DNSBLD_MEM_GIVEBACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Pages are given back this many bytes at a time: few system calls. */
#define MEM_GIVEBACK_STEP ((size_t)2 << 20)

/* Gives back the whole pages of base[*done, upto) once MEM_GIVEBACK_STEP
 * bytes or more are pending, or (last) all of them; *done, a byte offset
 * from base that starts at 0, moves to where it stopped. */
static inline void mem_giveback(const void *base, size_t *done, size_t upto,
				int last)
{
	uintptr_t b = (uintptr_t)base;
	size_t page, from, to;

	if (upto < *done + MEM_GIVEBACK_STEP && !last)
		return;
	page = (size_t)sysconf(_SC_PAGESIZE);
	from = *done ? *done : (page - b % page) % page;   /* page-aligned */
	if (upto <= from)
		return;
	to = upto - (b + upto) % page;
	if (to > from) {
		(void)madvise((void *)(b + from), to - from, MADV_DONTNEED);
		*done = to;
	}
}

#endif
