/*-------------------------------------------------------------------------
 *
 * cohort.h
 *	  A worker's subscribers, grouped: the tables they watch, the cohorts
 *	  that share one statement per batch (subscription.c and batch.c)
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/cohort.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_COHORT_H
#define PGREST_REALTIME_COHORT_H

#include "lib/ilist.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"

#include "query/types.h"
#include "realtime/outbox.h"
#include "realtime/ring.h"
#include "realtime/types.h"

/* how a key column's value is written in JSON ("old": {...}) */
#define PGREST_KEY_NUMBER	'n'
#define PGREST_KEY_BOOL	'b'
#define PGREST_KEY_RAW		'j'		/* json, jsonb: as it is */
#define PGREST_KEY_STRING	's'

/*
 * A condition the prefilter decides in C: col=eq.v or col=in.(...) at the
 * top of a subscription's filters, on a type whose output text is
 * canonical; its values as that output writes them, sorted.
 */
typedef struct Prefilter
{
	AttrNumber	attnum;
	int			nvalues;
	char	  **values;
} Prefilter;

/* what a worker's subscribers watch of one table */
typedef struct Table
{
	Oid			relid;			/* the hash key */
	MemoryContext context;		/* the table's, its index's */
	char	   *names_json;		/* "schema":"...","table":"..." */
	int			npkey;
	AttrNumber *pkey;			/* the primary key's attnums */
	char	  **pkey_json;		/* its columns' names as JSON strings */
	char	   *pkey_kind;		/* PGREST_KEY_* of each */
	dlist_head	cohorts;		/* live cohorts of the table */
	int			ncohorts;		/* ... and those catching up */
	dlist_head	unindexed;		/* live cohorts without a prefilter */
	HTAB	   *index;			/* hash of (attnum, value) -> IndexEntry */
	List	   *indexed;		/* IndexedColumn *: cohorts by prefilter column */
	AttrNumber *wanted;			/* the prefilter columns told to the ring */
	int			nwanted;
} Table;

/*
 * The live cohorts indexed under a hash of a column's number and a value
 * (a hash that two pairs share gives more cohorts to look at, never
 * fewer: each one's prefilter decides)
 */
typedef struct IndexEntry
{
	uint64		hash;
	List	   *cohorts;
} IndexEntry;

/* the live cohorts whose prefilter is on one column (its value unknown) */
typedef struct IndexedColumn
{
	AttrNumber	attnum;
	List	   *cohorts;
} IndexedColumn;

struct Change;

/*
 * Subscribers that share role, claims, query and events: one statement
 * per batch serves them all, and its events are rendered once.  A
 * subscriber that resumes from an id behind the worker's place starts in
 * a cohort of its own that catches up with its own cursor, and joins the
 * live cohort of its identity once it is there.
 */
typedef struct Cohort
{
	char	   *identity;		/* the hash key of live cohorts */
	MemoryContext context;		/* the cohort and all it holds */
	Table	   *table;
	bool		live;			/* reads at the worker's place */
	PgrestRingCursor cursor;	/* catching up: its own place */

	/* the statement, as the subscriber's role with its claims */
	char	   *role;
	char	   *claims;
	char	   *schema;
	char	   *path;
	PgrestQuery *query;			/* its first npkey parameters: the keys */
	int			events;			/* PGREST_EVENTS_* */
	bool		rls;			/* row-level security applies to the role */
	HTAB	   *known;			/* rls: the rows it sent and not deleted */
	List	   *prefilters;		/* Prefilter * */
	Prefilter  *indexed;		/* the prefilter the table indexes it by */
	TimestampTz expires;		/* the token's exp; 0: none */

	dlist_head	members;		/* PgrestSubscriber */
	int			nmembers;
	dlist_node	table_node;		/* Table.cohorts */
	dlist_node	unindexed_node; /* Table.unindexed */
	dlist_node	all_node;		/* every cohort of the worker */

	/* the batch being processed */
	struct Change **pending;
	int			npending;
	int			cap_pending;
	dlist_node	batch_node;		/* cohorts with pending changes */
	bool		in_batch;
	bool		ended;			/* its streams end: it takes no change */
	bool		catching;		/* neither live nor ended: catching up */
	bool		undecided;		/* catching up, rls: a DELETE of a row it
								 * may have sent before it resumed */
} Cohort;

struct PgrestSubscriber
{
	Cohort	   *cohort;
	dlist_node	member_node;	/* Cohort.members */
	dlist_node	all_node;		/* every subscriber of the worker */
	PgrestOutbox out;
	void	   *connection;		/* the HTTP server's */
	bool		suspended;		/* the HTTP server waits for bytes */
	bool		resume_listed;
	dlist_node	resume_node;	/* to be resumed */
	bool		ending;			/* the stream ends once its bytes are read */
	bool		behind;			/* fell behind during this batch */
	uint64		turn;			/* the worker's turn it last got an event in */
	size_t		turn_pending;	/* what it had not sent when that turn began */
	TimestampTz behind_at;		/* when it last fell behind; 0: never */
	TimestampTz last_write;
	char	   *role;			/* counted per role */
};

/* what batch.c and subscription.c share */
extern dlist_head pgrest_rt_cohorts;
extern PgrestRingCursor pgrest_rt_place;	/* the worker's place in the ring */
extern bool pgrest_rt_placed;
extern HTAB *pgrest_rt_tables;

extern Table *pgrest_rt_table(Oid relid);
extern void pgrest_rt_make_live(Cohort *cohort);
extern void pgrest_rt_end_cohort(Cohort *cohort, const char *frame);
extern void pgrest_rt_send(PgrestSubscriber *sub, const char *bytes, size_t len,
						   bool event);
extern void pgrest_rt_send_frame(PgrestSubscriber *sub, PgrestFrame *frame, bool event);
extern void pgrest_rt_send_cohort(Cohort *cohort, const char *frame, size_t len);
extern char *pgrest_rt_id(uint32 epoch, XLogRecPtr lsn, uint32 seq);
extern char *pgrest_rt_reset_frame(const char *reason, const char *since);
extern void pgrest_rt_count_reset(const char *reason);
extern void pgrest_rt_settle(Cohort *cohort, const char *since);
extern uint64 pgrest_rt_value_hash(AttrNumber attnum, const char *value, size_t len);
extern char *pgrest_rt_error_frame(const char *code, const char *message,
								   const char *details, const char *hint);

/* batch.c */
extern void pgrest_rt_read_live(void);
extern bool pgrest_rt_catch_up(Cohort *cohort);
extern void pgrest_rt_reset_all(const char *reason);
extern bool pgrest_rt_known(Cohort *cohort, const char *key);
extern void pgrest_rt_know(Cohort *cohort, const char *key, bool known);

#endif							/* PGREST_REALTIME_COHORT_H */
