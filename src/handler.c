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
 * request from its method and path; a CORS preflight is answered there
 * and then, without a transaction; other OPTIONS requests are planned
 * against the schema cache and run no statement.  pgrest.handle() is the same
 * pipeline run in the calling backend, nested in its transaction, so the
 * regression tests drive every stage without a socket.
 *
 * A read whose body streams (stream.c) is not over when its response is:
 * its transaction stays open, and what it keeps (its rows, its request
 * line) is in the request's state (state.h).  In each later turn of the
 * worker's loop pgrest_handler_continue writes its next batch; an error
 * then can only cut the body short, and is logged.  A client that goes
 * away ends it with pgrest_handler_abandon.  Only a request that has
 * written nothing streams; a write's large body, and one for an HTTP/1.0
 * client, are spooled: written whole, to a temporary file, before the
 * commit, so that the status tells how the commit went; later turns read
 * it back.  pgrest.handle() never streams.
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
#include "auth/auth.h"
#include "base/encoding.h"
#include "base/error.h"
#include "run/execute.h"
#include "response/failure.h"
#include "handler.h"
#include "server/guc.h"
#include "server/login.h"
#include "server/metrics.h"
#include "response/openapi.h"
#include "plan/plan.h"
#include "query/query.h"
#include "plan/readplan.h"
#include "api/router.h"
#include "cache/schema.h"
#include "server/shmem.h"
#include "server/timing.h"
#include "base/state.h"
#include "run/stream.h"
#include "realtime/subscription.h"

PG_FUNCTION_INFO_V1(pgrest_handle);

/* the stages Server-Timing names, in its order (pgrest.server_timing) */
typedef enum Timing
{
	TIMING_JWT,					/* the Authorization header */
	TIMING_PARSE,				/* the request and its body */
	TIMING_PLAN,				/* the plan and its statement */
	TIMING_TRANSACTION,			/* settings, the statement, the commit */
	TIMING_RESPONSE,			/* the checks and the response */
	TIMING_COUNT
} Timing;

static const char *const timing_names[TIMING_COUNT] = {
	"jwt", "parse", "plan", "transaction", "response"
};

/* what the stages hand each other inside the transaction */
typedef struct Pipeline
{
	const PgrestHttpRequest *http;
	PgrestTarget target;		/* what the path names (router.c) */
	bool		nested;			/* inside pgrest.handle() */
	PgrestAuth *auth;
	PgrestPlan *plan;
	PgrestResponse *response;
	PgrestStreamSpec *subscription; /* a stream of changes, once committed */
	bool		served;			/* the transaction let the stages run */
	instr_time	lap_start;		/* Server-Timing: when the current stage began */
	instr_time	started;		/* PGREST_TIMING: the transaction's start */
	instr_time	stages_start;	/* ... the stages' */
	double		timing[TIMING_COUNT];	/* its milliseconds, per stage */
	bool		timed[TIMING_COUNT];
} Pipeline;

/*
 * The response to a request that failed outside its transaction (see
 * pgrest_handler_handle), made once, before it is needed: building one
 * then could fail again.
 */
static PgrestResponse *last_resort = NULL;

#define LAST_RESORT_BODY "{\"code\":\"XX000\",\"details\":null,\"hint\":null," \
	"\"message\":\"The request failed in the server; its log says why.\"}"

/* the next time a worker that is not ready tries again (see warm_up) */
static TimestampTz next_warm_up = 0;
static MemoryContext warm_up_context = NULL;

static PgrestResponse *handle(const PgrestHttpRequest *http, bool nested);
static PgrestResponse *make_last_resort(void);
static void recover(MemoryContext cxt, const char *what);
static PgrestResponse *run_pipeline(const PgrestHttpRequest *http,
									PgrestTarget target, bool nested);
static void run_stages(void *arg);
static PgrestStreamMode stream_mode(const Pipeline *pipeline, const PgrestPlan *plan);
static void end_stream(PgrestState *st);
static void mark_served(void *arg);
static void require_extension(void);
static void name_aliases(ErrorData *edata, const PgrestPlan *plan);
static void publish_state(const Pipeline *pipeline, const ErrorData *edata);
static pg_noinline char *request_line(const PgrestHttpRequest *http);
static int	headers_from_jsonb(Jsonb *jb, PgrestHeader **headers);
static Datum headers_to_jsonb(const PgrestResponse *resp);
static void lap(Pipeline *pipeline, Timing stage);
static void add_server_timing(const Pipeline *pipeline);
static void add_trace_header(PgrestResponse *resp, const PgrestHttpRequest *http);
static void time_phases(Pipeline *pipeline);

/*
 * Handle one request and return its response, palloc'd in the current
 * memory context.  Never raises an error for anything the request
 * contains: failures come back as error responses.  The admin port's
 * routes and CORS preflights run no transaction; requests on the API port are
 * counted for /metrics (in a worker; pgrest.handle() counts nothing).
 *
 * In a worker, the whole request sits inside an error boundary: the
 * transaction's bracket turns the request's own errors into responses,
 * and an error raised anywhere else (a defect in pgrest, say, while
 * building an error's response after the transaction) is caught here,
 * logged, and answered with a 500, so that no request ends the worker.
 * In pgrest.handle() such an error is the calling statement's.
 */
PgrestResponse *
pgrest_handler_handle(const PgrestHttpRequest *http, bool nested)
{
	MemoryContext cxt = CurrentMemoryContext;
	PgrestResponse *volatile resp = NULL;

	if (nested)
		return handle(http, true);
	if (last_resort == NULL)
		last_resort = make_last_resort();
	PG_TRY();
	{
		resp = handle(http, false);
	}
	PG_CATCH();
	{
		recover(cxt, "failed");
		resp = last_resort;
	}
	PG_END_TRY();
	return resp;
}

/* a worker's request, for the HTTP server */
static PgrestResponse *
answer_http(const PgrestHttpRequest *http)
{
	return pgrest_handler_handle(http, false);
}

/* what a worker's HTTP server calls (http.h) */
const PgrestHttpHandlers pgrest_handler_http = {
	answer_http, pgrest_handler_continue, pgrest_handler_abandon
};

/* one request, as pgrest_handler_handle describes */
static PgrestResponse *
handle(const PgrestHttpRequest *http, bool nested)
{
	PgrestRoute route = pgrest_router_route(http->method, http->path, http->admin);
	PgrestResponse *resp;
	instr_time	start;
	instr_time	elapsed;

	/* a worker that could not log in has no database to serve (login.c) */
	if (!http->admin && pgrest_login_failed())
	{
		char	   *message;
		char	   *detail;
		char	   *hint;

		pgrest_login_failure(&message, &detail, &hint);
		return pgrest_failure_build(PGREST_ERR_LOGIN, message, detail, hint);
	}

	switch (route.kind)
	{
		case PGREST_ROUTE_LIVE:
		case PGREST_ROUTE_READY:
		case PGREST_ROUTE_METRICS:
		case PGREST_ROUTE_ADMIN_OTHER:
			return pgrest_admin_handle(route.kind, http);
		case PGREST_ROUTE_PIPELINE:
			break;
	}

	INSTR_TIME_SET_CURRENT(start);
	/* a CORS preflight needs no transaction, no role and no schema */
	resp = pgrest_response_preflight(http);
	if (resp == NULL)
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
	PgrestStream *volatile stream = st->stream;
	MemoryContext cxt = CurrentMemoryContext;
	ErrorData  *edata;

	if (stream == NULL)
		return false;
	if (pgrest_stream_spooled(st->stream))
	{
		/* committed: a cancel has nothing left to cancel */
		QueryCancelPending = false;
		pgrest_stream_read_spool(st->stream);
		if (pgrest_stream_ended(st->stream) || pgrest_stream_failed(st->stream))
			end_stream(st);
		return st->stream != NULL;
	}
	/* a cancel is taken at once, even while the client is slow */
	if (!pgrest_stream_wants_rows(stream) && !InterruptPending)
		return true;
	PG_TRY();
	{
		edata = pgrest_execute_continue(pgrest_stream_write, stream);
		if (edata != NULL)
		{
			ereport(LOG,
					(errmsg("pgrest request \"%s\" failed after its response began: %s",
							st->line, edata->message),
					 errdetail("The response was cut short.")));
			FreeErrorData(edata);
			pgrest_stream_fail(stream);
			end_stream(st);
		}
		else if (pgrest_stream_ended(stream))
			end_stream(st);
	}
	PG_CATCH();
	{
		/* the same boundary as pgrest_handler_handle's */
		recover(cxt, "failed after its response began");
		pgrest_stream_fail(stream);
	}
	PG_END_TRY();
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
 * The boundary's catch: the error is logged and forgotten, any
 * transaction still open rolled back, and the worker idle again, ready
 * for its next request.  Runs in PG_CATCH; cxt is the caller's memory
 * context.
 */
static void
recover(MemoryContext cxt, const char *what)
{
	PgrestState *st = pgrest_state_get();
	ErrorData  *edata;

	HOLD_INTERRUPTS();
	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	pgrest_execute_recover();
	ereport(LOG,
			(errmsg("pgrest request \"%s\" %s: %s", st->line ? st->line : "",
					what, edata->message),
			 errdetail("The error was raised outside the request's transaction.")));
	FreeErrorData(edata);
	st->stream = NULL;
	st->running = false;
	pgstat_report_activity(STATE_IDLE, NULL);
	RESUME_INTERRUPTS();
}

/* the last resort's response, in memory that lives as long as the worker */
static PgrestResponse *
make_last_resort(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	PgrestResponse *resp = pgrest_message_json(500, LAST_RESORT_BODY,
												strlen(LAST_RESORT_BODY));

	MemoryContextSwitchTo(old);
	return resp;
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
	Pipeline	pipeline = {.http = http, .target = target, .nested = nested};
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
	if (pgrest_timing)
		INSTR_TIME_SET_CURRENT(pipeline.started);
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
		PgrestPendingError *pending = &pgrest_state_get()->error;
		bool		retry = edata->sqlerrcode == ERRCODE_PGREST && pending->set &&
			pending->error == PGREST_ERR_STREAM_FULL;

		if (pipeline.plan &&
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION)
			name_aliases(edata, pipeline.plan);
		pipeline.response = pgrest_failure_response(edata, authenticated);
		if (pipeline.response->status >= 500)
			ereport(LOG,
					(errmsg("pgrest request \"%s\" failed: %s", line, edata->message)));
		if (retry)
			pgrest_message_set_header(pipeline.response, "Retry-After", "5");
		FreeErrorData(edata);
	}
	else if (pipeline.subscription != NULL)
	{
		/* checked and committed: the subscriber joins, its stream begins */
		pipeline.response = pgrest_realtime_respond(pipeline.subscription, nested);
	}
	else
	{
		if (pgrest_timing && !nested && pipeline.served)
			time_phases(&pipeline);
		lap(&pipeline, TIMING_TRANSACTION);	/* the commit */
		pgrest_response_vary(pipeline.response);
		add_server_timing(&pipeline);
	}

	pgrest_response_cors(pipeline.response, http);
	add_trace_header(pipeline.response, http);
	if (pipeline.response->stream != NULL &&
		!pgrest_stream_ended(pipeline.response->stream))
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
 * ran with pgrest installed (ready), or the bracket refused a superuser
 * role (before the schema cache was loaded: it cannot say whether pgrest
 * is installed), or pgrest is not installed (the schema cache, loaded in
 * that transaction, says so), or the bracket refused for another reason
 * (a catalog error).  A change for the worse is logged once.
 */
static void
publish_state(const Pipeline *pipeline, const ErrorData *edata)
{
	PgrestPendingError *pending = &pgrest_state_get()->error;
	PgrestWorkerState state;

	if (pipeline->served && pgrest_schema_extension_installed())
		state = PGREST_WORKER_READY;
	else if (edata != NULL && edata->sqlerrcode == ERRCODE_PGREST &&
			 pending->set && pending->error == PGREST_ERR_SUPERUSER)
		state = PGREST_WORKER_SUPERUSER;
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
	lap(pipeline, TIMING_COUNT);
	pipeline->stages_start = pipeline->lap_start;
	req = pgrest_request_parse(pipeline->http, pipeline->target);
	lap(pipeline, TIMING_PARSE);
	pipeline->auth = pgrest_auth_authenticate(req);
	lap(pipeline, TIMING_JWT);
	pgrest_request_parse_body(req);
	lap(pipeline, TIMING_PARSE);
	plan = pgrest_plan_build(req);
	pipeline->plan = plan;
	lap(pipeline, TIMING_PLAN);
	/* OPTIONS: the schema cache answers, no statement runs */
	if (plan->kind == PGREST_PLAN_INFO)
	{
		pipeline->response = pgrest_response_info(plan, pipeline->http);
		lap(pipeline, TIMING_RESPONSE);
		return;
	}
	/* the root's statement comes from openapi.c (or its 404, when disabled) */
	query = plan->kind == PGREST_PLAN_OPENAPI ?
		pgrest_openapi_query(req, plan->schema) : NULL;
	/* an explained write (options=analyze runs it) leaves nothing behind */
	if (plan->rollback || (plan->explain != PGREST_EXPLAIN_NONE && !plan->read_only))
		pgrest_execute_end_with_rollback();
	pgrest_execute_set_context(req, pipeline->auth, plan->schema, plan->read_only,
							   pgrest_schema_role_settings(pipeline->auth->role));
	pgrest_execute_pre_request();
	if (plan->kind == PGREST_PLAN_SUBSCRIBE)
	{
		/* its checks and its dry run, as the role; it joins after the commit */
		pipeline->subscription = pgrest_realtime_prepare(req, pipeline->auth, plan);
		return;
	}
	if (plan->kind == PGREST_PLAN_OPENAPI)
	{
		pipeline->response = pgrest_openapi_serve(req, query, plan->with_body);
		lap(pipeline, TIMING_TRANSACTION);
		pgrest_response_add_profile(pipeline->response, plan);
		lap(pipeline, TIMING_RESPONSE);
		return;
	}
	if (plan->kind == PGREST_PLAN_SQL)
		result = pgrest_execute_sql(plan->sql);
	else
	{
		lap(pipeline, TIMING_TRANSACTION);
		query = pgrest_query_build(plan);
		lap(pipeline, TIMING_PLAN);
		result = query->rows ?
			pgrest_stream_begin(query, plan, stream_mode(pipeline, plan)) :
			pgrest_execute_query(query);
	}
	lap(pipeline, TIMING_TRANSACTION);
	pgrest_response_check(plan, result);
	pipeline->response = pgrest_response_build(req, plan, result);
	lap(pipeline, TIMING_RESPONSE);
}

/*
 * With pgrest.server_timing, add the milliseconds since the last lap to
 * the stage that just ended (TIMING_COUNT: none, the clock starts).
 */
static void
lap(Pipeline *pipeline, Timing stage)
{
	instr_time	now;
	instr_time	elapsed;

	if (!pgrest_server_timing && !pgrest_timing)
		return;
	INSTR_TIME_SET_CURRENT(now);
	if (stage != TIMING_COUNT)
	{
		elapsed = now;
		INSTR_TIME_SUBTRACT(elapsed, pipeline->lap_start);
		pipeline->timing[stage] += INSTR_TIME_GET_MILLISEC(elapsed);
		pipeline->timed[stage] = true;
	}
	pipeline->lap_start = now;
}

/*
 * PGREST_TIMING (server/timing.c): a request's phases, once its
 * transaction has committed: from its start to the first stage (with the
 * invalidations it took in and the schema cache's check), the stages, and
 * the commit (since the last stage ended).
 */
static void
time_phases(Pipeline *pipeline)
{
	instr_time	now;
	instr_time	begin = pipeline->stages_start;
	instr_time	commit;

	INSTR_TIME_SET_CURRENT(now);
	commit = now;
	INSTR_TIME_SUBTRACT(commit, pipeline->lap_start);
	INSTR_TIME_SUBTRACT(begin, pipeline->started);
	pgrest_timing_add(PGREST_PHASE_BEGIN, INSTR_TIME_GET_MICROSEC(begin));
	pgrest_timing_add(PGREST_PHASE_PARSE,
					  (uint64) ((pipeline->timing[TIMING_PARSE] +
								 pipeline->timing[TIMING_JWT]) * 1000));
	pgrest_timing_add(PGREST_PHASE_PLAN, (uint64) (pipeline->timing[TIMING_PLAN] * 1000));
	pgrest_timing_add(PGREST_PHASE_STATEMENT,
					  (uint64) (pipeline->timing[TIMING_TRANSACTION] * 1000));
	pgrest_timing_add(PGREST_PHASE_RESPONSE,
					  (uint64) (pipeline->timing[TIMING_RESPONSE] * 1000));
	pgrest_timing_add(PGREST_PHASE_COMMIT, INSTR_TIME_GET_MICROSEC(commit));
}

/*
 * Server-Timing, as PostgREST writes it on a successful response: each
 * stage the request went through, in milliseconds.
 */
static void
add_server_timing(const Pipeline *pipeline)
{
	StringInfoData buf;

	if (!pgrest_server_timing)
		return;
	initStringInfo(&buf);
	for (int i = 0; i < TIMING_COUNT; i++)
	{
		if (pipeline->timed[i])
			appendStringInfo(&buf, "%s%s;dur=%.1f", buf.len > 0 ? ", " : "",
							 timing_names[i], pipeline->timing[i]);
	}
	if (buf.len > 0)
		pgrest_message_add_header(pipeline->response, "Server-Timing", buf.data);
}

/*
 * pgrest.server_trace_header: the request's value of that header on the
 * response, as PostgREST's server-trace-header (which sends it empty when
 * the request had none; libmicrohttpd sends no empty header).
 */
static void
add_trace_header(PgrestResponse *resp, const PgrestHttpRequest *http)
{
	char	   *name;
	const char *value;

	if (pgrest_server_trace_header[0] == '\0')
		return;
	name = pstrdup(pgrest_server_trace_header);
	for (char *p = name; *p; p++)
		*p = pg_tolower((unsigned char) *p);
	value = pgrest_message_header(http, name);
	if (value != NULL && value[0] != '\0')
		pgrest_message_set_header(resp, pgrest_server_trace_header, value);
}

/*
 * How a body written row by row may go out.  A status sent before the
 * commit could not tell a failing commit (a deferred constraint, a
 * serialization failure), so a request that may write (a call of a
 * volatile function) never streams, nor a body whose row count a check
 * must see whole, nor one for an HTTP/1.0 client, which a chunked body
 * would reach delimited by the connection's close, so that a body cut
 * short would look whole: these are spooled (stream.h).
 */
static PgrestStreamMode
stream_mode(const Pipeline *pipeline, const PgrestPlan *plan)
{
	if (pipeline->nested)
		return PGREST_STREAM_WHOLE;
	if (!plan->read_only || plan->max_affected >= 0 || pipeline->http->http_1_0)
		return PGREST_STREAM_SPOOLED;
	return PGREST_STREAM_CHUNKED;
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

/*
 * "GET /path?query", for pg_stat_activity and the log, which keep text in
 * the database encoding: bytes that are not printable ASCII (UTF-8 sent
 * without percent-encoding, or not UTF-8 at all) are percent-encoded.
 * (Not inlined: in run_pipeline, gcc takes its locals for ones PG_TRY
 * could clobber.)
 */
static pg_noinline char *
request_line(const PgrestHttpRequest *http)
{
	char	   *raw = psprintf("%s %s%s%s",
							   http->method ? http->method : "",
							   http->path ? http->path : "",
							   http->query ? "?" : "",
							   http->query ? http->query : "");
	const unsigned char *p = (const unsigned char *) raw;
	StringInfoData line;

	while (*p >= 0x20 && *p < 0x7f)
		p++;
	if (*p == '\0')
		return raw;
	initStringInfo(&line);
	for (p = (const unsigned char *) raw; *p; p++)
	{
		if (*p < 0x20 || *p >= 0x7f)
			appendStringInfo(&line, "%%%02X", *p);
		else
			appendStringInfoChar(&line, *p);
	}
	return line.data;
}

/*
 * pgrest.handle(method text, path text, query text, headers jsonb,
 *				 body text)
 * returns (status int, headers jsonb, body text)
 *
 * A binary body (a media type handler's: bytea, jsonb, ...) is returned
 * as bytea's text, \x and hex digits.
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

	/* the pipeline reads and writes UTF-8, SQL the database encoding */
	pgrest_encoding_request_to_utf8(&http);
	resp = pgrest_handler_handle(&http, true);
	if (resp->binary && resp->body)
	{
		/* a binary body (a media type handler's) as bytea's text: \x... */
		bytea	   *bytes = (bytea *) palloc(VARHDRSZ + resp->body_len);

		SET_VARSIZE(bytes, VARHDRSZ + resp->body_len);
		memcpy(VARDATA(bytes), resp->body, resp->body_len);
		resp->body = DatumGetCString(DirectFunctionCall1(byteaout, PointerGetDatum(bytes)));
		resp->body_len = strlen(resp->body);
	}
	pgrest_encoding_response_to_server(resp);

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
