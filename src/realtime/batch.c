/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  Turn the ring's new changes into events: one batch at a time, one
 *	  statement per cohort, each event rendered once per cohort.
 *
 * A batch is what one read of the ring returns (up to
 * PGREST_BATCH_BYTES of records), in commit order:
 *
 *	 1. records of tables this worker's cohorts watch are gathered into
 *		changes: the records of one transaction for one row (by its
 *		primary key) make one change, its last record's id its id
 *		(insert then update: an insert; update then delete: a delete;
 *		insert then delete: nothing; delete then insert: an update);
 *		a truncate, and a transaction that changed too many rows of a
 *		table (the ring's 'R': its subscribers are reset), are changes of
 *		their own;
 *	 2. each change goes to the cohorts that may see it: a table's
 *		cohorts without a prefilter, and those indexed under the value
 *		the change has in their prefilter's column (or all indexed on it
 *		when the record does not carry that value); each cohort's own
 *		events (Prefer: realtime=) and prefilter decide;
 *	 3. transactions of the batch that are not visible yet (decoded
 *		before they left the proc array) are waited for;
 *	 4. each cohort with changes runs its statement once (ordered by
 *		role, so that kept plans that depend on the role are replanned
 *		less), as its role with its claims, inside execute.c's bracket
 *		(read only, statement timeout): the rows of its inserts and
 *		updates, as they are now and as the same GET shapes them;
 *	 5. its events are rendered, in the changes' order, and appended to
 *		every member's outbox.  An insert or update whose row the
 *		statement did not return (deleted since, not visible to the role,
 *		not matched by the filters) sends nothing; a delete carries the
 *		key (the statement still ran, so the role may read the key's
 *		columns), and under row-level security only for a row the cohort
 *		sent before (its "known" keys): a role never learns the keys of
 *		rows it could not see.
 *
 * A statement that fails ends the cohort's streams with an "error" event
 * holding the error (a column dropped, a role dropped, a timeout); the
 * client's reconnection gets the same GET's answer.
 *
 * Events are rows as they are when the batch runs, never older: a client
 * applying them by key converges on what a GET returns.  Ids are the
 * records' (<epoch>-<commit LSN>-<seq>), increasing within a stream.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "access/transam.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "base/error.h"
#include "base/state.h"
#include "cache/schema.h"
#include "query/render.h"
#include "realtime/cohort.h"
#include "run/execute.h"
#include "run/receivers.h"
#include "server/shmem.h"

/* the records one read of the ring copies at most */
#define PGREST_BATCH_BYTES (256 * 1024)

/* reads of the ring per turn of the worker's loop, for each cursor */
#define PGREST_BATCH_READS 4

/* one change of a batch: a transaction's records of one row, or a truncate */
typedef struct Change
{
	char		op;				/* PgrestChangeOp; 0: none left */
	const PgrestChange *rec;	/* its last record (in the batch's buffer) */
	Table	   *table;
	dlist_node	node;			/* in the batch's order */
} Change;

/* a row of a transaction, for gathering its records */
typedef struct ChangeKey
{
	Oid			relid;
	TransactionId xid;
	uint64		key;			/* a hash of the primary key's values */
} ChangeKey;

typedef struct ChangeEntry
{
	ChangeKey	key;
	Change	   *change;
} ChangeEntry;

/* a cohort's statement, its arguments and its rows */
typedef struct CohortRun
{
	Cohort	   *cohort;
	char	  **rows;			/* each key's row (JSON), by its place */
	int			nrows;
} CohortRun;

static MemoryContext batch_context = NULL;
static char *buffer = NULL;
static dlist_head batch_cohorts = DLIST_STATIC_INIT(batch_cohorts);

static void prepare(void);
static bool process(const char *buf, ssize_t n, Cohort *only,
					const PgrestRingCursor *limit, XLogRecPtr *last_lsn,
					uint32 *last_seq);
static void gather(dlist_head *order, HTAB *rows, const PgrestChange *rec,
				   Table *table);
static void route(Change *change, Cohort *only);
static void consider(Cohort *cohort, Change *change);
static bool passes(const Cohort *cohort, const Change *change);
static char side_of(char op);
static const PgrestChangeValue *value_of(const PgrestChange *rec, AttrNumber attnum,
										 char from);
static char *key_text(const Table *table, const PgrestChange *rec, char from,
					  int *len);
static void wait_visible(void);
static int	compare_roles(const void *a, const void *b);
static void run_cohort(Cohort *cohort, const char *since);
static void run_body(void *arg);
static bool statement_row(void *arg, TupleTableSlot *slot);
static char *event_frame(const Cohort *cohort, const Change *change,
						 const char *row);
static void append_old_key(StringInfo buf, const Table *table, const Change *change);
static void append_key_value(StringInfo buf, char kind, const char *value);
static void append_timestamp(StringInfo buf, TimestampTz ts);
static char *edata_frame(ErrorData *edata);
static void reset_cohort(Cohort *cohort, const char *reason, const char *since);
static bool id_after(const PgrestChange *rec, const PgrestRingCursor *limit);

/*
 * The live cohorts' batches: the ring's changes since the worker's
 * place.  A place lapped by the ring's writer, or of an epoch that is
 * gone, resets every stream at the ring's head.
 */
void
pgrest_rt_read_live(void)
{
	for (int i = 0; i < PGREST_BATCH_READS; i++)
	{
		ssize_t		n;
		XLogRecPtr	lsn;
		uint32		seq;

		prepare();
		n = pgrest_ring_read(&pgrest_rt_place, buffer, PGREST_BATCH_BYTES);
		if (n < 0)
		{
			pgrest_rt_reset_all(pgrest_ring_epoch() != pgrest_rt_place.epoch ?
								"new_epoch" : "too_old");
			return;
		}
		if (n == 0)
			return;
		(void) process(buffer, n, NULL, NULL, &lsn, &seq);
		if (n < PGREST_BATCH_BYTES - PGREST_RING_MAX_RECORD)
			return;
	}
}

/*
 * A step of a cohort that catches up: its changes up to the worker's
 * place.  Returns true once it is there (or was reset to it): it then
 * joins the live cohorts.
 */
bool
pgrest_rt_catch_up(Cohort *cohort)
{
	const PgrestRingCursor *place = &pgrest_rt_place;
	char	   *since;

	if (!pgrest_rt_placed)
		return true;
	if (cohort->cursor.epoch != place->epoch)
	{
		reset_cohort(cohort, "new_epoch", pgrest_rt_id(place->epoch, place->lsn, place->seq));
		return true;
	}
	for (int i = 0; i < PGREST_BATCH_READS; i++)
	{
		ssize_t		n;
		XLogRecPtr	lsn = cohort->cursor.lsn;
		uint32		seq = cohort->cursor.seq;
		bool		passed;

		if (cohort->cursor.pos >= place->pos)
			break;
		prepare();
		n = pgrest_ring_read(&cohort->cursor, buffer, PGREST_BATCH_BYTES);
		if (n < 0)
		{
			reset_cohort(cohort, pgrest_ring_epoch() != cohort->cursor.epoch ?
						 "new_epoch" : "too_old",
						 pgrest_rt_id(place->epoch, place->lsn, place->seq));
			return true;
		}
		if (n == 0)
			break;
		passed = process(buffer, n, cohort, place, &lsn, &seq);
		if (passed)
			break;
		if (i == PGREST_BATCH_READS - 1)
			return false;
	}
	if (cohort->undecided)
	{
		/* it may hold a row deleted while it was away: it must refetch */
		since = pgrest_rt_id(place->epoch, place->lsn, place->seq);
		reset_cohort(cohort, "too_old", since);
	}
	return true;
}

/*
 * Every live stream starts again at the ring's head: a reset with the
 * reason, from the head's id.
 */
void
pgrest_rt_reset_all(const char *reason)
{
	dlist_iter	iter;
	char	   *since;

	pgrest_ring_cursor_at_head(&pgrest_rt_place);
	since = pgrest_rt_id(pgrest_rt_place.epoch, pgrest_rt_place.lsn, pgrest_rt_place.seq);
	dlist_foreach(iter, &pgrest_rt_cohorts)
	{
		Cohort	   *cohort = dlist_container(Cohort, all_node, iter.cur);

		if (cohort->live)
			reset_cohort(cohort, reason, since);
	}
}

/* Whether the cohort sent the row of this key and has not seen it go. */
bool
pgrest_rt_known(Cohort *cohort, const char *key)
{
	uint64		hash;

	if (cohort->known == NULL)
		return false;
	hash = hash_bytes_extended((const unsigned char *) key, (int) strlen(key), 0);
	return hash_search(cohort->known, &hash, HASH_FIND, NULL) != NULL;
}

/* Remember (or forget) that the cohort sent the row of this key. */
void
pgrest_rt_know(Cohort *cohort, const char *key, bool known)
{
	uint64		hash = hash_bytes_extended((const unsigned char *) key,
										   (int) strlen(key), 0);

	if (cohort->known == NULL)
	{
		HASHCTL		ctl;

		if (!known)
			return;
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(uint64);
		ctl.entrysize = sizeof(uint64);
		ctl.hcxt = cohort->context;
		cohort->known = hash_create("pgrest realtime known rows", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	hash_search(cohort->known, &hash, known ? HASH_ENTER : HASH_REMOVE, NULL);
}

/* the batch's memory, emptied; the ring's buffer */
static void
prepare(void)
{
	if (batch_context == NULL)
	{
		batch_context = AllocSetContextCreate(TopMemoryContext, "pgrest realtime batch",
											  ALLOCSET_DEFAULT_SIZES);
		buffer = MemoryContextAlloc(TopMemoryContext, PGREST_BATCH_BYTES);
	}
	MemoryContextReset(batch_context);
}

/*
 * One batch: the records read (buf, n bytes), for the live cohorts, or
 * for one cohort catching up (only) up to limit.  Returns whether a
 * record past limit was met; *last_lsn and *last_seq are the id of the
 * last record taken.
 */
static bool
process(const char *buf, ssize_t n, Cohort *only, const PgrestRingCursor *limit,
		XLogRecPtr *last_lsn, uint32 *last_seq)
{
	MemoryContext old = MemoryContextSwitchTo(batch_context);
	dlist_head	order = DLIST_STATIC_INIT(order);
	HTAB	   *rows;
	HASHCTL		ctl;
	bool		passed = false;
	dlist_iter	iter;
	Cohort	  **cohorts;
	int			ncohorts = 0;
	int			i;
	char	   *since;

	dlist_init(&order);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ChangeKey);
	ctl.entrysize = sizeof(ChangeEntry);
	ctl.hcxt = batch_context;
	rows = hash_create("pgrest realtime batch rows", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	for (const PgrestChange *rec = (const PgrestChange *) buf;
		 (const char *) rec < buf + n;
		 rec = pgrest_change_next(rec))
	{
		Table	   *table;

		if (rec->length == 0)
			break;
		if (limit != NULL && id_after(rec, limit))
		{
			passed = true;
			break;
		}
		*last_lsn = rec->commit_lsn;
		*last_seq = rec->seq;
		if (only != NULL)
			table = rec->relid == only->table->relid ? only->table : NULL;
		else
			table = pgrest_rt_table(rec->relid);
		if (table != NULL)
			gather(&order, rows, rec, table);
	}

	dlist_foreach(iter, &order)
	{
		Change	   *change = dlist_container(Change, node, iter.cur);

		if (change->op != 0)
			route(change, only);
	}
	if (dlist_is_empty(&batch_cohorts))
	{
		MemoryContextSwitchTo(old);
		return passed;
	}

	wait_visible();
	since = pgrest_rt_id(only ? only->cursor.epoch : pgrest_rt_place.epoch,
						 *last_lsn, *last_seq);
	dlist_foreach(iter, &batch_cohorts)
		ncohorts++;
	cohorts = palloc(sizeof(Cohort *) * ncohorts);
	ncohorts = 0;
	while (!dlist_is_empty(&batch_cohorts))
	{
		Cohort	   *cohort = dlist_container(Cohort, batch_node,
											 dlist_pop_head_node(&batch_cohorts));

		cohort->in_batch = false;
		cohorts[ncohorts++] = cohort;
	}
	qsort(cohorts, ncohorts, sizeof(Cohort *), compare_roles);
	for (i = 0; i < ncohorts; i++)
	{
		run_cohort(cohorts[i], since);
		cohorts[i]->npending = 0;
	}
	MemoryContextSwitchTo(old);
	return passed;
}

/* whether a record comes after the cursor's place */
static bool
id_after(const PgrestChange *rec, const PgrestRingCursor *limit)
{
	return rec->commit_lsn > limit->lsn ||
		(rec->commit_lsn == limit->lsn && rec->seq > limit->seq);
}

/*
 * A record joins the batch: as a change of its own, or gathered with the
 * change of the same row in the same transaction.
 */
static void
gather(dlist_head *order, HTAB *rows, const PgrestChange *rec, Table *table)
{
	ChangeKey	key;
	ChangeEntry *entry;
	Change	   *change;
	bool		found;
	char	   *ktext;
	int			len;

	if (rec->op == PGREST_CHANGE_TRUNCATE || rec->op == PGREST_CHANGE_TOO_MANY)
	{
		change = palloc0(sizeof(Change));
		change->op = rec->op;
		change->rec = rec;
		change->table = table;
		dlist_push_tail(order, &change->node);
		return;
	}
	if (rec->op != PGREST_CHANGE_INSERT && rec->op != PGREST_CHANGE_UPDATE &&
		rec->op != PGREST_CHANGE_DELETE)
		return;					/* a kind of record this reader does not know */

	memset(&key, 0, sizeof(key));
	key.relid = rec->relid;
	key.xid = rec->xid;
	ktext = key_text(table, rec, side_of(rec->op), &len);
	key.key = hash_bytes_extended((const unsigned char *) ktext, len, 0);
	entry = hash_search(rows, &key, HASH_ENTER, &found);
	if (!found)
	{
		change = palloc0(sizeof(Change));
		change->op = rec->op;
		change->rec = rec;
		change->table = table;
		entry->change = change;
		dlist_push_tail(order, &change->node);
		return;
	}
	change = entry->change;
	switch (change->op)
	{
		case PGREST_CHANGE_INSERT:
			change->op = rec->op == PGREST_CHANGE_DELETE ? 0 : PGREST_CHANGE_INSERT;
			break;
		case PGREST_CHANGE_DELETE:
			change->op = rec->op == PGREST_CHANGE_DELETE ? PGREST_CHANGE_DELETE :
				PGREST_CHANGE_UPDATE;
			break;
		case 0:
			change->op = rec->op == PGREST_CHANGE_DELETE ? 0 : PGREST_CHANGE_INSERT;
			break;
		default:
			change->op = rec->op == PGREST_CHANGE_DELETE ? PGREST_CHANGE_DELETE :
				PGREST_CHANGE_UPDATE;
			break;
	}
	change->rec = rec;
	dlist_delete(&change->node);
	dlist_push_tail(order, &change->node);
}

/* 'n': a change's values of the new row; 'o': of the old key */
static char
side_of(char op)
{
	return op == PGREST_CHANGE_DELETE ? PGREST_VALUE_OLD : PGREST_VALUE_NEW;
}

/* the value of attnum a record carries from one side, or NULL */
static const PgrestChangeValue *
value_of(const PgrestChange *rec, AttrNumber attnum, char from)
{
	const PgrestChangeValue *v = pgrest_change_first_value(rec);

	for (int i = 0; i < rec->nvalues; i++, v = pgrest_change_next_value(v))
	{
		if (v->attnum == attnum && v->from == (uint8) from)
			return v;
	}
	return NULL;
}

/*
 * A row's primary key as one text: its columns' texts, NUL between them.
 */
static char *
key_text(const Table *table, const PgrestChange *rec, char from, int *len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < table->npkey; i++)
	{
		const PgrestChangeValue *v = value_of(rec, table->pkey[i], from);

		if (v == NULL && from == PGREST_VALUE_OLD)
			v = value_of(rec, table->pkey[i], PGREST_VALUE_NEW);
		if (i > 0)
			appendStringInfoChar(&buf, '\0');
		if (v != NULL && v->kind == PGREST_VALUE_TEXT)
			appendBinaryStringInfo(&buf, pgrest_change_value_text(v), v->len);
	}
	*len = buf.len;
	return buf.data;
}

/*
 * The cohorts a change may reach: the table's cohorts without a
 * prefilter, those indexed under the change's value of their column (all
 * of them when the record lacks it; none when it is NULL, which eq and in
 * never match); or the one cohort catching up.
 */
static void
route(Change *change, Cohort *only)
{
	Table	   *table = change->table;
	dlist_iter	iter;
	ListCell   *lc;

	if (only != NULL)
	{
		consider(only, change);
		return;
	}
	if (change->op == PGREST_CHANGE_TRUNCATE || change->op == PGREST_CHANGE_TOO_MANY)
	{
		dlist_foreach(iter, &table->cohorts)
			consider(dlist_container(Cohort, table_node, iter.cur), change);
		return;
	}
	dlist_foreach(iter, &table->unindexed)
		consider(dlist_container(Cohort, unindexed_node, iter.cur), change);
	foreach(lc, table->indexed)
	{
		IndexedColumn *column = (IndexedColumn *) lfirst(lc);
		const PgrestChangeValue *v = value_of(change->rec, column->attnum,
											  side_of(change->op));
		ListCell   *lc2;

		if (v == NULL || v->kind == PGREST_VALUE_UNKNOWN)
		{
			foreach(lc2, column->cohorts)
				consider((Cohort *) lfirst(lc2), change);
		}
		else if (v->kind == PGREST_VALUE_TEXT && table->index != NULL)
		{
			uint64		hash = pgrest_rt_value_hash(column->attnum,
													pgrest_change_value_text(v), v->len);
			IndexEntry *entry = hash_search(table->index, &hash, HASH_FIND, NULL);

			if (entry == NULL)
				continue;
			foreach(lc2, entry->cohorts)
			{
				Cohort	   *cohort = (Cohort *) lfirst(lc2);

				if (cohort->indexed != NULL && cohort->indexed->attnum == column->attnum)
					consider(cohort, change);
			}
		}
	}
}

/* a change joins a cohort's batch, if its events and prefilter let it */
static void
consider(Cohort *cohort, Change *change)
{
	int			event = 0;

	switch (change->op)
	{
		case PGREST_CHANGE_INSERT:
			event = PGREST_EVENTS_INSERT;
			break;
		case PGREST_CHANGE_UPDATE:
			event = PGREST_EVENTS_UPDATE;
			break;
		case PGREST_CHANGE_DELETE:
			event = PGREST_EVENTS_DELETE;
			break;
		case PGREST_CHANGE_TRUNCATE:
			event = PGREST_EVENTS_TRUNCATE;
			break;
		default:
			event = PGREST_EVENTS_ALL;	/* a reset goes to every stream */
			break;
	}
	if ((cohort->events & event) == 0 || cohort->nmembers == 0 || cohort->ended)
		return;
	if ((change->op == PGREST_CHANGE_INSERT || change->op == PGREST_CHANGE_UPDATE ||
		 change->op == PGREST_CHANGE_DELETE) && !passes(cohort, change))
		return;
	if (cohort->npending == cohort->cap_pending)
	{
		int			cap = Max(cohort->cap_pending * 2, 16);

		cohort->pending = cohort->pending == NULL ?
			MemoryContextAlloc(cohort->context, sizeof(Change *) * cap) :
			repalloc(cohort->pending, sizeof(Change *) * cap);
		cohort->cap_pending = cap;
	}
	cohort->pending[cohort->npending++] = change;
	if (!cohort->in_batch)
	{
		dlist_push_tail(&batch_cohorts, &cohort->batch_node);
		cohort->in_batch = true;
	}
}

/*
 * The prefilter: false only when a value the change carries is
 * certainly not one its condition allows (NULL never is).
 */
static bool
passes(const Cohort *cohort, const Change *change)
{
	ListCell   *lc;

	foreach(lc, cohort->prefilters)
	{
		const Prefilter *p = (const Prefilter *) lfirst(lc);
		const PgrestChangeValue *v = value_of(change->rec, p->attnum,
											  side_of(change->op));
		const char *vtext;
		int			lo = 0;
		int			hi = p->nvalues - 1;
		bool		found = false;

		if (v == NULL || v->kind == PGREST_VALUE_UNKNOWN)
			continue;
		if (v->kind == PGREST_VALUE_NULL)
			return false;
		vtext = pgrest_change_value_text(v);
		while (lo <= hi && !found)
		{
			int			mid = (lo + hi) / 2;
			int			c = strcmp(vtext, p->values[mid]);

			if (c == 0)
				found = true;
			else if (c < 0)
				hi = mid - 1;
			else
				lo = mid + 1;
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * The transactions whose rows the batch reads must be visible to the
 * statements' snapshots: one decoded before it left the proc array
 * (synchronous replication holds it there) is waited for.
 */
static void
wait_visible(void)
{
	TransactionId *xids = NULL;
	int			nxids = 0;
	dlist_iter	iter;

	dlist_foreach(iter, &batch_cohorts)
	{
		Cohort	   *cohort = dlist_container(Cohort, batch_node, iter.cur);

		for (int i = 0; i < cohort->npending; i++)
		{
			TransactionId xid = cohort->pending[i]->rec->xid;

			if (!TransactionIdIsNormal(xid) || !TransactionIdIsInProgress(xid))
				continue;
			if (xids == NULL)
				xids = palloc(sizeof(TransactionId) * 64);
			if (nxids < 64)
				xids[nxids++] = xid;
		}
	}
	if (nxids == 0)
		return;
	StartTransactionCommand();
	for (int i = 0; i < nxids; i++)
		XactLockTableWait(xids[i], NULL, NULL, XLTW_None);
	CommitTransactionCommand();
	MemoryContextSwitchTo(batch_context);
}

static int
compare_roles(const void *a, const void *b)
{
	return strcmp((*(Cohort *const *) a)->role, (*(Cohort *const *) b)->role);
}

/*
 * A cohort's part of the batch: its statement (when it has inserts,
 * updates or deletes: a delete's key is sent only if the role may still
 * read the key's columns), then its events, to every member.
 */
static void
run_cohort(Cohort *cohort, const char *since)
{
	CohortRun	run;
	Table	   *table = cohort->table;
	bool		query = false;
	int			nrows = 0;

	memset(&run, 0, sizeof(run));
	run.cohort = cohort;
	for (int i = 0; i < cohort->npending; i++)
	{
		char		op = cohort->pending[i]->op;

		query = query || op == PGREST_CHANGE_DELETE;
		if (op == PGREST_CHANGE_INSERT || op == PGREST_CHANGE_UPDATE)
			nrows++;
	}
	if (query || nrows > 0)
	{
		PgrestQuery *q = cohort->query;
		List	  **texts = palloc0(sizeof(List *) * table->npkey);
		ErrorData  *edata;
		MemoryContext cxt = CurrentMemoryContext;

		for (int i = 0; i < cohort->npending; i++)
		{
			const Change *change = cohort->pending[i];

			if (change->op != PGREST_CHANGE_INSERT && change->op != PGREST_CHANGE_UPDATE)
				continue;
			for (int k = 0; k < table->npkey; k++)
			{
				const PgrestChangeValue *v = value_of(change->rec, table->pkey[k],
													  PGREST_VALUE_NEW);

				texts[k] = lappend(texts[k],
								   v && v->kind == PGREST_VALUE_TEXT ?
								   pnstrdup(pgrest_change_value_text(v), v->len) : "");
			}
		}
		for (int k = 0; k < table->npkey; k++)
			q->params[k] = pgrest_render_text_array(texts[k]);
		run.rows = palloc0(sizeof(char *) * Max(nrows, 1));
		run.nrows = nrows;
		pgrest_state_reset();
		edata = pgrest_execute_transaction(run_body, &run, false);
		MemoryContextSwitchTo(cxt);
		for (int k = 0; k < table->npkey; k++)
			q->params[k] = NULL;
		pgrest_shmem_count_realtime_statement();
		if (edata != NULL)
		{
			pgrest_rt_end_cohort(cohort, edata_frame(edata));
			FreeErrorData(edata);
			return;
		}
	}

	nrows = 0;
	for (int i = 0; i < cohort->npending; i++)
	{
		const Change *change = cohort->pending[i];
		char	   *frame = NULL;
		char	   *key;
		int			len;

		switch (change->op)
		{
			case PGREST_CHANGE_INSERT:
			case PGREST_CHANGE_UPDATE:
				{
					const char *row = run.rows[nrows++];

					key = key_text(table, change->rec, PGREST_VALUE_NEW, &len);
					if (row == NULL)
					{
						if (cohort->rls)
							pgrest_rt_know(cohort, key, false);
						continue;
					}
					if (cohort->rls)
						pgrest_rt_know(cohort, key, true);
					frame = event_frame(cohort, change, row);
					break;
				}
			case PGREST_CHANGE_DELETE:
				key = key_text(table, change->rec, PGREST_VALUE_OLD, &len);
				if (cohort->rls)
				{
					if (!pgrest_rt_known(cohort, key))
					{
						if (!cohort->live)
							cohort->undecided = true;
						continue;
					}
					pgrest_rt_know(cohort, key, false);
				}
				frame = event_frame(cohort, change, NULL);
				break;
			case PGREST_CHANGE_TRUNCATE:
				if (cohort->known != NULL)
				{
					hash_destroy(cohort->known);
					cohort->known = NULL;
				}
				frame = event_frame(cohort, change, NULL);
				break;
			case PGREST_CHANGE_TOO_MANY:
				{
					char	   *id = pgrest_rt_id(cohort->live ? pgrest_rt_place.epoch :
												  cohort->cursor.epoch,
												  change->rec->commit_lsn, change->rec->seq);
					dlist_iter	iter;

					frame = pgrest_rt_reset_frame("too_many_changes", id);
					dlist_foreach(iter, &cohort->members)
						pgrest_rt_count_reset("too_many_changes");
					break;
				}
		}
		if (frame != NULL)
			pgrest_rt_send_cohort(cohort, frame, strlen(frame));
	}
	pgrest_rt_settle(cohort, since);
}

/*
 * The cohort's statement, inside its transaction: the request's settings
 * as a GET of the cohort's role and claims would have them (no headers,
 * no cookies: the statement serves every member), pgrest.pre_request,
 * then the rows.
 */
static void
run_body(void *arg)
{
	CohortRun  *run = (CohortRun *) arg;
	Cohort	   *cohort = run->cohort;
	PgrestRequest req;
	PgrestAuth	auth;
	PgrestRowSink sink = {NULL, statement_row, NULL, run};
	DestReceiver *dest;

	pgrest_schema_refresh();
	memset(&req, 0, sizeof(req));
	req.method = PGREST_METHOD_GET;
	req.method_name = "GET";
	req.path = cohort->path;
	auth.role = cohort->role;
	auth.claims = cohort->claims;
	auth.authenticated = true;
	pgrest_execute_set_context(&req, &auth, cohort->schema, true,
							   pgrest_schema_role_settings(cohort->role));
	pgrest_execute_pre_request();
	dest = pgrest_receiver_sink(&sink);
	pgrest_execute_open_rows(cohort->query);
	(void) pgrest_execute_fetch_rows(FETCH_ALL, dest);
	pgrest_execute_close_rows();
	dest->rDestroy(dest);
}

/* a row of the statement: its key's place, its JSON object */
static bool
statement_row(void *arg, TupleTableSlot *slot)
{
	CohortRun  *run = (CohortRun *) arg;
	bool		isnull;
	int64		place = DatumGetInt64(slot_getattr(slot, 1, &isnull));
	Datum		json;

	if (isnull || place < 1 || place > run->nrows)
		return true;
	json = slot_getattr(slot, 2, &isnull);
	run->rows[place - 1] = MemoryContextStrdup(batch_context,
											   isnull ? "{}" : TextDatumGetCString(json));
	return true;
}

/*
 * A change's event:
 *
 *	 id: <epoch>-<commit LSN>-<seq>
 *	 event: insert|update|delete|truncate
 *	 data: {"schema","table","commit_timestamp","eventType","new","old"}
 *
 * new is the row as the statement read it ({} for a delete); old the
 * primary key ({} for an insert; the old key of an update that changed
 * it).  In UTF-8.
 */
static char *
event_frame(const Cohort *cohort, const Change *change, const char *row)
{
	const PgrestChange *rec = change->rec;
	const char *event;
	const char *type;
	StringInfoData buf;
	char	   *utf8;

	switch (change->op)
	{
		case PGREST_CHANGE_INSERT:
			event = "insert";
			type = "INSERT";
			break;
		case PGREST_CHANGE_UPDATE:
			event = "update";
			type = "UPDATE";
			break;
		case PGREST_CHANGE_DELETE:
			event = "delete";
			type = "DELETE";
			break;
		default:
			event = "truncate";
			type = "TRUNCATE";
			break;
	}
	initStringInfo(&buf);
	appendStringInfo(&buf, "id: %08x-%016llX-%u\nevent: %s\ndata: {%s,\"commit_timestamp\":",
					 cohort->live ? pgrest_rt_place.epoch : cohort->cursor.epoch,
					 (unsigned long long) rec->commit_lsn, rec->seq, event,
					 cohort->table->names_json);
	append_timestamp(&buf, rec->commit_time);
	appendStringInfo(&buf, ",\"eventType\":\"%s\",\"new\":%s,\"old\":", type,
					 row ? row : "{}");
	if (change->op == PGREST_CHANGE_INSERT || change->op == PGREST_CHANGE_TRUNCATE)
		appendStringInfoString(&buf, "{}");
	else
		append_old_key(&buf, cohort->table, change);
	appendStringInfoString(&buf, "}\n\n");
	utf8 = pg_server_to_any(buf.data, buf.len, PG_UTF8);
	return utf8;
}

/* {"<key column>": <value>, ...}: the row's old key (or its key) */
static void
append_old_key(StringInfo buf, const Table *table, const Change *change)
{
	appendStringInfoChar(buf, '{');
	for (int i = 0; i < table->npkey; i++)
	{
		const PgrestChangeValue *v = value_of(change->rec, table->pkey[i], PGREST_VALUE_OLD);

		if (v == NULL)
			v = value_of(change->rec, table->pkey[i], PGREST_VALUE_NEW);
		if (i > 0)
			appendStringInfoChar(buf, ',');
		appendStringInfo(buf, "%s:", table->pkey_json[i]);
		if (v == NULL || v->kind != PGREST_VALUE_TEXT)
			appendStringInfoString(buf, "null");
		else
		{
			char	   *value = pnstrdup(pgrest_change_value_text(v), v->len);

			append_key_value(buf, table->pkey_kind[i], value);
		}
	}
	appendStringInfoChar(buf, '}');
}

/* a key column's value as to_json writes it */
static void
append_key_value(StringInfo buf, char kind, const char *value)
{
	switch (kind)
	{
		case PGREST_KEY_NUMBER:
			/* NaN and Infinity are not JSON numbers: strings, as to_json */
			if (value[0] != '\0' &&
				strspn(value, "0123456789+-.eE") == strlen(value))
			{
				appendStringInfoString(buf, value);
				return;
			}
			break;
		case PGREST_KEY_BOOL:
			appendStringInfoString(buf, value[0] == 't' ? "true" : "false");
			return;
		case PGREST_KEY_RAW:
			appendStringInfoString(buf, value);
			return;
		default:
			break;
	}
	escape_json(buf, value);
}

/* "2026-12-04T10:00:00.123456Z": a commit time, in UTC */
static void
append_timestamp(StringInfo buf, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (ts == 0 || timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	appendStringInfo(buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
					 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
					 tm.tm_sec, (int) fsec);
}

/* "event: error" for the error a cohort's statement ended with */
static char *
edata_frame(ErrorData *edata)
{
	PgrestError error;
	bool		details_json;
	int64		range_total;

	if (pgrest_error_pending(edata, &error, &details_json, &range_total))
		return pgrest_rt_error_frame(pgrest_error_code(error), edata->message,
									 edata->detail, edata->hint);
	return pgrest_rt_error_frame(unpack_sql_state(edata->sqlerrcode), edata->message,
								 edata->detail, edata->hint);
}

/*
 * A cohort's streams start again at since: a reset with the reason (the
 * client refetches, then goes on from since).
 */
static void
reset_cohort(Cohort *cohort, const char *reason, const char *since)
{
	char	   *frame = pgrest_rt_reset_frame(reason, since);
	dlist_iter	iter;

	dlist_foreach(iter, &cohort->members)
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, member_node, iter.cur);

		pgrest_rt_send(sub, frame, strlen(frame), false);
		pgrest_rt_count_reset(reason);
	}
	cohort->undecided = false;
	cohort->npending = 0;
	if (cohort->known != NULL)
	{
		hash_destroy(cohort->known);
		cohort->known = NULL;
	}
}
