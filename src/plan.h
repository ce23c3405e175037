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
	PGREST_PLAN_OPENAPI,		/* GET /: the description (openapi.c) */
	PGREST_PLAN_READ,			/* GET /<relation>, /<relation>/<key> */
	PGREST_PLAN_INSERT,			/* POST /<relation> (also upserts) */
	PGREST_PLAN_UPDATE,			/* PATCH */
	PGREST_PLAN_DELETE,			/* DELETE */
	PGREST_PLAN_PUT,			/* PUT: insert or replace one row by key */
	PGREST_PLAN_CALL,			/* GET|POST /rpc/<function> */
	PGREST_PLAN_SQL				/* POST /sql, when pgrest.sql_endpoint is on */
} PgrestPlanKind;

/* how one argument of a call gets its value */
typedef struct PgrestCallArg
{
	const PgrestRoutineArg *arg;
	List	   *values;			/* GET: its texts (several for VARIADIC); POST: NIL */
} PgrestCallArg;

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

	/* writes */
	PgrestPayload *payload;
	List	   *columns;		/* int column indexes written, in order */
	PgrestPreferReturn return_;
	PgrestPreferResolution resolution;	/* INSERT: upsert */
	List	   *conflict;		/* int column indexes of the conflict target */
	bool		missing_default;	/* keys missing from a row take DEFAULT */
	List	   *put_key;		/* PUT: the key's values (char *), pkey order */
	int64		max_affected;	/* -1: no limit (Prefer: max-affected, strict) */

	/* calls */
	PgrestRoutine *routine;
	List	   *call_args;		/* PgrestCallArg * */
	bool		call_body;		/* the body is the single unnamed json argument */
	bool		scalar;			/* the result is a value, not rows of columns */

	/* POST /sql */
	char	   *sql;

	/* the end of the transaction */
	bool		rollback;		/* end with ROLLBACK (tx_end, Prefer: tx) */
	bool		tx_applied;		/* the Prefer: tx value was honoured */
} PgrestPlan;

extern PgrestPlan *pgrest_plan_build(const PgrestRequest *req);

#endif							/* PGREST_PLAN_H */
