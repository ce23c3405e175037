/*-------------------------------------------------------------------------
 *
 * message.h
 *	  The HTTP messages both ends share: the request as received, the
 *	  response as it will be sent
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/message.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_MESSAGE_H
#define PGREST_MESSAGE_H

#include "nodes/pg_list.h"

struct PgrestStream;
struct PgrestSubscriber;

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

/* palloc'd in the request's memory context */
typedef struct PgrestResponse
{
	int			status;
	List	   *headers;		/* PgrestHeader *, in sending order */
	char	   *body;			/* NULL for none */
	size_t		body_len;
	bool		binary;			/* the body is bytes (a media type handler's) */
	struct PgrestStream *stream;	/* else the body, still being written */
	struct PgrestSubscriber *events;	/* else a stream of changes (realtime/) */
} PgrestResponse;

#define PGREST_JSON_CONTENT_TYPE "application/json; charset=utf-8"

/*
 * The statuses a function may choose (response.status, RAISE SQLSTATE
 * 'PGRST'): an informational status (1xx) cannot carry a response.
 */
#define PGREST_MIN_STATUS 200
#define PGREST_MAX_STATUS 599

/*
 * The most a response's headers may take ("Name: value\r\n" each), when
 * a function adds its own: libmicrohttpd writes them into the
 * connection's memory (PGREST_CONNECTION_MEMORY, http.c), beside the
 * request, and proxies in front commonly take 8 KiB.
 */
#define PGREST_MAX_HEADER_BYTES (8 * 1024)

extern PgrestResponse *pgrest_message_json(int status, char *body, size_t body_len);
extern void pgrest_message_add_header(PgrestResponse *resp, const char *name,
									  const char *value);
extern void pgrest_message_set_header(PgrestResponse *resp, const char *name,
									  const char *value);
extern void pgrest_message_remove_header(PgrestResponse *resp, const char *name);
extern const char *pgrest_message_header(const PgrestHttpRequest *http,
										  const char *name);

#endif							/* PGREST_MESSAGE_H */
