/*-------------------------------------------------------------------------
 *
 * error.c
 *	  pgrest's own errors: the one table of their codes, statuses and
 *	  default wording, and raising them.
 *
 * Every error pgrest answers with by itself is an entry of this table:
 * its code (PostgREST's PGRSTnnn where PostgREST has one, PGRST5nn for
 * pgrest's own), its HTTP status, and the message, details and hint it
 * says unless the caller says more.  Stages raise an entry; failure.c
 * turns whatever ended a request into its response.  No stage passes a
 * status or a code string of its own.
 *
 * A raised error is an ordinary ERROR with SQLSTATE "PGRST"; which entry
 * it is travels beside it, in the request's state (state.h), set just
 * before the ereport and read (then cleared) when the response is made.
 * An error with SQLSTATE "PGRST" but none pending was raised by user code.
 *
 * This file runs no SQL and reads no catalog; its table is plain
 * data, so the HTTP layer reads the bodies it sends by itself (413, 414,
 * 431, 408, ...) from it too, formatted once at start (pgrest_error_json).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/error.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/layer.h"

#include "lib/stringinfo.h"
#include "utils/json.h"

#include "base/error.h"
#include "base/state.h"

typedef struct ErrorEntry
{
	const char *code;
	int			status;
	const char *message;		/* NULL: the caller always says it */
	const char *details;
	const char *hint;
} ErrorEntry;

static const ErrorEntry errors[PGREST_ERR_COUNT] = {
	[PGREST_ERR_PARSE] = {"PGRST100", 400, NULL, NULL, NULL},
	[PGREST_ERR_RPC_METHOD] = {"PGRST101", 405, NULL, NULL, NULL},
	[PGREST_ERR_BODY] = {"PGRST102", 400, "Empty or invalid json", NULL, NULL},
	[PGREST_ERR_CONTENT_TYPE] = {"PGRST102", 415, NULL, NULL,
	"Send application/json, text/csv or application/x-www-form-urlencoded."},
	[PGREST_ERR_RANGE] = {"PGRST103", 416, "Requested range not satisfiable", NULL, NULL},
	[PGREST_ERR_PUT_FILTERS] = {"PGRST105", 405,
	"Filters must include all and only primary key columns with 'eq' operators", NULL, NULL},
	[PGREST_ERR_SCHEMA] = {"PGRST106", 406, NULL, NULL, NULL},
	[PGREST_ERR_MEDIA] = {"PGRST107", 406, NULL, NULL, NULL},
	[PGREST_ERR_NOT_EMBEDDED] = {"PGRST108", 400, NULL, NULL, NULL},
	[PGREST_ERR_GUC_HEADERS] = {"PGRST111", 500,
	"response.headers guc must be a JSON array composed of objects with a single key and a string value",
	NULL, NULL},
	[PGREST_ERR_GUC_STATUS] = {"PGRST112", 500,
	"response.status guc must be a valid status code", NULL, NULL},
	[PGREST_ERR_PUT_RANGE] = {"PGRST114", 400,
	"limit/offset querystring parameters are not allowed for PUT", NULL, NULL},
	[PGREST_ERR_PUT_KEY] = {"PGRST115", 400,
	"Payload values do not match URL in primary key column(s)", NULL, NULL},
	[PGREST_ERR_SINGULAR] = {"PGRST116", 406,
	"Cannot coerce the result to a single JSON object", NULL, NULL},
	[PGREST_ERR_NO_ROW] = {"PGRST116", 404,
	"Cannot coerce the result to a single JSON object", "The result contains 0 rows", NULL},
	[PGREST_ERR_METHOD] = {"PGRST117", 405, NULL, NULL, NULL},
	[PGREST_ERR_RELATED_ORDER] = {"PGRST118", 400, NULL, NULL, NULL},
	[PGREST_ERR_RAISE] = {"PGRST121", 500,
	"Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error", NULL, NULL},
	[PGREST_ERR_PREFERENCE] = {"PGRST122", 400, NULL, NULL, NULL},
	[PGREST_ERR_AGGREGATES] = {"PGRST123", 400,
	"Use of aggregate functions is not allowed", NULL, NULL},
	[PGREST_ERR_MAX_AFFECTED] = {"PGRST124", 400,
	"Query result exceeds max-affected preference constraint", NULL, NULL},
	[PGREST_ERR_PATH] = {"PGRST125", 404, NULL, NULL, NULL},
	[PGREST_ERR_OPENAPI_OFF] = {"PGRST126", 404, "Root endpoint metadata is disabled", NULL, NULL},
	[PGREST_ERR_NOT_IMPLEMENTED] = {"PGRST127", 400, "Feature not implemented", NULL, NULL},
	[PGREST_ERR_MAX_AFFECTED_RPC] = {"PGRST128", 400,
	"Function must return SETOF or TABLE when max-affected preference is used with handling=strict",
	NULL, NULL},
	[PGREST_ERR_NO_RELATIONSHIP] = {"PGRST200", 400, NULL, NULL, NULL},
	[PGREST_ERR_AMBIGUOUS_RELATIONSHIP] = {"PGRST201", 300, NULL, NULL, NULL},
	[PGREST_ERR_NO_FUNCTION] = {"PGRST202", 404, NULL, NULL, NULL},
	[PGREST_ERR_AMBIGUOUS_FUNCTION] = {"PGRST203", 300, NULL, NULL,
	"Try renaming the parameters or the function itself in the database so function overloading can be resolved"},
	[PGREST_ERR_NO_COLUMN] = {"PGRST204", 400, NULL, NULL, NULL},
	[PGREST_ERR_NO_TABLE] = {"PGRST205", 404, NULL, NULL, NULL},
	[PGREST_ERR_JWT_SECRET] = {"PGRST300", 500, "Server lacks JWT secret", NULL, NULL},
	[PGREST_ERR_JWT] = {"PGRST301", 401, NULL, NULL, NULL},
	[PGREST_ERR_ANONYMOUS] = {"PGRST302", 401, "Anonymous access is disabled", NULL, NULL},
	[PGREST_ERR_JWT_CLAIMS] = {"PGRST303", 401, NULL, NULL, NULL},
	[PGREST_ERR_NO_ROLE] = {"22023", 401, NULL, NULL, NULL},
	[PGREST_ERR_NOT_INSTALLED] = {"PGRST500", 503, NULL, NULL,
	"Run CREATE EXTENSION pgrest; in that database."},
	[PGREST_ERR_SUPERUSER] = {"PGRST501", 503, NULL, NULL,
	"pgrest.role must name a role without superuser rights."},
	[PGREST_ERR_BODY_TOO_LARGE] = {"PGRST502", 413,
	"The request body is larger than pgrest.max_body_size", NULL,
	"Send a smaller body or raise pgrest.max_body_size."},
	[PGREST_ERR_NO_SINGLE_KEY] = {"PGRST503", 400, NULL, NULL, NULL},
	[PGREST_ERR_SQL_STATEMENTS] = {"PGRST504", 400, "The SQL endpoint runs exactly one statement", NULL, NULL},
	[PGREST_ERR_FRAMING] = {"PGRST505", 400, "The request's length is ambiguous",
	"A request may carry one Content-Length, or one Transfer-Encoding: chunked (HTTP/1.1), never both (RFC 9112).", NULL},
	[PGREST_ERR_TARGET_TOO_LONG] = {"PGRST506", 414, "The request target is too long", NULL,
	"Send at most 16 kB of path and query string, with at most 1000 parameters."},
	[PGREST_ERR_TOO_MANY_HEADERS] = {"PGRST507", 431, "The request has too many header fields",
	NULL, "Send at most 200 header fields."},
	[PGREST_ERR_REQUEST_TIMEOUT] = {"PGRST508", 408, "The request was not received in time",
	NULL, "Send the whole request within pgrest.request_timeout."},
	[PGREST_ERR_BODY_MEMORY] = {"PGRST509", 503, "The server is receiving too many request bodies",
	"The bodies this worker is receiving hold pgrest.max_body_memory.", "Retry later."},
	[PGREST_ERR_SQL_REFUSED] = {"PGRST510", 400, NULL, NULL, NULL},
	[PGREST_ERR_SQL_TOO_LARGE] = {"PGRST511", 400, NULL, NULL, NULL},
	[PGREST_ERR_ADMIN_BODY] = {"PGRST512", 413, "The admin port takes no request body",
	NULL, "Send /live, /ready and /metrics without a body."},
	[PGREST_ERR_LOGIN] = {"PGRST513", 503, NULL, NULL, NULL},
	[PGREST_ERR_STREAM_QUERY] = {"PGRST520", 400, NULL, NULL,
	"A stream takes filters and select=; read pages with a GET without Accept: text/event-stream."},
	[PGREST_ERR_STREAM_TABLE] = {"PGRST521", 400, NULL, NULL, NULL},
	[PGREST_ERR_STREAM_UNAVAILABLE] = {"PGRST522", 503, NULL, NULL, NULL},
	[PGREST_ERR_STREAM_FULL] = {"PGRST523", 503, NULL, NULL, "Retry later."},
	[PGREST_ERR_STREAM_SNAPSHOT] = {"PGRST524", 400,
	"The snapshot of the stream is too large", NULL,
	"Narrow the stream with filters, or subscribe without Prefer: snapshot=include and read the rows with GET."},
};

static void raise_entry(PgrestError error, const char *message, const char *details,
						bool details_json, const char *hint, int64 range_total)
			pg_attribute_noreturn();
static void append_json_field(StringInfo buf, const char *key, const char *value,
							  bool last);

/*
 * Raise error (answered with its table's code and status).  message,
 * details and hint, when NULL, are the table's.  Only call it from
 * request processing, where a PG_CATCH turns it into a response.
 */
void
pgrest_error_raise(PgrestError error, const char *message, const char *details,
				   const char *hint)
{
	raise_entry(error, message, details, false, hint, -1);
}

/*
 * The same, with details given as JSON text (PGRST201 lists candidates
 * as an array), sent as it is.
 */
void
pgrest_error_raise_json(PgrestError error, const char *message,
						const char *details_json, const char *hint)
{
	raise_entry(error, message, details_json, true, hint, -1);
}

/*
 * 416 PGRST103 for an offset past the total a count found: its response
 * says the total (Content-Range: * / total), as PostgREST's does.
 */
void
pgrest_error_raise_range(int64 total, const char *details)
{
	raise_entry(PGREST_ERR_RANGE, NULL, details, false, NULL, total);
}

static void
raise_entry(PgrestError error, const char *message, const char *details,
			bool details_json, const char *hint, int64 range_total)
{
	const ErrorEntry *entry = &errors[error];
	PgrestPendingError *pending = &pgrest_state_get()->error;

	pending->set = true;
	pending->error = error;
	pending->details_json = details_json;
	pending->range_total = range_total;
	message = message ? message : entry->message;
	details = details ? details : entry->details;
	hint = hint ? hint : entry->hint;
	ereport(ERROR,
			(errcode(ERRCODE_PGREST),
			 errmsg_internal("%s", message ? message : entry->code),
			 details ? errdetail_internal("%s", details) : 0,
			 hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

/* The code an error answers with: PGRSTnnn, or a SQLSTATE. */
const char *
pgrest_error_code(PgrestError error)
{
	return errors[error].code;
}

/* The HTTP status an error answers with. */
int
pgrest_error_http_status(PgrestError error)
{
	return errors[error].status;
}

/* The message an error says unless its caller says another, or NULL. */
const char *
pgrest_error_message(PgrestError error)
{
	return errors[error].message;
}

/*
 * The JSON body of an error as its table says it, palloc'd: for the
 * answers the HTTP layer sends by itself, formatted once at start.
 */
char *
pgrest_error_json(PgrestError error)
{
	const ErrorEntry *entry = &errors[error];
	StringInfoData buf;

	initStringInfo(&buf);
	pgrest_error_append_body(&buf, entry->code, entry->message, entry->details,
							 false, entry->hint);
	return buf.data;
}

/*
 * Append an error body, {"code":...,"details":...,"hint":...,"message":...}
 * with keys in PostgREST's order; NULL fields are null, and details, when
 * details_json, is JSON text sent as it is.
 */
void
pgrest_error_append_body(StringInfo buf, const char *code, const char *message,
						 const char *details, bool details_json, const char *hint)
{
	appendStringInfoChar(buf, '{');
	append_json_field(buf, "code", code, false);
	if (details_json && details)
		appendStringInfo(buf, "\"details\":%s,", details);
	else
		append_json_field(buf, "details", details, false);
	append_json_field(buf, "hint", hint, false);
	append_json_field(buf, "message", message, true);
	appendStringInfoChar(buf, '}');
}

/*
 * Was edata raised by pgrest_error_raise?  Then says which error, whether
 * its details are JSON and the total of a 416 (or -1), and forgets it.
 */
bool
pgrest_error_pending(const ErrorData *edata, PgrestError *error, bool *details_json,
					 int64 *range_total)
{
	PgrestPendingError *pending = &pgrest_state_get()->error;

	if (edata->sqlerrcode != ERRCODE_PGREST || !pending->set)
		return false;
	*error = pending->error;
	*details_json = pending->details_json;
	*range_total = pending->range_total;
	pending->set = false;
	return true;
}

/* "key": "value" (or null), followed by a comma unless last */
static void
append_json_field(StringInfo buf, const char *key, const char *value, bool last)
{
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	if (value)
		escape_json(buf, value);
	else
		appendStringInfoString(buf, "null");
	if (!last)
		appendStringInfoChar(buf, ',');
}
