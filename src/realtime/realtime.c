/*-------------------------------------------------------------------------
 *
 * realtime.c
 *	  Realtime's place in the server: its shared memory, the decoder
 *	  background worker, and the hooks every backend runs for it.
 *
 * When pgrest is preloaded with pgrest.realtime = on, _PG_init (in the
 * postmaster) calls pgrest_realtime_install, which
 *
 *	- asks for the ring's shared memory (pgrest.realtime_buffer) and one
 *	  LWLock, and attaches them;
 *	- registers the decoder background worker (decoder.c), started when
 *	  recovery has finished: never on a standby, at promotion on a former
 *	  one;
 *	- registers a transaction callback that every backend inherits: the
 *	  commit of a transaction that has an xid sets the decoder's latch
 *	  (ring.c says when: a commit in the served database, or WAL piling
 *	  up behind the slot).  The decoder sleeps otherwise: no polling.
 *
 * The ProcessUtility hook (pgrest.c) calls in here before and after each
 * command: DROP DATABASE of the served database first makes the decoder
 * let go of its slot (an active slot would make it fail, even WITH
 * (FORCE)), and once it is dropped the decoder waits for it to exist
 * again instead of failing to connect every second; COMMIT PREPARED
 * wakes the decoder, as its commit runs no transaction callback with an
 * xid.
 *
 * Nothing here reads the catalogs beyond a database's oid by name.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/realtime.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "realtime/realtime.h"
#include "realtime/ring.h"
#include "realtime/status.h"
#include "server/guc.h"
#include "server/metrics.h"
#include "realtime/subscription.h"

/* how long DROP DATABASE waits for the decoder to release its slot */
#define DROP_WAIT_MS 10000

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static bool installed = false;

/* this backend asked the decoder to release its slot for DROP DATABASE */
static bool drop_requested = false;
/* this backend's transaction creates pgrest.database */
static bool creating_database = false;

static void request_shmem(void);
static void startup_shmem(void);
static void register_decoder(void);
static void xact_callback(XactEvent event, void *arg);

/* Called from _PG_init while preloading: see the file header. */
void
pgrest_realtime_install(void)
{
	if (!pgrest_realtime)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
	RegisterXactCallback(xact_callback, NULL);
	register_decoder();
	pgrest_metrics_add_source(pgrest_realtime_metrics);
	pgrest_metrics_add_source(pgrest_realtime_subscriber_metrics);
	installed = true;
}

/*
 * Before a utility command: DROP DATABASE of the database the decoder
 * serves waits until the decoder has released its slot.
 */
void
pgrest_realtime_before_utility(const Node *parsetree)
{
	Oid			database;

	if (!installed || parsetree == NULL || !IsA(parsetree, DropdbStmt))
		return;
	database = get_database_oid(((const DropdbStmt *) parsetree)->dbname, true);
	if (!OidIsValid(database) || database != pgrest_ring_decoder_database())
		return;
	drop_requested = true;
	if (!pgrest_ring_request_drop(database, DROP_WAIT_MS))
		ereport(WARNING,
				(errmsg("the pgrest realtime decoder did not release its replication slot in time")));
}

/*
 * After a utility command that succeeded: COMMIT PREPARED committed a
 * transaction without a commit callback, wake the decoder; CREATE
 * DATABASE of pgrest.database lets a decoder waiting for it connect.
 */
void
pgrest_realtime_after_utility(const Node *parsetree)
{
	if (!installed || parsetree == NULL)
		return;
	if (IsA(parsetree, TransactionStmt) &&
		((const TransactionStmt *) parsetree)->kind == TRANS_STMT_COMMIT_PREPARED)
		pgrest_ring_wake_decoder(GetXLogInsertRecPtr());
	if (IsA(parsetree, CreatedbStmt) && pgrest_database != NULL &&
		strcmp(((const CreatedbStmt *) parsetree)->dbname, pgrest_database) == 0)
		creating_database = true;	/* said at commit */
}

static void
request_shmem(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(pgrest_ring_shmem_size());
	RequestNamedLWLockTranche("pgrest realtime", 1);
}

/* Create or attach the ring; after a crash-restart too. */
static void
startup_shmem(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pgrest_ring_shmem_startup();
	LWLockRelease(AddinShmemInitLock);
}

/*
 * The decoder: one background worker, connected to pgrest.database, on a
 * primary only; restarted a second after it exits.
 */
static void
register_decoder(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pgrest");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pgrest_decoder_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pgrest realtime decoder");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pgrest realtime decoder");
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
}

/*
 * Every backend, every transaction end: wake the decoder after the commit
 * of a transaction that had an xid (the xid is still set at this point;
 * XactLastCommitEnd is its commit record's end); end a DROP DATABASE's
 * hold on the decoder, whether the drop committed or failed.
 */
static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT &&
		TransactionIdIsValid(GetTopTransactionIdIfAny()))
		pgrest_ring_wake_decoder(XactLastCommitEnd);
	if (creating_database &&
		(event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT))
	{
		creating_database = false;
		if (event == XACT_EVENT_COMMIT)
			pgrest_ring_set_database_dropped(false);
	}
	if (drop_requested &&
		(event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT))
	{
		drop_requested = false;
		if (event == XACT_EVENT_COMMIT)
			pgrest_ring_set_database_dropped(true);
		pgrest_ring_clear_drop();
	}
}
