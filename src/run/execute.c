/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  The transaction bracket of a request, and the only place pgrest runs
 *	  SQL.
 *
 * In an HTTP worker every request is one top-level transaction:
 *
 *	 statement start time -> StartTransactionCommand -> request timeout
 *	 armed -> PushActiveSnapshot -> SPI_connect -> parsing, authentication,
 *	 the body, the plan -> request settings (role, request.*, search_path,
 *	 all LOCAL) -> the statement -> result copied out -> SPI_finish ->
 *	 deferred triggers -> held cursors and temporary
 *	 objects dropped -> PopActiveSnapshot -> CommitTransactionCommand ->
 *	 timeout disarmed -> prepared statements dropped, session advisory
 *	 locks released, sequence state (lastval, currval) forgotten,
 *	 random() seeded anew
 *
 * The request timeout (pgrest.statement_timeout, else the session's
 * statement_timeout) covers all of a request's work, from parsing to
 * commit: when it expires the request is cancelled (57014).  A request
 * whose code swallows that cancel (an exception handler for
 * query_canceled, in a loop) is given PGREST_CANCEL_GRACE_MS more, then
 * the worker ends itself with FATAL: no ERROR is beyond the reach of an
 * exception handler, and a worker must not be held for ever.  At the end
 * of every request both timers are disarmed and a cancel still pending is
 * dropped, so a timeout never reaches the next request.
 *
 * The whole bracket, commit included, sits inside one PG_TRY: deferred
 * constraints and serialization failures fire at commit and must become
 * error responses too.  PG_CATCH copies the error into the request's
 * memory context, flushes the error state and aborts the transaction,
 * which also undoes SPI, snapshots, locks and every LOCAL setting.
 *
 * pgrest.handle() runs the same bracket nested in its caller's
 * transaction: a subtransaction instead of a transaction, its own GUC
 * nesting level so that nothing the request set (role, request.*)
 * outlives it, and no statement timeout of its own (the caller's
 * applies).
 *
 * Everything the caller keeps is allocated in the memory context that was
 * current on entry (the request's context), never in a transaction or SPI
 * context that commit would free.
 *
 * A read whose body is written row by row (stream.c) opens a portal on
 * its rows and fetches the first batches inside the bracket.  If they are
 * not all fetched then, the bracket returns with the transaction open and
 * the portal in it: SPI finished, the snapshot popped (the portal holds
 * its own, which pins the transaction's xmin), but the transaction, the
 * request's settings, its role lock and its timeouts in force.  The
 * worker's loop then sends what was fetched and, in later turns, fetches
 * more with pgrest_execute_continue, one PG_TRY per turn; the turn that
 * closes the portal ends the transaction as above.  A client that goes
 * away meanwhile ends it with pgrest_execute_abandon (a rollback, which
 * drops the portal).  So the timeout covers the whole stream, and a
 * cancel that arrives between turns is raised in the next one.  A body
 * that must not go out before the commit (stream.c spools it) fetches
 * all its rows inside the bracket, and closes the portal there.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/execute.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "run/layer.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_type.h"
#include "commands/prepare.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "parser/parse_param.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/varlena.h"

#include "base/encoding.h"
#include "base/error.h"
#include "run/execute.h"
#include "server/guc.h"
#include "run/receivers.h"
#include "cache/schema.h"
#include "run/session.h"
#include "run/sqlendpoint.h"
#include "base/state.h"
#include "run/statement.h"

/* time a request that swallows its cancel gets before the worker exits */
#define PGREST_CANCEL_GRACE_MS 1000

/* the timer that ends a request which ignored its cancel; registered once */
static TimeoutId escalation_timeout = MAX_TIMEOUTS;
static volatile sig_atomic_t escalated = false;

static object_access_hook_type prev_object_access_hook = NULL;

static void end_transaction(void);
static ErrorData *abort_transaction(void);
static void end_request(void);
static void refuse_superuser(void);
static void set_local(const char *name, const char *value);
static char *headers_json(const PgrestRequest *req);
static char *cookies_json(const PgrestRequest *req);
static void lock_role(void);
static void unlock_role(void);
static bool repeated_later(const PgrestRequest *req, int i);
static char *search_path_for(const char *schema);
static void arm_request_timeout(void);
static void rearm_request_timeout(int ms);
static void disarm_escalation(void);
static void disarm_request_timeout(void);
static void escalate_cancel(void);
static void report_escalation(int code, Datum arg);
static int64 planner_estimate(const PgrestQuery *query);
static PgrestResult *execute_explain(const PgrestQuery *query);
static PgrestResult *execute_statement(const PgrestQuery *query);
static char *response_setting(const char *name);
static void forget_session_objects(void);
static void note_object_access(ObjectAccessType access, Oid classId,
							   Oid objectId, int subId, void *arg);

/*
 * Run body(arg) inside the request's transaction (a subtransaction of the
 * caller's when nested).  Returns NULL on success, or the error that
 * aborted the transaction, copied into the current memory context (the
 * request's).
 *
 * If the body leaves a read's rows open (pgrest_execute_open_rows), the
 * transaction stays open when this returns: SPI is finished and the
 * snapshot popped, but the transaction, its settings, its role and its
 * timeout remain, and the portal holds its own snapshot.  Later turns of
 * the worker's loop go on with pgrest_execute_continue, which ends the
 * transaction once the rows are closed, or pgrest_execute_abandon.
 */
ErrorData *
pgrest_execute_transaction(PgrestTransactionBody body, void *arg, bool nested)
{
	PgrestState *st = pgrest_state_get();
	ErrorData  *volatile edata = NULL;

	st->nested = nested;
	st->rollback = false;
	st->objects_created = false;
	st->rows = NULL;
	st->context = CurrentMemoryContext;
	st->caller_owner = CurrentResourceOwner;
	st->caller_query = debug_query_string;
	if (nested)
		BeginInternalSubTransaction(NULL);
	else
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* a cancel meant for an earlier request is not this one's */
		QueryCancelPending = false;
		arm_request_timeout();
	}
	MemoryContextSwitchTo(st->context);

	PG_TRY();
	{
		st->guc_level = NewGUCNestLevel();
		PushActiveSnapshot(GetTransactionSnapshot());
		/* an error must become UTF-8 after the transaction, too */
		pgrest_encoding_prepare();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		MemoryContextSwitchTo(st->context);
		if (!nested)
			refuse_superuser();

		body(arg);

		/*
		 * Deferred constraints fire now, still as the request's role, so
		 * their errors become this request's response.  (Nested in a
		 * caller's transaction they belong to the caller.)
		 */
		if (st->rollback)
			SPI_execute("SET CONSTRAINTS ALL IMMEDIATE", false, 0);
		SPI_finish();
		if (st->rows == NULL)
			end_transaction();
		else
			PopActiveSnapshot();	/* the portal keeps its own */
	}
	PG_CATCH();
	{
		edata = abort_transaction();
	}
	PG_END_TRY();

	if (st->rows == NULL)
		end_request();
	MemoryContextSwitchTo(st->context);
	debug_query_string = st->caller_query;
	return edata;
}

/*
 * In a later turn of the worker's loop: run step(arg) inside the
 * transaction pgrest_execute_transaction left open, and end it (commit,
 * or the requested rollback) once the step has closed the rows.  Returns
 * NULL, or the error that aborted the transaction, copied into the
 * request's memory.  A cancel (the statement timeout, pg_cancel_backend)
 * that arrived while the loop waited is raised here.  The caller's memory
 * context is current again on return.
 */
ErrorData *
pgrest_execute_continue(PgrestTransactionBody step, void *arg)
{
	PgrestState *st = pgrest_state_get();
	MemoryContext cxt = CurrentMemoryContext;
	ErrorData  *volatile edata = NULL;

	Assert(st->rows != NULL);
	MemoryContextSwitchTo(st->context);
	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
		step(arg);
		if (st->rows == NULL)
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			end_transaction();
		}
	}
	PG_CATCH();
	{
		edata = abort_transaction();
	}
	PG_END_TRY();

	if (st->rows == NULL)
		end_request();
	MemoryContextSwitchTo(cxt);
	debug_query_string = st->caller_query;
	return edata;
}

/*
 * The client is gone while the request's rows were still being sent:
 * roll its transaction back (which also drops the portal).  The request's
 * memory is about to be freed; the caller's context is current again on
 * return.
 */
void
pgrest_execute_abandon(void)
{
	PgrestState *st = pgrest_state_get();
	MemoryContext cxt = CurrentMemoryContext;

	if (st->rows == NULL)
		return;
	disarm_request_timeout();
	st->role_locked = false;	/* the abort restores the user id */
	st->rows = NULL;
	AbortCurrentTransaction();
	end_request();
	MemoryContextSwitchTo(cxt);
	debug_query_string = st->caller_query;
}

/*
 * After an error that escaped the bracket (raised by pgrest itself after
 * the transaction, and caught by handler.c's boundary): undo what the
 * bracket's own PG_CATCH would have undone.  Any transaction still open
 * (a stream's) is rolled back, the timers disarmed, and what the request
 * left in the session (locks, prepared statements) released.  Never
 * nested: pgrest.handle()'s errors are its caller's.
 */
void
pgrest_execute_recover(void)
{
	PgrestState *st = pgrest_state_get();

	disarm_request_timeout();
	st->role_locked = false;	/* an abort restores the user id */
	st->rows = NULL;
	AbortOutOfAnyTransaction();
	if (!st->nested)
	{
		LockReleaseSession(USER_LOCKMETHOD);
		DropAllPreparedStatements();
		ResetSequenceCaches();
	}
	debug_query_string = NULL;
}

/*
 * The end of a transaction whose work succeeded: deferred triggers, then
 * nothing the request set outlives it (role, request.*, any SET), then
 * commit, or the rollback asked for.  SPI is finished; the request's
 * snapshot is still pushed.
 */
static void
end_transaction(void)
{
	PgrestState *st = pgrest_state_get();

	if (!st->nested && !st->rollback)
	{
		AfterTriggerFireDeferred();
		forget_session_objects();
	}
	PopActiveSnapshot();

	unlock_role();
	AtEOXact_GUC(false, st->guc_level);
	if (st->nested && st->rollback)
		RollbackAndReleaseCurrentSubTransaction();
	else if (st->nested)
		ReleaseCurrentSubTransaction();
	else if (st->rollback)
		AbortCurrentTransaction();
	else
	{
		/* no user code runs from here on; a cancel still can */
		disarm_escalation();
		CommitTransactionCommand();
	}
	disarm_request_timeout();
}

/*
 * In PG_CATCH: copy the error into the request's memory, then abort the
 * transaction, which also undoes SPI, snapshots, portals, locks and every
 * LOCAL setting.
 */
static ErrorData *
abort_transaction(void)
{
	PgrestState *st = pgrest_state_get();
	ErrorData  *edata;

	MemoryContextSwitchTo(st->context);
	edata = CopyErrorData();
	FlushErrorState();
	debug_query_string = st->caller_query;
	disarm_request_timeout();
	st->role_locked = false;	/* the abort restores the user id */
	st->rows = NULL;			/* and drops the portal */
	if (st->nested)
		RollbackAndReleaseCurrentSubTransaction();
	else
		AbortCurrentTransaction();
	return edata;
}

/*
 * After the transaction, committed or not.  Session advisory locks,
 * prepared statements and the session's sequence state would outlive the
 * request (none is transactional): lastval() and currval() would show the
 * next request, another user's perhaps, the values this one drew.  This
 * is DISCARD SEQUENCES.  random() is seeded anew (session.c).
 */
static void
end_request(void)
{
	PgrestState *st = pgrest_state_get();

	if (!st->nested)
	{
		LockReleaseSession(USER_LOCKMETHOD);
		DropAllPreparedStatements();
		ResetSequenceCaches();
		pgrest_session_forget();
	}
	CurrentResourceOwner = st->caller_owner;
}

/*
 * What a committing request created for the rest of the worker's session
 * goes with it: cursors WITH HOLD (whose rows another role could fetch)
 * and temporary objects (pg_temp comes first in every later request's
 * search path, so a temporary table would shadow the table of that name
 * in their functions).  A request that aborts leaves neither.  Session
 * settings, advisory locks and prepared statements are undone elsewhere
 * in the bracket; LISTEN is refused by PostgreSQL in a background worker;
 * random()'s seed and dblink's connections are session.c's.
 */
static void
forget_session_objects(void)
{
	/* cursors first: an open one keeps its temporary table in use */
	PortalHashTableDeleteAll();
	if (pgrest_state_get()->objects_created)
		ResetTempTableNamespace();
}

/*
 * In a worker: notice when a request creates an object, so that its
 * temporary objects can be dropped before it commits.  DDL is rare in
 * requests, and the check costs nothing when there was none.
 */
void
pgrest_execute_install_hooks(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = note_object_access;
	pgrest_session_install_hooks();
}

static void
note_object_access(ObjectAccessType access, Oid classId, Oid objectId,
				   int subId, void *arg)
{
	if (access == OAT_POST_CREATE)
		pgrest_state_get()->objects_created = true;
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
}

/*
 * End the request's transaction with ROLLBACK rather than COMMIT once its
 * work is done (Prefer: tx=rollback, pgrest.tx_end).
 */
void
pgrest_execute_end_with_rollback(void)
{
	pgrest_state_get()->rollback = true;
}

/*
 * Switch to the request's role and publish the request to SQL, all with
 * LOCAL semantics, then arm the statement timeout.  Must run before any
 * user SQL.  A role that does not exist is the token's fault (401, code
 * 22023 as PostgREST answers), said by pgrest before PostgreSQL would
 * say it in lc_messages' words; PostgreSQL checks the rest of the role
 * switch: a role the session user (the authenticator, in a worker) is not
 * a member of fails with 42501, and neither falls back to another.
 */
void
pgrest_execute_set_context(const PgrestRequest *req, const PgrestAuth *auth,
						   const char *schema, bool read_only, List *role_settings)
{
	int			role_timeout = 0;
	ListCell   *lc;

	/*
	 * SET ROLE none means "back to the session user", the authenticator
	 * itself: no role of that name can exist.
	 */
	if (strcmp(auth->role, "none") == 0 || !OidIsValid(get_role_oid(auth->role, true)))
		pgrest_error_raise(PGREST_ERR_NO_ROLE,
						   psprintf("role \"%s\" does not exist", auth->role),
						   NULL, NULL);
	if (strcmp(auth->role, GetUserNameFromId(GetSessionUserId(), false)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set role \"%s\"", auth->role),
				 errdetail("A request never runs with the privileges of pgrest.role.")));
	set_local("search_path", search_path_for(schema));
	foreach(lc, pgrest_guc_app_settings())
	{
		PgrestGucPair *pair = (PgrestGucPair *) lfirst(lc);

		set_local(pair->name, pair->value);
	}

	/*
	 * The role's own settings (ALTER ROLE ... SET), as a session of the
	 * role would have them; pgrest.statement_timeout stays the most a
	 * request may take.
	 */
	foreach(lc, role_settings)
	{
		PgrestSetting *setting = (PgrestSetting *) lfirst(lc);

		set_local(setting->name, setting->value);
		if (strcmp(setting->name, "statement_timeout") == 0)
			role_timeout = StatementTimeout;
	}
	set_local("role", auth->role);
	set_local("request.jwt.claims", auth->claims);
	set_local("request.method", req->method_name);
	set_local("request.path", req->path);
	set_local("request.headers", headers_json(req));
	set_local("request.cookies", cookies_json(req));
	/* Prefer: timezone=, as PostgREST sets it: a zone PostgreSQL refuses is 22023 */
	if (req->prefer.timezone != NULL)
		set_local("timezone", req->prefer.timezone);
	if (read_only)
		set_local("transaction_read_only", "on");
	if (pgrest_statement_timeout > 0 &&
		(role_timeout <= 0 || role_timeout > pgrest_statement_timeout))
		set_local("statement_timeout", psprintf("%d", pgrest_statement_timeout));
	else if (role_timeout > 0)
		rearm_request_timeout(role_timeout);
	lock_role();
}

/*
 * Call pgrest.pre_request, if set, after the request's settings and
 * before its statement; what it raises answers the request.  As in
 * PostgREST, it may switch the request to another role (SET LOCAL ROLE,
 * set_config('role', ...)) that the login role may become: the role
 * lock is lifted while it runs and set again on the role it leaves, which
 * may not be the login role itself.
 */
void
pgrest_execute_pre_request(void)
{
	char	   *raw;
	List	   *parts = NIL;
	ListCell   *lc;
	StringInfoData sql;
	MemoryContext cxt = CurrentMemoryContext;
	Oid			after;

	if (pgrest_pre_request[0] == '\0')
		return;
	raw = pstrdup(pgrest_pre_request);
	(void) SplitIdentifierString(raw, '.', &parts);	/* checked by the GUC */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	foreach(lc, parts)
		appendStringInfo(&sql, "%s%s", foreach_current_index(lc) > 0 ? "." : "",
						 quote_identifier((char *) lfirst(lc)));
	appendStringInfoString(&sql, "()");
	debug_query_string = sql.data;
	unlock_role();
	if (SPI_execute(sql.data, false, 0) < 0)
		elog(ERROR, "pgrest could not call pgrest.pre_request");
	MemoryContextSwitchTo(cxt);
	after = GetUserId();
	if (after == GetSessionUserId())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set role \"%s\"",
						GetUserNameFromId(after, false)),
				 errdetail("A request never runs with the privileges of pgrest.role.")));
	lock_role();
}

/*
 * Run the request's statement; its one row goes straight from the
 * executor into the result (result.c), the body into the current memory
 * context.  Parameters are sent as text with types PostgreSQL deduces
 * from the statement, as libpq's untyped parameters are, so a value that
 * does not fit its column fails with the type's own error (22P02, ...).
 */
PgrestResult *
pgrest_execute_query(const PgrestQuery *query)
{
	if (query->explain)
		return execute_explain(query);
	return execute_statement(query);
}

/*
 * An EXPLAIN of the request's statement (Accept: application/vnd.pgrst.plan):
 * its lines, each ended by a newline, are the body.  Its plan is not kept.
 */
static PgrestResult *
execute_explain(const PgrestQuery *query)
{
	MemoryContext reqcxt = CurrentMemoryContext;
	PgrestResult *result = palloc0(sizeof(PgrestResult));
	PgrestStatement statement;
	StringInfoData body;
	int			rc;

	debug_query_string = query->sql;
	statement = pgrest_statement_prepare(query->sql, query->nparams, query->params, false, false);
	/* SPI refuses EXPLAIN in read-only mode; a read's transaction stays READ ONLY */
	rc = SPI_execute_plan_with_paramlist(statement.plan, statement.params, false, 0);
	MemoryContextSwitchTo(reqcxt);
	if (rc < 0)
		elog(ERROR, "pgrest could not explain the statement: %s", SPI_result_code_string(rc));
	initStringInfo(&body);
	for (uint64 i = 0; SPI_tuptable != NULL && i < SPI_processed; i++)
	{
		char	   *line = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		appendStringInfo(&body, "%s\n", line ? line : "");
	}
	if (SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
	pgrest_statement_done(&statement);
	MemoryContextSwitchTo(reqcxt);
	result->body = body.data;
	result->body_len = body.len;
	result->total = -1;
	result->inserted = -1;
	return result;
}

/* the statement's one row, straight from the executor (result.c) */
static PgrestResult *
execute_statement(const PgrestQuery *query)
{
	MemoryContext reqcxt = CurrentMemoryContext;
	PgrestResult *result = palloc0(sizeof(PgrestResult));
	DestReceiver *receiver = pgrest_receiver_result(result);
	PgrestStatement statement;
	SPIExecuteOptions options;
	int			rc;

	/* error reports name the statement; the bracket restores the caller's */
	debug_query_string = query->sql;
	statement = pgrest_statement_prepare(query->sql, query->nparams, query->params, true,
										 query->generic_plan);
	memset(&options, 0, sizeof(options));
	options.params = statement.params;
	options.read_only = query->read_only;
	options.dest = receiver;
	rc = SPI_execute_plan_extended(statement.plan, &options);
	MemoryContextSwitchTo(reqcxt);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "pgrest statement returned an unexpected result: %s",
			 SPI_result_code_string(rc));
	receiver->rDestroy(receiver);
	pgrest_statement_done(&statement);
	result->total = pgrest_execute_total(query, result->total);
	MemoryContextSwitchTo(reqcxt);
	pgrest_execute_response_settings(result);
	return result;
}

/*
 * Keep the response.status and response.headers the request's SQL set so
 * far (a streamed read's, before its first byte), in the current memory
 * context.
 */
void
pgrest_execute_response_settings(PgrestResult *result)
{
	result->guc_status = response_setting("response.status");
	result->guc_headers = response_setting("response.headers");
}

/*
 * The total a read reports: what its statement counted (-1: nothing), or
 * the planner's estimate when it counted nothing for count=planned; for
 * count=estimated, once the count passes pgrest.max_rows (or always,
 * without it), the larger of the two, as PostgREST reports it.
 */
int64
pgrest_execute_total(const PgrestQuery *query, int64 counted)
{
	if (query->estimate_sql != NULL && counted < 0)
		return planner_estimate(query);
	if (query->estimate_sql != NULL &&
		query->estimate_from >= 0 && counted >= query->estimate_from)
		return Max(counted, planner_estimate(query));
	return counted;
}

/*
 * Open a portal on the statement of a body written row by row (see
 * query.h): stream.c fetches its rows in batches, in this turn of the
 * worker's loop and perhaps in later ones, and the transaction stays open
 * while the portal is (see pgrest_execute_transaction).  Call inside the
 * transaction's body, where SPI is connected.  The plan is kept like any
 * other statement's; parallel plans are never made for pgrest's
 * statements, so the rows come in the order the statement gives them.
 */
void
pgrest_execute_open_rows(const PgrestQuery *query)
{
	PgrestState *st = pgrest_state_get();
	MemoryContext cxt = CurrentMemoryContext;
	PgrestStatement statement;

	Assert(query->rows && st->rows == NULL);
	debug_query_string = query->sql;
	statement = pgrest_statement_prepare(query->sql, query->nparams, query->params, true,
										 query->generic_plan);
	st->rows = SPI_cursor_open_with_paramlist(NULL, statement.plan, statement.params,
											  query->read_only);
	/* an unkept plan was copied into the portal */
	pgrest_statement_done(&statement);
	MemoryContextSwitchTo(cxt);
}

/*
 * Fetch up to count rows of the open portal into dest, straight from the
 * executor (no SPI tuple table).  Returns how many came: fewer than count
 * when the rows are all fetched.
 */
uint64
pgrest_execute_fetch_rows(long count, DestReceiver *dest)
{
	PgrestState *st = pgrest_state_get();
	MemoryContext cxt = CurrentMemoryContext;
	uint64		fetched;

	Assert(st->rows != NULL);
	debug_query_string = st->rows->sourceText;
	fetched = PortalRunFetch(st->rows, FETCH_FORWARD, count, dest);
	MemoryContextSwitchTo(cxt);
	return fetched;
}

/*
 * Whether the request's transaction has written anything so far (it has
 * a transaction id): a read-only one can still be left by the request's
 * own code (RESET transaction_read_only), and its commit could then fail.
 */
bool
pgrest_execute_wrote(void)
{
	return TransactionIdIsValid(GetTopTransactionIdIfAny());
}

/* Close the portal; the transaction ends with the step that closes it. */
void
pgrest_execute_close_rows(void)
{
	PgrestState *st = pgrest_state_get();

	Assert(st->rows != NULL);
	SPI_cursor_close(st->rows);
	st->rows = NULL;
}

/*
 * A response.* setting the request's SQL may have made (set_config(...,
 * true) in a function or trigger, as under PostgREST), read before the
 * transaction ends and takes it away; NULL when unset or empty.
 */
static char *
response_setting(const char *name)
{
	const char *value = GetConfigOption(name, true, false);

	return value && value[0] != '\0' ? pstrdup(value) : NULL;
}

/*
 * POST /sql: run the client's one statement, checked by sqlendpoint.c
 * while it runs, and return its rows as a JSON array built as the
 * executor produces them (pgrest.max_rows and
 * pgrest.sql_max_response_size bound it).  The statement is planned for
 * this run only, never kept, and the transaction ends with ROLLBACK.
 */
PgrestResult *
pgrest_execute_sql(const char *sql)
{
	MemoryContext reqcxt = CurrentMemoryContext;
	PgrestResult *result = palloc0(sizeof(PgrestResult));
	DestReceiver *receiver;
	SPIExecuteOptions options;
	volatile int rc = 0;

	debug_query_string = sql;
	pgrest_sqlendpoint_check_statement(sql);
	receiver = pgrest_receiver_json_rows(result);
	memset(&options, 0, sizeof(options));
	options.read_only = true;
	options.tcount = pgrest_max_rows;
	options.dest = receiver;
	pgrest_sqlendpoint_begin();
	PG_TRY();
	{
		rc = SPI_execute_extended(sql, &options);
	}
	PG_FINALLY();
	{
		pgrest_sqlendpoint_end();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(reqcxt);
	if (rc < 0)
		elog(ERROR, "pgrest could not run the statement: %s", SPI_result_code_string(rc));
	receiver->rDestroy(receiver);
	pgrest_sqlendpoint_check_after();

	/* nothing a read changes is kept */
	pgrest_state_get()->rollback = true;
	MemoryContextSwitchTo(reqcxt);
	return result;
}

/*
 * The planner's estimate of the rows of query->estimate_sql, with the
 * request's parameter values (a custom plan), for Prefer: count=planned.
 */
static int64
planner_estimate(const PgrestQuery *query)
{
	PgrestStatement statement;
	CachedPlanSource *source;
	CachedPlan *cplan;
	PlannedStmt *stmt;
	int64		rows;

	statement = pgrest_statement_prepare(query->estimate_sql, query->nparams,
										 query->params, false, false);
	source = (CachedPlanSource *) linitial(SPI_plan_get_plan_sources(statement.plan));
	cplan = GetCachedPlan(source, statement.params, NULL, NULL);
	stmt = linitial_node(PlannedStmt, cplan->stmt_list);
	rows = (int64) stmt->planTree->plan_rows;
	ReleaseCachedPlan(cplan, NULL);
	pgrest_statement_done(&statement);
	return rows;
}

/*
 * An HTTP worker never serves as a superuser (checked per request, so
 * ALTER ROLE is seen).
 */
static void
refuse_superuser(void)
{
	if (superuser())
		pgrest_error_raise(PGREST_ERR_SUPERUSER,
						   psprintf("pgrest refuses to serve requests as superuser \"%s\"",
									GetUserNameFromId(GetUserId(), false)),
						   NULL,
						   "pgrest.role must name a role without superuser rights.");
}

static void
set_local(const char *name, const char *value)
{
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
}

/* {"name": "value", ...} with lowercased names; a repeated header: last wins */
static char *
headers_json(const PgrestRequest *req)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < req->nheaders; i++)
	{
		const char *name = req->headers[i].name;

		if (repeated_later(req, i))
			continue;			/* a later one of the same name wins */
		if (buf.len > 1)
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, name);
		appendStringInfoChar(&buf, ':');
		escape_json(&buf, req->headers[i].value);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * {"name": "value", ...} from the Cookie headers ("a=1; b=2"); a
 * repeated name: the first wins, as browsers send the most specific first.
 */
static char *
cookies_json(const PgrestRequest *req)
{
	StringInfoData buf;
	List	   *seen = NIL;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < req->nheaders; i++)
	{
		char	   *copy;
		char	   *pair;
		char	   *save;

		if (strcmp(req->headers[i].name, "cookie") != 0)
			continue;
		copy = pstrdup(req->headers[i].value);
		for (pair = strtok_r(copy, ";", &save); pair; pair = strtok_r(NULL, ";", &save))
		{
			char	   *eq = strchr(pair, '=');
			bool		dup = false;
			ListCell   *lc;

			while (*pair == ' ' || *pair == '\t')
				pair++;
			if (eq == NULL || eq == pair)
				continue;
			*eq = '\0';
			foreach(lc, seen)
				dup = dup || strcmp((char *) lfirst(lc), pair) == 0;
			if (dup)
				continue;
			seen = lappend(seen, pair);
			if (buf.len > 1)
				appendStringInfoChar(&buf, ',');
			escape_json(&buf, pair);
			appendStringInfoChar(&buf, ':');
			escape_json(&buf, eq + 1);
		}
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Forbid SET ROLE, RESET ROLE and SET SESSION AUTHORIZATION for the rest of
 * the request (PostgreSQL's own guard for security-definer functions), so
 * that nothing a request runs gets back to pgrest.role's privileges.
 */
static void
lock_role(void)
{
	PgrestState *st = pgrest_state_get();

	GetUserIdAndSecContext(&st->locked_userid, &st->locked_sec_context);
	SetUserIdAndSecContext(st->locked_userid,
						   st->locked_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	st->role_locked = true;
}

static void
unlock_role(void)
{
	PgrestState *st = pgrest_state_get();

	if (!st->role_locked)
		return;
	SetUserIdAndSecContext(st->locked_userid, st->locked_sec_context);
	st->role_locked = false;
}

static bool
repeated_later(const PgrestRequest *req, int i)
{
	for (int j = i + 1; j < req->nheaders; j++)
	{
		if (strcmp(req->headers[j].name, req->headers[i].name) == 0)
			return true;
	}
	return false;
}

/*
 * The exposed schema first, then pgrest.extra_search_path (for the
 * objects of extensions installed elsewhere), each once.
 */
static char *
search_path_for(const char *schema)
{
	StringInfoData buf;
	ListCell   *lc;
	List	   *extra = pgrest_guc_extra_search_path();

	initStringInfo(&buf);
	appendStringInfoString(&buf, quote_identifier(schema));
	foreach(lc, extra)
	{
		const char *name = (const char *) lfirst(lc);

		if (strcmp(name, schema) != 0)
			appendStringInfo(&buf, ", %s", quote_identifier(name));
	}
	return buf.data;
}

/*
 * Background workers get no statement timeout from PostgreSQL's main loop,
 * so arm it here, when the request's transaction starts, with
 * pgrest.statement_timeout or else the session's statement_timeout: the
 * cancel, and the escalation for a request that swallows it.  A nested
 * request lives inside its caller's statement, whose timeout already runs.
 */
static void
arm_request_timeout(void)
{
	rearm_request_timeout(pgrest_statement_timeout > 0 ?
						  pgrest_statement_timeout : StatementTimeout);
}

/*
 * Arm (again) the request's timeout ms from now: also when the request's
 * role turns out to have a shorter statement_timeout of its own.
 */
static void
rearm_request_timeout(int ms)
{
	EnableTimeoutParams timers[2];

	if (pgrest_state_get()->nested || ms <= 0)
		return;
	if (escalation_timeout == MAX_TIMEOUTS)
	{
		escalation_timeout = RegisterTimeout(USER_TIMEOUT, escalate_cancel);
		before_shmem_exit(report_escalation, (Datum) 0);
	}
	timers[0].id = STATEMENT_TIMEOUT;
	timers[0].type = TMPARAM_AFTER;
	timers[0].delay_ms = ms;
	timers[1].id = escalation_timeout;
	timers[1].type = TMPARAM_AFTER;
	timers[1].delay_ms = ms > INT_MAX - PGREST_CANCEL_GRACE_MS ?
		INT_MAX : ms + PGREST_CANCEL_GRACE_MS;
	enable_timeouts(timers, 2);
	pgrest_state_get()->timeout_armed = true;
}

/* Once no user code can run any more, ignoring a cancel is not possible. */
static void
disarm_escalation(void)
{
	if (pgrest_state_get()->timeout_armed)
		disable_timeout(escalation_timeout, false);
}

/* Disarm both timers and drop a cancel the request did not take. */
static void
disarm_request_timeout(void)
{
	PgrestState *st = pgrest_state_get();
	DisableTimeoutParams timers[2];

	if (!st->timeout_armed)
		return;
	timers[0].id = STATEMENT_TIMEOUT;
	timers[0].keep_indicator = false;
	timers[1].id = escalation_timeout;
	timers[1].keep_indicator = false;
	disable_timeouts(timers, 2);
	st->timeout_armed = false;
	QueryCancelPending = false;
}

/*
 * Timeout handler (in a signal handler): the request was cancelled
 * PGREST_CANCEL_GRACE_MS ago and still runs, so its code caught the
 * cancel.  End the worker as pg_terminate_backend would; the postmaster
 * starts a new one.
 */
static void
escalate_cancel(void)
{
	escalated = true;
	ProcDiePending = true;
	InterruptPending = true;
	SetLatch(MyLatch);
}

/* Say in the log why the worker is exiting, if that is why. */
static void
report_escalation(int code, Datum arg)
{
	if (escalated)
		ereport(LOG,
				(errmsg("pgrest worker exits: a request ignored its cancellation for %d ms after pgrest.statement_timeout",
						PGREST_CANCEL_GRACE_MS),
				 errhint("Functions that catch query_canceled must not go on running.")));
}
