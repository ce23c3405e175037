/*-------------------------------------------------------------------------
 *
 * subscription.h
 *	  The statements of a stream of a table's changes
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/subscription.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_QUERY_SUBSCRIPTION_H
#define PGREST_QUERY_SUBSCRIPTION_H

#include "plan/types.h"
#include "query/types.h"

extern PgrestQuery *pgrest_query_stream(const PgrestPlan *plan, bool keyed);

#endif							/* PGREST_QUERY_SUBSCRIPTION_H */
