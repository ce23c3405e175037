/*-------------------------------------------------------------------------
 *
 * handler.c
 *	  Run one request through the pipeline, for an HTTP worker or for the
 *	  SQL function pgrest.handle().
 *
 *	  router.c, then request.c -> auth.c -> request.c (body) -> plan.c
 *	  -> execute.c (settings) -> query.c -> execute.c (statement)
 *	  -> response.c, all inside execute.c's transaction bracket; any
 *	  error -> error.c
 *
 * This file only orchestrates: it decides the order of the stages and
 * reports the request in pg_stat_activity.  router.c first classifies the
 * request from its method and path; OPTIONS is answered there and then,
 * without a transaction.  pgrest.handle() is the same
 * pipeline run in the calling backend, nested in its transaction, so the
 * regression tests drive every stage without a socket.
 *
 * A read whose body streams (stream.c) is not over when its response is:
 * its transaction stays open, and what it keeps (its rows, its request
 * line) is in the request's state (state.h).  In each later turn of the
 * worker's loop pgrest_handler_continue writes its next batch; an error
 * then can only cut the body short, and is logged.  A client that goes
 * away ends it with pgrest_handler_abandon.  pgrest.handle() never
 * streams.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/handler.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/jsonb.h"

#include "admin.h"
#include "auth.h"
#include "error.h"
#include "execute.h"
#include "failure.h"
#include "handler.h"
#include "metrics.h"
#include "openapi.h"
#include "plan.h"
#include "query.h"
#include "readplan.h"
#include "router.h"
#include "schema.h"
#include "shmem.h"
#include "state.h"
#include "stream.h"

PG_FUNCTION_INFO_V1(pgrest_handle);

/* what the stages hand each other inside the transaction */
typedef struct Pipeline
{
	const PgrestHttpRequest *http;
	PgrestTarget target;		/* what the path names (router.c) */
	bool		nested;			/* inside pgrest.handle() */
	PgrestAuth *auth;
	PgrestPlan *plan;
	PgrestResponse *response;
	bool		served;			/* the transaction let the stages run */
} Pipeline;

/* the next time a worker that is not ready tries again (see warm_up) */
static TimestampTz next_warm_up = 0;
static MemoryContext warm_up_context = NULL;

static PgrestResponse *run_pipeline(const PgrestHttpRequest *http,
									PgrestTarget target, bool nested);
static void run_stages(void *arg);
static void end_stream(PgrestState *st);
static void mark_served(void *arg);
static void require_extension(void);
static void name_aliases(ErrorData *edata, const PgrestPlan *plan);
static void publish_state(const Pipeline *pipeline, const ErrorData *edata);
static char *request_line(const PgrestHttpRequest *http);
static int	headers_from_jsonb(Jsonb *jb, PgrestHeader **headers);
static Datum headers_to_jsonb(const PgrestResponse *resp);

/*
 * Handle one request and return its response, palloc'd in the current
 * memory context.  Never raises an error for anything the request
 * contains: failures come back as error responses.  The admin port's
 * routes and OPTIONS run no transaction; requests on the API port are
 * counted for /metrics (in a worker; pgrest.handle() counts nothing).
 */
PgrestResponse *
pgrest_handler_handle(const PgrestHttpRequest *http, bool nested)
{
	PgrestRoute route = pgrest_router_route(http->method, http->path, http->admin);
	PgrestResponse *resp;
	instr_time	start;
	instr_time	elapsed;

	switch (route.kind)
	{
		case PGREST_ROUTE_LIVE:
		case PGREST_ROUTE_READY:
		case PGREST_ROUTE_METRICS:
		case PGREST_ROUTE_ADMIN_OTHER:
			return pgrest_admin_handle(route.kind, http);
		case PGREST_ROUTE_OPTIONS:
		case PGREST_ROUTE_PIPELINE:
			break;
	}

	INSTR_TIME_SET_CURRENT(start);
	if (route.kind == PGREST_ROUTE_OPTIONS)
	{
		/* OPTIONS needs no transaction, no role and no schema */
		resp = pgrest_response_options(route.target);
		pgrest_response_cors(resp, http);
	}
	else
		resp = run_pipeline(http, route.target, nested);
	if (!nested)
	{
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		pgrest_metrics_count(http->method, resp->status,
							 INSTR_TIME_GET_MICROSEC(elapsed));
	}
	return resp;
}

/*
 * Whether a request's rows are still being sent: its transaction is open,
 * and the worker runs no other request until it ends.
 */
bool
pgrest_handler_streaming(void)
{
	return pgrest_state_get()->stream != NULL;
}

/*
 * In each turn of the worker's loop while a request streams: once the
 * client has taken most of what was written, write the next batch of
 * rows; after the last, the transaction ends.  An error (the statement
 * timeout, a cancel, a failing row or commit) ends the body short and is
 * logged: the status went out long ago.  Returns whether the request
 * still streams.
 */
bool
pgrest_handler_continue(void)
{
	PgrestState *st = pgrest_state_get();
	ErrorData  *edata;

	if (st->stream == NULL)
		return false;
	/* a cancel is taken at once, even while the client is slow */
	if (!pgrest_stream_wants_rows(st->stream) && !InterruptPending)
		return true;
	edata = pgrest_execute_continue(pgrest_stream_write, st->stream);
	if (edata != NULL)
	{
		ereport(LOG,
				(errmsg("pgrest request \"%s\" failed after its response began: %s",
						st->line, edata->message),
				 errdetail("The response was cut short.")));
		FreeErrorData(edata);
		pgrest_stream_fail(st->stream);
		end_stream(st);
	}
	else if (pgrest_stream_ended(st->stream))
		end_stream(st);
	return st->stream != NULL;
}

/*
 * The client of a streaming request went away: roll its transaction back
 * at once, so that the worker serves again.
 */
void
pgrest_handler_abandon(const PgrestStream *stream)
{
	PgrestState *st = pgrest_state_get();

	if (st->stream == NULL || st->stream != stream)
		return;
	pgrest_execute_abandon();
	ereport(LOG,
			(errmsg("pgrest request \"%s\" ended: the client closed the connection during the response",
					st->line)));
	end_stream(st);
}

/*
 * While this worker is not ready to serve (at start, or after a request
 * found pgrest missing or the worker refused), run an empty request's
 * transaction at most once a second: it loads the schema cache and checks
 * the extension, so /ready turns 200 without waiting for a client.  The
 * worker's loop calls this on every turn; returns how long the loop may
 * sleep before the next try (ms), or -1 when ready.
 */
long
pgrest_handler_warm_up(void)
{
	Pipeline	pipeline;
	ErrorData  *edata;
	MemoryContext old;
	TimestampTz now;

	if (pgrest_shmem_state() == PGREST_WORKER_READY)
		return -1;
	now = GetCurrentTimestamp();
	if (now < next_warm_up)
		return Max(1, (long) ((next_warm_up - now) / 1000));
	next_warm_up = TimestampTzPlusMilliseconds(now, 1000);

	if (warm_up_context == NULL)
		warm_up_context = AllocSetContextCreate(TopMemoryContext, "pgrest warm-up",
												ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(warm_up_context);
	memset(&pipeline, 0, sizeof(pipeline));
	pgrest_state_reset();
	edata = pgrest_execute_transaction(mark_served, &pipeline, false);
	publish_state(&pipeline, edata);
	MemoryContextSwitchTo(old);
	MemoryContextReset(warm_up_context);
	return 1000;
}

/* one request on the API port, in its transaction */
static PgrestResponse *
run_pipeline(const PgrestHttpRequest *http, PgrestTarget target, bool nested)
{
	Pipeline	pipeline = {http, target, nested, NULL, NULL, NULL, false};
	ErrorData  *volatile edata = NULL;
	PgrestState *st = pgrest_state_reset();
	char	   *line = request_line(http);

	st->line = line;
	if (!nested)
		pgstat_report_activity(STATE_RUNNING, line);

	/*
	 * A request's schema cache, kept plans, role lock and transaction state
	 * belong to it alone, so pgrest.handle() refuses to run inside one (a
	 * function that a request calls, calling pgrest.handle()).
	 */
	st->running = true;
	PG_TRY();
	{
		edata = pgrest_execute_transaction(run_stages, &pipeline, nested);
	}
	PG_FINALLY();
	{
		st->running = false;
	}
	PG_END_TRY();
	if (!nested)
		publish_state(&pipeline, edata);
	if (edata != NULL)
	{
		bool		authenticated = pipeline.auth && pipeline.auth->authenticated;

		if (pipeline.plan &&
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION)
			name_aliases(edata, pipeline.plan);
		pipeline.response = pgrest_failure_response(edata, authenticated);
		if (pipeline.response->status >= 500)
			ereport(LOG,
					(errmsg("pgrest request \"%s\" failed: %s", line, edata->message)));
		FreeErrorData(edata);
	}

	pgrest_response_cors(pipeline.response, http);
	if (pipeline.response->stream != NULL)
	{
		/* it runs on: its transaction stays open until its rows are sent */
		st->running = true;
		st->stream = pipeline.response->stream;
	}
	else if (!nested)
	{
		pgstat_report_stat(false);
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	return pipeline.response;
}

/* a streamed request is over: the worker is idle again */
static void
end_stream(PgrestState *st)
{
	st->stream = NULL;
	st->running = false;
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * What this worker's last transaction says of its readiness: the stages
 * ran with pgrest installed (ready), or pgrest is not installed (the
 * schema cache, loaded in that transaction, says so), or the bracket
 * refused for another reason (a superuser role, a catalog error).  A
 * change for the worse is logged once.
 */
static void
publish_state(const Pipeline *pipeline, const ErrorData *edata)
{
	PgrestWorkerState state;

	if (pipeline->served && pgrest_schema_extension_installed())
		state = PGREST_WORKER_READY;
	else if (!pgrest_schema_extension_installed())
		state = PGREST_WORKER_NO_EXTENSION;
	else
		state = PGREST_WORKER_REFUSED;
	if (state == pgrest_shmem_state())
		return;
	if (state != PGREST_WORKER_READY && edata != NULL)
		ereport(LOG,
				(errmsg("pgrest worker is not ready: %s", edata->message)));
	pgrest_shmem_set_state(state);
}

/* the warm-up's transaction body: the schema cache loaded, pgrest installed */
static void
mark_served(void *arg)
{
	pgrest_schema_refresh();
	require_extension();
	((Pipeline *) arg)->served = true;
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

	pgrest_schema_refresh();
	if (!pipeline->nested)
		require_extension();
	pipeline->served = true;
	req = pgrest_request_parse(pipeline->http, pipeline->target);
	pipeline->auth = pgrest_auth_authenticate(req);
	pgrest_request_parse_body(req);
	plan = pgrest_plan_build(req);
	pipeline->plan = plan;
	/* the root's statement comes from openapi.c (or its 404, when disabled) */
	query = plan->kind == PGREST_PLAN_OPENAPI ?
		pgrest_openapi_query(req, plan->schema) : NULL;
	/* an explained write (options=analyze runs it) leaves nothing behind */
	if (plan->rollback || (plan->explain != PGREST_EXPLAIN_NONE && !plan->read_only))
		pgrest_execute_end_with_rollback();
	pgrest_execute_set_context(req, pipeline->auth, plan->schema, plan->read_only,
							   pgrest_schema_role_settings(pipeline->auth->role));
	pgrest_execute_pre_request();
	if (plan->kind == PGREST_PLAN_OPENAPI)
	{
		pipeline->response = pgrest_openapi_serve(req, query, plan->with_body);
		return;
	}
	if (plan->kind == PGREST_PLAN_SQL)
		result = pgrest_execute_sql(plan->sql);
	else
	{
		query = pgrest_query_build(plan);
		/* a body that a check must see whole is never streamed */
		result = query->rows ?
			pgrest_stream_begin(query, plan,
								!pipeline->nested && plan->max_affected < 0) :
			pgrest_execute_query(query);
	}
	pgrest_response_check(plan, result);
	pipeline->response = pgrest_response_build(req, plan, result);
}

/*
 * An HTTP worker serves only the database where the extension is
 * installed (CREATE and DROP EXTENSION create and drop functions, whose
 * invalidations rebuild the schema cache, which notes it).
 */
static void
require_extension(void)
{
	if (!pgrest_schema_extension_installed())
		pgrest_error_raise(PGREST_ERR_NOT_INSTALLED,
						   psprintf("pgrest is not installed in database \"%s\"",
									get_database_name(MyDatabaseId)),
						   NULL,
						   "Run CREATE EXTENSION pgrest; in that database.");
}

/*
 * PostgreSQL's messages about the statement name pgrest's aliases
 * (pgrest_1); say the relations' names instead, as a client expects.
 */
static void
name_aliases(ErrorData *edata, const PgrestPlan *plan)
{
	edata->message = pgrest_readplan_name_aliases(plan->read, edata->message);
	edata->detail = pgrest_readplan_name_aliases(plan->read, edata->detail);
	edata->hint = pgrest_readplan_name_aliases(plan->read, edata->hint);
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
	if (pgrest_state_get()->running)
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
