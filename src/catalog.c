/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Read pg_catalog for the schema cache.
 *
 * The schema cache (schema.c, relationship.c) describes the exposed
 * schemas from a few catalog queries.  This file runs them: read-only,
 * through SPI, with the exposed schemas as their one text[] parameter,
 * and hands each row to a callback while SPI still holds it.  It runs
 * nothing but the catalog queries it is given, and knows nothing of
 * requests, plans or the statements requests run (execute.c), so the
 * request pipeline stays a line: plan -> query -> execute.
 *
 * Call inside a transaction, with SPI connected.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "catalog.h"

static Datum text_array(List *values);

/*
 * Run the read-only catalog query sql, whose $1 is a text[] of the names
 * in schemas, and call callback(tuple, desc, arg) for each row.
 */
void
pgrest_catalog_rows(const char *sql, List *schemas,
					PgrestCatalogRowCallback callback, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1];
	int			rc;

	values[0] = text_array(schemas);
	rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, true, 0);
	MemoryContextSwitchTo(cxt);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "pgrest catalog query failed: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
		callback(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, arg);
	SPI_freetuptable(SPI_tuptable);
	MemoryContextSwitchTo(cxt);
}

/* a text[] of C strings */
static Datum
text_array(List *values)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(values), 1));
	ListCell   *lc;

	foreach(lc, values)
		elems[foreach_current_index(lc)] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, list_length(values), TEXTOID,
										   -1, false, TYPALIGN_INT));
}
