/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  What a request will do, resolved against the schema cache
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/plan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PLAN_H
#define PGREST_PLAN_H

#include "api/types.h"
#include "plan/types.h"

extern PgrestPlan *pgrest_plan_build(const PgrestRequest *req);

#endif							/* PGREST_PLAN_H */
