/*-------------------------------------------------------------------------
 *
 * error.c
 *	  Turn any error into an HTTP response: the one SQLSTATE-to-status
 *	  table, and pgrest's own PGRSTnnn errors.
 *
 * Every failure of a request ends here as an ErrorData copied in the
 * request's PG_CATCH.  Database errors keep their SQLSTATE, message,
 * detail and hint, as psql would show them; the status follows
 * PostgREST's mapping (mapSQLtoHTTP), checked in order, first match wins.
 *
 * pgrest's own errors are ordinary ERRORs with SQLSTATE "PGRST"; the HTTP
 * status and the PGRSTnnn code travel beside them in the request's state
 * (state.h), set just before the ereport and consumed here.  An error
 * with SQLSTATE "PGRST" but no pending one was raised by user code.
 *
 * This file never calls SPI and needs no transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/error.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/json.h"

#include "error.h"
#include "state.h"

/* a SQLSTATE (5 characters) or a class (its first 2) and its status */
typedef struct SqlstateStatus
{
	const char *sqlstate;
	int			status;
} SqlstateStatus;

/*
 * PostgREST's table, in its order.  Entries with a special rule (21000,
 * 22023, 42883, 42501, PTnnn) are handled in status_for_sqlstate.
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
	{"42P01", 404},
	{"42P17", 500},
};

static int	status_for_sqlstate(const char *state, const char *message,
								bool authenticated);
static bool ends_with(const char *s, const char *suffix);
static void append_json_field(StringInfo buf, const char *key,
							  const char *value, bool last);
static PgrestResponse *build_response(int status, const char *code,
									  const char *message, const char *details,
									  bool details_json, const char *hint);
static const char *www_authenticate(const char *code, const char *message);

/*
 * Raise pgrest error "code" (PGRSTnnn) that answers with HTTP "status".
 * Only call it from request processing, where a PG_CATCH turns it into a
 * response.
 */
void
pgrest_error_raise(int status, const char *code, const char *message,
				   const char *details, const char *hint)
{
	PgrestPendingError *pending = &pgrest_state_get()->error;

	pending->set = true;
	pending->status = status;
	pending->details_json = false;
	strlcpy(pending->code, code, sizeof(pending->code));
	ereport(ERROR,
			(errcode(ERRCODE_PGREST),
			 errmsg_internal("%s", message),
			 details ? errdetail_internal("%s", details) : 0,
			 hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

/*
 * The same, with details given as JSON text (PGRST201 lists candidates
 * as an array), sent as it is.
 */
void
pgrest_error_raise_json(int status, const char *code, const char *message,
						const char *details_json, const char *hint)
{
	PgrestPendingError *pending = &pgrest_state_get()->error;

	pending->set = true;
	pending->status = status;
	pending->details_json = true;
	strlcpy(pending->code, code, sizeof(pending->code));
	ereport(ERROR,
			(errcode(ERRCODE_PGREST),
			 errmsg_internal("%s", message),
			 errdetail_internal("%s", details_json),
			 hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

/* The HTTP status for this error. */
int
pgrest_error_status(const ErrorData *edata, bool authenticated)
{
	const PgrestPendingError *pending = &pgrest_state_get()->error;

	if (edata->sqlerrcode == ERRCODE_PGREST && pending->set)
		return pending->status;
	return status_for_sqlstate(unpack_sql_state(edata->sqlerrcode),
							   edata->message, authenticated);
}

/*
 * The response for an error: status, and the body
 * {"code": ..., "details": ..., "hint": ..., "message": ...}
 * with keys in PostgREST's order.  "authenticated" says whether the
 * request carried a valid JWT (42501 is then 403 rather than 401).
 */
PgrestResponse *
pgrest_error_response(const ErrorData *edata, bool authenticated)
{
	PgrestPendingError *pending = &pgrest_state_get()->error;
	int			status = pgrest_error_status(edata, authenticated);
	const char *code;
	bool		details_json = false;

	if (edata->sqlerrcode == ERRCODE_PGREST && pending->set)
	{
		code = pstrdup(pending->code);
		details_json = pending->details_json;
	}
	else
		code = unpack_sql_state(edata->sqlerrcode);
	pending->set = false;
	return build_response(status, code, edata->message, edata->detail,
						  details_json, edata->hint);
}

/* An error response made without raising anything. */
PgrestResponse *
pgrest_error_build(int status, const char *code, const char *message,
				   const char *details, const char *hint)
{
	return build_response(status, code, message, details, false, hint);
}

static PgrestResponse *
build_response(int status, const char *code, const char *message,
			   const char *details, bool details_json, const char *hint)
{
	StringInfoData buf;
	PgrestResponse *resp;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	append_json_field(&buf, "code", code, false);
	if (details_json && details)
		appendStringInfo(&buf, "\"details\":%s,", details);
	else
		append_json_field(&buf, "details", details, false);
	append_json_field(&buf, "hint", hint, false);
	append_json_field(&buf, "message", message, true);
	appendStringInfoChar(&buf, '}');

	resp = pgrest_response_json(status, buf.data, buf.len);
	if (status == 401)
		pgrest_response_add_header(resp, "WWW-Authenticate",
								   www_authenticate(code, message));
	return resp;
}

static int
status_for_sqlstate(const char *state, const char *message, bool authenticated)
{
	if (message == NULL)
		message = "";

	/* rules that depend on more than the SQLSTATE */
	if (strcmp(state, "21000") == 0)
		return ends_with(message, "requires a WHERE clause") ? 400 : 500;
	if (strcmp(state, "22023") == 0)
		return strncmp(message, "role ", 5) == 0 &&
			ends_with(message, " does not exist") ? 401 : 400;
	if (strcmp(state, "42883") == 0)
		return strncmp(message, "function xmlagg(", 16) == 0 ? 406 : 404;
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
 * The WWW-Authenticate header of a 401.  A token that was refused
 * (PGRST301, PGRST303) is an "invalid_token" (RFC 6750) described by the
 * error message, as PostgREST sends it; every other 401 (no anonymous
 * role, 42501, a role that does not exist) just names the scheme.
 */
static const char *
www_authenticate(const char *code, const char *message)
{
	StringInfoData buf;

	if (strcmp(code, "PGRST301") != 0 && strcmp(code, "PGRST303") != 0)
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
