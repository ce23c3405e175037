/*-------------------------------------------------------------------------
 *
 * login.c
 *	  Whether the HTTP workers can log in, found out before they try; and
 *	  what a worker that cannot answers instead.
 *
 * A worker logs in as pgrest.role to pgrest.database.  When it cannot
 * (the role does not exist, may not log in or lacks CONNECT on the
 * database; the database does not exist or takes no connections),
 * PostgreSQL raises FATAL: the worker exits, the postmaster starts it
 * again a second later, the log gets two lines a second per worker, and
 * clients wait for an answer that never comes.
 *
 * So before it logs in, a worker starts a short-lived background worker,
 * the probe, and waits for it (milliseconds).  The probe connects to no
 * database, as the bootstrap superuser, and reads only shared catalogs
 * (pg_authid, pg_auth_members, pg_database): it checks what logging in
 * would check, in the same order, publishes what it found in this file's
 * shared memory, and exits with code 0, which the postmaster logs at
 * DEBUG1 only.  It runs no user code and serves nothing.
 *
 * When the probe finds a problem, the worker does not log in.  It serves
 * its sockets without a database connection: every request on the API
 * port gets 503 PGRST513, whose message names the setting and what is
 * wrong, /ready gives the same reason, /live and /metrics answer as ever.
 * It probes again when a command that can change the answer commits
 * (CREATE or ALTER ROLE, GRANT, CREATE or ALTER DATABASE ...: commandwatch.c
 * notes them in every backend, and at commit pgrest_login_wake sets the
 * latch of each worker that cannot log in), and every
 * PGREST_LOGIN_RECHECK_MS in any case (a hot standby replays such
 * commands without running them).  Once logging in would succeed, it
 * exits and the postmaster starts it again a second later, to log in.  A
 * problem is logged once, by the first probe that finds it (a WARNING
 * that names the setting), and each worker says when it exits to log in.
 *
 * Without a free background worker slot for the probe
 * (max_worker_processes), or when it does not finish within
 * PGREST_LOGIN_PROBE_TIMEOUT_MS, the worker logs in as it would without
 * this file.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/login.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "server/layer.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "base/error.h"
#include "server/guc.h"
#include "server/login.h"

/* a worker that cannot log in probes again this often */
#define PGREST_LOGIN_RECHECK_MS 5000

/* a probe that takes longer than this is stopped, and the worker logs in */
#define PGREST_LOGIN_PROBE_TIMEOUT_MS 10000

/* room for one message, detail or hint (names are at most 63 bytes) */
#define PGREST_LOGIN_TEXT 320

typedef enum LoginState
{
	LOGIN_PENDING,				/* no probe has said yet */
	LOGIN_OK,
	LOGIN_FAILED
} LoginState;

/* what a probe found: a problem, or none (message empty) */
typedef struct LoginProblem
{
	bool		database_usable;	/* pgrest.database takes connections,
									 * whatever the role's problems */
	int			sqlerrcode;
	char		message[PGREST_LOGIN_TEXT];
	char		detail[PGREST_LOGIN_TEXT];
	char		hint[PGREST_LOGIN_TEXT];
} LoginProblem;

/* what the last probe of each worker found */
typedef struct LoginSlot
{
	uint32		published;		/* how many probes published here */
	LoginState	state;
	LoginProblem problem;
	int			procno;			/* the worker's PGPROC, to wake it */
	bool		recheck;		/* a command that may have fixed it committed */
} LoginSlot;

typedef struct LoginShared
{
	slock_t		mutex;
	char		logged[PGREST_LOGIN_TEXT];	/* the problem logged, or "" */
	int			nworkers;
	LoginSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} LoginShared;

static LoginShared *shared = NULL;

/* this worker serves without a database: it could not log in */
static bool failed = false;

/* this worker's number, and its probe running now */
static int	my_worker = -1;
static BackgroundWorkerHandle *probe = NULL;
static uint32 probe_since;		/* the slot's publications when it began */
static TimestampTz probe_began;

static bool start_probe(void);
static bool probe_running(void);
static LoginState probe_result(void);
static void find_problem(LoginProblem *problem);
static bool find_database(const char *name, Oid *dbid,
						  bool *allows_connections, bool *valid);
static void set_problem(LoginProblem *problem, int sqlerrcode,
						const char *message, const char *hint);
static void publish(int worker, const LoginProblem *problem);
static bool recheck_asked(void);

/* The shared memory this file needs (shmem.c asks for it). */
Size
pgrest_login_shmem_size(void)
{
	return add_size(offsetof(LoginShared, slots),
					mul_size(sizeof(LoginSlot), pgrest_workers));
}

/*
 * Create or attach this file's shared memory (anew after a
 * crash-restart); shmem.c calls it holding AddinShmemInitLock.
 */
void
pgrest_login_shmem_startup(void)
{
	bool		found;

	shared = ShmemInitStruct("pgrest login", pgrest_login_shmem_size(), &found);
	if (found)
		return;
	SpinLockInit(&shared->mutex);
	shared->logged[0] = '\0';
	shared->nworkers = pgrest_workers;
	for (int i = 0; i < pgrest_workers; i++)
	{
		shared->slots[i].published = 0;
		shared->slots[i].state = LOGIN_PENDING;
		shared->slots[i].procno = -1;
		shared->slots[i].recheck = false;
	}
}

/*
 * Before worker number "worker" logs in: whether it can.  Runs the probe
 * and waits for it; true when it found no problem, or could not say.
 * Called before BackgroundWorkerInitializeConnection, with signals
 * unblocked.
 */
bool
pgrest_login_check(int worker)
{
	my_worker = worker;
	if (shared != NULL && worker >= 0 && worker < shared->nworkers)
	{
		SpinLockAcquire(&shared->mutex);
		shared->slots[worker].procno = MyProc->pgprocno;
		shared->slots[worker].recheck = false;
		SpinLockRelease(&shared->mutex);
	}
	if (!start_probe())
		return true;
	while (probe_running())
	{
		/* the postmaster sets the latch when the probe starts and ends */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 100, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	failed = probe_result() == LOGIN_FAILED;
	return !failed;
}

/*
 * In a worker that could not log in, on every turn of its loop: probe
 * again when a command that may have fixed it committed, and every
 * PGREST_LOGIN_RECHECK_MS; exit once logging in would succeed (the
 * postmaster starts the worker again, and it logs in).  Returns how long
 * the loop may sleep, in ms.  The postmaster sets the worker's latch when
 * its probe ends, a committing backend when it asks for a probe.
 */
long
pgrest_login_recheck(void)
{
	static TimestampTz next = 0;
	TimestampTz now = GetCurrentTimestamp();

	if (probe_running())
		return 100;
	if (probe_result() == LOGIN_OK)
	{
		ereport(LOG,
				(errmsg("pgrest worker exits to log in as role \"%s\" to database \"%s\", which it can now",
						pgrest_role, pgrest_database),
				 errdetail("The postmaster starts it again at once.")));
		proc_exit(1);
	}
	if (next == 0)
		next = TimestampTzPlusMilliseconds(now, PGREST_LOGIN_RECHECK_MS);
	if (!recheck_asked() && now < next)
		return Max(1, (long) ((next - now) / 1000));
	next = TimestampTzPlusMilliseconds(now, PGREST_LOGIN_RECHECK_MS);
	return start_probe() ? 100 : PGREST_LOGIN_RECHECK_MS;
}

/* Whether this process is a worker that could not log in. */
bool
pgrest_login_failed(void)
{
	return failed;
}

/*
 * Why this worker could not log in, as its answer to every request on
 * the API port tells it (503 PGRST513, handler.c): the probe's message,
 * and its detail and hint or NULL, palloc'd.
 */
void
pgrest_login_failure(char **message, char **detail, char **hint)
{
	LoginProblem problem;

	SpinLockAcquire(&shared->mutex);
	problem = shared->slots[my_worker].problem;
	SpinLockRelease(&shared->mutex);
	*message = pstrdup(problem.message);
	*detail = problem.detail[0] ? pstrdup(problem.detail) : NULL;
	*hint = problem.hint[0] ? pstrdup(problem.hint) : NULL;
}

/*
 * Why the workers cannot log in, for /ready: the message of a probe that
 * found a problem (palloc'd), or NULL.
 */
char *
pgrest_login_problem(void)
{
	char		message[PGREST_LOGIN_TEXT];

	if (shared == NULL)
		return NULL;
	message[0] = '\0';
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < shared->nworkers && message[0] == '\0'; i++)
	{
		if (shared->slots[i].state == LOGIN_FAILED)
			strlcpy(message, shared->slots[i].problem.message, sizeof(message));
	}
	SpinLockRelease(&shared->mutex);
	return message[0] ? pstrdup(message) : NULL;
}

/* Whether a worker's probe has said anything since the server started. */
bool
pgrest_login_probed(void)
{
	bool		probed = false;

	if (shared == NULL)
		return true;
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < shared->nworkers && !probed; i++)
		probed = shared->slots[i].published > 0;
	SpinLockRelease(&shared->mutex);
	return probed;
}

/*
 * Whether a worker's last probe found that pgrest.database cannot be
 * connected to at all (it does not exist, is invalid or allows no
 * connections), whatever it found of pgrest.role: for processes that
 * connect to it as another role (the realtime decoder).
 */
bool
pgrest_login_database_problem(void)
{
	bool		problem = false;

	if (shared == NULL)
		return false;
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < shared->nworkers && !problem; i++)
		problem = shared->slots[i].published > 0 &&
			!shared->slots[i].problem.database_usable;
	SpinLockRelease(&shared->mutex);
	return problem;
}

/*
 * The probe's main function: connect to no database, look, publish, exit
 * with code 0.  main_arg is the number of the worker it probes for.
 */
void
pgrest_login_probe_main(Datum main_arg)
{
	int			worker = DatumGetInt32(main_arg);
	LoginProblem problem;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	memset(&problem, 0, sizeof(problem));
	StartTransactionCommand();
	find_problem(&problem);
	{
		Oid			dbid;
		bool		allows_connections;
		bool		valid;

		problem.database_usable = find_database(pgrest_database, &dbid,
												&allows_connections, &valid) &&
			valid && allows_connections;
	}
	CommitTransactionCommand();

	publish(worker, &problem);
	proc_exit(0);
}

/* Start a probe for this worker; false when no slot is free. */
static bool
start_probe(void)
{
	BackgroundWorker worker;

	if (shared == NULL || my_worker < 0 || my_worker >= shared->nworkers)
		return false;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pgrest");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pgrest_login_probe_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pgrest login check for worker %d",
			 my_worker + 1);
	snprintf(worker.bgw_type, BGW_MAXLEN, "pgrest login check");
	worker.bgw_main_arg = Int32GetDatum(my_worker);
	worker.bgw_notify_pid = MyProcPid;

	SpinLockAcquire(&shared->mutex);
	probe_since = shared->slots[my_worker].published;
	SpinLockRelease(&shared->mutex);
	probe_began = GetCurrentTimestamp();
	if (!RegisterDynamicBackgroundWorker(&worker, &probe))
	{
		probe = NULL;
		return false;
	}
	return true;
}

/*
 * Whether this worker's probe still runs; one that runs past
 * PGREST_LOGIN_PROBE_TIMEOUT_MS is stopped (and said nothing).
 */
static bool
probe_running(void)
{
	pid_t		pid;

	if (probe == NULL)
		return false;
	if (GetBackgroundWorkerPid(probe, &pid) != BGWH_STOPPED)
	{
		if (!TimestampDifferenceExceeds(probe_began, GetCurrentTimestamp(),
										PGREST_LOGIN_PROBE_TIMEOUT_MS))
			return true;
		TerminateBackgroundWorker(probe);
	}
	pfree(probe);
	probe = NULL;
	return false;
}

/*
 * What this worker's last probe published; PENDING when it published
 * nothing (it failed, or was stopped).
 */
static LoginState
probe_result(void)
{
	LoginState	state = LOGIN_PENDING;

	SpinLockAcquire(&shared->mutex);
	if (shared->slots[my_worker].published != probe_since)
		state = shared->slots[my_worker].state;
	SpinLockRelease(&shared->mutex);
	return state;
}

/*
 * What logging in as pgrest.role to pgrest.database would fail on, in
 * the order PostgreSQL checks it (InitPostgres): the role, its LOGIN, the
 * database, whether it takes connections, CONNECT.  Inside a transaction,
 * without a database: shared catalogs only.
 */
static void
find_problem(LoginProblem *problem)
{
	const char *role = pgrest_role;
	const char *database = pgrest_database;
	HeapTuple	tuple;
	Oid			roleid;
	bool		is_superuser;
	bool		can_login;
	Oid			dbid;
	bool		allows_connections;
	bool		valid;

	tuple = SearchSysCache1(AUTHNAME, CStringGetDatum(role));
	if (!HeapTupleIsValid(tuple))
	{
		set_problem(problem, ERRCODE_UNDEFINED_OBJECT,
					psprintf("role \"%s\" named by \"pgrest.role\" does not exist", role),
					psprintf("Correct \"pgrest.role\" in postgresql.conf and restart the server, or create the role: CREATE ROLE %s LOGIN NOINHERIT;",
							 quote_identifier(role)));
		return;
	}
	roleid = ((Form_pg_authid) GETSTRUCT(tuple))->oid;
	is_superuser = ((Form_pg_authid) GETSTRUCT(tuple))->rolsuper;
	can_login = ((Form_pg_authid) GETSTRUCT(tuple))->rolcanlogin;
	ReleaseSysCache(tuple);
	if (!can_login)
	{
		set_problem(problem, ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
					psprintf("role \"%s\" named by \"pgrest.role\" is not permitted to log in", role),
					psprintf("ALTER ROLE %s LOGIN;", quote_identifier(role)));
		return;
	}

	if (!find_database(database, &dbid, &allows_connections, &valid))
	{
		set_problem(problem, ERRCODE_UNDEFINED_DATABASE,
					psprintf("database \"%s\" named by \"pgrest.database\" does not exist", database),
					pstrdup("Correct \"pgrest.database\" in postgresql.conf and restart the server, or create the database (and CREATE EXTENSION pgrest in it)."));
		return;
	}
	if (!valid)
	{
		set_problem(problem, ERRCODE_FEATURE_NOT_SUPPORTED,
					psprintf("database \"%s\" named by \"pgrest.database\" is invalid", database),
					pstrdup("An interrupted DROP DATABASE left it so: drop it, or correct \"pgrest.database\" and restart the server."));
		return;
	}
	if (!allows_connections)
	{
		set_problem(problem, ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
					psprintf("database \"%s\" named by \"pgrest.database\" does not allow connections", database),
					psprintf("ALTER DATABASE %s ALLOW_CONNECTIONS true;",
							 quote_identifier(database)));
		return;
	}
	if (!is_superuser &&
		pg_database_aclcheck(dbid, roleid, ACL_CONNECT) != ACLCHECK_OK)
		set_problem(problem, ERRCODE_INSUFFICIENT_PRIVILEGE,
					psprintf("role \"%s\" named by \"pgrest.role\" has no CONNECT privilege on database \"%s\"",
							 role, database),
					psprintf("GRANT CONNECT ON DATABASE %s TO %s;",
							 quote_identifier(database), quote_identifier(role)));
}

/*
 * Look a database up by name in pg_database, as logging in does: without
 * a database selected, the shared catalogs' indexes are not open, so
 * the scan reads the heap (GetDatabaseTuple in PostgreSQL).
 */
static bool
find_database(const char *name, Oid *dbid, bool *allows_connections,
			  bool *valid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found;

	ScanKeyInit(&key, Anum_pg_database_datname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(name));
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = systable_beginscan(rel, DatabaseNameIndexId,
							  criticalSharedRelcachesBuilt, NULL, 1, &key);
	tuple = systable_getnext(scan);
	found = HeapTupleIsValid(tuple);
	if (found)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tuple);

		*dbid = db->oid;
		*allows_connections = db->datallowconn;
#ifdef DATCONNLIMIT_INVALID_DB
		*valid = db->datconnlimit != DATCONNLIMIT_INVALID_DB;
#else
		*valid = true;
#endif
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * A command that may let the workers log in has committed (commandwatch.c):
 * wake every worker that cannot, to probe again.  In any backend.
 */
void
pgrest_login_wake(void)
{
	Latch	   *latches[64];	/* pgrest.workers is at most 64 */
	int			nlatches = 0;

	if (shared == NULL)
		return;
	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < shared->nworkers && nlatches < (int) lengthof(latches); i++)
	{
		LoginSlot  *slot = &shared->slots[i];

		if (slot->state != LOGIN_FAILED || slot->procno < 0)
			continue;
		slot->recheck = true;
		latches[nlatches++] = &ProcGlobal->allProcs[slot->procno].procLatch;
	}
	SpinLockRelease(&shared->mutex);
	for (int i = 0; i < nlatches; i++)
		SetLatch(latches[i]);
}

/* Whether a committed command asked this worker to probe again (once). */
static bool
recheck_asked(void)
{
	bool		asked;

	SpinLockAcquire(&shared->mutex);
	asked = shared->slots[my_worker].recheck;
	shared->slots[my_worker].recheck = false;
	SpinLockRelease(&shared->mutex);
	return asked;
}

/* fill in a problem; the detail is the same for all */
static void
set_problem(LoginProblem *problem, int sqlerrcode, const char *message,
			const char *hint)
{
	problem->sqlerrcode = sqlerrcode;
	strlcpy(problem->message, message, sizeof(problem->message));
	snprintf(problem->detail, sizeof(problem->detail),
			 "The pgrest workers cannot log in, so every request gets 503 until they can; they check again every %d seconds.",
			 PGREST_LOGIN_RECHECK_MS / 1000);
	strlcpy(problem->hint, hint, sizeof(problem->hint));
}

/*
 * Publish what the probe found in the worker's slot, and log a problem
 * that was not logged yet, once for all workers (its end is logged by
 * each worker as it starts again).
 */
static void
publish(int worker, const LoginProblem *problem)
{
	bool		ok = problem->message[0] == '\0';
	bool		announce;

	if (shared == NULL || worker < 0 || worker >= shared->nworkers)
		return;
	SpinLockAcquire(&shared->mutex);
	shared->slots[worker].published++;
	shared->slots[worker].state = ok ? LOGIN_OK : LOGIN_FAILED;
	shared->slots[worker].problem = *problem;
	announce = strcmp(shared->logged, problem->message) != 0;
	strlcpy(shared->logged, problem->message, sizeof(shared->logged));
	SpinLockRelease(&shared->mutex);

	if (announce && !ok)
		ereport(WARNING,
				(errcode(problem->sqlerrcode),
				 errmsg_internal("%s", problem->message),
				 errdetail_internal("%s", problem->detail),
				 errhint("%s", problem->hint)));
}
