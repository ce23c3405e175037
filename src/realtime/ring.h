/*-------------------------------------------------------------------------
 *
 * ring.h
 *	  The shared-memory ring of table changes: one writer (the decoder),
 *	  many readers (the HTTP workers); and realtime's shared state
 *
 * A change record is a PgrestChange header followed by nvalues values,
 * each a PgrestChangeValue header and its text, NUL-terminated, padded
 * so that the next starts 8-byte aligned; the record's length is a
 * multiple of 8.  Records of one epoch are in id order: (commit_lsn,
 * seq), strictly increasing.  Commit LSNs of records are the start of a
 * commit record, so always a multiple of 8.
 *
 * Readers copy records out (pgrest_ring_read); they never keep a pointer
 * into the ring.  The writer never waits for a reader: a reader that was
 * lapped, or whose epoch is gone, learns it from pgrest_ring_read
 * returning -1, and must tell its clients to start again (reset).
 *
 * A cursor remembers the id of the last change it has passed.  An id
 * with an odd LSN is not a change: it is a place between changes (the
 * position of an empty ring, "everything before this LSN"); readers may
 * hand it to clients as any other id and seek to it later.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/ring.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_RING_H
#define PGREST_REALTIME_RING_H

#include "access/attnum.h"
#include "access/xlogdefs.h"
#include "datatype/timestamp.h"

typedef enum PgrestChangeOp
{
	PGREST_CHANGE_INSERT = 'I',
	PGREST_CHANGE_UPDATE = 'U',
	PGREST_CHANGE_DELETE = 'D',
	PGREST_CHANGE_TRUNCATE = 'T',
	/*
	 * The transaction changed more than pgrest.realtime_max_tx_changes rows
	 * of this table (or more than the ring can hold): its rows are not in
	 * the ring; the table's subscribers get reset (too_many_changes).
	 */
	PGREST_CHANGE_TOO_MANY = 'R'
} PgrestChangeOp;

typedef struct PgrestChange
{
	uint32		length;			/* of the whole record, a multiple of 8 */
	char		op;				/* PgrestChangeOp */
	uint16		nvalues;
	Oid			relid;			/* the table; a partition's root */
	TransactionId xid;
	uint32		seq;			/* its place in its transaction, from 0 */
	XLogRecPtr	commit_lsn;		/* start of the commit record */
	TimestampTz commit_time;
} PgrestChange;

/* where a value comes from */
#define PGREST_VALUE_NEW	'n'		/* the new tuple (INSERT, UPDATE) */
#define PGREST_VALUE_OLD	'o'		/* the old key: DELETE, or an UPDATE that
									 * changed the key */
/* what it is */
#define PGREST_VALUE_TEXT	'v'		/* its type's output text */
#define PGREST_VALUE_NULL	'z'		/* NULL (len 0) */
#define PGREST_VALUE_UNKNOWN 'u'	/* not known: unchanged TOAST, or too long
									 * to carry (len 0): never prefilter on it */

/* one value of a record: a key column or a prefilter column */
typedef struct PgrestChangeValue
{
	int16		attnum;			/* of the root table */
	uint8		from;			/* PGREST_VALUE_NEW or _OLD */
	uint8		kind;			/* PGREST_VALUE_TEXT, _NULL or _UNKNOWN */
	uint32		len;			/* bytes of text, without the NUL */
	/* char text[len + 1] follows, then padding to 8 */
} PgrestChangeValue;

#define PGREST_CHANGE_HEADER_SIZE	MAXALIGN(sizeof(PgrestChange))
#define PGREST_CHANGE_VALUE_SIZE(len) \
	MAXALIGN(sizeof(PgrestChangeValue) + (len) + 1)

/* the largest record; pgrest_ring_read's buffer must hold one */
#define PGREST_RING_MAX_RECORD		(64 * 1024)

/* walking the values of a record */
static inline const PgrestChangeValue *
pgrest_change_first_value(const PgrestChange *change)
{
	return (const PgrestChangeValue *) ((const char *) change + PGREST_CHANGE_HEADER_SIZE);
}

static inline const PgrestChangeValue *
pgrest_change_next_value(const PgrestChangeValue *value)
{
	return (const PgrestChangeValue *) ((const char *) value +
										PGREST_CHANGE_VALUE_SIZE(value->len));
}

static inline const char *
pgrest_change_value_text(const PgrestChangeValue *value)
{
	return (const char *) value + sizeof(PgrestChangeValue);
}

/* the record after this one in a buffer pgrest_ring_read filled */
static inline const PgrestChange *
pgrest_change_next(const PgrestChange *change)
{
	return (const PgrestChange *) ((const char *) change + change->length);
}

/* what realtime is doing (pgrest.realtime_status(), /ready, 503 hints) */
typedef enum PgrestRealtimeState
{
	PGREST_REALTIME_OFF,		/* pgrest.realtime = off */
	PGREST_REALTIME_STARTING,	/* the decoder has not started yet */
	PGREST_REALTIME_STANDBY,	/* a standby: no decoding here (PostgreSQL
								 * 15); the primary serves realtime */
	PGREST_REALTIME_NO_WAL_LEVEL,	/* wal_level is below logical */
	PGREST_REALTIME_UNAVAILABLE,	/* another reason, in the status */
	PGREST_REALTIME_CREATING_SLOT,	/* waiting for the transactions that ran
									 * when the slot was created */
	PGREST_REALTIME_RUNNING
} PgrestRealtimeState;

#define PGREST_REALTIME_STATES (PGREST_REALTIME_RUNNING + 1)

#define PGREST_RING_REASON_LEN 256

/* the buckets of the commit -> ring latency histogram, +Inf last */
#define PGREST_RING_LATENCY_BUCKETS 19
extern const double pgrest_ring_latency_bounds[PGREST_RING_LATENCY_BUCKETS - 1];	/* seconds */

/* realtime's state and the ring's, at one moment */
typedef struct PgrestRingStatus
{
	PgrestRealtimeState state;
	char		reason[PGREST_RING_REASON_LEN];	/* why not running, or "" */
	uint32		epoch;			/* 0: none yet */
	char		slot_name[NAMEDATALEN];
	uint64		size;			/* bytes of the ring */
	uint64		used;			/* bytes between tail and head */
	uint64		head;			/* bytes ever published */
	uint64		tail;			/* bytes ever evicted */
	uint64		records;		/* records in the ring now */
	XLogRecPtr	oldest_lsn;		/* commit LSN of the oldest record, or 0 */
	TimestampTz oldest_time;
	XLogRecPtr	newest_lsn;		/* id of the newest record (or the
								 * position of an empty ring) */
	uint32		newest_seq;
	TimestampTz newest_time;	/* its commit time; 0 when none */
	XLogRecPtr	floor_lsn;		/* ids below this (lsn, seq) cannot be */
	uint32		floor_seq;		/* resumed from */
	XLogRecPtr	decoded_lsn;	/* WAL decoded up to */
	XLogRecPtr	confirmed_lsn;	/* the slot's confirmed position */
	XLogRecPtr	committed_lsn;	/* end of the newest commit in the served
								 * database that woke the decoder */
	uint64		lag_bytes;
	double		lag_seconds;
	uint64		transactions_total; /* transactions with records */
	uint64		changes_total;	/* records published */
	uint64		bytes_total;	/* bytes published */
	uint64		too_many_total; /* R records */
	uint64		evicted_total;	/* records evicted to make room */
	uint64		epochs_total;	/* new epochs (new slots) since start */
	uint64		decoder_starts; /* times the decoder started */
	uint64		wakeups_total;	/* times the decoder woke up */
	/* transactions by time from commit to published in the ring (not cumulative) */
	uint64		latency_buckets[PGREST_RING_LATENCY_BUCKETS];
	double		latency_sum;	/* seconds */
} PgrestRingStatus;

/* shared memory, asked for and attached by realtime.c */
extern Size pgrest_ring_shmem_size(void);	/* pgrest.realtime_buffer */
extern void pgrest_ring_shmem_startup(void);
extern bool pgrest_ring_attached(void);

/*
 * Readers (HTTP workers).  A cursor is the reader's place: the epoch it
 * belongs to, a byte position, and the id of the last change before it.
 */
typedef struct PgrestRingCursor
{
	uint32		epoch;
	uint64		pos;
	XLogRecPtr	lsn;			/* id of the last change passed (or a place */
	uint32		seq;			/* between changes: odd lsn) */
} PgrestRingCursor;

extern PgrestRealtimeState pgrest_ring_state(void);
extern void pgrest_ring_status(PgrestRingStatus *status);
extern uint32 pgrest_ring_epoch(void);

/* just after the newest change published; its id is the cursor's lsn/seq */
extern void pgrest_ring_cursor_at_head(PgrestRingCursor *cursor);

/*
 * Copy whole records after the cursor (at most bytes, which must be at
 * least PGREST_RING_MAX_RECORD) into buf, 8-byte aligned, and advance the
 * cursor past them.  Returns the bytes copied; 0 when nothing is new; -1
 * when the cursor was lapped or its epoch is gone (pgrest_ring_epoch()
 * tells which): the reader's clients must be reset.
 */
extern ssize_t pgrest_ring_read(PgrestRingCursor *cursor, char *buf, size_t bytes);

/*
 * Last-Event-ID: a cursor just after the change (or place) (epoch, lsn,
 * seq), whose reads return only the changes after it.  false when it
 * cannot be resumed from: another epoch, older than the ring's floor, or
 * an id from the future.  While the decoder catches up after a restart,
 * an id it has not decoded again yet is accepted: reads return the
 * changes after it as they come.
 */
extern bool pgrest_ring_seek(uint32 epoch, XLogRecPtr lsn, uint32 seq,
							 PgrestRingCursor *cursor);

/*
 * What readers listen to.  A process listening to relid calls
 * pgrest_ring_want_columns with the columns its subscriptions compare with
 * eq/in (n may be 0): it is woken when a transaction with records of
 * relid is published, and the decoder adds those columns to the records
 * of relid it writes from then on (records written before carry only the
 * key: treat a missing column as "cannot prefilter").  A new call for the
 * same relid replaces the previous one; pgrest_ring_forget stops
 * listening.  A process's entries go when it exits.  false when the
 * table of listeners (4096 process-table pairs) is full.
 */
extern bool pgrest_ring_want_columns(Oid relid, const AttrNumber *attnums, int n);
extern void pgrest_ring_forget(Oid relid);

/*
 * The decoder (the ring's only writer).
 */

/* a fresh start of the writer: unpublished records of a dead writer go */
extern void pgrest_ring_writer_start(void);

/*
 * The epoch of the slot.  When it differs from the ring's, the ring is
 * emptied and every reader of another epoch gets -1.  floor_lsn is where
 * decoding starts (the slot's confirmed position): ids before it cannot
 * be resumed from.
 */
extern void pgrest_ring_set_epoch(uint32 epoch, XLogRecPtr floor_lsn);

/* whether a transaction committed at commit_lsn is in the ring already */
extern bool pgrest_ring_has_commit(XLogRecPtr commit_lsn);

/*
 * Append one record (length is set here), not yet visible to readers.
 * Never waits; evicts the oldest records.  false when the record would
 * not fit: larger than PGREST_RING_MAX_RECORD, or more than the ring can
 * hold with what this transaction already appended.
 */
extern bool pgrest_ring_append(const PgrestChange *change, const void *values, Size len);

/* how many bytes the records appended and not yet published take */
extern uint64 pgrest_ring_pending(void);

/* drop the records appended and not yet published */
extern void pgrest_ring_discard(void);

/* at commit: readers see the transaction's records */
extern void pgrest_ring_publish(void);

/* after publish: set the latches of readers listening to a table touched */
extern void pgrest_ring_wake_readers(void);

/* the decoder's own state, for the status */
extern void pgrest_ring_set_state(PgrestRealtimeState state, const char *reason);
extern void pgrest_ring_set_slot(const char *slot_name);
extern void pgrest_ring_set_progress(XLogRecPtr decoded, XLogRecPtr confirmed);
extern void pgrest_ring_count_wakeup(void);
extern void pgrest_ring_count_start(void);

/*
 * The commit LSN (and time) of the oldest record committed at or after
 * since and at or after min_lsn; InvalidXLogRecPtr when there is none.
 */
extern XLogRecPtr pgrest_ring_first_commit_since(TimestampTz since, XLogRecPtr min_lsn,
												 TimestampTz *commit_time);

/* whether a commit that woke the decoder ends past flush (not flushed yet) */
extern bool pgrest_ring_unflushed_commit(XLogRecPtr flush);

/* the prefilter columns readers want for relid, for the decoder */
extern uint32 pgrest_ring_want_generation(void);
extern int	pgrest_ring_wanted_columns(Oid relid, AttrNumber *attnums, int max);

/*
 * Waking the decoder.  The decoder publishes its latch and database; a
 * backend that commits a transaction with an xid in that database sets
 * the latch (realtime.c's transaction callback).
 */
extern void pgrest_ring_set_decoder(bool running);
extern void pgrest_ring_wake_decoder(XLogRecPtr commit_end);
extern Oid	pgrest_ring_decoder_database(void);
extern bool pgrest_ring_drop_requested(void);
extern bool pgrest_ring_request_drop(Oid database, int timeout_ms);
extern void pgrest_ring_clear_drop(void);
extern void pgrest_ring_set_database_dropped(bool dropped);
extern bool pgrest_ring_database_dropped(void);
extern bool pgrest_ring_database_created(void);
extern void pgrest_ring_set_waiting(bool waiting);

#endif							/* PGREST_REALTIME_RING_H */
