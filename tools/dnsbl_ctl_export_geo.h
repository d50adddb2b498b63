/* dnsbl_ctl_export_geo.h -- `dnsbl-ctl export` of country and asn
 * datasets, as the CSV their loader reads (docs/GEO.md). */
#ifndef DNSBLD_DNSBL_CTL_EXPORT_GEO_H
#define DNSBLD_DNSBL_CTL_EXPORT_GEO_H

#include <stdint.h>
#include <stdio.h>

#include "dataset.h"
#include "store.h"

/* Writes the entries of country or asn dataset `dsid` to `out`, a header
 * line first.  0, or a STORE_E* code (a value the store could not give,
 * or not of the type's form). */
int ctl_export_geo(struct store_reader *rd, uint32_t dsid, enum ds_type type,
		   FILE *out);

#endif
