/*-------------------------------------------------------------------------
 *
 * response.c
 *	  Shape a successful result into the HTTP response: status,
 *	  Content-Type, Content-Range, Preference-Applied, Content-Profile.
 *
 * Bodies arrive as the text PostgreSQL's JSON functions built; this file
 * chooses status and headers and converts the body to UTF-8 when the
 * database uses another encoding.  Statuses follow PostgREST: 206 when a
 * count shows the page is partial, 416 when the offset is past the total.
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

#include "error.h"
#include "execute.h"
#include "plan.h"
#include "response.h"

static const char *content_type(const PgrestPlan *plan);
static char *content_range(const PgrestPlan *plan, const PgrestResult *result);
static const char *count_preference(PgrestPreferCount count);

/*
 * Refuse a result the request cannot take: a singular response needs
 * exactly one row (406 PGRST116, or 404 for /<table>/<key>).  Called
 * inside the transaction, so what a failing request did is rolled back.
 */
void
pgrest_response_check(const PgrestPlan *plan, const PgrestResult *result)
{
	if (plan->kind != PGREST_PLAN_READ || plan->media != PGREST_MEDIA_OBJECT ||
		result->rows == 1)
		return;
	pgrest_error_raise(plan->by_key && result->rows == 0 ? 404 : 406,
					   "PGRST116",
					   "Cannot coerce the result to a single JSON object",
					   psprintf("The result contains " INT64_FORMAT " rows", result->rows),
					   NULL);
}

/* The response to a request whose statement succeeded. */
PgrestResponse *
pgrest_response_build(const PgrestRequest *req, const PgrestPlan *plan,
					  const PgrestResult *result)
{
	PgrestResponse *resp;
	char	   *body = NULL;

	if (plan->with_body && result->body)
		body = pg_server_to_any(result->body, result->body_len, PG_UTF8);

	if (plan->kind == PGREST_PLAN_READ && result->total >= 0 &&
		plan->offset > result->total)
		return pgrest_error_build(416, "PGRST103", "Requested range not satisfiable",
								  psprintf("An offset of " INT64_FORMAT " was requested, but there are only " INT64_FORMAT " rows.",
										   plan->offset, result->total),
								  NULL);

	resp = pgrest_response_json(200, body);
	if (plan->kind != PGREST_PLAN_READ)
		return resp;

	((PgrestHeader *) linitial(resp->headers))->value = content_type(plan);
	pgrest_response_add_header(resp, "Content-Range", content_range(plan, result));
	if (result->total >= 0 && result->rows < result->total)
		resp->status = 206;
	if (plan->count != PGREST_COUNT_NONE)
		pgrest_response_add_header(resp, "Preference-Applied",
								   count_preference(plan->count));
	if (plan->profile_given)
		pgrest_response_add_header(resp, "Content-Profile", plan->schema);
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

static const char *
content_type(const PgrestPlan *plan)
{
	switch (plan->media)
	{
		case PGREST_MEDIA_CSV:
			return "text/csv; charset=utf-8";
		case PGREST_MEDIA_OBJECT:
			return plan->strip_nulls ?
				"application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8" :
				"application/vnd.pgrst.object+json; charset=utf-8";
		case PGREST_MEDIA_JSON:
			break;
	}
	return plan->strip_nulls ?
		"application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8" :
		PGREST_JSON_CONTENT_TYPE;
}

/* "first-last/total": "*" for an empty page or an unknown total */
static char *
content_range(const PgrestPlan *plan, const PgrestResult *result)
{
	int64		lower = plan->offset;
	int64		upper = lower + result->rows - 1;
	char	   *range;

	if (result->total != 0 && lower <= upper)
		range = psprintf(INT64_FORMAT "-" INT64_FORMAT, lower, upper);
	else
		range = "*";
	if (result->total < 0)
		return psprintf("%s/*", range);
	return psprintf("%s/" INT64_FORMAT, range, result->total);
}

static const char *
count_preference(PgrestPreferCount count)
{
	switch (count)
	{
		case PGREST_COUNT_EXACT:
			return "count=exact";
		case PGREST_COUNT_PLANNED:
			return "count=planned";
		case PGREST_COUNT_ESTIMATED:
			return "count=estimated";
		case PGREST_COUNT_NONE:
			break;
	}
	return "";
}
