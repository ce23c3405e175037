/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  What a request will do, resolved against the schema cache
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
#include "schema.h"

typedef enum PgrestPlanKind
{
	PGREST_PLAN_LIST_RELATIONS, /* GET /: the exposed tables and views */
	PGREST_PLAN_READ			/* GET /<relation>, /<relation>/<key> */
} PgrestPlanKind;

/* one key of the rows a read returns */
typedef struct PgrestOutput
{
	PgrestField field;
	int			column;			/* index in the relation's columns, or -1 */
	char	   *cast;			/* canonical type name to CAST to, or NULL */
	char	   *name;			/* the key in the JSON object / CSV header */
} PgrestOutput;

typedef struct PgrestPlan
{
	PgrestPlanKind kind;
	char	   *schema;			/* the exposed schema the request uses */
	bool		profile_given;	/* the client chose it with a profile header */
	PgrestRelation *rel;		/* READ: the relation */
	List	   *outputs;		/* READ: PgrestOutput * */
	List	   *filters;		/* READ: PgrestFilter *, ANDed */
	List	   *order;			/* READ: PgrestOrderTerm * */
	int64		offset;
	int64		limit;			/* -1: none; pgrest.max_rows applied */
	PgrestPreferCount count;
	int64		max_rows;		/* pgrest.max_rows when planned */
	PgrestMedia media;
	bool		strip_nulls;
	bool		by_key;			/* /<relation>/<key>: 404 when no row */
	bool		read_only;		/* run in a READ ONLY transaction */
	bool		with_body;		/* false for HEAD */
} PgrestPlan;

extern PgrestPlan *pgrest_plan_build(const PgrestRequest *req);

#endif							/* PGREST_PLAN_H */
