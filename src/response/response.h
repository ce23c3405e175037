/*-------------------------------------------------------------------------
 *
 * response.h
 *	  The HTTP response the pipeline produces
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/response.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RESPONSE_H
#define PGREST_RESPONSE_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "api/request.h"

struct PgrestJson;
struct PgrestPlan;
struct PgrestResult;
struct PgrestStream;

/* palloc'd in the request's memory context */
typedef struct PgrestResponse
{
	int			status;
	List	   *headers;		/* PgrestHeader *, in sending order */
	char	   *body;			/* NULL for none */
	size_t		body_len;
	struct PgrestStream *stream;	/* else the body, still being written */
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

extern PgrestResponse *pgrest_response_build(const PgrestRequest *req,
											 const struct PgrestPlan *plan,
											 const struct PgrestResult *result);
extern void pgrest_response_check(const struct PgrestPlan *plan,
								  const struct PgrestResult *result);
extern PgrestResponse *pgrest_response_options(PgrestTarget target);
extern void pgrest_response_cors(PgrestResponse *resp,
								 const PgrestHttpRequest *http);
extern PgrestResponse *pgrest_response_json(int status, char *body,
											 size_t body_len);
extern void pgrest_response_add_header(PgrestResponse *resp,
									   const char *name, const char *value);
extern void pgrest_response_append_url_encoded(StringInfo buf, const char *s);
extern bool pgrest_response_json_headers(const struct PgrestJson *object,
										 List **headers);
extern bool pgrest_response_override_headers(PgrestResponse *resp,
											 List *headers);

#endif							/* PGREST_RESPONSE_H */
