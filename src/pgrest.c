/*-------------------------------------------------------------------------
 *
 * pgrest.c
 *	  Library entry point: _PG_init and the SQL functions about pgrest's
 *	  own state.
 *
 * _PG_init defines the settings every time the library is loaded.  Only
 * while shared_preload_libraries is processed in the postmaster does it
 * also ask for shared memory, open the HTTP listening sockets and register
 * the pgrest.workers static background workers.  Loaded any other way
 * (CREATE EXTENSION, pgrest.handle() in a session) the library works
 * in-process only, and pgrest.wait_ready() says why there is no HTTP.
 *
 * One ProcessUtility hook serves every job that needs one: before a
 * command, the /sql endpoint refuses utility commands (sqlendpoint.c);
 * after it, the schema cache notes what PostgreSQL sends it no
 * invalidation for (commandwatch.c), and, when preloaded, CREATE
 * EXTENSION pgrest in a database the workers do not serve is told which
 * one they serve.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/pgrest.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "postmaster/bgworker.h"
#include "tcop/utility.h"

#include "cache/commandwatch.h"
#include "server/guc.h"
#include "server/listen.h"
#include "cache/schema.h"
#include "server/shmem.h"
#include "realtime/realtime.h"
#include "run/sqlendpoint.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgrest_preloaded);
PG_FUNCTION_INFO_V1(pgrest_wait_ready);
PG_FUNCTION_INFO_V1(pgrest_reload);

void		_PG_init(void);

static ProcessUtility_hook_type prev_process_utility = NULL;
static bool preloaded = false;

static void register_workers(void);
static void process_utility(PlannedStmt *pstmt, const char *queryString,
							bool readOnlyTree, ProcessUtilityContext context,
							ParamListInfo params, QueryEnvironment *queryEnv,
							DestReceiver *dest, QueryCompletion *qc);
static void notice_other_database(const Node *parsetree);

void
_PG_init(void)
{
	pgrest_guc_define();
	pgrest_sqlendpoint_install_hooks();
	pgrest_commandwatch_install_hooks();
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = process_utility;

	if (!process_shared_preload_libraries_in_progress || IsBinaryUpgrade)
		return;

	pgrest_shmem_install_hooks();
	pgrest_realtime_install();

	/* sockets belong to the postmaster; not to single-user mode */
	if (IsPostmasterEnvironment && !IsUnderPostmaster)
		pgrest_listen_open();

	register_workers();
	preloaded = true;
}

static void
register_workers(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* consistent state: hot standbys serve reads too */
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = 1;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pgrest");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pgrest_worker_main");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pgrest");
	worker.bgw_notify_pid = 0;

	for (int i = 0; i < pgrest_workers; i++)
	{
		snprintf(worker.bgw_name, BGW_MAXLEN, "pgrest worker %d", i + 1);
		worker.bgw_main_arg = Int32GetDatum(i);
		RegisterBackgroundWorker(&worker);
	}
}

/* The one ProcessUtility hook: each job before and after the command. */
static void
process_utility(PlannedStmt *pstmt, const char *queryString,
				bool readOnlyTree, ProcessUtilityContext context,
				ParamListInfo params, QueryEnvironment *queryEnv,
				DestReceiver *dest, QueryCompletion *qc)
{
	pgrest_sqlendpoint_check_utility(pstmt);
	pgrest_realtime_before_utility(pstmt->utilityStmt);
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context,
							 params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);

	/* once the command has done its work without error */
	pgrest_commandwatch_note(pstmt);
	pgrest_realtime_after_utility(pstmt->utilityStmt);
	if (preloaded)
		notice_other_database(pstmt->utilityStmt);
}

/*
 * After CREATE EXTENSION pgrest in a database other than pgrest.database:
 * a NOTICE that says which database the HTTP workers serve.  (The
 * extension script runs with client_min_messages raised to WARNING, so
 * the script itself cannot say it.)
 */
static void
notice_other_database(const Node *parsetree)
{
	char	   *here;

	if (!IsA(parsetree, CreateExtensionStmt) ||
		strcmp(((CreateExtensionStmt *) parsetree)->extname, "pgrest") != 0)
		return;
	here = get_database_name(MyDatabaseId);
	if (here == NULL || strcmp(here, pgrest_database) == 0)
		return;
	ereport(NOTICE,
			(errmsg("the pgrest HTTP workers serve database \"%s\", not \"%s\"",
					pgrest_database, here),
			 errdetail("HTTP requests do not reach this database; pgrest.handle() works in it."),
			 errhint("To serve this database over HTTP, set \"pgrest.database\" to \"%s\" in postgresql.conf and restart the server.",
					 here)));
}

/*
 * pgrest._preloaded() returns boolean: whether the HTTP workers exist,
 * that is, whether pgrest is in shared_preload_libraries.
 */
Datum
pgrest_preloaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(pgrest_shmem_attached());
}

/*
 * pgrest.wait_ready(timeout_ms int) returns boolean: wait until every HTTP
 * worker serves, for at most timeout_ms.
 */
Datum
pgrest_wait_ready(PG_FUNCTION_ARGS)
{
	int32		timeout_ms = PG_GETARG_INT32(0);

	if (!pgrest_shmem_attached())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pgrest must be loaded via \"shared_preload_libraries\""),
				 errhint("Add pgrest to \"shared_preload_libraries\" in postgresql.conf and restart the server.")));
	if (timeout_ms < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("timeout must not be negative")));
	PG_RETURN_BOOL(pgrest_shmem_wait_ready(timeout_ms));
}

/*
 * pgrest.reload() returns void: make every worker rebuild its schema cache
 * before its next request, for changes PostgreSQL sends no invalidation
 * for.  This session's own cache is rebuilt too.
 */
Datum
pgrest_reload(PG_FUNCTION_ARGS)
{
	pgrest_shmem_bump_schema_generation();
	pgrest_schema_invalidate();
	PG_RETURN_VOID();
}
