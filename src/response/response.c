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
 * It runs inside the request's transaction (so that an error here rolls
 * back what the request wrote), and runs no SQL (response/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/response.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "response/layer.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "base/encoding.h"
#include "base/error.h"
#include "run/execute.h"
#include "server/guc.h"
#include "base/jsonparse.h"
#include "plan/plan.h"
#include "response/response.h"

/* the methods a CORS preflight may ask for, as PostgREST lists them */
#define CORS_METHODS "GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD"

static const char *content_type(const PgrestPlan *plan);
static PgrestResponse *explain_response(const PgrestRequest *req, const PgrestPlan *plan,
										const PgrestResult *result);
static char *content_range(const PgrestPlan *plan, const PgrestResult *result);
static char *total_range(const PgrestResult *result);
static char *content_location(const PgrestRequest *req);
static int	compare_param_names(const ListCell *a, const ListCell *b);
static char *preference_applied(const PgrestRequest *req, const PgrestPlan *plan);
static bool origin_allowed(const char *origin);
static bool cors_origin(const char *origin);
static void add_cors_origin(PgrestResponse *resp, const char *origin);
static bool list_has(const char *list, const char *word, bool caseless);
static char *trim_spaces(char *s);
static void append_preference(StringInfo buf, const char *preference);
static char *location(const PgrestPlan *plan, const char *keys_json);
static void apply_settings(PgrestResponse *resp, const PgrestResult *result);

/*
 * The plan of the request's statement, for Accept:
 * application/vnd.pgrst.plan, typed as PostgREST types it: the format,
 * the media type it was the plan for, and the options.
 */
static PgrestResponse *
explain_response(const PgrestRequest *req, const PgrestPlan *plan,
				 const PgrestResult *result)
{
	static const char *const options[] = {"analyze", "verbose", "settings", "buffers", "wal"};
	PgrestResponse *resp;
	StringInfoData type;
	const char *media = "application/json";
	int			n = 0;

	resp = pgrest_message_json(200, pg_server_to_any(result->body, result->body_len, PG_UTF8),
								0);
	resp->body_len = strlen(resp->body);
	switch (plan->media)
	{
		case PGREST_MEDIA_CSV:
			media = "text/csv";
			break;
		case PGREST_MEDIA_OBJECT:
			media = "application/vnd.pgrst.object+json";
			break;
		case PGREST_MEDIA_GEOJSON:
			media = "application/geo+json";
			break;
		case PGREST_MEDIA_HANDLER:
			media = plan->media_name;
			break;
		default:
			break;
	}
	initStringInfo(&type);
	appendStringInfo(&type, "application/vnd.pgrst.plan+%s; for=\"%s\"",
					 plan->explain == PGREST_EXPLAIN_JSON ? "json" : "text", media);
	for (int i = 0; i < (int) lengthof(options); i++)
	{
		if (plan->explain_options & (1 << i))
			appendStringInfo(&type, "%s%s", n++ == 0 ? "; options=" : "|", options[i]);
	}
	appendStringInfoString(&type, "; charset=utf-8");
	pgrest_message_set_header(resp, "Content-Type", type.data);
	pgrest_response_add_profile(resp, plan);
	if (req->method == PGREST_METHOD_HEAD)
	{
		resp->body = NULL;
		resp->body_len = 0;
	}
	return resp;
}

/*
 * Refuse a result the request cannot take, inside the transaction, so that
 * what the request wrote is rolled back: a singular response needs exactly
 * one row (406 PGRST116, or 404 for /<table>/<key>), and so does a write
 * that asked for one, whatever it returns (as PostgREST: a write of any
 * other number of rows leaves nothing behind); PUT must find its key in
 * the body; Prefer: max-affected caps the rows a write touches.
 */
void
pgrest_response_check(const PgrestPlan *plan, const PgrestResult *result)
{
	bool		singular = plan->media == PGREST_MEDIA_OBJECT;

	if (plan->kind == PGREST_PLAN_OPENAPI || plan->kind == PGREST_PLAN_SQL ||
		plan->explain != PGREST_EXPLAIN_NONE)
		return;
	if (plan->kind == PGREST_PLAN_PUT && result->rows != 1)
		pgrest_error_raise(PGREST_ERR_PUT_KEY,
						   "Payload values do not match URL in primary key column(s)",
						   NULL, NULL);
	if (plan->by_key && (result->rows == 0 ||
						 (plan->kind == PGREST_PLAN_PUT && result->inserted > 0)))
		pgrest_error_raise(PGREST_ERR_NO_ROW,
						   "Cannot coerce the result to a single JSON object",
						   "The result contains 0 rows", NULL);
	if (plan->max_affected >= 0 && result->rows > plan->max_affected)
		pgrest_error_raise(PGREST_ERR_MAX_AFFECTED,
						   "Query result exceeds max-affected preference constraint",
						   psprintf("The query affects " INT64_FORMAT " rows", result->rows),
						   NULL);
	if (singular && result->rows != 1)
		pgrest_error_raise(PGREST_ERR_SINGULAR,
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
	size_t		body_len = 0;
	char	   *applied;

	if (plan->explain != PGREST_EXPLAIN_NONE)
		return explain_response(req, plan, result);

	/*
	 * The body as the statement made it, unless the database is not UTF-8
	 * (a handler's binary body is sent as it is)
	 */
	if (plan->with_body && result->body && plan->raw_body)
	{
		body = result->body;
		body_len = result->body_len;
	}
	else if (plan->with_body && result->body)
	{
		body = pg_server_to_any(result->body, result->body_len, PG_UTF8);
		body_len = body == result->body ? result->body_len : strlen(body);
	}

	if ((plan->kind == PGREST_PLAN_READ || plan->kind == PGREST_PLAN_CALL) &&
		result->total >= 0 && plan->read->offset > result->total)
		pgrest_error_raise_range(result->total,
								 psprintf("An offset of " INT64_FORMAT " was requested, but there are only " INT64_FORMAT " rows.",
										  plan->read->offset, result->total));

	resp = pgrest_message_json(200, body, body_len);
	resp->binary = plan->raw_body;
	resp->stream = result->stream;
	if (plan->kind == PGREST_PLAN_OPENAPI || plan->kind == PGREST_PLAN_SQL)
		return resp;

	pgrest_message_set_header(resp, "Content-Type", content_type(plan));
	switch (plan->kind)
	{
		case PGREST_PLAN_CALL:
			if (plan->call.routine->returns_void)
			{
				resp->status = 204;
				break;
			}
			/* FALLTHROUGH */
		case PGREST_PLAN_READ:
			pgrest_message_add_header(resp, "Content-Range", content_range(plan, result));
			if (result->total >= 0 && result->rows >= 0 && result->rows < result->total)
				resp->status = 206;
			if (plan->kind == PGREST_PLAN_READ)
			{
				char	   *where = content_location(req);

				/* a long query's would not fit the response's headers */
				if (strlen(where) <= PGREST_MAX_HEADER_BYTES / 8)
					pgrest_message_add_header(resp, "Content-Location", where);
			}
			break;
		case PGREST_PLAN_INSERT:
			/* an upsert that added no row (none, or all merged) is 200 */
			resp->status = plan->mutate.resolution == PGREST_RESOLUTION_MERGE &&
				(plan->mutate.columns == NIL ? result->rows == 0 : result->inserted == 0) ?
				200 : 201;
			pgrest_message_add_header(resp, "Content-Range", total_range(result));
			if (plan->mutate.return_ == PGREST_RETURN_HEADERS_ONLY && result->body)
				pgrest_message_add_header(resp, "Location",
										   location(plan, result->body));
			break;
		case PGREST_PLAN_UPDATE:
			resp->status = plan->mutate.return_ == PGREST_RETURN_REPRESENTATION ? 200 : 204;
			pgrest_message_add_header(resp, "Content-Range", content_range(plan, result));
			break;
		case PGREST_PLAN_DELETE:
			resp->status = plan->mutate.return_ == PGREST_RETURN_REPRESENTATION ? 200 : 204;
			pgrest_message_add_header(resp, "Content-Range", total_range(result));
			break;
		case PGREST_PLAN_PUT:
			resp->status = plan->mutate.return_ != PGREST_RETURN_REPRESENTATION ? 204 :
				result->inserted > 0 ? 201 : 200;
			break;
		case PGREST_PLAN_OPENAPI:
		case PGREST_PLAN_SQL:
		case PGREST_PLAN_INFO:
		case PGREST_PLAN_SUBSCRIBE: /* realtime/ answers streams */
			break;
	}
	/* no body, no Content-Type; but HEAD answers with GET's headers */
	if (resp->body == NULL && resp->stream == NULL &&
		!(plan->kind == PGREST_PLAN_READ ||
		  (plan->kind == PGREST_PLAN_CALL && !plan->call.routine->returns_void)))
		pgrest_message_remove_header(resp, "Content-Type");
	else
		pgrest_response_add_profile(resp, plan);

	applied = preference_applied(req, plan);
	if (applied[0] != '\0')
		pgrest_message_add_header(resp, "Preference-Applied", applied);
	apply_settings(resp, result);
	return resp;
}

/*
 * Content-Profile, beside the Content-Type of a response with a body (or
 * of HEAD), as PostgREST sends it: when a profile header chose the
 * schema, or more than one is exposed.
 */
void
pgrest_response_add_profile(PgrestResponse *resp, const PgrestPlan *plan)
{
	if (plan->profile_named)
		pgrest_message_add_header(resp, "Content-Profile",
								   pgrest_encoding_to_utf8(plan->schema));
}

/*
 * response.status and response.headers, as the request's SQL set them
 * (PostgREST's way for a function to choose its status and add headers):
 * the status is a number from 200 to 599 (PGRST112 otherwise), the
 * headers a JSON array of objects of one key each with a string value,
 * together within PGREST_MAX_HEADER_BYTES (PGRST111 otherwise), and each
 * replaces pgrest's header of its name.  Raised here, inside the
 * transaction, such errors roll back what the request wrote.
 */
static void
apply_settings(PgrestResponse *resp, const PgrestResult *result)
{
	if (result->guc_status)
	{
		const char *p = result->guc_status;
		int			status = 0;

		/* the leading digits, as PostgREST reads them */
		while (*p >= '0' && *p <= '9' && status < 1000)
			status = status * 10 + (*p++ - '0');
		if (p == result->guc_status || status < PGREST_MIN_STATUS || status > PGREST_MAX_STATUS)
			pgrest_error_raise(PGREST_ERR_GUC_STATUS, NULL, NULL, NULL);
		resp->status = status;
	}
	if (result->guc_headers)
	{
		PgrestJson *array = pgrest_json_read(result->guc_headers,
											 strlen(result->guc_headers),
											 PGREST_JSON_MAX_DEPTH);
		List	   *headers = NIL;

		if (array == NULL || array->kind != PGREST_JSON_ARRAY)
			pgrest_error_raise(PGREST_ERR_GUC_HEADERS, NULL, NULL, NULL);
		for (int i = 0; i < array->count; i++)
		{
			if (array->items[i]->kind != PGREST_JSON_OBJECT ||
				array->items[i]->count != 1 ||
				!pgrest_response_json_headers(array->items[i], &headers))
				pgrest_error_raise(PGREST_ERR_GUC_HEADERS, NULL, NULL, NULL);
		}
		if (!pgrest_response_override_headers(resp, headers))
			pgrest_error_raise(PGREST_ERR_GUC_HEADERS, NULL,
							   psprintf("The response's headers would take more than %d bytes.",
										PGREST_MAX_HEADER_BYTES),
							   NULL);
	}
}

/*
 * Append the headers of a JSON object of strings ({"Name": "value", ...})
 * to *headers, in its order, as PgrestHeader *.  False when a value is
 * not a string, a name is not an HTTP token or names a header the HTTP
 * layer owns (Content-Length, Transfer-Encoding, Connection), or a value
 * holds a control character (a header must not split the response).
 */
bool
pgrest_response_json_headers(const PgrestJson *object, List **headers)
{
	if (object == NULL || object->kind != PGREST_JSON_OBJECT)
		return false;
	for (int i = 0; i < object->count; i++)
	{
		const char *name = object->keys[i];
		const PgrestJson *value = object->items[i];
		PgrestHeader *header;

		if (!pgrest_request_is_token(name) ||
			pg_strcasecmp(name, "Content-Length") == 0 ||
			pg_strcasecmp(name, "Transfer-Encoding") == 0 ||
			pg_strcasecmp(name, "Connection") == 0 ||
			value->kind != PGREST_JSON_STRING)
			return false;
		for (int c = 0; c < value->len; c++)
		{
			if ((unsigned char) value->text[c] < 0x20 && value->text[c] != '\t')
				return false;
		}
		header = palloc(sizeof(PgrestHeader));
		header->name = name;
		header->value = pgrest_encoding_to_utf8(value->text);
		*headers = lappend(*headers, header);
	}
	return true;
}

/*
 * Send headers (PgrestHeader *, from the request's own code) with the
 * response, as PostgREST does: each replaces pgrest's own headers of its
 * name, and all of them are sent, in their order, after pgrest's.  False,
 * changing nothing, when the response's headers would then take more than
 * PGREST_MAX_HEADER_BYTES.  Linear in the headers added: pgrest's own are
 * a handful.
 */
bool
pgrest_response_override_headers(PgrestResponse *resp, List *headers)
{
	List	   *kept = NIL;
	size_t		size = 0;
	ListCell   *lc;

	foreach(lc, resp->headers)
	{
		PgrestHeader *own = (PgrestHeader *) lfirst(lc);
		bool		replaced = false;
		ListCell   *lu;

		foreach(lu, headers)
		{
			if (pg_strcasecmp(own->name, ((PgrestHeader *) lfirst(lu))->name) == 0)
			{
				replaced = true;
				break;
			}
		}
		if (!replaced)
			kept = lappend(kept, own);
	}
	kept = list_concat(kept, headers);
	foreach(lc, kept)
	{
		PgrestHeader *header = (PgrestHeader *) lfirst(lc);

		/* "Name: value\r\n" */
		size += strlen(header->name) + strlen(header->value) + 4;
		if (size > PGREST_MAX_HEADER_BYTES)
			return false;
	}
	resp->headers = kept;
	return true;
}

/*
 * OPTIONS that is no CORS preflight: the methods the path takes (the
 * plan says which), with Access-Control-Allow-Origin: * as PostgREST
 * sends it, except to an Origin that pgrest.cors_allowed_origins leaves
 * out.
 */
PgrestResponse *
pgrest_response_info(const struct PgrestPlan *plan, const PgrestHttpRequest *http)
{
	PgrestResponse *resp = palloc0(sizeof(PgrestResponse));
	const char *origin = pgrest_message_header(http, "origin");

	resp->status = 200;
	if (origin == NULL || strcmp(pgrest_cors_allowed_origins, "*") == 0 ||
		origin_allowed(origin))
		pgrest_message_add_header(resp, "Access-Control-Allow-Origin", "*");
	pgrest_message_add_header(resp, "Allow", plan->allow);
	return resp;
}

/*
 * A CORS preflight (OPTIONS naming its Origin, allowed by
 * pgrest.cors_allowed_origins, and a method it may use) is answered
 * before anything else, whatever the path, as PostgREST's CORS layer
 * answers it: the methods, the headers asked for after Authorization and
 * before the simple request headers, a day's Max-Age.  NULL when the
 * request is not one: it goes on as any OPTIONS.
 */
PgrestResponse *
pgrest_response_preflight(const PgrestHttpRequest *http)
{
	static const char *const simple[] = {"Accept", "Accept-Language", "Content-Language"};
	const char *origin = pgrest_message_header(http, "origin");
	const char *method = pgrest_message_header(http, "access-control-request-method");
	const char *asked = pgrest_message_header(http, "access-control-request-headers");
	PgrestResponse *resp;

	if (http->method == NULL || strcmp(http->method, "OPTIONS") != 0 ||
		origin == NULL || method == NULL || !cors_origin(origin) ||
		!list_has(CORS_METHODS, method, false))
		return NULL;

	resp = palloc0(sizeof(PgrestResponse));
	resp->status = 200;
	add_cors_origin(resp, origin);
	pgrest_message_add_header(resp, "Access-Control-Allow-Methods", CORS_METHODS);
	if (asked != NULL)
	{
		StringInfoData allow;
		char	   *copy = pstrdup(asked);
		char	   *item = copy;

		initStringInfo(&allow);
		appendStringInfoString(&allow, "Authorization");
		for (;;)
		{
			char	   *comma = strchr(item, ',');

			if (comma)
				*comma = '\0';
			appendStringInfo(&allow, ", %s", trim_spaces(item));
			if (comma == NULL)
				break;
			item = comma + 1;
		}
		for (int i = 0; i < (int) lengthof(simple); i++)
			if (!list_has(allow.data, simple[i], true))
				appendStringInfo(&allow, ", %s", simple[i]);
		pgrest_message_add_header(resp, "Access-Control-Allow-Headers", allow.data);
	}
	pgrest_message_add_header(resp, "Access-Control-Max-Age", "86400");
	return resp;
}

/*
 * CORS: a request (not OPTIONS) that names an Origin allowed by
 * pgrest.cors_allowed_origins ("*", or a comma-separated list the origin
 * must be on) gets Access-Control-Allow-Origin, and the headers PostgREST
 * exposes.  Added to every response, errors included.
 */
void
pgrest_response_cors(PgrestResponse *resp, const PgrestHttpRequest *http)
{
	const char *origin = pgrest_message_header(http, "origin");

	if (origin == NULL || !cors_origin(origin) ||
		(http->method != NULL && strcmp(http->method, "OPTIONS") == 0))
		return;
	add_cors_origin(resp, origin);
	pgrest_message_add_header(resp, "Access-Control-Expose-Headers",
							   "Content-Encoding, Content-Location, Content-Range, Content-Type, "
							   "Date, Location, Server, Transfer-Encoding, Range-Unit");
}

/* may this origin have CORS headers? */
static bool
cors_origin(const char *origin)
{
	return strcmp(pgrest_cors_allowed_origins, "*") == 0 || origin_allowed(origin);
}

/*
 * The origin's Access-Control-Allow-Origin: "*" for any, else the origin
 * itself with credentials allowed (and Vary: Origin, for caches).
 */
static void
add_cors_origin(PgrestResponse *resp, const char *origin)
{
	bool		any = strcmp(pgrest_cors_allowed_origins, "*") == 0;

	pgrest_message_add_header(resp, "Access-Control-Allow-Origin", any ? "*" : origin);
	if (!any)
	{
		pgrest_message_add_header(resp, "Access-Control-Allow-Credentials", "true");
		pgrest_message_add_header(resp, "Vary", "Origin");
	}
}

/* is word an item of the comma-separated list (items trimmed)? */
static bool
list_has(const char *list, const char *word, bool caseless)
{
	char	   *copy = pstrdup(list);
	char	   *save;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
	{
		item = trim_spaces(item);
		if (caseless ? pg_strcasecmp(item, word) == 0 : strcmp(item, word) == 0)
			return true;
	}
	return false;
}

/* s without its leading and trailing white space (s is changed) */
static char *
trim_spaces(char *s)
{
	size_t		n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* is origin on the comma-separated pgrest.cors_allowed_origins? */
static bool
origin_allowed(const char *origin)
{
	return list_has(pgrest_cors_allowed_origins, origin, false);
}

static const char *
content_type(const PgrestPlan *plan)
{
	switch (plan->media)
	{
		case PGREST_MEDIA_HANDLER:
			return plan->media_type;
		case PGREST_MEDIA_CSV:
			return "text/csv; charset=utf-8";
		case PGREST_MEDIA_GEOJSON:
			return "application/geo+json; charset=utf-8";
		case PGREST_MEDIA_NDJSON:
			return "application/x-ndjson; charset=utf-8";
		case PGREST_MEDIA_OBJECT:
			return plan->strip_nulls ?
				"application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8" :
				"application/vnd.pgrst.object+json; charset=utf-8";
		case PGREST_MEDIA_JSON:
		case PGREST_MEDIA_OPENAPI:	/* the root only (openapi.c) */
		case PGREST_MEDIA_HTML:
		case PGREST_MEDIA_EVENT_STREAM: /* streams (realtime/) */
			break;
	}
	return plan->strip_nulls ?
		"application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8" :
		PGREST_JSON_CONTENT_TYPE;
}

/*
 * "first-last/total": "*" for an empty page or an unknown total; a
 * streamed body's last row is not known when the header goes out, unless
 * the total was counted: "first-*".
 */
static char *
content_range(const PgrestPlan *plan, const PgrestResult *result)
{
	int64		lower = plan->read->offset;
	int64		upper = lower + result->rows - 1;
	char	   *range;

	if (result->rows < 0)
		range = psprintf(INT64_FORMAT "-*", lower);
	else if (result->total != 0 && lower <= upper)
		range = psprintf(INT64_FORMAT "-" INT64_FORMAT, lower, upper);
	else
		range = "*";
	if (result->total < 0)
		return psprintf("%s/*", range);
	return psprintf("%s/" INT64_FORMAT, range, result->total);
}

/*
 * Content-Location of a read, as PostgREST writes it: the path, then the
 * query's parameters sorted by name (a name given more than once: its
 * values joined by commas), each part URL-encoded.  (Left out when over an
 * eighth of PGREST_MAX_HEADER_BYTES: libmicrohttpd writes the headers into
 * the connection's memory, beside the request.)
 */
static char *
content_location(const PgrestRequest *req)
{
	StringInfoData buf;
	List	   *params = list_copy(req->params);
	ListCell   *lc;
	const char *previous = NULL;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '/');
	pgrest_response_append_url_encoded(&buf, req->name);
	if (req->key != NULL)
	{
		appendStringInfoChar(&buf, '/');
		pgrest_response_append_url_encoded(&buf, req->key);
	}
	list_sort(params, compare_param_names);
	foreach(lc, params)
	{
		PgrestParam *param = (PgrestParam *) lfirst(lc);

		if (previous != NULL && strcmp(previous, param->name) == 0)
			appendStringInfoChar(&buf, ',');
		else
		{
			appendStringInfoChar(&buf, previous == NULL ? '?' : '&');
			pgrest_response_append_url_encoded(&buf, param->name);
			appendStringInfoChar(&buf, '=');
		}
		pgrest_response_append_url_encoded(&buf, param->value ? param->value : "");
		previous = param->name;
	}
	return buf.data;
}

/* by name; list_sort is stable, so a name's values keep their order */
static int
compare_param_names(const ListCell *a, const ListCell *b)
{
	return strcmp(((PgrestParam *) lfirst(a))->name, ((PgrestParam *) lfirst(b))->name);
}

/*
 * Vary, on a successful response, as PostgREST sends it: what it depends
 * on besides the URL (unless the request's SQL chose a Vary itself).
 */
void
pgrest_response_vary(PgrestResponse *resp)
{
	ListCell   *lc;

	foreach(lc, resp->headers)
	{
		if (pg_strcasecmp(((PgrestHeader *) lfirst(lc))->name, "Vary") == 0)
			return;
	}
	pgrest_message_add_header(resp, "Vary", "Accept, Prefer, Range");
}

/* "* / total" (or "* / *"): the Content-Range of an insert or a delete */
static char *
total_range(const PgrestResult *result)
{
	return result->total >= 0 ? psprintf("*/" INT64_FORMAT, result->total) : "*/*";
}

/*
 * The preferences the response honoured, in PostgREST's order:
 * resolution, missing, return, count, tx, handling, timezone, max-affected.
 */
static char *
preference_applied(const PgrestRequest *req, const PgrestPlan *plan)
{
	StringInfoData buf;
	const PgrestPreferences *prefer = &req->prefer;
	bool		write = plan->kind != PGREST_PLAN_READ && plan->kind != PGREST_PLAN_CALL;

	initStringInfo(&buf);
	if (plan->kind == PGREST_PLAN_INSERT && plan->mutate.resolution != PGREST_RESOLUTION_NONE)
		append_preference(&buf, prefer->resolution == PGREST_RESOLUTION_MERGE ?
						  "resolution=merge-duplicates" : "resolution=ignore-duplicates");
	if (write && prefer->missing != PGREST_MISSING_NONE)
		append_preference(&buf, prefer->missing == PGREST_MISSING_DEFAULT ?
						  "missing=default" : "missing=null");
	if (write && prefer->return_ != PGREST_RETURN_DEFAULT)
		append_preference(&buf, prefer->return_ == PGREST_RETURN_MINIMAL ? "return=minimal" :
						  prefer->return_ == PGREST_RETURN_HEADERS_ONLY ? "return=headers-only" :
						  "return=representation");
	if (prefer->count != PGREST_COUNT_NONE)
		append_preference(&buf, prefer->count == PGREST_COUNT_EXACT ? "count=exact" :
						  prefer->count == PGREST_COUNT_PLANNED ? "count=planned" :
						  "count=estimated");
	if (plan->tx_applied)
		append_preference(&buf, plan->rollback ? "tx=rollback" : "tx=commit");
	if (prefer->handling_given)
		append_preference(&buf, prefer->strict ? "handling=strict" : "handling=lenient");
	if (prefer->timezone != NULL)
		append_preference(&buf, psprintf("timezone=%s", prefer->timezone));
	if (plan->max_affected >= 0)
		append_preference(&buf, psprintf("max-affected=" INT64_FORMAT, plan->max_affected));
	return buf.data;
}

static void
append_preference(StringInfo buf, const char *preference)
{
	if (buf->len > 0)
		appendStringInfoString(buf, ", ");
	appendStringInfoString(buf, preference);
}

/*
 * Location of the first row written: /<table>?<key>=eq.<value>&..., from
 * the JSON array of key values (in primary-key order) the statement
 * returned; as PostgREST writes it, the key columns in the relation's
 * order, and a NULL (a view's key may hold one) as is.null.
 */
static char *
location(const PgrestPlan *plan, const char *keys_json)
{
	const PgrestRelation *rel = plan->rel;
	Jsonb	   *keys = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
														  CStringGetDatum(keys_json)));
	StringInfoData buf;
	int			n = 0;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '/');
	pgrest_response_append_url_encoded(&buf, rel->name);
	for (int c = 0; c < rel->ncolumns; c++)
	{
		for (int k = 0; k < rel->npkey; k++)
		{
			JsonbValue *v;

			if (rel->pkey[k] != c ||
				(v = getIthJsonbValueFromContainer(&keys->root, k)) == NULL)
				continue;
			appendStringInfoChar(&buf, n++ == 0 ? '?' : '&');
			pgrest_response_append_url_encoded(&buf, rel->columns[c].name);
			if (v->type == jbvString)
			{
				appendStringInfoString(&buf, "=eq.");
				pgrest_response_append_url_encoded(&buf,
												   pnstrdup(v->val.string.val,
															v->val.string.len));
			}
			else
				appendStringInfoString(&buf, "=is.null");
		}
	}
	return buf.data;
}

/*
 * Append s (in the database encoding) URL-encoded as UTF-8 (RFC 3986):
 * unreserved characters as they are, the rest as %XX.
 */
void
pgrest_response_append_url_encoded(StringInfo buf, const char *s)
{
	for (s = pgrest_encoding_to_utf8(s); *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			appendStringInfoChar(buf, c);
		else
			appendStringInfo(buf, "%%%02X", c);
	}
}
