/*-------------------------------------------------------------------------
 *
 * handler.c
 *	  Run one request through the pipeline, for an HTTP worker or for the
 *	  SQL function pgrest.handle().
 *
 *	  request.c -> auth.c -> request.c (body) -> plan.c
 *	  -> execute.c (settings) -> query.c
 *	  -> execute.c (statement) -> response.c, all inside execute.c's
 *	  transaction bracket; any error -> error.c
 *
 * This file only orchestrates: it decides the order of the stages and
 * reports the request in pg_stat_activity.  pgrest.handle() is the same
 * pipeline run in the calling backend, nested in its transaction, so the
 * regression tests drive every stage without a socket.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/handler.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "auth.h"
#include "error.h"
#include "execute.h"
#include "handler.h"
#include "plan.h"
#include "query.h"
#include "schema.h"

PG_FUNCTION_INFO_V1(pgrest_handle);

/*
 * Requests running in this process: 0 or 1.  A request's schema cache,
 * kept plans, role lock and transaction state belong to it alone, so
 * pgrest.handle() refuses to run inside one (a function that a request
 * calls, calling pgrest.handle()).
 */
static int	running_requests = 0;

/* what the stages hand each other inside the transaction */
typedef struct Pipeline
{
	const PgrestHttpRequest *http;
	PgrestAuth *auth;
	PgrestResponse *response;
} Pipeline;

static void run_stages(void *arg);
static char *request_line(const PgrestHttpRequest *http);
static int	headers_from_jsonb(Jsonb *jb, PgrestHeader **headers);
static Datum headers_to_jsonb(const PgrestResponse *resp);

/*
 * Handle one request and return its response, palloc'd in the current
 * memory context.  Never raises an error for anything the request
 * contains: failures come back as error responses.
 */
PgrestResponse *
pgrest_handler_handle(const PgrestHttpRequest *http, bool nested)
{
	Pipeline	pipeline = {http, NULL, NULL};
	ErrorData  *volatile edata = NULL;
	char	   *line = request_line(http);

	if (!nested)
		pgstat_report_activity(STATE_RUNNING, line);

	running_requests++;
	PG_TRY();
	{
		edata = pgrest_execute_transaction(run_stages, &pipeline, nested);
	}
	PG_FINALLY();
	{
		running_requests--;
	}
	PG_END_TRY();
	if (edata != NULL)
	{
		bool		authenticated = pipeline.auth && pipeline.auth->authenticated;

		if (pgrest_error_status(edata, authenticated) >= 500)
			ereport(LOG,
					(errmsg("pgrest request \"%s\" failed: %s", line, edata->message)));
		pipeline.response = pgrest_error_response(edata, authenticated);
		FreeErrorData(edata);
	}

	pgrest_response_cors(pipeline.response, http);
	if (!nested)
	{
		pgstat_report_stat(false);
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	return pipeline.response;
}

/* the stages, in order, inside the transaction */
static void
run_stages(void *arg)
{
	Pipeline   *pipeline = (Pipeline *) arg;
	PgrestRequest *req;
	PgrestPlan *plan;
	PgrestQuery *query;
	PgrestResult *result;

	req = pgrest_request_parse(pipeline->http);
	if (req->method == PGREST_METHOD_OPTIONS)
	{
		pipeline->response = pgrest_response_options(req);
		return;
	}
	pipeline->auth = pgrest_auth_authenticate(req);
	pgrest_request_parse_body(req);
	pgrest_schema_refresh();
	plan = pgrest_plan_build(req);
	if (plan->rollback)
		pgrest_execute_end_with_rollback();
	pgrest_execute_set_context(req, pipeline->auth, plan->schema, plan->read_only);
	pgrest_execute_pre_request();
	if (plan->kind == PGREST_PLAN_SQL)
		result = pgrest_execute_sql(plan->sql);
	else
	{
		query = pgrest_query_build(plan);
		result = pgrest_execute_query(query);
	}
	pgrest_response_check(plan, result);
	pipeline->response = pgrest_response_build(req, plan, result);
}

/* "GET /path?query", for pg_stat_activity and the log */
static char *
request_line(const PgrestHttpRequest *http)
{
	return psprintf("%s %s%s%s",
					http->method ? http->method : "",
					http->path ? http->path : "",
					http->query ? "?" : "",
					http->query ? http->query : "");
}

/*
 * pgrest.handle(method text, path text, query text, headers jsonb,
 *				 body text)
 * returns (status int, headers jsonb, body text)
 *
 * A path containing '?' carries its own query string when query is NULL.
 */
Datum
pgrest_handle(PG_FUNCTION_ARGS)
{
	PgrestHttpRequest http;
	PgrestResponse *resp;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *path;
	char	   *mark;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("method and path must not be null")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (running_requests > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pgrest.handle() cannot run inside a pgrest request")));

	memset(&http, 0, sizeof(http));
	http.method = text_to_cstring(PG_GETARG_TEXT_PP(0));
	path = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!PG_ARGISNULL(2))
		http.query = text_to_cstring(PG_GETARG_TEXT_PP(2));
	else if ((mark = strchr(path, '?')) != NULL)
	{
		*mark = '\0';
		http.query = mark + 1;
	}
	http.path = path;
	if (!PG_ARGISNULL(3))
	{
		PgrestHeader *headers;

		http.nheaders = headers_from_jsonb(PG_GETARG_JSONB_P(3), &headers);
		http.headers = headers;
	}
	if (!PG_ARGISNULL(4))
	{
		text	   *body = PG_GETARG_TEXT_PP(4);

		http.body = VARDATA_ANY(body);
		http.body_len = VARSIZE_ANY_EXHDR(body);
	}

	resp = pgrest_handler_handle(&http, true);

	values[0] = Int32GetDatum(resp->status);
	values[1] = headers_to_jsonb(resp);
	if (resp->body)
		values[2] = PointerGetDatum(cstring_to_text_with_len(resp->body,
															 resp->body_len));
	else
		nulls[2] = true;
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* {"Name": "value", ...} → header array; values must be strings */
static int
headers_from_jsonb(Jsonb *jb, PgrestHeader **headers)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0;
	char	   *name = NULL;

	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("headers must be a JSON object")));

	*headers = palloc0(sizeof(PgrestHeader) * Max(JB_ROOT_COUNT(jb), 1));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			name = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (v.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value of header \"%s\" must be a string", name)));
			(*headers)[n].name = name;
			(*headers)[n].value = pnstrdup(v.val.string.val, v.val.string.len);
			n++;
		}
	}
	return n;
}

static Datum
headers_to_jsonb(const PgrestResponse *resp)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, resp->headers)
	{
		PgrestHeader *header = (PgrestHeader *) lfirst(lc);

		if (buf.len > 1)
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, header->name);
		appendStringInfoChar(&buf, ':');
		escape_json(&buf, header->value);
	}
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}
