/*-------------------------------------------------------------------------
 *
 * subscription.h
 *	  What a stream of a table's changes may be: its refusals
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/subscription.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PLAN_SUBSCRIPTION_H
#define PGREST_PLAN_SUBSCRIPTION_H

#include "api/types.h"
#include "plan/types.h"

extern void pgrest_plan_stream_server(const PgrestRequest *req);
extern void pgrest_plan_stream_check(const PgrestRequest *req, const PgrestPlan *plan);
extern bool pgrest_plan_in_publication(Oid relid);

#endif							/* PGREST_PLAN_SUBSCRIPTION_H */
