/*-------------------------------------------------------------------------
 *
 * ring.c
 *	  The shared-memory ring of table changes, and realtime's shared state.
 *
 * One writer, the decoder, appends the records of a transaction and then
 * publishes them at once; any number of readers, the HTTP workers, copy
 * records out from their own cursor.  The writer never waits for a
 * reader and readers take no lock to read:
 *
 *	- Positions are byte counts since the server started (uint64, never
 *	  wrapping); the place of a position in the ring is pos % size.
 *	  "head" is the end of what readers may see; "tail" the first byte
 *	  still intact.  A record that would not fit before the end of the
 *	  ring leaves a skip marker (op 0) to the end and starts at 0.
 *	- Before overwriting, the writer moves tail past the records it is
 *	  about to overwrite, then a write barrier, then it writes.  A reader
 *	  copies, then a read barrier, then reads tail again: if tail passed
 *	  where it started, what it copied may be torn and it was lapped (-1).
 *	  Lengths read from the ring are checked before use, for the same
 *	  reason.
 *	- Publishing moves head, and the id of the newest record, under a
 *	  spinlock, so that a cursor at the head always knows the id of the
 *	  change before it.
 *	- An epoch is the slot's: a new slot empties the ring (tail = head:
 *	  positions still only grow), and readers of another epoch get -1.
 *
 * Ids are (commit LSN, seq).  The floor is the smallest id a client may
 * resume from: records below it may be missing (evicted, or before where
 * decoding started).  An empty ring's position is a "place" id: an odd
 * LSN, which no commit record starts at (they are 8-byte aligned).
 *
 * Listeners: each reader process says which tables it listens to and
 * which of their columns it prefilters on; the decoder keeps a copy,
 * rebuilt when the table's generation changes, that tells it the extra
 * columns to write and whose latches to set after a publish.
 *
 * This file holds also the decoder's published state (its latch and
 * database, what it has decoded, why it does not run) and its counters.
 * Nothing here reads the catalogs or runs SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/ring.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "access/xlog.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "realtime/ring.h"
#include "server/guc.h"

/* op of a skip marker: the rest of the ring is empty */
#define RING_SKIP				0

/* prefilter columns one listener may ask for, per table */
#define RING_MAX_WANT			16
/* (process, table) pairs listening at once */
#define RING_MAX_LISTENERS		4096

#define NO_PROCNO				PG_UINT32_MAX

typedef struct RingListener
{
	int			procno;			/* -1: free */
	Oid			relid;
	int			n;
	AttrNumber	attnums[RING_MAX_WANT];
} RingListener;

typedef struct RingShared
{
	/* ---- the ring ---- */
	slock_t		mutex;			/* the ids below, and head with them */
	pg_atomic_uint32 epoch;
	pg_atomic_uint64 head;		/* published up to */
	pg_atomic_uint64 tail;		/* intact from */
	XLogRecPtr	newest_lsn;		/* id of the last record published, or */
	uint32		newest_seq;		/* the floor when there is none */
	TimestampTz newest_time;	/* its commit time */
	bool		published;		/* a record was published in this epoch
								 * since the server started */
	XLogRecPtr	floor_lsn;
	uint32		floor_seq;
	uint64		write_pos;		/* the writer's: end of what it appended */
	XLogRecPtr	pending_lsn;	/* the writer's: id of its last append */
	uint32		pending_seq;
	TimestampTz pending_time;
	uint64		pending_records;

	/* ---- the decoder ---- */
	pg_atomic_uint32 state;		/* PgrestRealtimeState */
	char		reason[PGREST_RING_REASON_LEN];	/* under mutex */
	char		slot_name[NAMEDATALEN]; /* under mutex */
	pg_atomic_uint32 decoder_procno;	/* NO_PROCNO: none */
	pg_atomic_uint32 decoder_database;
	pg_atomic_uint64 committed_lsn; /* newest commit end that woke it */
	pg_atomic_uint64 decoded_lsn;
	pg_atomic_uint64 confirmed_lsn;
	pg_atomic_uint64 progress_time; /* when it last woke or published */
	pg_atomic_uint32 drop_database; /* DROP DATABASE of this oid waits */
	pg_atomic_uint32 database_dropped;	/* pgrest.database was dropped */
	pg_atomic_uint32 database_created;	/* it was created since */
	pg_atomic_uint32 waiting_procno;	/* a decoder waiting for it */
	ConditionVariable slot_released;

	/* ---- counters (one writer: the decoder) ---- */
	pg_atomic_uint64 records;	/* in the ring now */
	pg_atomic_uint64 transactions_total;
	pg_atomic_uint64 changes_total;
	pg_atomic_uint64 bytes_total;
	pg_atomic_uint64 too_many_total;
	pg_atomic_uint64 evicted_total;
	pg_atomic_uint64 epochs_total;
	pg_atomic_uint64 decoder_starts;
	pg_atomic_uint64 wakeups_total;
	pg_atomic_uint64 latency_buckets[PGREST_RING_LATENCY_BUCKETS];
	pg_atomic_uint64 latency_sum_us;

	/* ---- listeners (lock) ---- */
	LWLock	   *lock;
	pg_atomic_uint32 want_generation;
	int			nlisteners;		/* entries in use or freed below this */
	RingListener listeners[RING_MAX_LISTENERS];

	/* ---- the data ---- */
	uint64		size;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* MAXALIGNed: see below */
} RingShared;

/* the decoder's copy of the listeners: a table's processes and columns */
typedef struct LocalListen
{
	Oid			relid;			/* hash key */
	int			nprocs;
	int			procs[8];		/* more than 8: wake every listener */
	bool		many;
	int			ncolumns;
	AttrNumber	columns[RING_MAX_WANT];
} LocalListen;

const double pgrest_ring_latency_bounds[PGREST_RING_LATENCY_BUCKETS - 1] = {
	0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001, 0.0015, 0.002,
	0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 10.0
};

static RingShared *ring = NULL;

/* the decoder's tables touched since its last publish (wake-ups) */
static Oid *touched = NULL;
static int	ntouched = 0;
static int	maxtouched = 0;

/* the decoder's copy of the listeners */
static HTAB *local_listen = NULL;
static uint32 local_generation = 0;

/* a reader registered its exit callback */
static bool exit_callback = false;

static inline char *ring_at(uint64 pos);
static inline int id_cmp(XLogRecPtr a_lsn, uint32 a_seq, XLogRecPtr b_lsn, uint32 b_seq);
static XLogRecPtr place_before(XLogRecPtr lsn);
static bool evict_until(uint64 end);
static bool valid_record(uint64 pos, uint64 limit, uint32 *length, char *op);
static void add_u64(pg_atomic_uint64 *counter, uint64 n);
static void count_latency(int64 us);
static void note_touched(Oid relid);
static void refresh_local_listen(void);
static void forget_all(int code, Datum arg);

/* ---------------------------------------------------------------- */
/* shared memory                                                     */
/* ---------------------------------------------------------------- */

/* the ring's bytes: pgrest.realtime_buffer (kB), a multiple of 8 */
static uint64
data_size(void)
{
	return ((uint64) pgrest_realtime_buffer * 1024) & ~((uint64) 7);
}

Size
pgrest_ring_shmem_size(void)
{
	return add_size(MAXALIGN(offsetof(RingShared, data)), (Size) data_size());
}

/*
 * Create or attach the ring; called with AddinShmemInitLock held, after
 * RequestNamedLWLockTranche("pgrest realtime", 1).
 */
void
pgrest_ring_shmem_startup(void)
{
	bool		found;

	ring = ShmemInitStruct("pgrest realtime", pgrest_ring_shmem_size(), &found);
	if (found)
		return;
	memset(ring, 0, offsetof(RingShared, data));
	StaticAssertStmt(offsetof(RingShared, data) % 8 == 0, "ring data must be 8-byte aligned");
	SpinLockInit(&ring->mutex);
	pg_atomic_init_u32(&ring->epoch, 0);
	pg_atomic_init_u64(&ring->head, 0);
	pg_atomic_init_u64(&ring->tail, 0);
	pg_atomic_init_u32(&ring->state, pgrest_realtime ? PGREST_REALTIME_STARTING : PGREST_REALTIME_OFF);
	pg_atomic_init_u32(&ring->decoder_procno, NO_PROCNO);
	pg_atomic_init_u32(&ring->decoder_database, InvalidOid);
	pg_atomic_init_u64(&ring->committed_lsn, 0);
	pg_atomic_init_u64(&ring->decoded_lsn, 0);
	pg_atomic_init_u64(&ring->confirmed_lsn, 0);
	pg_atomic_init_u64(&ring->progress_time, 0);
	pg_atomic_init_u32(&ring->drop_database, InvalidOid);
	pg_atomic_init_u32(&ring->database_dropped, 0);
	pg_atomic_init_u32(&ring->database_created, 0);
	pg_atomic_init_u32(&ring->waiting_procno, NO_PROCNO);
	ConditionVariableInit(&ring->slot_released);
	pg_atomic_init_u64(&ring->records, 0);
	pg_atomic_init_u64(&ring->transactions_total, 0);
	pg_atomic_init_u64(&ring->changes_total, 0);
	pg_atomic_init_u64(&ring->bytes_total, 0);
	pg_atomic_init_u64(&ring->too_many_total, 0);
	pg_atomic_init_u64(&ring->evicted_total, 0);
	pg_atomic_init_u64(&ring->epochs_total, 0);
	pg_atomic_init_u64(&ring->decoder_starts, 0);
	pg_atomic_init_u64(&ring->wakeups_total, 0);
	for (int b = 0; b < PGREST_RING_LATENCY_BUCKETS; b++)
		pg_atomic_init_u64(&ring->latency_buckets[b], 0);
	pg_atomic_init_u64(&ring->latency_sum_us, 0);
	ring->lock = &(GetNamedLWLockTranche("pgrest realtime"))->lock;
	pg_atomic_init_u32(&ring->want_generation, 1);
	ring->nlisteners = 0;
	for (int i = 0; i < RING_MAX_LISTENERS; i++)
		ring->listeners[i].procno = -1;
	ring->size = data_size();
}

/* whether realtime's shared memory exists (pgrest.realtime = on, preloaded) */
bool
pgrest_ring_attached(void)
{
	return ring != NULL;
}

/* ---------------------------------------------------------------- */
/* readers                                                           */
/* ---------------------------------------------------------------- */

/*
 * What realtime is doing.  The decoder does not start on a standby
 * (BgWorkerStart_RecoveryFinished), so "starting" during recovery is
 * "standby".
 */
PgrestRealtimeState
pgrest_ring_state(void)
{
	PgrestRealtimeState state;

	if (ring == NULL)
		return PGREST_REALTIME_OFF;
	state = (PgrestRealtimeState) pg_atomic_read_u32(&ring->state);
	if (state == PGREST_REALTIME_STARTING && RecoveryInProgress())
		return PGREST_REALTIME_STANDBY;
	return state;
}

uint32
pgrest_ring_epoch(void)
{
	return ring ? pg_atomic_read_u32(&ring->epoch) : 0;
}

/* Everything the status, /ready and /metrics show, at one moment. */
void
pgrest_ring_status(PgrestRingStatus *status)
{
	uint64		committed;
	uint64		decoded;

	memset(status, 0, sizeof(PgrestRingStatus));
	status->state = pgrest_ring_state();
	if (ring == NULL)
	{
		strlcpy(status->reason, "pgrest.realtime is off", sizeof(status->reason));
		return;
	}

	SpinLockAcquire(&ring->mutex);
	status->head = pg_atomic_read_u64(&ring->head);
	status->tail = pg_atomic_read_u64(&ring->tail);
	status->epoch = pg_atomic_read_u32(&ring->epoch);
	status->newest_lsn = ring->newest_lsn;
	status->newest_seq = ring->newest_seq;
	status->newest_time = ring->newest_time;
	status->floor_lsn = ring->floor_lsn;
	status->floor_seq = ring->floor_seq;
	strlcpy(status->reason, ring->reason, sizeof(status->reason));
	strlcpy(status->slot_name, ring->slot_name, sizeof(status->slot_name));
	SpinLockRelease(&ring->mutex);

	if (status->state == PGREST_REALTIME_STANDBY)
		strlcpy(status->reason,
				"this server is a standby: realtime is served by the primary",
				sizeof(status->reason));

	status->size = ring->size;
	status->used = status->head - Min(status->tail, status->head);
	status->records = pg_atomic_read_u64(&ring->records);

	/* the oldest record: its header, if it was not overwritten meanwhile */
	if (status->records > 0)
	{
		uint64		pos = status->tail;

		for (int tries = 0; tries < 2 && pos < status->head; tries++)
		{
			PgrestChange header;
			uint32		length;
			char		op;

			if (!valid_record(pos, status->head, &length, &op))
				break;
			if (op == RING_SKIP)
			{
				pos += length;
				continue;
			}
			memcpy(&header, ring_at(pos), sizeof(PgrestChange));
			pg_read_barrier();
			if (pg_atomic_read_u64(&ring->tail) > pos)
				break;
			status->oldest_lsn = header.commit_lsn;
			status->oldest_time = header.commit_time;
			break;
		}
	}

	status->decoded_lsn = pg_atomic_read_u64(&ring->decoded_lsn);
	status->confirmed_lsn = pg_atomic_read_u64(&ring->confirmed_lsn);
	status->committed_lsn = pg_atomic_read_u64(&ring->committed_lsn);
	committed = status->committed_lsn;
	decoded = status->decoded_lsn;
	if (committed > decoded && status->state == PGREST_REALTIME_RUNNING)
	{
		TimestampTz since = (TimestampTz) pg_atomic_read_u64(&ring->progress_time);

		status->lag_bytes = committed - decoded;
		if (since != 0)
			status->lag_seconds =
				Max(0.0, (double) (GetCurrentTimestamp() - since) / 1000000.0);
	}
	status->transactions_total = pg_atomic_read_u64(&ring->transactions_total);
	status->changes_total = pg_atomic_read_u64(&ring->changes_total);
	status->bytes_total = pg_atomic_read_u64(&ring->bytes_total);
	status->too_many_total = pg_atomic_read_u64(&ring->too_many_total);
	status->evicted_total = pg_atomic_read_u64(&ring->evicted_total);
	status->epochs_total = pg_atomic_read_u64(&ring->epochs_total);
	status->decoder_starts = pg_atomic_read_u64(&ring->decoder_starts);
	status->wakeups_total = pg_atomic_read_u64(&ring->wakeups_total);
	for (int b = 0; b < PGREST_RING_LATENCY_BUCKETS; b++)
		status->latency_buckets[b] = pg_atomic_read_u64(&ring->latency_buckets[b]);
	status->latency_sum = (double) pg_atomic_read_u64(&ring->latency_sum_us) / 1000000.0;
}

/* A cursor just after the newest change published. */
void
pgrest_ring_cursor_at_head(PgrestRingCursor *cursor)
{
	memset(cursor, 0, sizeof(PgrestRingCursor));
	if (ring == NULL)
		return;
	SpinLockAcquire(&ring->mutex);
	cursor->epoch = pg_atomic_read_u32(&ring->epoch);
	cursor->pos = pg_atomic_read_u64(&ring->head);
	cursor->lsn = ring->newest_lsn;
	cursor->seq = ring->newest_seq;
	SpinLockRelease(&ring->mutex);
}

/*
 * Copy the records after the cursor into buf (see ring.h).  Records whose
 * id is not after the cursor's (a cursor from pgrest_ring_seek while the
 * decoder catches up) are passed over without being copied.
 */
ssize_t
pgrest_ring_read(PgrestRingCursor *cursor, char *buf, size_t bytes)
{
	uint64		start = cursor->pos;
	uint64		pos = start;
	uint64		head;
	size_t		copied = 0;
	XLogRecPtr	last_lsn = cursor->lsn;
	uint32		last_seq = cursor->seq;

	if (ring == NULL || cursor->epoch != pg_atomic_read_u32(&ring->epoch))
		return -1;
	head = pg_atomic_read_u64(&ring->head);
	pg_read_barrier();
	if (start < pg_atomic_read_u64(&ring->tail) || start > head)
		return -1;

	while (pos < head)
	{
		const PgrestChange *change = (const PgrestChange *) ring_at(pos);
		PgrestChange *copy;
		uint32		length;
		char		op;

		if (!valid_record(pos, head, &length, &op))
			return -1;			/* overwritten under us: lapped */
		if (op == RING_SKIP ||
			id_cmp(change->commit_lsn, change->seq, last_lsn, last_seq) <= 0)
		{
			pos += length;
			continue;
		}
		if (copied + length > bytes)
		{
			if (copied == 0)
				elog(ERROR, "a buffer of %zu bytes cannot hold a ring record of %u",
					 bytes, length);
			break;
		}
		copy = (PgrestChange *) (buf + copied);
		memcpy(copy, change, length);
		copy->length = length;
		last_lsn = copy->commit_lsn;
		last_seq = copy->seq;
		copied += length;
		pos += length;
	}

	pg_read_barrier();
	if (pg_atomic_read_u64(&ring->tail) > start ||
		cursor->epoch != pg_atomic_read_u32(&ring->epoch))
		return -1;
	/* the copied ids came from the ring before tail moved: they hold */
	cursor->pos = pos;
	cursor->lsn = last_lsn;
	cursor->seq = last_seq;
	return (ssize_t) copied;
}

/*
 * A cursor after (lsn, seq) of epoch: at the first record with a greater
 * id; or at the head when the decoder has not got there again yet (after
 * a restart) and the id is of WAL already written.  See ring.h.
 */
bool
pgrest_ring_seek(uint32 epoch, XLogRecPtr lsn, uint32 seq,
				 PgrestRingCursor *cursor)
{
	for (int tries = 0; tries < 3; tries++)
	{
		uint64		head;
		uint64		tail;
		uint64		pos;
		XLogRecPtr	newest_lsn;
		uint32		newest_seq;
		bool		lapped = false;

		if (ring == NULL || epoch == 0)
			return false;
		SpinLockAcquire(&ring->mutex);
		if (epoch != pg_atomic_read_u32(&ring->epoch) ||
			id_cmp(lsn, seq, ring->floor_lsn, ring->floor_seq) < 0)
		{
			SpinLockRelease(&ring->mutex);
			return false;
		}
		/* tail with the floor: eviction moves both under the lock */
		head = pg_atomic_read_u64(&ring->head);
		tail = pg_atomic_read_u64(&ring->tail);
		newest_lsn = ring->newest_lsn;
		newest_seq = ring->newest_seq;
		SpinLockRelease(&ring->mutex);

		cursor->epoch = epoch;
		cursor->lsn = lsn;
		cursor->seq = seq;
		if (id_cmp(lsn, seq, newest_lsn, newest_seq) >= 0)
		{
			/* at or past the newest: past it only if that WAL exists */
			if (id_cmp(lsn, seq, newest_lsn, newest_seq) > 0 &&
				(lsn & ~((XLogRecPtr) 7)) >= GetFlushRecPtr(NULL))
				return false;
			cursor->pos = head;
			return true;
		}

		/* in the ring: the first record after the id, from the tail */
		pg_read_barrier();
		pos = tail;
		while (pos < head)
		{
			const PgrestChange *change = (const PgrestChange *) ring_at(pos);
			uint32		length;
			char		op;

			if (!valid_record(pos, head, &length, &op))
			{
				lapped = true;
				break;
			}
			if (op != RING_SKIP &&
				id_cmp(change->commit_lsn, change->seq, lsn, seq) > 0)
				break;
			pos += length;
		}
		/*
		 * What was evicted meanwhile is what the client has seen (its id is
		 * not below the floor) or lost (it is, now: too old).  What was not
		 * evicted was not written under us: pos holds.
		 */
		pg_read_barrier();
		SpinLockAcquire(&ring->mutex);
		if (id_cmp(lsn, seq, ring->floor_lsn, ring->floor_seq) < 0)
		{
			SpinLockRelease(&ring->mutex);
			return false;
		}
		tail = pg_atomic_read_u64(&ring->tail);
		SpinLockRelease(&ring->mutex);
		if (lapped || tail > pos)
			continue;			/* look again */
		cursor->pos = pos;
		return true;
	}
	return false;
}

/*
 * This process listens to relid and prefilters on attnums (see ring.h).
 * false when the table of listeners is full.
 */
bool
pgrest_ring_want_columns(Oid relid, const AttrNumber *attnums, int n)
{
	int			procno = MyProc->pgprocno;
	int			free_slot = -1;
	RingListener *entry = NULL;

	if (ring == NULL)
		return false;
	if (!exit_callback)
	{
		before_shmem_exit(forget_all, (Datum) 0);
		exit_callback = true;
	}
	n = Min(Max(n, 0), RING_MAX_WANT);

	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	for (int i = 0; i < ring->nlisteners; i++)
	{
		RingListener *l = &ring->listeners[i];

		if (l->procno == procno && l->relid == relid)
		{
			entry = l;
			break;
		}
		if (l->procno < 0 && free_slot < 0)
			free_slot = i;
	}
	if (entry == NULL)
	{
		if (free_slot < 0 && ring->nlisteners < RING_MAX_LISTENERS)
			free_slot = ring->nlisteners++;
		if (free_slot < 0)
		{
			LWLockRelease(ring->lock);
			return false;
		}
		entry = &ring->listeners[free_slot];
		entry->procno = procno;
		entry->relid = relid;
	}
	entry->n = n;
	if (n > 0)
		memcpy(entry->attnums, attnums, sizeof(AttrNumber) * n);
	pg_atomic_fetch_add_u32(&ring->want_generation, 1);
	LWLockRelease(ring->lock);
	return true;
}

/* This process no longer listens to relid. */
void
pgrest_ring_forget(Oid relid)
{
	int			procno;

	if (ring == NULL || MyProc == NULL)
		return;
	procno = MyProc->pgprocno;
	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	for (int i = 0; i < ring->nlisteners; i++)
	{
		RingListener *l = &ring->listeners[i];

		if (l->procno == procno && (l->relid == relid || relid == InvalidOid))
			l->procno = -1;
	}
	while (ring->nlisteners > 0 && ring->listeners[ring->nlisteners - 1].procno < 0)
		ring->nlisteners--;
	pg_atomic_fetch_add_u32(&ring->want_generation, 1);
	LWLockRelease(ring->lock);
}

/* before_shmem_exit: this process listens to nothing any more */
static void
forget_all(int code, Datum arg)
{
	pgrest_ring_forget(InvalidOid);
}

/* ---------------------------------------------------------------- */
/* the writer                                                        */
/* ---------------------------------------------------------------- */

/*
 * A writer starts: records a writer that died had appended and not
 * published are dropped.
 */
void
pgrest_ring_writer_start(void)
{
	Assert(ring != NULL);
	ring->write_pos = pg_atomic_read_u64(&ring->head);
	ring->pending_records = 0;
	ntouched = 0;
}

/*
 * The slot's epoch.  Another epoch than the ring's empties the ring: the
 * ids of the old slot mean nothing now.  floor_lsn is where decoding
 * starts: the ring's position until a record is published.
 */
void
pgrest_ring_set_epoch(uint32 epoch, XLogRecPtr floor_lsn)
{
	uint64		head;

	Assert(ring != NULL && epoch != 0);
	head = pg_atomic_read_u64(&ring->head);
	ring->write_pos = head;
	ring->pending_records = 0;
	/*
	 * The same slot (the decoder alone restarted): keep the ring and its
	 * floor; the decoder passes over the transactions the ring has.  What
	 * it decoded between its confirmed position and the ring's newest
	 * record made no record, or the ring would have it.  (After a server
	 * restart the ring's epoch is 0.)
	 */
	if (pg_atomic_read_u32(&ring->epoch) == epoch)
		return;
	if (pg_atomic_read_u32(&ring->epoch) != 0)
		add_u64(&ring->epochs_total, 1);

	SpinLockAcquire(&ring->mutex);
	pg_atomic_write_u32(&ring->epoch, epoch);
	pg_atomic_write_u64(&ring->tail, head);
	ring->floor_lsn = place_before(floor_lsn);
	ring->floor_seq = 0;
	ring->newest_lsn = ring->floor_lsn;
	ring->newest_seq = 0;
	ring->newest_time = 0;
	ring->published = false;
	SpinLockRelease(&ring->mutex);
	pg_atomic_write_u64(&ring->records, 0);

	/* readers of the old epoch learn it at their next read */
	LWLockAcquire(ring->lock, LW_SHARED);
	for (int i = 0; i < ring->nlisteners; i++)
		if (ring->listeners[i].procno >= 0)
			SetLatch(&GetPGProcByNumber(ring->listeners[i].procno)->procLatch);
	LWLockRelease(ring->lock);
}

/*
 * Whether the transaction that committed at commit_lsn has been published
 * already: the decoder restarted alone and decodes it again.
 */
bool
pgrest_ring_has_commit(XLogRecPtr commit_lsn)
{
	bool		has;

	SpinLockAcquire(&ring->mutex);
	has = ring->published && commit_lsn <= ring->newest_lsn;
	SpinLockRelease(&ring->mutex);
	return has;
}

/*
 * Append one record (see ring.h).  The header is copied with its length
 * set; values is the values' bytes, len a multiple of 8.
 */
bool
pgrest_ring_append(const PgrestChange *change, const void *values, Size len)
{
	uint64		length = PGREST_CHANGE_HEADER_SIZE + MAXALIGN(len);
	uint64		pos = ring->write_pos;
	uint64		offset = pos % ring->size;
	uint64		skip = 0;
	PgrestChange *dst;

	Assert(len == MAXALIGN(len));
	if (length > PGREST_RING_MAX_RECORD || length > ring->size / 4)
		return false;
	if (offset + length > ring->size)
		skip = ring->size - offset;

	/* this transaction's records must fit with what it appended */
	if (pos + skip + length - pg_atomic_read_u64(&ring->head) > ring->size / 2)
		return false;
	if (!evict_until(pos + skip + length))
		return false;

	if (skip > 0)
	{
		PgrestChange *marker = (PgrestChange *) ring_at(pos);

		/* it may be only 8 bytes long: length and op are in them */
		marker->length = (uint32) skip;
		marker->op = RING_SKIP;
		pos += skip;
	}
	dst = (PgrestChange *) ring_at(pos);
	memcpy(dst, change, sizeof(PgrestChange));
	dst->length = (uint32) length;
	if (PGREST_CHANGE_HEADER_SIZE > sizeof(PgrestChange))
		memset((char *) dst + sizeof(PgrestChange), 0,
			   PGREST_CHANGE_HEADER_SIZE - sizeof(PgrestChange));
	if (len > 0)
		memcpy((char *) dst + PGREST_CHANGE_HEADER_SIZE, values, len);
	ring->write_pos = pos + length;
	ring->pending_lsn = change->commit_lsn;
	ring->pending_seq = change->seq;
	ring->pending_time = change->commit_time;
	ring->pending_records++;
	if (change->op == PGREST_CHANGE_TOO_MANY)
		add_u64(&ring->too_many_total, 1);
	note_touched(change->relid);
	return true;
}

uint64
pgrest_ring_pending(void)
{
	return ring->write_pos - pg_atomic_read_u64(&ring->head);
}

/* Drop what was appended since the last publish. */
void
pgrest_ring_discard(void)
{
	ring->write_pos = pg_atomic_read_u64(&ring->head);
	ring->pending_records = 0;
	ntouched = 0;
}

/* Readers see what was appended: the transaction is in the ring. */
void
pgrest_ring_publish(void)
{
	uint64		head = pg_atomic_read_u64(&ring->head);
	TimestampTz now;

	if (ring->pending_records == 0)
		return;
	now = GetCurrentTimestamp();
	pg_write_barrier();
	SpinLockAcquire(&ring->mutex);
	ring->newest_lsn = ring->pending_lsn;
	ring->newest_seq = ring->pending_seq;
	ring->newest_time = ring->pending_time;
	ring->published = true;
	pg_atomic_write_u64(&ring->head, ring->write_pos);
	SpinLockRelease(&ring->mutex);

	add_u64(&ring->records, ring->pending_records);
	add_u64(&ring->transactions_total, 1);
	add_u64(&ring->changes_total, ring->pending_records);
	add_u64(&ring->bytes_total, ring->write_pos - head);
	pg_atomic_write_u64(&ring->progress_time, (uint64) now);
	count_latency(now - ring->pending_time);
	ring->pending_records = 0;
}

/*
 * Set the latches of the processes listening to the tables touched by
 * what was published since the last call.
 */
void
pgrest_ring_wake_readers(void)
{
	if (ntouched == 0)
		return;
	refresh_local_listen();
	for (int i = 0; i < ntouched; i++)
	{
		LocalListen *l = hash_search(local_listen, &touched[i], HASH_FIND, NULL);

		if (l == NULL)
			continue;
		if (l->many)
		{
			/* many processes: every listener, from the shared table */
			LWLockAcquire(ring->lock, LW_SHARED);
			for (int j = 0; j < ring->nlisteners; j++)
				if (ring->listeners[j].procno >= 0 &&
					ring->listeners[j].relid == l->relid)
					SetLatch(&GetPGProcByNumber(ring->listeners[j].procno)->procLatch);
			LWLockRelease(ring->lock);
			continue;
		}
		for (int j = 0; j < l->nprocs; j++)
			SetLatch(&GetPGProcByNumber(l->procs[j])->procLatch);
	}
	ntouched = 0;
}

uint32
pgrest_ring_want_generation(void)
{
	return pg_atomic_read_u32(&ring->want_generation);
}

/*
 * The prefilter columns some listener asked for on relid (at most max of
 * them, in no order), for the decoder.  Reads the decoder's copy, brought
 * up to date first when listeners changed.
 */
int
pgrest_ring_wanted_columns(Oid relid, AttrNumber *attnums, int max)
{
	LocalListen *l;
	int			n;

	refresh_local_listen();
	l = hash_search(local_listen, &relid, HASH_FIND, NULL);
	if (l == NULL)
		return 0;
	n = Min(l->ncolumns, max);
	memcpy(attnums, l->columns, sizeof(AttrNumber) * n);
	return n;
}

/*
 * The oldest record the slot must keep for: committed at or after since,
 * at or after min_lsn.  Only the writer calls this: the records it reads
 * cannot change under it.
 */
XLogRecPtr
pgrest_ring_first_commit_since(TimestampTz since, XLogRecPtr min_lsn,
							   TimestampTz *commit_time)
{
	uint64		pos = pg_atomic_read_u64(&ring->tail);
	uint64		head = pg_atomic_read_u64(&ring->head);

	while (pos < head)
	{
		const PgrestChange *change = (const PgrestChange *) ring_at(pos);

		if (change->op != RING_SKIP &&
			change->commit_time >= since && change->commit_lsn >= min_lsn)
		{
			*commit_time = change->commit_time;
			return change->commit_lsn;
		}
		pos += change->length;
	}
	return InvalidXLogRecPtr;
}

bool
pgrest_ring_unflushed_commit(XLogRecPtr flush)
{
	return pg_atomic_read_u64(&ring->committed_lsn) > flush;
}

/* ---------------------------------------------------------------- */
/* the decoder's state                                               */
/* ---------------------------------------------------------------- */

void
pgrest_ring_set_state(PgrestRealtimeState state, const char *reason)
{
	if (ring == NULL)
		return;
	SpinLockAcquire(&ring->mutex);
	strlcpy(ring->reason, reason ? reason : "", sizeof(ring->reason));
	SpinLockRelease(&ring->mutex);
	pg_atomic_write_u32(&ring->state, (uint32) state);
}

void
pgrest_ring_set_slot(const char *slot_name)
{
	SpinLockAcquire(&ring->mutex);
	strlcpy(ring->slot_name, slot_name ? slot_name : "", sizeof(ring->slot_name));
	SpinLockRelease(&ring->mutex);
}

void
pgrest_ring_set_progress(XLogRecPtr decoded, XLogRecPtr confirmed)
{
	pg_atomic_write_u64(&ring->decoded_lsn, decoded);
	pg_atomic_write_u64(&ring->confirmed_lsn, confirmed);
}

/* The decoder woke up: lag is counted from now, not from its last sleep. */
void
pgrest_ring_count_wakeup(void)
{
	add_u64(&ring->wakeups_total, 1);
	pg_atomic_write_u64(&ring->progress_time, (uint64) GetCurrentTimestamp());
}

void
pgrest_ring_count_start(void)
{
	add_u64(&ring->decoder_starts, 1);
}

/*
 * The decoder runs (publishes its latch and database) or stops.  While it
 * stops, commits wake nobody.
 */
void
pgrest_ring_set_decoder(bool running)
{
	if (running)
	{
		pg_atomic_write_u32(&ring->decoder_database, MyDatabaseId);
		pg_atomic_write_u32(&ring->decoder_procno, (uint32) MyProc->pgprocno);
	}
	else
	{
		pg_atomic_write_u32(&ring->decoder_procno, NO_PROCNO);
		ConditionVariableBroadcast(&ring->slot_released);
	}
}

Oid
pgrest_ring_decoder_database(void)
{
	return ring ? pg_atomic_read_u32(&ring->decoder_database) : InvalidOid;
}

/*
 * A transaction with an xid committed, its commit record ending at
 * commit_end: wake the decoder if it is in the decoder's database, or if
 * the slot holds more than a quarter of pgrest.realtime_max_retained_wal
 * of WAL behind it (so that the slot moves on though the served database
 * is idle).  Runs in every backend at every commit: a few atomic reads,
 * and SetLatch, which is cheap on a latch already set.
 */
void
pgrest_ring_wake_decoder(XLogRecPtr commit_end)
{
	uint32		procno;
	bool		ours;

	if (ring == NULL)
		return;
	procno = pg_atomic_read_u32(&ring->decoder_procno);
	if (procno == NO_PROCNO)
		return;
	ours = MyDatabaseId == pg_atomic_read_u32(&ring->decoder_database);
	if (ours)
	{
		uint64		seen = pg_atomic_read_u64(&ring->committed_lsn);

		while (seen < commit_end &&
			   !pg_atomic_compare_exchange_u64(&ring->committed_lsn, &seen, commit_end))
			;
	}
	else
	{
		uint64		confirmed = pg_atomic_read_u64(&ring->confirmed_lsn);
		uint64		quarter = (uint64) pgrest_realtime_max_retained_wal * 1024 * 1024 / 4;

		if (commit_end < confirmed + Max(quarter, 16 * 1024 * 1024))
			return;
	}
	SetLatch(&GetPGProcByNumber(procno)->procLatch);
}

/* whether DROP DATABASE waits for the decoder to let go of its slot */
bool
pgrest_ring_drop_requested(void)
{
	return ring != NULL &&
		pg_atomic_read_u32(&ring->drop_database) != InvalidOid &&
		pg_atomic_read_u32(&ring->drop_database) ==
		pg_atomic_read_u32(&ring->decoder_database);
}

/*
 * DROP DATABASE of database is about to run: if the decoder holds its slot
 * there, ask it to release the slot and wait (at most timeout_ms) until it
 * has.  Returns whether the decoder is out of the way.  The request stays
 * until pgrest_ring_clear_drop(): the decoder does not take the slot again
 * meanwhile.
 */
bool
pgrest_ring_request_drop(Oid database, int timeout_ms)
{
	TimestampTz deadline;
	bool		released = true;

	if (ring == NULL || database != pg_atomic_read_u32(&ring->decoder_database))
		return true;
	pg_atomic_write_u32(&ring->drop_database, database);
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	ConditionVariablePrepareToSleep(&ring->slot_released);
	for (;;)
	{
		uint32		procno = pg_atomic_read_u32(&ring->decoder_procno);
		long		left;

		if (procno == NO_PROCNO)
			break;
		SetLatch(&GetPGProcByNumber(procno)->procLatch);
		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (left <= 0)
		{
			released = false;
			break;
		}
		ConditionVariableTimedSleep(&ring->slot_released, Min(left, 100),
									PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();
	return released;
}

/* DROP DATABASE is over (dropped or failed): the decoder may go on. */
void
pgrest_ring_clear_drop(void)
{
	uint32		procno;

	if (ring == NULL || pg_atomic_read_u32(&ring->drop_database) == InvalidOid)
		return;
	pg_atomic_write_u32(&ring->drop_database, InvalidOid);
	procno = pg_atomic_read_u32(&ring->decoder_procno);
	if (procno != NO_PROCNO)
		SetLatch(&GetPGProcByNumber(procno)->procLatch);
}

/*
 * pgrest.database was dropped (true), or created (false), by a command
 * that committed: the decoder does not try to connect to it while it is
 * dropped, and tries at once when it is created, whatever the HTTP
 * workers' probe last found.
 */
void
pgrest_ring_set_database_dropped(bool dropped)
{
	uint32		procno;

	if (ring == NULL)
		return;
	pg_atomic_write_u32(&ring->database_dropped, dropped ? 1 : 0);
	pg_atomic_write_u32(&ring->database_created, dropped ? 0 : 1);
	procno = pg_atomic_read_u32(&ring->waiting_procno);
	if (!dropped && procno != NO_PROCNO)
		SetLatch(&GetPGProcByNumber(procno)->procLatch);
}

/* The decoder waits for its database (true), or no longer (false). */
void
pgrest_ring_set_waiting(bool waiting)
{
	pg_atomic_write_u32(&ring->waiting_procno,
						waiting ? (uint32) MyProc->pgprocno : NO_PROCNO);
}

bool
pgrest_ring_database_dropped(void)
{
	return ring != NULL && pg_atomic_read_u32(&ring->database_dropped) != 0;
}

bool
pgrest_ring_database_created(void)
{
	return ring != NULL && pg_atomic_read_u32(&ring->database_created) != 0;
}

/* ---------------------------------------------------------------- */
/* helpers                                                           */
/* ---------------------------------------------------------------- */

static inline char *
ring_at(uint64 pos)
{
	return ring->data + (pos % ring->size);
}

static inline int
id_cmp(XLogRecPtr a_lsn, uint32 a_seq, XLogRecPtr b_lsn, uint32 b_seq)
{
	if (a_lsn != b_lsn)
		return a_lsn < b_lsn ? -1 : 1;
	if (a_seq != b_seq)
		return a_seq < b_seq ? -1 : 1;
	return 0;
}

/*
 * The place just before lsn: an odd LSN below lsn and above every commit
 * record that starts before lsn (those start at multiples of 8), so that
 * (place, 0) sorts after every change before lsn and before every change
 * at or after it.
 */
static XLogRecPtr
place_before(XLogRecPtr lsn)
{
	if (lsn == 0)
		return 0;
	return ((lsn - 1) & ~((XLogRecPtr) 7)) + 7;
}

/*
 * Whether the length and op read at pos can be a record's: a multiple of
 * 8, within the ring's end and not past limit; a record holds at least
 * its header, and only a skip marker may be shorter (at the ring's end).
 * Only the first 8 bytes at pos are read: a skip marker may be that
 * short.
 */
static bool
valid_record(uint64 pos, uint64 limit, uint32 *length, char *op)
{
	const PgrestChange *change = (const PgrestChange *) ring_at(pos);
	uint64		offset = pos % ring->size;

	*length = change->length;
	*op = change->op;
	if (*length == 0 || *length % 8 != 0 ||
		offset + *length > ring->size || pos + *length > limit)
		return false;
	if (*op == RING_SKIP)
		return *length >= PGREST_CHANGE_HEADER_SIZE || offset + *length == ring->size;
	return *length >= PGREST_CHANGE_HEADER_SIZE;
}

/*
 * Move tail until the bytes up to end can be written, passing over the
 * records they hold; the floor becomes the id of the newest record
 * evicted.  false if that would reach records not yet published.
 */
static bool
evict_until(uint64 end)
{
	uint64		tail = pg_atomic_read_u64(&ring->tail);
	uint64		head = pg_atomic_read_u64(&ring->head);
	uint64		evicted = 0;
	XLogRecPtr	floor_lsn = InvalidXLogRecPtr;
	uint32		floor_seq = 0;

	if (end <= tail + ring->size)
		return true;
	while (end > tail + ring->size)
	{
		const PgrestChange *change = (const PgrestChange *) ring_at(tail);

		if (tail >= head)
			return false;
		if (change->op != RING_SKIP)
		{
			floor_lsn = change->commit_lsn;
			floor_seq = change->seq;
			evicted++;
		}
		tail += change->length;
	}
	SpinLockAcquire(&ring->mutex);
	if (evicted > 0)
	{
		ring->floor_lsn = floor_lsn;
		ring->floor_seq = floor_seq;
	}
	pg_atomic_write_u64(&ring->tail, tail);
	SpinLockRelease(&ring->mutex);
	/* readers see the new tail before any byte behind it changes */
	pg_write_barrier();
	pg_atomic_write_u64(&ring->records, pg_atomic_read_u64(&ring->records) - evicted);
	add_u64(&ring->evicted_total, evicted);
	return true;
}

/* the single writer's increment: a read and a write, no locked instruction */
static void
add_u64(pg_atomic_uint64 *counter, uint64 n)
{
	pg_atomic_write_u64(counter, pg_atomic_read_u64(counter) + n);
}

/* a transaction published latency_us after its commit */
static void
count_latency(int64 us)
{
	int			b = PGREST_RING_LATENCY_BUCKETS - 1;

	us = Max(us, 0);
	for (int i = 0; i < PGREST_RING_LATENCY_BUCKETS - 1; i++)
	{
		if ((double) us <= pgrest_ring_latency_bounds[i] * 1000000.0)
		{
			b = i;
			break;
		}
	}
	add_u64(&ring->latency_buckets[b], 1);
	add_u64(&ring->latency_sum_us, (uint64) us);
}

/* remember a table the transaction being appended touched */
static void
note_touched(Oid relid)
{
	for (int i = 0; i < ntouched; i++)
		if (touched[i] == relid)
			return;
	if (ntouched == maxtouched)
	{
		maxtouched = Max(16, maxtouched * 2);
		touched = touched == NULL ?
			MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * maxtouched) :
			repalloc(touched, sizeof(Oid) * maxtouched);
	}
	touched[ntouched++] = relid;
}

/* bring the decoder's copy of the listeners up to date */
static void
refresh_local_listen(void)
{
	uint32		generation = pg_atomic_read_u32(&ring->want_generation);
	HASHCTL		ctl;

	if (local_listen != NULL && generation == local_generation)
		return;
	if (local_listen != NULL)
		hash_destroy(local_listen);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(LocalListen);
	ctl.hcxt = TopMemoryContext;
	local_listen = hash_create("pgrest realtime listeners", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	LWLockAcquire(ring->lock, LW_SHARED);
	local_generation = pg_atomic_read_u32(&ring->want_generation);
	for (int i = 0; i < ring->nlisteners; i++)
	{
		RingListener *l = &ring->listeners[i];
		LocalListen *local;
		bool		found;

		if (l->procno < 0)
			continue;
		local = hash_search(local_listen, &l->relid, HASH_ENTER, &found);
		if (!found)
		{
			local->nprocs = 0;
			local->many = false;
			local->ncolumns = 0;
		}
		if (local->nprocs < (int) lengthof(local->procs))
			local->procs[local->nprocs++] = l->procno;
		else
			local->many = true;
		for (int c = 0; c < l->n; c++)
		{
			bool		have = false;

			for (int k = 0; k < local->ncolumns; k++)
				have = have || local->columns[k] == l->attnums[c];
			if (!have && local->ncolumns < RING_MAX_WANT)
				local->columns[local->ncolumns++] = l->attnums[c];
		}
	}
	LWLockRelease(ring->lock);
	(void) generation;
}
