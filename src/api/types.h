/*-------------------------------------------------------------------------
 *
 * types.h
 *	  A request, as pgrest parsed it
 *
 * What the pure parsing stages make of a request: its route, its URL
 * grammar, its body, its headers.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_API_TYPES_H
#define PGREST_API_TYPES_H

#include "nodes/pg_list.h"

#include "base/jsonparse.h"
#include "base/message.h"

/* the query-string grammar (grammar.c) */

/* one step of a JSON path: ->key, ->>key, ->0, ->>-1 */
typedef struct PgrestJsonStep
{
	bool		as_text;		/* ->> rather than -> */
	bool		is_index;		/* an array index: key holds the integer */
	char	   *key;
} PgrestJsonStep;

/* a column, possibly followed by a JSON path */
typedef struct PgrestField
{
	char	   *name;
	List	   *path;			/* PgrestJsonStep * */
} PgrestField;

typedef enum PgrestAggregate
{
	PGREST_AGG_NONE,
	PGREST_AGG_COUNT,
	PGREST_AGG_SUM,
	PGREST_AGG_AVG,
	PGREST_AGG_MAX,
	PGREST_AGG_MIN
} PgrestAggregate;

typedef enum PgrestSelectKind
{
	PGREST_SELECT_STAR,			/* * */
	PGREST_SELECT_FIELD,		/* [alias:]field[::cast][.agg()][::cast] */
	PGREST_SELECT_COUNT,		/* [alias:]count()[::cast] */
	PGREST_SELECT_EMBED,		/* [alias:]relation[!hint][!inner|!left](items) */
	PGREST_SELECT_SPREAD		/* ...relation[!hint][!inner|!left](items) */
} PgrestSelectKind;

typedef enum PgrestJoin
{
	PGREST_JOIN_DEFAULT,
	PGREST_JOIN_LEFT,
	PGREST_JOIN_INNER
} PgrestJoin;

/* one item of select=; embeds and spreads hold the items inside them */
typedef struct PgrestSelectItem
{
	PgrestSelectKind kind;
	PgrestField field;			/* FIELD */
	char	   *alias;			/* NULL: the column or last JSON key */
	char	   *cast;			/* NULL, or a type name to CAST to */
	PgrestAggregate aggregate;	/* FIELD: .sum() ...; COUNT: count */
	char	   *aggregate_cast; /* the cast after the aggregate, or NULL */
	char	   *relation;		/* EMBED, SPREAD: the name of what to embed */
	char	   *hint;			/* !hint: a constraint, column or table */
	PgrestJoin join;			/* !inner, !left */
	List	   *items;			/* EMBED, SPREAD: PgrestSelectItem * */
} PgrestSelectItem;

typedef enum PgrestOperator
{
	PGREST_OP_EQ,
	PGREST_OP_NEQ,
	PGREST_OP_GT,
	PGREST_OP_GTE,
	PGREST_OP_LT,
	PGREST_OP_LTE,
	PGREST_OP_LIKE,
	PGREST_OP_ILIKE,
	PGREST_OP_MATCH,
	PGREST_OP_IMATCH,
	PGREST_OP_IN,
	PGREST_OP_IS,
	PGREST_OP_ISDISTINCT,
	PGREST_OP_FTS,
	PGREST_OP_PLFTS,
	PGREST_OP_PHFTS,
	PGREST_OP_WFTS,
	PGREST_OP_CS,
	PGREST_OP_CD,
	PGREST_OP_OV,
	PGREST_OP_SL,
	PGREST_OP_SR,
	PGREST_OP_NXR,
	PGREST_OP_NXL,
	PGREST_OP_ADJ
} PgrestOperator;

typedef enum PgrestQuantifier
{
	PGREST_QUANT_NONE,
	PGREST_QUANT_ANY,
	PGREST_QUANT_ALL
} PgrestQuantifier;

typedef enum PgrestIsValue
{
	PGREST_IS_NULL,
	PGREST_IS_NOT_NULL,
	PGREST_IS_TRUE,
	PGREST_IS_FALSE,
	PGREST_IS_UNKNOWN
} PgrestIsValue;

typedef enum PgrestFilterKind
{
	PGREST_FILTER_CONDITION,
	PGREST_FILTER_AND,
	PGREST_FILTER_OR
} PgrestFilterKind;

struct PgrestReadNode;

/*
 * A condition on a field, or an AND/OR of filters; either may be negated.
 * plan.c turns "rel=is.null" on an embedded resource into a test of that
 * resource (embed set).
 */
typedef struct PgrestFilter
{
	PgrestFilterKind kind;
	bool		negated;
	List	   *children;		/* AND/OR: PgrestFilter * */
	PgrestField field;			/* CONDITION: */
	PgrestOperator op;
	PgrestQuantifier quantifier;
	char	   *language;		/* fts: text search configuration or NULL */
	char	   *value;			/* the single value */
	List	   *values;			/* in: char * */
	PgrestIsValue is;
	struct PgrestReadNode *embed;	/* IS [NOT] NULL on this embedded resource */
} PgrestFilter;

typedef enum PgrestDirection
{
	PGREST_DIRECTION_DEFAULT,
	PGREST_DIRECTION_ASC,
	PGREST_DIRECTION_DESC
} PgrestDirection;

typedef enum PgrestNulls
{
	PGREST_NULLS_DEFAULT,
	PGREST_NULLS_FIRST,
	PGREST_NULLS_LAST
} PgrestNulls;

/* a field, or with relation set a field of an embedded resource: rel(field) */
typedef struct PgrestOrderTerm
{
	char	   *relation;		/* rel(field): the embedded resource's name */
	struct PgrestReadNode *embed;	/* set by plan.c for relation */
	PgrestField field;
	PgrestDirection direction;
	PgrestNulls nulls;
} PgrestOrderTerm;

/* logic trees and embedded resources nest at most this deep */
#define PGREST_MAX_LOGIC_DEPTH 64
#define PGREST_MAX_EMBED_DEPTH 32

/*
 * A query parameter's name split as PostgREST reads it: the embedded
 * resources it addresses (a.b.), then the last part (a field, or or/and,
 * order, limit, offset).
 */
typedef struct PgrestParamPath
{
	List	   *embeds;			/* char *, outermost first; NIL: the top level */
	PgrestField field;
	bool		negated;		/* logic: "not." before or/and */
} PgrestParamPath;

/* a body (payload.c) */

/*
 * The value of one key of a body that is a single JSON object: its kind
 * and text (a string decoded; a number, true or false as written; NULL
 * for null, an object or an array).  An array whose elements are all
 * strings, numbers, booleans or nulls (flat) has them as PostgreSQL's
 * array literal in array, each element quoted ("{\"a\",\"1\",NULL}").
 */
typedef struct PgrestBodyValue
{
	PgrestJsonKind kind;
	char	   *text;
	bool		flat;
	char	   *array;
} PgrestBodyValue;

typedef struct PgrestPayload
{
	char	   *json;			/* a JSON array of objects, server encoding */
	char	   *text;			/* the body itself as JSON, server encoding */
	List	   *keys;			/* the objects' keys (char *), first seen first */
	int			nrows;
	bool		single;			/* the body was one object, not an array */
	bool		is_json;		/* the body was JSON (or none) */
	PgrestBodyValue *values;	/* a single object's: one per key, in the
								 * order of keys (the last of a repeated
								 * key); else NULL */
	List	   *pairs;			/* a form's key=value pairs (PgrestParam *),
								 * in order, repeated keys too */

	/*
	 * A call's body that is not JSON (text/plain, text/xml,
	 * application/octet-stream): the type of the one unnamed parameter
	 * that takes it, and text its value as that type's input (bytea in
	 * hex); InvalidOid for JSON bodies.
	 */
	Oid			raw_type;
} PgrestPayload;

/* the request (request.c) */

typedef enum PgrestMethod
{
	PGREST_METHOD_GET,
	PGREST_METHOD_HEAD,
	PGREST_METHOD_POST,
	PGREST_METHOD_PATCH,
	PGREST_METHOD_PUT,
	PGREST_METHOD_DELETE,
	PGREST_METHOD_OPTIONS,
	PGREST_METHOD_OTHER
} PgrestMethod;

/* what the path names, as router.c decides it */
typedef enum PgrestTarget
{
	PGREST_TARGET_NONE,			/* nothing: 404 */
	PGREST_TARGET_ROOT,			/* / */
	PGREST_TARGET_RELATION,		/* /<table-or-view> */
	PGREST_TARGET_ROW,			/* /<table>/<primary key> */
	PGREST_TARGET_ROUTINE,		/* /rpc/<function> */
	PGREST_TARGET_SQL			/* POST /sql, when pgrest.sql_endpoint is on */
} PgrestTarget;

/* one query-string parameter, percent-decoded; value NULL for "?name" */
typedef struct PgrestParam
{
	char	   *name;
	char	   *value;
} PgrestParam;

/* the representation the client accepts */
typedef enum PgrestMedia
{
	PGREST_MEDIA_JSON,			/* application/json: an array */
	PGREST_MEDIA_OBJECT,		/* application/vnd.pgrst.object+json */
	PGREST_MEDIA_CSV,			/* text/csv */
	PGREST_MEDIA_GEOJSON,		/* application/geo+json (with PostGIS) */
	PGREST_MEDIA_NDJSON,		/* application/x-ndjson: a JSON value a line */
	PGREST_MEDIA_OPENAPI,		/* the root: application/openapi+json */
	PGREST_MEDIA_HTML,			/* the root: text/html */
	PGREST_MEDIA_HANDLER,		/* a media type handler of the database's */
	PGREST_MEDIA_EVENT_STREAM	/* text/event-stream: a table's changes */
} PgrestMedia;

/*
 * One media range of Accept, as PostgREST reads it (accept.c): its type,
 * what it asks for of pgrest's own formats, and how an error names it.
 */
typedef struct PgrestMediaRange
{
	char	   *type;			/* "type/subtype" lowercased, without
								 * parameters; or the item as sent when it
								 * is no media type */
	char	   *mime;			/* the range as PostgREST names it in errors */
	double		q;
	int			specificity;	/* its ';' less its '*': more goes first */
	int			position;		/* its place in the header */
	bool		strip;			/* nulls=stripped */
	int			explain;		/* PGREST_EXPLAIN_* of vnd.pgrst.plan */
	int			explain_options;
	struct PgrestMediaRange *plan_for;	/* vnd.pgrst.plan: its for= */
} PgrestMediaRange;

/* Accept: application/vnd.pgrst.plan: the statement's plan, not its rows */
#define PGREST_EXPLAIN_NONE		0
#define PGREST_EXPLAIN_TEXT		1
#define PGREST_EXPLAIN_JSON		2
/* explain options */
#define PGREST_EXPLAIN_ANALYZE	0x01
#define PGREST_EXPLAIN_VERBOSE	0x02
#define PGREST_EXPLAIN_SETTINGS 0x04
#define PGREST_EXPLAIN_BUFFERS	0x08
#define PGREST_EXPLAIN_WAL		0x10

typedef enum PgrestPreferReturn
{
	PGREST_RETURN_DEFAULT,
	PGREST_RETURN_MINIMAL,
	PGREST_RETURN_HEADERS_ONLY,
	PGREST_RETURN_REPRESENTATION
} PgrestPreferReturn;

typedef enum PgrestPreferCount
{
	PGREST_COUNT_NONE,
	PGREST_COUNT_EXACT,
	PGREST_COUNT_PLANNED,
	PGREST_COUNT_ESTIMATED
} PgrestPreferCount;

typedef enum PgrestPreferResolution
{
	PGREST_RESOLUTION_NONE,
	PGREST_RESOLUTION_MERGE,
	PGREST_RESOLUTION_IGNORE
} PgrestPreferResolution;

typedef enum PgrestPreferMissing
{
	PGREST_MISSING_NONE,
	PGREST_MISSING_DEFAULT,
	PGREST_MISSING_NULL
} PgrestPreferMissing;

typedef enum PgrestPreferTx
{
	PGREST_TX_NONE,
	PGREST_TX_COMMIT_PREFERRED,
	PGREST_TX_ROLLBACK_PREFERRED
} PgrestPreferTx;

/* Prefer headers (RFC 7240); the first value of each preference wins */
typedef struct PgrestPreferences
{
	PgrestPreferReturn return_;
	PgrestPreferCount count;
	PgrestPreferResolution resolution;
	PgrestPreferMissing missing;
	PgrestPreferTx tx;
	bool		strict;			/* handling=strict */
	bool		handling_given;
	char	   *timezone;
	int64		max_affected;	/* -1: none */
	int			realtime;		/* realtime=: PGREST_EVENTS_* bits; 0: all */
	bool		snapshot;		/* snapshot=include */
} PgrestPreferences;

/* the changes a stream carries (Prefer: realtime=insert,update,...) */
#define PGREST_EVENTS_INSERT	0x01
#define PGREST_EVENTS_UPDATE	0x02
#define PGREST_EVENTS_DELETE	0x04
#define PGREST_EVENTS_TRUNCATE	0x08
#define PGREST_EVENTS_ALL		0x0F

/*
 * An event's id, <epoch>-<commit LSN>-<seq> (Last-Event-ID): the epoch of
 * the stream, the commit LSN of the change's transaction and its place
 * in it.
 */
typedef struct PgrestEventId
{
	uint32		epoch;
	uint64		lsn;
	uint32		seq;
} PgrestEventId;

typedef enum PgrestEmbedParamKind
{
	PGREST_EMBED_FILTER,		/* a.col=op.value, a.or=(...), a.and=(...) */
	PGREST_EMBED_ORDER,			/* a.order= */
	PGREST_EMBED_LIMIT,			/* a.limit= */
	PGREST_EMBED_OFFSET			/* a.offset= */
} PgrestEmbedParamKind;

/* a query parameter for an embedded resource: a.b.col=eq.1, a.limit=2 */
typedef struct PgrestEmbedParam
{
	List	   *embeds;			/* char *: the path of names, outermost first */
	PgrestEmbedParamKind kind;
	PgrestFilter *filter;		/* FILTER */
	List	   *order;			/* ORDER: PgrestOrderTerm * */
	int64		number;			/* LIMIT, OFFSET */
} PgrestEmbedParam;

typedef struct PgrestRequest
{
	PgrestMethod method;
	char	   *method_name;
	char	   *path;			/* decoded */
	PgrestTarget target;
	char	   *name;			/* relation or function; NULL for ROOT */
	char	   *key;			/* primary key value for ROW, else NULL */
	List	   *params;			/* PgrestParam *, in query-string order */
	int			nheaders;
	PgrestHeader *headers;		/* names lowercased */
	const char *body;
	size_t		body_len;

	/* the query-string grammar */
	List	   *select;			/* PgrestSelectItem * */
	bool		select_given;	/* select= was sent (NIL then means none) */
	List	   *filters;		/* PgrestFilter *, all ANDed */
	List	   *order;			/* PgrestOrderTerm * */
	List	   *embed_params;	/* PgrestEmbedParam *, in query-string order */
	int64		offset;
	int64		limit;			/* -1: no limit */
	bool		ranged;			/* a Range header or limit/offset was given */
	List	   *columns;		/* columns=: char *, or NIL */
	List	   *on_conflict;	/* on_conflict=: char *, or NIL */
	PgrestPayload *payload;		/* POST, PATCH, PUT: the body */
	List	   *rpc_args;		/* GET /rpc: PgrestParam * that are arguments */

	/* headers */
	PgrestPreferences prefer;
	PgrestMedia media;			/* the root's: others are chosen by plan.c */
	List	   *accepts;		/* PgrestMediaRange *, in PostgREST's order */
	char	   *profile;		/* Accept-Profile / Content-Profile, or NULL */

	/* Last-Event-ID of a stream: given, and whether it reads as an id */
	bool		last_event_given;
	bool		last_event_valid;
	PgrestEventId last_event;
} PgrestRequest;

/* what a path names (router.c) */

typedef enum PgrestRouteKind
{
	/* the admin port: no transaction */
	PGREST_ROUTE_LIVE,			/* /live */
	PGREST_ROUTE_READY,			/* /ready */
	PGREST_ROUTE_METRICS,		/* /metrics */
	PGREST_ROUTE_ADMIN_OTHER,	/* anything else: 404 */
	/* the API port */
	PGREST_ROUTE_PIPELINE		/* everything else: one transaction */
} PgrestRouteKind;

typedef struct PgrestRoute
{
	PgrestRouteKind kind;
	PgrestTarget target;		/* API port: what the path names */
} PgrestRoute;

#endif							/* PGREST_API_TYPES_H */
