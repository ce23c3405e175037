/*-------------------------------------------------------------------------
 *
 * types.h
 *	  What running a statement gives back
 *
 * A statement's result, the body still being written (stream.c), a
 * prepared statement (statement.c), the work done in a transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RUN_TYPES_H
#define PGREST_RUN_TYPES_H

/* the row a statement returned, copied out of SPI */
typedef struct PgrestResult
{
	int64		total;			/* rows the request matched; -1: not counted */
	int64		rows;			/* -1: not known yet (a stream) */
	char	   *body;
	size_t		body_len;
	int64		inserted;		/* upserts: rows that were new; -1: unknown */
	char	   *guc_status;		/* response.status as the statement left it */
	char	   *guc_headers;	/* response.headers; NULL if unset or empty */
	struct PgrestStream *stream;	/* the body, still being written */
} PgrestResult;

/* the work done inside a request's transaction */
typedef void (*PgrestTransactionBody) (void *arg);

typedef struct PgrestStream PgrestStream;

/* how a body written row by row may reach the client */
typedef enum PgrestStreamMode
{
	PGREST_STREAM_WHOLE,		/* whole, in memory (pgrest.handle()) */
	PGREST_STREAM_CHUNKED,		/* sent while written, before the commit */
	PGREST_STREAM_SPOOLED		/* written whole before the response; past
								 * the threshold, into a temporary file */
} PgrestStreamMode;


#endif							/* PGREST_RUN_TYPES_H */
