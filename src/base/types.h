/*-------------------------------------------------------------------------
 *
 * types.h
 *	  Types of the leaves every layer uses
 *
 * The error table's index, shared by the table (error.c) and the request
 * state that holds the error being raised (state.c).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_BASE_TYPES_H
#define PGREST_BASE_TYPES_H

/*
 * SQLSTATE of pgrest's own errors.  PostgREST lets functions raise it with
 * a JSON message to choose the whole response; pgrest raises it too, with
 * the error's entry kept beside it (see error.c).
 */
#define ERRCODE_PGREST	MAKE_SQLSTATE('P','G','R','S','T')

/*
 * Every error pgrest answers with by itself: each names its code (PGRSTnnn,
 * PostgREST's where PostgREST has one) and its HTTP status in error.c's
 * table.  A code may appear with two statuses (two entries).
 */
typedef enum PgrestError
{
	/* the request (PostgREST's group 1) */
	PGREST_ERR_PARSE,			/* PGRST100 400: a query parameter does not parse */
	PGREST_ERR_RPC_METHOD,		/* PGRST101 405 */
	PGREST_ERR_BODY,			/* PGRST102 400: invalid or empty body */
	PGREST_ERR_CONTENT_TYPE,	/* PGRST102 415: a Content-Type pgrest does not read */
	PGREST_ERR_RANGE,			/* PGRST103 416 */
	PGREST_ERR_PUT_FILTERS,		/* PGRST105 405 */
	PGREST_ERR_SCHEMA,			/* PGRST106 406 */
	PGREST_ERR_MEDIA,			/* PGRST107 406 */
	PGREST_ERR_NOT_EMBEDDED,	/* PGRST108 400 */
	PGREST_ERR_GUC_HEADERS,		/* PGRST111 500 */
	PGREST_ERR_GUC_STATUS,		/* PGRST112 500 */
	PGREST_ERR_PUT_RANGE,		/* PGRST114 400 */
	PGREST_ERR_PUT_KEY,			/* PGRST115 400 */
	PGREST_ERR_SINGULAR,		/* PGRST116 406 */
	PGREST_ERR_NO_ROW,			/* PGRST116 404: /<table>/<key> */
	PGREST_ERR_METHOD,			/* PGRST117 405 */
	PGREST_ERR_RELATED_ORDER,	/* PGRST118 400 */
	PGREST_ERR_RAISE,			/* PGRST121 500: RAISE SQLSTATE 'PGRST' unreadable */
	PGREST_ERR_PREFERENCE,		/* PGRST122 400 */
	PGREST_ERR_AGGREGATES,		/* PGRST123 400 */
	PGREST_ERR_MAX_AFFECTED,	/* PGRST124 400 */
	PGREST_ERR_PATH,			/* PGRST125 404 */
	PGREST_ERR_OPENAPI_OFF,		/* PGRST126 404 */
	PGREST_ERR_NOT_IMPLEMENTED, /* PGRST127 400 */
	PGREST_ERR_MAX_AFFECTED_RPC,	/* PGRST128 400 */
	/* the schema cache (group 2) */
	PGREST_ERR_NO_RELATIONSHIP, /* PGRST200 400 */
	PGREST_ERR_AMBIGUOUS_RELATIONSHIP,	/* PGRST201 300 */
	PGREST_ERR_NO_FUNCTION,		/* PGRST202 404 */
	PGREST_ERR_AMBIGUOUS_FUNCTION,	/* PGRST203 300 */
	PGREST_ERR_NO_COLUMN,		/* PGRST204 400 */
	PGREST_ERR_NO_TABLE,		/* PGRST205 404 */
	/* authentication (group 3) */
	PGREST_ERR_JWT_SECRET,		/* PGRST300 500 */
	PGREST_ERR_JWT,				/* PGRST301 401 */
	PGREST_ERR_ANONYMOUS,		/* PGRST302 401 */
	PGREST_ERR_JWT_CLAIMS,		/* PGRST303 401 */
	PGREST_ERR_NO_ROLE,			/* 22023 401: the token's role does not exist */
	/* pgrest's own (group 5) */
	PGREST_ERR_NOT_INSTALLED,	/* PGRST500 503 */
	PGREST_ERR_SUPERUSER,		/* PGRST501 503 */
	PGREST_ERR_BODY_TOO_LARGE,	/* PGRST502 413 */
	PGREST_ERR_NO_SINGLE_KEY,	/* PGRST503 400 */
	PGREST_ERR_SQL_STATEMENTS,	/* PGRST504 400 */
	PGREST_ERR_FRAMING,			/* PGRST505 400 */
	PGREST_ERR_TARGET_TOO_LONG, /* PGRST506 414 */
	PGREST_ERR_TOO_MANY_HEADERS,	/* PGRST507 431 */
	PGREST_ERR_REQUEST_TIMEOUT, /* PGRST508 408 */
	PGREST_ERR_BODY_MEMORY,		/* PGRST509 503 */
	PGREST_ERR_SQL_REFUSED,		/* PGRST510 400 */
	PGREST_ERR_SQL_TOO_LARGE,	/* PGRST511 400 */
	PGREST_ERR_ADMIN_BODY,		/* PGRST512 413: a body on the admin port */
	PGREST_ERR_LOGIN,			/* PGRST513 503: the workers cannot log in */
	/* realtime (PGRST52x) */
	PGREST_ERR_STREAM_QUERY,	/* PGRST520 400: order, limit, ... on a stream */
	PGREST_ERR_STREAM_TABLE,	/* PGRST521 400: the relation does not stream */
	PGREST_ERR_STREAM_UNAVAILABLE,	/* PGRST522 503: no realtime on this server */
	PGREST_ERR_STREAM_FULL,		/* PGRST523 503: subscriber caps reached */
	PGREST_ERR_STREAM_SNAPSHOT, /* PGRST524 400: the snapshot is too large */
	PGREST_ERR_COUNT
} PgrestError;

#endif							/* PGREST_BASE_TYPES_H */
