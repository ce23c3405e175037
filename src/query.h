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
 * Every statement returns exactly one row of two columns: the number of
 * rows the body holds (bigint) and the body (json or text).
 */
typedef struct PgrestQuery
{
	char	   *sql;
	int			nparams;
	const char **params;		/* text of $1..$n; NULL element = SQL NULL */
	bool		read_only;
} PgrestQuery;

extern PgrestQuery *pgrest_query_build(const PgrestPlan *plan);

#endif							/* PGREST_QUERY_H */
