/*-------------------------------------------------------------------------
 *
 * failure.c
 *	  Turn whatever ended a request into its HTTP response: the one
 *	  SQLSTATE-to-status table, and the JSON error body.
 *
 * Every failure of a request ends here as an ErrorData copied in the
 * request's PG_CATCH.  pgrest's own errors (error.c) answer with their
 * table's code and status.  Database errors keep their SQLSTATE, message,
 * detail and hint, as psql would show them; the status follows
 * PostgREST's mapping (mapSQLtoHTTP), checked in order, first match wins,
 * from the SQLSTATE alone: never from the message, which lc_messages may
 * have translated.  (Where PostgREST reads a message, pgrest knows more:
 * a token's role that does not exist is pgrest's own error, raised before
 * PostgreSQL's; pg-safeupdate's refusal is known by the file it comes
 * from.)  RAISE SQLSTATE 'PGRST' in the user's own code chooses the whole
 * response, as under PostgREST.
 *
 * This file never calls SPI and needs no transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/failure.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "response/layer.h"

#include "utils/builtins.h"
#include "utils/json.h"

#include "base/encoding.h"
#include "base/error.h"
#include "response/failure.h"
#include "base/jsonparse.h"
#include "response/response.h"
#include "server/guc.h"

/* a SQLSTATE (5 characters) or a class (its first 2) and its status */
typedef struct SqlstateStatus
{
	const char *sqlstate;
	int			status;
} SqlstateStatus;

/*
 * PostgREST's table, in its order.  Entries with a special rule (21000,
 * 42501, PTnnn) are handled in status_for_sqlstate.
 */
static const SqlstateStatus sqlstate_table[] = {
	{"08", 503},
	{"09", 500},
	{"0L", 403},
	{"0P", 403},
	{"23503", 409},
	{"23505", 409},
	{"25006", 405},
	{"25", 500},
	{"28", 403},
	{"2D", 500},
	{"38", 500},
	{"39", 500},
	{"3B", 500},
	{"40", 500},
	{"53400", 500},
	{"53", 503},
	{"54", 500},
	{"55", 500},
	{"57P01", 503},
	{"57", 500},
	{"58", 500},
	{"F0", 500},
	{"HV", 500},
	{"P0001", 400},
	{"P0", 500},
	{"XX", 500},
	{"42883", 404},
	{"42P01", 404},
	{"42P17", 500},
};

static int	status_for_sqlstate(const ErrorData *edata, bool authenticated);
static bool ends_with(const char *s, const char *suffix);
static PgrestResponse *build_response(int status, const char *code,
									  const char *message, const char *details,
									  bool details_json, const char *hint,
									  bool invalid_token);
static const char *www_authenticate(bool invalid_token, const char *message);
static bool refuses_token(PgrestError error);
static void add_proxy_status(PgrestResponse *resp, const char *code);
static PgrestResponse *raised_response(const ErrorData *edata);
static void append_body(StringInfo buf, const char *code, const char *message,
						const char *details, bool details_json, const char *hint);
static PgrestResponse *raise_parse_error(const char *details, const char *hint);
static bool string_field(const PgrestJson *object, const char *key,
						 bool required, const char **value);

/*
 * The response for an error: status, and the body
 * {"code": ..., "details": ..., "hint": ..., "message": ...}
 * with keys in PostgREST's order.  "authenticated" says whether the
 * request carried a valid JWT (42501 is then 403 rather than 401).
 */
PgrestResponse *
pgrest_failure_response(const ErrorData *edata, bool authenticated)
{
	PgrestError error;
	bool		details_json;
	int64		range_total;

	if (pgrest_error_pending(edata, &error, &details_json, &range_total))
	{
		PgrestResponse *resp = build_response(pgrest_error_http_status(error),
											  pgrest_error_code(error),
											  edata->message, edata->detail,
											  details_json, edata->hint,
											  refuses_token(error));

		if (range_total >= 0)
			pgrest_message_add_header(resp, "Content-Range",
									   psprintf("*/" INT64_FORMAT, range_total));
		return resp;
	}
	if (edata->sqlerrcode == ERRCODE_PGREST)
		return raised_response(edata);
	return build_response(status_for_sqlstate(edata, authenticated),
						  unpack_sql_state(edata->sqlerrcode),
						  edata->message, edata->detail, false, edata->hint, false);
}

/*
 * The response for one of pgrest's errors, made without raising it;
 * message, details and hint, when NULL, are the table's.
 */
PgrestResponse *
pgrest_failure_build(PgrestError error, const char *message, const char *details,
					 const char *hint)
{
	return build_response(pgrest_error_http_status(error), pgrest_error_code(error),
						  message ? message : pgrest_error_message(error),
						  details, false, hint, refuses_token(error));
}

/*
 * An error body, all of it or, with pgrest.client_error_verbosity =
 * minimal, only its code and message, as PostgREST's.
 */
static void
append_body(StringInfo buf, const char *code, const char *message,
			const char *details, bool details_json, const char *hint)
{
	if (pgrest_client_error_verbosity != PGREST_ERRORS_MINIMAL)
	{
		pgrest_error_append_body(buf, code, message, details, details_json, hint);
		return;
	}
	appendStringInfoString(buf, "{\"code\":");
	escape_json(buf, code);
	appendStringInfoString(buf, ",\"message\":");
	escape_json(buf, message ? message : "");
	appendStringInfoChar(buf, '}');
}

/* PGRST301, PGRST303: a token that was refused */
static bool
refuses_token(PgrestError error)
{
	return error == PGREST_ERR_JWT || error == PGREST_ERR_JWT_CLAIMS;
}

static PgrestResponse *
build_response(int status, const char *code, const char *message,
			   const char *details, bool details_json, const char *hint,
			   bool invalid_token)
{
	StringInfoData buf;
	PgrestResponse *resp;
	char	   *body;

	initStringInfo(&buf);
	append_body(&buf, code, message, details, details_json, hint);

	/* the database's words, and the request's echoed, go out as UTF-8 */
	body = pgrest_encoding_to_utf8(buf.data);
	resp = pgrest_message_json(status, body, strlen(body));
	add_proxy_status(resp, code);
	if (status == 401)
		pgrest_message_add_header(resp, "WWW-Authenticate",
								   pgrest_encoding_to_utf8(www_authenticate(invalid_token, message)));
	return resp;
}

static int
status_for_sqlstate(const ErrorData *edata, bool authenticated)
{
	const char *state = unpack_sql_state(edata->sqlerrcode);

	/* rules that depend on more than the SQLSTATE's class */
	if (strcmp(state, "21000") == 0)
		return edata->filename && ends_with(edata->filename, "safeupdate.c") ? 400 : 500;
	if (strcmp(state, "42501") == 0)
		return authenticated ? 403 : 401;
	if (state[0] == 'P' && state[1] == 'T')
	{
		int			status = 0;

		for (int i = 2; i < 5; i++)
		{
			if (state[i] < '0' || state[i] > '9')
				return 500;
			status = status * 10 + (state[i] - '0');
		}
		return (status >= 100 && status <= 599) ? status : 500;
	}

	for (size_t i = 0; i < lengthof(sqlstate_table); i++)
	{
		const char *entry = sqlstate_table[i].sqlstate;

		if (strncmp(state, entry, strlen(entry)) == 0)
			return sqlstate_table[i].status;
	}
	return 400;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Proxy-Status (RFC 9209) names the error, exactly as PostgREST writes it
 * ("PostgREST; error=PGRST205"), so that what reads PostgREST's keeps
 * working: a code of letters and digits (a PGRST code, a SQLSTATE, or
 * the code a RAISE SQLSTATE 'PGRST' chose, if it is one).
 */
static void
add_proxy_status(PgrestResponse *resp, const char *code)
{
	if (code == NULL || code[0] == '\0')
		return;
	for (const char *p = code; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			  (*p >= '0' && *p <= '9')))
			return;
	pgrest_message_add_header(resp, "Proxy-Status",
							   psprintf("PostgREST; error=%s", code));
}

/*
 * The WWW-Authenticate header of a 401.  A token that was refused
 * (PGRST301, PGRST303) is an "invalid_token" (RFC 6750) described by the
 * error message, as PostgREST sends it; every other 401 (no anonymous
 * role, 42501, a role that does not exist) just names the scheme.
 */
static const char *
www_authenticate(bool invalid_token, const char *message)
{
	StringInfoData buf;

	if (!invalid_token)
		return "Bearer";

	/* a quoted-string: backslash before '"' and '\\' */
	initStringInfo(&buf);
	appendStringInfoString(&buf,
						   "Bearer error=\"invalid_token\", error_description=\"");
	for (const char *p = message ? message : ""; *p != '\0'; p++)
	{
		if (*p == '"' || *p == '\\')
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, *p);
	}
	appendStringInfoChar(&buf, '"');
	return buf.data;
}

#define RAISE_MESSAGE_HINT "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
#define RAISE_DETAIL_HINT "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."

/*
 * RAISE SQLSTATE 'PGRST' in the user's own code chooses the whole
 * response, as under PostgREST: MESSAGE is the body, a JSON object
 * {"code", "message", "details"?, "hint"?} of strings, and DETAIL says
 * {"status", "status_text"?, "headers"} (headers an object of strings).
 * Anything else is PGRST121 (500).  The status must be 200-599, header
 * names HTTP tokens, values free of control characters, and all of them
 * within PGREST_MAX_HEADER_BYTES; status_text is checked but not sent
 * (libmicrohttpd writes the standard reason phrase).  The transaction is
 * over: the texts are read with pgrest_json_read, which never raises.
 */
static PgrestResponse *
raised_response(const ErrorData *edata)
{
	const char *raw = edata->message ? edata->message : "";
	PgrestJson *message = pgrest_json_read(raw, strlen(raw), PGREST_JSON_MAX_DEPTH);
	PgrestJson *detail;
	const char *code;
	const char *message_text;
	const char *details;
	const char *hint;
	const char *status_text;
	int			status;
	List	   *headers = NIL;
	StringInfoData buf;
	char	   *body;
	PgrestResponse *resp;

	if (message == NULL || message->kind != PGREST_JSON_OBJECT ||
		!string_field(message, "code", true, &code) ||
		!string_field(message, "message", true, &message_text) ||
		!string_field(message, "details", false, &details) ||
		!string_field(message, "hint", false, &hint))
		return raise_parse_error(psprintf("Invalid JSON value for MESSAGE: '%s'", raw),
								 RAISE_MESSAGE_HINT);
	if (edata->detail == NULL)
		return raise_parse_error("DETAIL is missing in the RAISE statement",
								 RAISE_DETAIL_HINT);

	detail = pgrest_json_read(edata->detail, strlen(edata->detail), PGREST_JSON_MAX_DEPTH);
	if (detail == NULL || detail->kind != PGREST_JSON_OBJECT ||
		!pgrest_json_integer(pgrest_json_member(detail, "status"),
							 PGREST_MIN_STATUS, PGREST_MAX_STATUS, &status) ||
		!string_field(detail, "status_text", false, &status_text) ||
		!pgrest_response_json_headers(pgrest_json_member(detail, "headers"), &headers))
		return raise_parse_error(psprintf("Invalid JSON value for DETAIL: '%s'", edata->detail),
								 RAISE_DETAIL_HINT);

	initStringInfo(&buf);
	append_body(&buf, code, message_text, details, false, hint);
	body = pgrest_encoding_to_utf8(buf.data);
	resp = pgrest_message_json(status, body, strlen(body));
	add_proxy_status(resp, code);
	if (!pgrest_response_override_headers(resp, headers))
		return raise_parse_error(psprintf("The headers of DETAIL would take more than %d bytes.",
										  PGREST_MAX_HEADER_BYTES),
								 RAISE_DETAIL_HINT);
	return resp;
}

static PgrestResponse *
raise_parse_error(const char *details, const char *hint)
{
	return pgrest_failure_build(PGREST_ERR_RAISE, NULL, details, hint);
}

/*
 * The string at key of a JSON object: false if it is not a string, or
 * missing when required (a missing or null optional one is NULL).
 */
static bool
string_field(const PgrestJson *object, const char *key, bool required,
			 const char **value)
{
	const PgrestJson *v = pgrest_json_member(object, key);

	*value = NULL;
	if (v == NULL || v->kind == PGREST_JSON_NULL)
		return !required;
	if (v->kind != PGREST_JSON_STRING)
		return false;
	*value = v->text;
	return true;
}
