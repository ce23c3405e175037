/*-------------------------------------------------------------------------
 *
 * response.h
 *	  The HTTP response the pipeline produces
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RESPONSE_H
#define PGREST_RESPONSE_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "request.h"

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
extern bool pgrest_response_add_json_headers(PgrestResponse *resp,
											 JsonbContainer *object, bool replace);

#endif							/* PGREST_RESPONSE_H */
