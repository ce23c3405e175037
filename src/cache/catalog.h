/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Read pg_catalog for the schema cache
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_CATALOG_H
#define PGREST_CATALOG_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "nodes/pg_list.h"

/* called for each row of a catalog query */
typedef void (*PgrestCatalogRowCallback) (HeapTuple tuple, TupleDesc desc, void *arg);

extern void pgrest_catalog_rows(const char *sql, List *schemas,
								PgrestCatalogRowCallback callback, void *arg);
extern void pgrest_catalog_rows_by_oid(const char *sql, const Oid *oids, int n,
									   PgrestCatalogRowCallback callback,
									   void *arg);

#endif							/* PGREST_CATALOG_H */
