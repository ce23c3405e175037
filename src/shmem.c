/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  Shared memory of pgrest: which workers are serving, and the schema
 *	  generation counter.
 *
 * The block exists only when pgrest is preloaded.  Workers publish
 * "serving" in their slot once their HTTP server runs, and clear it when
 * they exit; pgrest.wait_ready() sleeps on a condition variable until all
 * of them serve.  The schema generation counter lets pgrest.reload() tell
 * every worker to rebuild what it caches from the catalogs.
 *
 * Nothing here touches the catalogs or the network.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/shmem.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "guc.h"
#include "shmem.h"

/* what one worker publishes about itself */
typedef struct WorkerSlot
{
	pg_atomic_uint32 serving;	/* its HTTP server runs */
	pg_atomic_uint32 busy;		/* it is running requests now */
	pg_atomic_uint32 connections;	/* connections it holds */
	pg_atomic_uint32 has_room;	/* below pgrest.connection_limit */
} WorkerSlot;

typedef struct PgrestShared
{
	pg_atomic_uint64 schema_generation;
	ConditionVariable ready_changed;
	int			nworkers;
	WorkerSlot	workers[FLEXIBLE_ARRAY_MEMBER];
} PgrestShared;

static PgrestShared *shared = NULL;

/* this process's slot, once it serves; -1 in other backends */
static int	my_slot = -1;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size shared_size(void);
static void request_shmem(void);
static void startup_shmem(void);

/* Called from _PG_init while preloading. */
void
pgrest_shmem_install_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
}

/* true when pgrest was preloaded and its shared memory exists */
bool
pgrest_shmem_attached(void)
{
	return shared != NULL;
}

/* Mark worker number "worker" (0-based) as serving or not, and tell waiters. */
void
pgrest_shmem_set_ready(int worker, bool ready)
{
	Assert(shared != NULL && worker >= 0 && worker < shared->nworkers);
	my_slot = ready ? worker : -1;
	pg_atomic_write_u32(&shared->workers[worker].busy, 0);
	pg_atomic_write_u32(&shared->workers[worker].connections, 0);
	pg_atomic_write_u32(&shared->workers[worker].has_room, 1);
	pg_atomic_write_u32(&shared->workers[worker].serving, ready ? 1 : 0);
	ConditionVariableBroadcast(&shared->ready_changed);
}

/* This worker starts (true) or ends (false) running requests. */
void
pgrest_shmem_set_busy(bool busy)
{
	if (my_slot >= 0)
		pg_atomic_write_u32(&shared->workers[my_slot].busy, busy ? 1 : 0);
}

/* This worker holds this many connections, and has room or not. */
void
pgrest_shmem_set_connections(int connections, bool has_room)
{
	if (my_slot < 0)
		return;
	pg_atomic_write_u32(&shared->workers[my_slot].connections, (uint32) connections);
	pg_atomic_write_u32(&shared->workers[my_slot].has_room, has_room ? 1 : 0);
}

/*
 * Should this worker take the connection waiting on the listening socket?
 * Not if another worker that serves, is idle and has room holds at least
 * two connections fewer: that one is awake too and will take it.
 * Keep-alive clients stay with the worker that accepted them, so this
 * keeps them spread evenly, while a busy worker never makes a client
 * wait.  (A margin of one would make workers yield over connections that
 * are closing but not yet counted out, and short-lived connections would
 * wait for the yielding worker's next look: 1,900 instead of 9,400
 * connections per second, measured with four clients.)
 */
bool
pgrest_shmem_should_accept(void)
{
	uint32		mine;

	if (my_slot < 0)
		return true;
	mine = pg_atomic_read_u32(&shared->workers[my_slot].connections);
	for (int i = 0; i < shared->nworkers; i++)
	{
		WorkerSlot *other = &shared->workers[i];

		if (i != my_slot &&
			pg_atomic_read_u32(&other->serving) != 0 &&
			pg_atomic_read_u32(&other->busy) == 0 &&
			pg_atomic_read_u32(&other->has_room) != 0 &&
			pg_atomic_read_u32(&other->connections) + 1 < mine)
			return false;
	}
	return true;
}

/*
 * Wait up to timeout_ms until every worker serves.  Returns whether they
 * all do.  Interrupts (cancel, statement timeout) are honoured while
 * sleeping.
 */
bool
pgrest_shmem_wait_ready(int timeout_ms)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   timeout_ms);
	bool		all = false;

	Assert(shared != NULL);
	ConditionVariablePrepareToSleep(&shared->ready_changed);
	for (;;)
	{
		long		left;

		all = true;
		for (int i = 0; i < shared->nworkers; i++)
			all = all && pg_atomic_read_u32(&shared->workers[i].serving) != 0;
		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (all || left <= 0)
			break;
		/* the timed sleep also bounds any wake-up we might miss */
		ConditionVariableTimedSleep(&shared->ready_changed, Min(left, 100),
									PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();
	return all;
}

uint64
pgrest_shmem_schema_generation(void)
{
	return shared ? pg_atomic_read_u64(&shared->schema_generation) : 0;
}

void
pgrest_shmem_bump_schema_generation(void)
{
	if (shared)
		pg_atomic_fetch_add_u64(&shared->schema_generation, 1);
}

static Size
shared_size(void)
{
	return add_size(offsetof(PgrestShared, workers),
					mul_size(sizeof(WorkerSlot), pgrest_workers));
}

static void
request_shmem(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(shared_size());
}

/*
 * Create or attach the block.  In the postmaster this also runs after a
 * crash-restart, when the block is created anew.
 */
static void
startup_shmem(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("pgrest", shared_size(), &found);
	if (!found)
	{
		pg_atomic_init_u64(&shared->schema_generation, 0);
		ConditionVariableInit(&shared->ready_changed);
		shared->nworkers = pgrest_workers;
		for (int i = 0; i < pgrest_workers; i++)
		{
			pg_atomic_init_u32(&shared->workers[i].serving, 0);
			pg_atomic_init_u32(&shared->workers[i].busy, 0);
			pg_atomic_init_u32(&shared->workers[i].connections, 0);
			pg_atomic_init_u32(&shared->workers[i].has_room, 1);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}
