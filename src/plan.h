/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  What a request will do, resolved against the catalogs
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PLAN_H
#define PGREST_PLAN_H

#include "request.h"

typedef enum PgrestPlanKind
{
	PGREST_PLAN_LIST_RELATIONS, /* GET /: the exposed tables and views */
	PGREST_PLAN_READ			/* GET /<relation> */
} PgrestPlanKind;

typedef struct PgrestPlan
{
	PgrestPlanKind kind;
	char	   *schema;			/* the exposed schema the request uses */
	char	   *relname;		/* target relation, for READ */
	Oid			relid;
	bool		read_only;		/* run in a READ ONLY transaction */
	bool		with_body;		/* false for HEAD */
} PgrestPlan;

extern PgrestPlan *pgrest_plan_build(const PgrestRequest *req);

#endif							/* PGREST_PLAN_H */
