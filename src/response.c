/*-------------------------------------------------------------------------
 *
 * response.c
 *	  Shape a successful result into the HTTP response.
 *
 * Bodies arrive as the text PostgreSQL's JSON functions built; this file
 * only chooses the status and headers and converts the body to UTF-8 when
 * the database uses another encoding.
 *
 * This file never calls SPI and needs no transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "execute.h"
#include "plan.h"
#include "response.h"

/* The response to a request whose statement succeeded. */
PgrestResponse *
pgrest_response_build(const PgrestRequest *req, const PgrestPlan *plan,
					  const PgrestResult *result)
{
	PgrestResponse *resp;

	resp = pgrest_response_json(200, plan->with_body ? result->body : NULL);
	if (resp->body)
	{
		resp->body = pg_server_to_any(resp->body, result->body_len, PG_UTF8);
		resp->body_len = strlen(resp->body);
	}
	return resp;
}

/* A response with a JSON body (or none, if body is NULL). */
PgrestResponse *
pgrest_response_json(int status, char *body)
{
	PgrestResponse *resp = palloc0(sizeof(PgrestResponse));

	resp->status = status;
	resp->body = body;
	resp->body_len = body ? strlen(body) : 0;
	pgrest_response_add_header(resp, "Content-Type", PGREST_JSON_CONTENT_TYPE);
	return resp;
}

void
pgrest_response_add_header(PgrestResponse *resp, const char *name,
						   const char *value)
{
	PgrestHeader *header = palloc(sizeof(PgrestHeader));

	header->name = pstrdup(name);
	header->value = pstrdup(value);
	resp->headers = lappend(resp->headers, header);
}
