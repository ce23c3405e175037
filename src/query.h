/*-------------------------------------------------------------------------
 *
 * query.h
 *	  The one SQL statement a request runs, and its parameters
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_QUERY_H
#define PGREST_QUERY_H

#include "plan.h"

/*
 * Every statement returns exactly one row of three columns: the total
 * number of rows the request matched (bigint, NULL when not counted), the
 * number of rows in the body (bigint), and the body (json or text, NULL
 * for none).
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
	 * the first column is NULL or above estimate_above.
	 */
	char	   *estimate_sql;
	int64		estimate_above;

	/* an EXPLAIN: its rows of plan text are the body (execute.c) */
	bool		explain;
} PgrestQuery;

extern PgrestQuery *pgrest_query_build(const PgrestPlan *plan);

#endif							/* PGREST_QUERY_H */
