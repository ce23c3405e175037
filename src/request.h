/*-------------------------------------------------------------------------
 *
 * request.h
 *	  The raw HTTP request, and the request pgrest parsed from it
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/request.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REQUEST_H
#define PGREST_REQUEST_H

#include "nodes/pg_list.h"

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

/* what the path names */
typedef enum PgrestTarget
{
	PGREST_TARGET_ROOT,			/* / */
	PGREST_TARGET_RELATION,		/* /<table-or-view> */
	PGREST_TARGET_ROW,			/* /<table>/<primary key> */
	PGREST_TARGET_ROUTINE		/* /rpc/<function> */
} PgrestTarget;

/* one query-string parameter, percent-decoded; value NULL for "?name" */
typedef struct PgrestParam
{
	char	   *name;
	char	   *value;
} PgrestParam;

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
} PgrestRequest;

extern PgrestRequest *pgrest_request_parse(const PgrestHttpRequest *http);
extern const char *pgrest_request_header(const PgrestRequest *req,
										 const char *lowercase_name);

#endif							/* PGREST_REQUEST_H */
