/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Read pg_catalog for the schema cache.
 *
 * The schema cache (schema.c, relationship.c) describes the exposed
 * schemas from a few catalog queries, and schemadeps.c checks what it
 * depends on with a few more.  This file runs them: read-only, through
 * SPI, with one array parameter (the exposed schemas' names, or the oids
 * of relations), and hands each row to a callback while SPI still holds
 * it.  It runs
 * nothing but the catalog queries it is given, and knows nothing of
 * requests, plans or the statements requests run (execute.c), so the
 * request pipeline stays a line: plan -> query -> execute.
 *
 * Call inside a transaction, with SPI connected.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "cache/layer.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "cache/catalog.h"

static void run(const char *sql, Oid argtype, Datum arg,
				PgrestCatalogRowCallback callback, void *callback_arg);
static Datum text_array(List *values);

/*
 * Run the read-only catalog query sql, whose $1 is a text[] of the names
 * in schemas, and call callback(tuple, desc, arg) for each row.
 */
void
pgrest_catalog_rows(const char *sql, List *schemas,
					PgrestCatalogRowCallback callback, void *arg)
{
	run(sql, TEXTARRAYOID, text_array(schemas), callback, arg);
}

/*
 * The same, for a query whose $1 is an oid[] of the n oids given.
 */
void
pgrest_catalog_rows_by_oid(const char *sql, const Oid *oids, int n,
						   PgrestCatalogRowCallback callback, void *arg)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = ObjectIdGetDatum(oids[i]);
	run(sql, OIDARRAYOID,
		PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true,
										TYPALIGN_INT)),
		callback, arg);
}

static void
run(const char *sql, Oid argtype, Datum arg,
	PgrestCatalogRowCallback callback, void *callback_arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			argtypes[1] = {argtype};
	Datum		values[1] = {arg};
	int			nest_level = NewGUCNestLevel();
	int			rc;

	/*
	 * Never JIT: with thousands of relations the planner's costs pass
	 * jit_above_cost, and compiling takes longer than running the query.
	 * Set for this query only (an error undoes it with the transaction).
	 */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, true, 0);
	AtEOXact_GUC(true, nest_level);
	MemoryContextSwitchTo(cxt);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "pgrest catalog query failed: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
		callback(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, callback_arg);
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
