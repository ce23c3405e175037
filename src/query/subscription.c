/*-------------------------------------------------------------------------
 *
 * subscription.c
 *	  The statements of a stream of a table's changes: the same GET's
 *	  read, restricted to the rows that changed, or whole for a snapshot.
 *
 * A stream's events carry the rows that changed as the same GET would
 * return them at that moment: its filters, select= (renames, casts, JSON
 * paths, computed fields, embeds), the role's privileges and row-level
 * security all apply, because the statement is the GET's read tree
 * (render.c), run as the subscriber's role.  Per batch of changes, each
 * cohort of subscribers (realtime/) runs
 *
 *	 SELECT pgrest_k.pgrest_ord, (<the row's JSON object>)
 *	 FROM ROWS FROM (pg_catalog.unnest($1::<key type>[]), ...) WITH ORDINALITY
 *			AS pgrest_k(pgrest_k1, ..., pgrest_ord)
 *	 CROSS JOIN <table> AS pgrest_1 <embeds>
 *	 WHERE <filters> AND pgrest_1.<key> = pgrest_k.pgrest_k1 AND ...
 *
 * whose first parameters are the arrays of the changed rows' primary key
 * values, one per key column, as text: each row that is still there,
 * still visible to the role and still matched by the filters comes back
 * with the place of its key in the arrays (the same key twice, twice).
 * With empty arrays it is the subscription's dry run: PostgreSQL parses
 * and checks it as it would the GET, and returns nothing.
 *
 * The snapshot of Prefer: snapshot=include is the same read whole,
 * each row with its key as text:
 *
 *	 SELECT pgrest_1.<key>::text, ..., (<the row's JSON object>)
 *	 FROM <table> AS pgrest_1 <embeds> WHERE <filters>
 *
 * Both statements have the same text for every request of the same
 * shape, so that their plans are kept and shared (statement.c).
 *
 * This file only builds strings and runs no SQL (query/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/subscription.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "query/layer.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "query/render.h"
#include "query/subscription.h"

/*
 * The statement of a stream's changes (keyed), or of its snapshot.  The
 * keyed statement's first plan->rel->npkey parameters are the key
 * arrays, NULL here: the caller sets them for each run.
 */
PgrestQuery *
pgrest_query_stream(const PgrestPlan *plan, bool keyed)
{
	const PgrestRelation *rel = plan->rel;
	PgrestQuery *query = palloc0(sizeof(PgrestQuery));
	const char *alias = pgrest_render_alias(plan->read->id);
	StringInfoData sql;
	StringInfoData leading;
	StringInfoData from;
	bool		where;

	query->read_only = true;
	query->estimate_from = -1;
	initStringInfo(&sql);
	initStringInfo(&leading);
	initStringInfo(&from);
	if (!keyed)
	{
		for (int i = 0; i < rel->npkey; i++)
			appendStringInfo(&leading, "%s%s.%s::pg_catalog.text", i > 0 ? ", " : "",
							 alias, quote_identifier(rel->columns[rel->pkey[i]].name));
		pgrest_render_each_row(query, &sql, plan->read, leading.data, NULL);
		query->sql = sql.data;
		return query;
	}

	/*
	 * The plan of a few rows by their keys does not depend on how many:
	 * planned once, not for each batch (about half of a cohort's cost).
	 */
	query->generic_plan = true;
	appendStringInfoString(&from, "ROWS FROM (");
	for (int i = 0; i < rel->npkey; i++)
	{
		const PgrestColumn *col = &rel->columns[rel->pkey[i]];

		appendStringInfo(&from, "%spg_catalog.unnest($%d::%s[])", i > 0 ? ", " : "",
						 pgrest_render_param(query, NULL), format_type_be(col->type));
	}
	appendStringInfoString(&from, ") WITH ORDINALITY AS pgrest_k(");
	for (int i = 0; i < rel->npkey; i++)
		appendStringInfo(&from, "pgrest_k%d, ", i + 1);
	appendStringInfoString(&from, "pgrest_ord) CROSS JOIN ");

	where = pgrest_render_each_row(query, &sql, plan->read, "pgrest_k.pgrest_ord",
								   from.data);
	for (int i = 0; i < rel->npkey; i++)
	{
		appendStringInfo(&sql, " %s %s.%s = pgrest_k.pgrest_k%d",
						 where || i > 0 ? "AND" : "WHERE", alias,
						 quote_identifier(rel->columns[rel->pkey[i]].name), i + 1);
	}
	query->sql = sql.data;
	return query;
}
