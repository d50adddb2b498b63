/* dropin.h -- dnsbld started with rbldnsd's command line (issue 5).
 *
 * Mirrors start rbldnsd from init scripts with zone specs on the command
 * line; given such a line dnsbld keeps its own store, loads the named files
 * into it, watches them and serves from it, so migrating means changing the
 * binary's name.  main.c picks this mode; dropin.c runs it.
 */
#ifndef DNSBLD_DROPIN_H
#define DNSBLD_DROPIN_H

/* 1 if `argv` is an rbldnsd command line: it has a non-option argument
 * (meant as a zone spec `zone:type:file`) once rbldnsd's options and their
 * arguments are skipped.  `dnsbld -c FILE` (config mode) takes none. */
int dropin_wanted(int argc, char *const argv[]);

/* Runs dnsbld in rbldnsd mode until TERM/INT; returns the exit status (0,
 * or 1 after printing "dnsbld: why" for a bad command line or start). */
int dropin_main(int argc, char *argv[]);

#endif
