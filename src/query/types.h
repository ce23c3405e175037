/*-------------------------------------------------------------------------
 *
 * types.h
 *	  A statement and its parameters
 *
 * The one statement a plan becomes, with what execute.c needs to know of
 * its result's shape.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_QUERY_TYPES_H
#define PGREST_QUERY_TYPES_H

#include "plan/types.h"

/*
 * Every statement returns exactly one row of four columns: the total
 * number of rows the request matched (bigint, NULL when not counted), the
 * number of rows in the body (bigint), the body (json or text, NULL for
 * none), and the rows an upsert inserted (bigint, NULL when unknown);
 * except the statement of a body written row by row (see rows).
 */
typedef struct PgrestQuery
{
	char	   *sql;
	int			nparams;
	const char **params;		/* text of $1..$n; NULL element = SQL NULL */
	bool		read_only;

	/*
	 * Prefer: count=planned|estimated: a statement, with the same
	 * parameters, whose planner estimate of rows is the total; used when
	 * the first column is NULL, and compared with a count of estimate_from
	 * or more (-1: never).
	 */
	char	   *estimate_sql;
	int64		estimate_from;

	/*
	 * A body written row by row (plan->row_by_row): the statement returns
	 * (total bigint, value) for each row, the value a record or a
	 * function's value; with total_first, a first row holds the total
	 * alone.  CSV starts with csv_header.
	 */
	bool		rows;
	bool		total_first;
	char	   *csv_header;

	/* an EXPLAIN: its rows of plan text are the body (execute.c) */
	bool		explain;

	/*
	 * Embedded resources as jsonb, as PostgREST has them, for a media type
	 * handler that reads the rows' text (render.c)
	 */
	bool		jsonb_embeds;

	/*
	 * Plan once for any parameters (a generic plan): a stream's keyed
	 * statement, whose custom plans would differ only in the number of
	 * keys (subscription.c); a read with an OFFSET (render.c)
	 */
	bool		generic_plan;
} PgrestQuery;

#endif							/* PGREST_QUERY_TYPES_H */
