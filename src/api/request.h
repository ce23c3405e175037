/*-------------------------------------------------------------------------
 *
 * request.h
 *	  The raw HTTP request, and the request pgrest parsed from it
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/request.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REQUEST_H
#define PGREST_REQUEST_H

#include "nodes/pg_list.h"

#include "api/grammar.h"
#include "api/payload.h"

/* one header; names as received (raw) or lowercased (parsed) */
typedef struct PgrestHeader
{
	const char *name;
	const char *value;
} PgrestHeader;

/*
 * What the HTTP layer (or pgrest.handle()) hands the pipeline.  All
 * strings are NUL-terminated; path and query are still percent-encoded.
 * The memory belongs to the caller and outlives the request.
 */
typedef struct PgrestHttpRequest
{
	const char *method;
	const char *path;			/* without the query string */
	const char *query;			/* after '?', or NULL */
	int			nheaders;
	const PgrestHeader *headers;
	const char *body;			/* may contain NUL bytes; NULL if none */
	size_t		body_len;
	bool		admin;			/* it arrived on the admin port */
	bool		http_1_0;		/* the client takes no chunked body */
} PgrestHttpRequest;

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
	PGREST_MEDIA_HTML			/* the root: text/html */
} PgrestMedia;

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
} PgrestPreferences;

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
	PgrestMedia media;
	bool		strip_nulls;	/* ;nulls=stripped */
	int			explain;		/* PGREST_EXPLAIN_*: the plan of media's statement */
	int			explain_options;	/* PGREST_EXPLAIN_ANALYZE | ... */
	char	   *profile;		/* Accept-Profile / Content-Profile, or NULL */
} PgrestRequest;

extern PgrestRequest *pgrest_request_parse(const PgrestHttpRequest *http,
										   PgrestTarget target);
extern const char *pgrest_request_header(const PgrestRequest *req,
										 const char *lowercase_name);
extern void pgrest_request_parse_body(PgrestRequest *req);
extern bool pgrest_request_is_token(const char *s);

#endif							/* PGREST_REQUEST_H */
