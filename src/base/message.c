/*-------------------------------------------------------------------------
 *
 * message.c
 *	  Making a response and editing its headers, by name.
 *
 * Every layer that answers (the pipeline, its errors, the admin port)
 * builds a PgrestResponse with these; headers are found and replaced by
 * their name, in any case, never by their position in the list.
 *
 * This file allocates in the current memory context and does nothing
 * else: no SPI, no transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/message.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/layer.h"

#include "base/message.h"

/* A response with a JSON body of body_len bytes (or none, if body is NULL). */
PgrestResponse *
pgrest_message_json(int status, char *body, size_t body_len)
{
	PgrestResponse *resp = palloc0(sizeof(PgrestResponse));

	resp->status = status;
	resp->body = body;
	resp->body_len = body ? body_len : 0;
	pgrest_message_add_header(resp, "Content-Type", PGREST_JSON_CONTENT_TYPE);
	return resp;
}

/* Append a header (copied), after those already there. */
void
pgrest_message_add_header(PgrestResponse *resp, const char *name,
						  const char *value)
{
	PgrestHeader *header = palloc(sizeof(PgrestHeader));

	header->name = pstrdup(name);
	header->value = pstrdup(value);
	resp->headers = lappend(resp->headers, header);
}

/*
 * Give the header called name this value: the first of that name keeps
 * its place, any other goes; appended when there is none.
 */
void
pgrest_message_set_header(PgrestResponse *resp, const char *name,
						  const char *value)
{
	bool		found = false;
	ListCell   *lc;

	foreach(lc, resp->headers)
	{
		PgrestHeader *header = (PgrestHeader *) lfirst(lc);

		if (pg_strcasecmp(header->name, name) != 0)
			continue;
		if (found)
			resp->headers = foreach_delete_current(resp->headers, lc);
		else
			header->value = pstrdup(value);
		found = true;
	}
	if (!found)
		pgrest_message_add_header(resp, name, value);
}

/* Drop every header called name. */
void
pgrest_message_remove_header(PgrestResponse *resp, const char *name)
{
	ListCell   *lc;

	foreach(lc, resp->headers)
	{
		if (pg_strcasecmp(((PgrestHeader *) lfirst(lc))->name, name) == 0)
			resp->headers = foreach_delete_current(resp->headers, lc);
	}
}

/* The value of the request's first header called name, or NULL. */
const char *
pgrest_message_header(const PgrestHttpRequest *http, const char *name)
{
	for (int i = 0; i < http->nheaders; i++)
	{
		if (pg_strcasecmp(http->headers[i].name, name) == 0)
			return http->headers[i].value;
	}
	return NULL;
}
