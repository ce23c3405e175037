/*-------------------------------------------------------------------------
 *
 * query.h
 *	  The one SQL statement a request runs, and its parameters
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/query.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_QUERY_H
#define PGREST_QUERY_H

#include "plan/types.h"
#include "query/types.h"

extern PgrestQuery *pgrest_query_build(const PgrestPlan *plan);

#endif							/* PGREST_QUERY_H */
