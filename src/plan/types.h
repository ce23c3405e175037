/*-------------------------------------------------------------------------
 *
 * types.h
 *	  What a request will do, resolved against the schema cache
 *
 * The plan of a request: its kind, the tree of the rows it returns (read
 * nodes with their outputs), and what it writes or calls.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PLAN_TYPES_H
#define PGREST_PLAN_TYPES_H

#include "api/types.h"
#include "cache/types.h"

typedef enum PgrestPlanKind
{
	PGREST_PLAN_OPENAPI,		/* GET /: the description (openapi.c) */
	PGREST_PLAN_READ,			/* GET /<relation>, /<relation>/<key> */
	PGREST_PLAN_INSERT,			/* POST /<relation> (also upserts) */
	PGREST_PLAN_UPDATE,			/* PATCH */
	PGREST_PLAN_DELETE,			/* DELETE */
	PGREST_PLAN_PUT,			/* PUT: insert or replace one row by key */
	PGREST_PLAN_CALL,			/* GET|POST /rpc/<function> */
	PGREST_PLAN_SQL,			/* POST /sql, when pgrest.sql_endpoint is on */
	PGREST_PLAN_INFO,			/* OPTIONS: the methods the path takes, no statement */
	PGREST_PLAN_SUBSCRIBE		/* GET with Accept: text/event-stream: the
								 * table's changes as they commit (realtime/) */
} PgrestPlanKind;

/* how one argument of a call gets its value */
typedef struct PgrestCallArg
{
	const PgrestRoutineArg *arg;
	List	   *values;			/* GET: its texts (several for VARIADIC); POST: NIL */
} PgrestCallArg;

/* what one key of the rows a read node returns holds */
typedef enum PgrestOutputKind
{
	PGREST_OUTPUT_FIELD,		/* a column (or computed field), maybe a JSON path */
	PGREST_OUTPUT_COUNT,		/* count(): the rows of the group */
	PGREST_OUTPUT_EMBED,		/* an embedded resource: an object, or an array */
	PGREST_OUTPUT_SPREAD		/* a key of a spread resource, lifted */
} PgrestOutputKind;

/* one key of the rows a read node returns */
typedef struct PgrestOutput
{
	PgrestOutputKind kind;
	PgrestField field;			/* FIELD */
	int			column;			/* FIELD: index in the relation's columns, or -1 */
	char	   *cast;			/* canonical type name to CAST to, or NULL */
	PgrestAggregate aggregate;	/* FIELD, COUNT, SPREAD */
	char	   *aggregate_cast; /* canonical type name, or NULL */
	char	   *name;			/* the key in the JSON object / CSV header */
	struct PgrestReadNode *child;	/* EMBED, SPREAD */
	char	   *child_key;		/* SPREAD: the key in the child's rows */
} PgrestOutput;

/* how an embedded resource's keys reach its parent */
typedef enum PgrestSpread
{
	PGREST_SPREAD_NONE,			/* one key holding an object or an array */
	PGREST_SPREAD_TO_ONE,		/* ...rel(): its keys are the parent's */
	PGREST_SPREAD_TO_MANY		/* ...rel() to many: each key an array */
} PgrestSpread;

/*
 * A node of the read plan: a relation (or a call's result) read with its
 * own outputs, filters, order and range, and the resources embedded in
 * it, each a child node joined through a relationship.  The top-level
 * read, the rows a write returns and a call's result are all read through
 * one tree of these.  Every node is aliased pgrest_<id> in the SQL, never
 * by a name from the request or the database.
 */
typedef struct PgrestReadNode
{
	int			id;				/* alias pgrest_<id>; unique in the statement */
	PgrestRelation *rel;		/* what it reads */
	const PgrestRelationship *relationship; /* to the parent; NULL at the top */
	int			junction_id;	/* many-to-many: the junction's alias */
	char	   *name;			/* embedded: the name the request used */
	char	   *alias;			/* embedded: the request's alias:, or NULL */
	char	   *hint;			/* embedded: !hint, or NULL */
	List	   *items;			/* the PgrestSelectItem * it was planned from */
	bool		inner;			/* !inner: parents without a match are dropped */
	PgrestSpread spread;
	bool		empty;			/* rel(): filters its parent, adds no key */
	List	   *outputs;		/* PgrestOutput * */
	List	   *children;		/* PgrestReadNode * */
	List	   *filters;		/* PgrestFilter *, ANDed */
	List	   *order;			/* PgrestOrderTerm * */
	int64		offset;
	int64		limit;			/* -1: none */
	bool		aggregated;		/* some output is an aggregate: GROUP BY the others */
} PgrestReadNode;

/* INSERT, UPDATE, DELETE, PUT: what is written */
typedef struct PgrestMutatePlan
{
	PgrestPayload *payload;
	List	   *filters;		/* PgrestFilter * of the rows written, ANDed */
	List	   *columns;		/* int column indexes written, in order */
	PgrestPreferReturn return_;
	PgrestPreferResolution resolution;	/* INSERT: upsert */
	List	   *conflict;		/* int column indexes of the conflict target */
	bool		missing_default;	/* keys missing from a row take DEFAULT */
	List	   *put_key;		/* PUT: the key's values (char *), pkey order */
} PgrestMutatePlan;

/* CALL: the function and its arguments */
typedef struct PgrestCallPlan
{
	PgrestRoutine *routine;
	PgrestPayload *payload;		/* POST: the body */
	List	   *args;			/* PgrestCallArg * */
	bool		body;			/* the body is the single unnamed argument */
	bool		scalar;			/* the result is a value, not rows of columns */
} PgrestCallPlan;

/*
 * What a request will do: its kind, then what every plan says (schema,
 * format, transaction), the rows its response returns (reads, writes and
 * calls alike: the read tree, its range in the top node, the count), and
 * the part of its kind (PostgREST's CrudPlan: read, mutate, call; and
 * pgrest's /sql).
 */
typedef struct PgrestPlan
{
	PgrestPlanKind kind;
	char	   *schema;			/* the exposed schema the request uses */
	bool		profile_named;	/* Content-Profile names it: a profile header
								 * chose it, or several schemas are exposed */
	PgrestMedia media;
	int			explain;		/* PGREST_EXPLAIN_*: answer with the plan, media's */
	int			explain_options;
	bool		strip_nulls;
	/* PGREST_MEDIA_HANDLER: the database's handler that makes the body */
	const PgrestMediaHandler *handler;
	char	   *media_type;		/* the Content-Type it sends */
	char	   *media_name;		/* the media type asked for */
	bool		raw_body;		/* the body is binary: sent as it is */
	bool		read_only;		/* run in a READ ONLY transaction */
	bool		with_body;		/* false for HEAD */
	bool		rollback;		/* end with ROLLBACK (tx_end, Prefer: tx) */
	bool		tx_applied;		/* the Prefer: tx value was honoured */

	/* READ, CALL, the writes: the rows the response returns */
	PgrestRelation *rel;		/* the relation read or written, or a call's result */
	PgrestReadNode *read;		/* their tree; its top node holds the range */
	PgrestPreferCount count;
	int64		max_rows;		/* pgrest.max_rows when planned */
	bool		by_key;			/* /<relation>/<key>: 404 when no row */
	bool		row_by_row;		/* the body is written as a portal yields the rows */
	int64		max_affected;	/* -1: no limit (Prefer: max-affected, strict) */
	int			next_id;		/* the next alias number */

	union
	{
		PgrestMutatePlan mutate;	/* INSERT, UPDATE, DELETE, PUT */
		PgrestCallPlan call;	/* CALL */
		char	   *sql;		/* SQL: the statement */
		const char *allow;		/* INFO: the Allow header */
	};
} PgrestPlan;

/* Whether plan calls a function whose result is a value, not rows. */
static inline bool
pgrest_plan_scalar(const PgrestPlan *plan)
{
	return plan->kind == PGREST_PLAN_CALL && plan->call.scalar;
}

#endif							/* PGREST_PLAN_TYPES_H */
