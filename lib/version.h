/* version.h -- the version dnsbld reports (CH TXT version.bind, the -d
 * dump's header, the metrics' dnsbld_info); a build may set it with
 * -DDNSBLD_VERSION=... */
#ifndef DNSBLD_VERSION_H
#define DNSBLD_VERSION_H

#ifndef DNSBLD_VERSION
#define DNSBLD_VERSION "0.1"
#endif

#endif
