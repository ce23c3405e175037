/*-------------------------------------------------------------------------
 *
 * decoder.c
 *	  The realtime decoder: one background worker on the primary that
 *	  holds pgrest's replication slot and decodes the WAL into the ring.
 *
 * Started when recovery has finished (never on a standby), connected to
 * pgrest.database as the bootstrap superuser.  It runs no SQL: it decodes
 * in its own process with pgrest's output plugin (plugin.c), the way
 * pg_logical_slot_get_changes() does, but keeps its decoding context
 * for its whole life.
 *
 *	- wal_level below logical, or no replication slot allowed: it says
 *	  why, once, publishes it (pgrest.realtime_status(), /ready, the 503 of
 *	  a subscription) and sleeps until the server stops.
 *	- Its slot is pgrest_<epoch>, the epoch 8 hex digits drawn at random
 *	  when the slot is created.  A slot PostgreSQL invalidated (past
 *	  max_slot_wal_keep_size) or that is gone is created anew: a new
 *	  epoch, and every reader of the old one is reset.  Creating a slot
 *	  waits for the transactions running at that moment: meanwhile the
 *	  state is "creating_slot".  Other pgrest_ slots of the database are
 *	  leftovers; they are dropped, as they would hold WAL forever.
 *	- It sleeps on its latch.  A backend that commits a transaction with an
 *	  xid in this database sets it (realtime.c); then it decodes up to the
 *	  WAL flushed, and sleeps again.  No commit, no wake-up: the only
 *	  timeouts are when the resume window of the oldest record ends (to let
 *	  the slot move on), and while a commit it was told of is not flushed
 *	  yet (synchronous_commit = off).
 *	- Retention: it confirms to the slot the commit LSN of the oldest
 *	  record in the ring that is younger than pgrest.realtime_resume_window
 *	  and within pgrest.realtime_max_retained_wal of the WAL's end, or, with
 *	  no such record, what it has decoded; at most once a second.  When the
 *	  slot still holds too much WAL (its restart_lsn moves only at a
 *	  snapshot of the running transactions) it logs such a snapshot.  After a
 *	  restart, decoding starts there again and rebuilds the same records
 *	  with the same ids; the ring's floor says from where clients can
 *	  resume.
 *	- DROP DATABASE of this database asks it to release its slot
 *	  (realtime.c); it does, waits until the drop is over, and exits to
 *	  start again.  SIGTERM (shutdown, pg_terminate_backend, DROP DATABASE
 *	  ... WITH (FORCE)) ends it at once, also inside a large transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/decoder.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "access/xlog.h"
#include "access/xlogreader.h"
#include "access/xlogutils.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "replication/decode.h"
#include "replication/logical.h"
#include "replication/slot.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/standby.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "utils/wait_event.h"

#include "realtime/decoder.h"
#include "realtime/plugin.h"
#include "realtime/ring.h"
#include "server/guc.h"
#include "server/login.h"

#define SLOT_PREFIX "pgrest_"
/* at most this often the slot is told how far it may move on */
#define CONFIRM_INTERVAL_MS 1000
/* how long the decoder waits at start for the HTTP workers' login probe */
#define PROBE_WAIT_MS 5000
/* how often a decoder waiting for its database looks again */
#define DATABASE_RECHECK_MS 5000
/* how often a commit not yet flushed is looked for */
#define UNFLUSHED_POLL_MS 10

static LogicalDecodingContext *decoding = NULL;
static TimestampTz last_confirm = 0;
static XLogRecPtr confirmed = InvalidXLogRecPtr;
/* the last confirmation was put off: one more when the decoder idles */
static bool confirm_pending = false;
/* when the resume window of the oldest record kept ends; 0: none kept */
static TimestampTz retained_until = 0;
/* a snapshot of running transactions was logged: decode it, confirm again */
static TimestampTz last_snapshot = 0;
static bool snapshot_logged = false;

static void sleep_forever(void);
static void wait_for_database(void);
static bool database_unusable(void);
static void trust_own_plugin(void);
static uint32 take_slot(void);
static bool find_slot(char *name, uint32 *epoch);
static uint32 create_slot(void);
static void start_decoding(void);
static void decode_available(void);
static void maybe_confirm(bool force);
static long next_timeout(void);
static void log_snapshot_if_held(XLogRecPtr flush, uint64 max_bytes, TimestampTz now);
static void release_for_drop(void);
static void process_reload(void);

/*
 * The decoder's main function (see the file header).
 */
void
pgrest_decoder_main(Datum main_arg)
{
	uint32		epoch;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (!pgrest_ring_attached())
		proc_exit(0);
	pgrest_ring_count_start();
	pgrest_ring_writer_start();

	if (wal_level < WAL_LEVEL_LOGICAL)
	{
		const char *reason =
			psprintf("wal_level is \"%s\": realtime needs wal_level = logical",
					 GetConfigOption("wal_level", false, false));

		pgrest_ring_set_state(PGREST_REALTIME_NO_WAL_LEVEL, reason);
		ereport(WARNING,
				(errmsg("pgrest realtime is off: %s", reason),
				 errhint("Set wal_level = logical in postgresql.conf and restart the server.")));
		sleep_forever();
	}
	if (max_replication_slots == 0)
	{
		const char *reason = "max_replication_slots is 0: realtime needs a replication slot";

		pgrest_ring_set_state(PGREST_REALTIME_UNAVAILABLE, reason);
		ereport(WARNING,
				(errmsg("pgrest realtime is off: %s", reason),
				 errhint("Set max_replication_slots to at least 1 in postgresql.conf and restart the server.")));
		sleep_forever();
	}

	wait_for_database();
	BackgroundWorkerInitializeConnection(pgrest_database, NULL, 0);
	pgstat_report_appname("pgrest realtime decoder");
	CurrentResourceOwner = ResourceOwnerCreate(NULL, "pgrest realtime decoder");
	trust_own_plugin();
	pgrest_plugin_enable();

	epoch = take_slot();
	pgrest_ring_set_epoch(epoch, MyReplicationSlot->data.confirmed_flush);
	confirmed = MyReplicationSlot->data.confirmed_flush;
	start_decoding();
	pgrest_ring_set_decoder(true);
	ereport(LOG,
			(errmsg("pgrest realtime decoder started on replication slot \"%s\"",
					NameStr(MyReplicationSlot->data.name)),
			 errdetail("Decoding resumes at %X/%X.", LSN_FORMAT_ARGS(confirmed))));

	/*
	 * Running once the WAL written while it was away is decoded again: a
	 * subscriber that starts meanwhile would take what the ring holds then
	 * for the present.
	 */
	pgrest_ring_set_state(PGREST_REALTIME_STARTING,
						  "decoding the changes committed since the slot's confirmed position");
	decode_available();
	pgrest_ring_set_state(PGREST_REALTIME_RUNNING, NULL);

	for (;;)
	{
		long		timeout;
		int			rc;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
			process_reload();
		if (pgrest_ring_drop_requested())
			release_for_drop();

		decode_available();
		maybe_confirm(false);

		timeout = next_timeout();
		pgstat_report_activity(STATE_IDLE, NULL);
		rc = WaitLatch(MyLatch,
					   WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout >= 0 ? WL_TIMEOUT : 0),
					   timeout, PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
			pgrest_ring_count_wakeup();
	}
}

/* Sleep until the server stops (SIGTERM) or the postmaster dies. */
static void
sleep_forever(void)
{
	for (;;)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, -1L,
						 PG_WAIT_EXTENSION);
	}
}

/* whether pgrest.database is known to be gone */
static bool
database_unusable(void)
{
	return pgrest_ring_database_dropped() ||
		(pgrest_login_database_problem() && !pgrest_ring_database_created());
}

/*
 * While pgrest.database cannot be connected to (it was dropped, or the
 * HTTP workers' probe found it missing: login.c, which logs it), wait,
 * instead of failing to log in every second: CREATE DATABASE of that name
 * wakes the decoder (realtime.c), and it looks again every few seconds
 * in any case (the workers' probe finds it again only then).  At start,
 * it waits a little for the workers' first probe.
 */
static void
wait_for_database(void)
{
	TimestampTz give_up = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													  PROBE_WAIT_MS);

	/* the workers probe as they start: what they find, or a while */
	while (!pgrest_login_probed() && !pgrest_ring_database_created() &&
		   GetCurrentTimestamp() < give_up)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 50L, PG_WAIT_EXTENSION);
	}
	if (!database_unusable())
		return;
	pgrest_ring_set_state(PGREST_REALTIME_UNAVAILABLE,
						  psprintf("database \"%s\" named by \"pgrest.database\" cannot be connected to",
								   pgrest_database));
	pgrest_ring_set_waiting(true);
	while (database_unusable())
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 DATABASE_RECHECK_MS, PG_WAIT_EXTENSION);
	}
	pgrest_ring_set_waiting(false);
	pgrest_ring_set_state(PGREST_REALTIME_STARTING, NULL);
}

/*
 * Some builds of PostgreSQL 15 accept as output plugins only the
 * libraries output_plugin_libraries names.  The decoder is pgrest's own
 * process using pgrest's own plugin: it adds pgrest to the list for
 * itself, and for no other process.
 */
static void
trust_own_plugin(void)
{
	const char *trusted = GetConfigOption("output_plugin_libraries", true, false);
	List	   *names = NIL;
	char	   *copy;
	ListCell   *lc;

	if (trusted == NULL)
		return;
	copy = pstrdup(trusted);
	if (SplitIdentifierString(copy, ',', &names))
		foreach(lc, names)
			if (strcmp(lfirst(lc), "pgrest") == 0)
				return;
	SetConfigOption("output_plugin_libraries",
					trusted[0] == '\0' ? "pgrest" : psprintf("%s, pgrest", trusted),
					PGC_SUSET, PGC_S_OVERRIDE);
}

/*
 * Acquire pgrest's slot in this database, or create one when there is
 * none or it was invalidated.  Returns its epoch.
 */
static uint32
take_slot(void)
{
	char		name[NAMEDATALEN];
	uint32		epoch = 0;

	CheckLogicalDecodingRequirements();
	if (find_slot(name, &epoch))
	{
		ReplicationSlotAcquire(name, true);
		if (MyReplicationSlot->data.invalidated_at == InvalidXLogRecPtr &&
			!XLogRecPtrIsInvalid(MyReplicationSlot->data.restart_lsn))
		{
			pgrest_ring_set_slot(name);
			return epoch;
		}
		ereport(LOG,
				(errmsg("pgrest realtime replication slot \"%s\" was invalidated; creating a new one",
						name),
				 errdetail("Clients of epoch %08x are reset.", epoch)));
		ReplicationSlotRelease();
		ReplicationSlotDrop(name, true);
	}
	return create_slot();
}

/*
 * The pgrest_ slot of this database that the decoder should use: the one
 * confirmed furthest; any other is dropped.  false when there is none.
 */
static bool
find_slot(char *name, uint32 *epoch)
{
	List	   *others = NIL;
	XLogRecPtr	best = InvalidXLogRecPtr;
	bool		found = false;
	ListCell   *lc;

	LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
	for (int i = 0; i < max_replication_slots; i++)
	{
		ReplicationSlot *s = &ReplicationSlotCtl->replication_slots[i];
		char		slot_name[NAMEDATALEN];
		char		plugin[NAMEDATALEN];
		Oid			database;
		XLogRecPtr	confirmed_flush;
		unsigned int slot_epoch;
		char		rest;

		if (!s->in_use)
			continue;
		SpinLockAcquire(&s->mutex);
		strlcpy(slot_name, NameStr(s->data.name), NAMEDATALEN);
		strlcpy(plugin, NameStr(s->data.plugin), NAMEDATALEN);
		database = s->data.database;
		confirmed_flush = s->data.confirmed_flush;
		SpinLockRelease(&s->mutex);

		if (database != MyDatabaseId || strcmp(plugin, "pgrest") != 0 ||
			strncmp(slot_name, SLOT_PREFIX, strlen(SLOT_PREFIX)) != 0 ||
			strlen(slot_name) != strlen(SLOT_PREFIX) + 8 ||
			sscanf(slot_name + strlen(SLOT_PREFIX), "%8x%c", &slot_epoch, &rest) != 1 ||
			slot_epoch == 0)
			continue;
		if (!found || confirmed_flush > best)
		{
			if (found)
				others = lappend(others, pstrdup(name));
			strlcpy(name, slot_name, NAMEDATALEN);
			*epoch = slot_epoch;
			best = confirmed_flush;
			found = true;
		}
		else
			others = lappend(others, pstrdup(slot_name));
	}
	LWLockRelease(ReplicationSlotControlLock);

	foreach(lc, others)
	{
		ereport(LOG,
				(errmsg("dropping the leftover pgrest realtime replication slot \"%s\"",
						(char *) lfirst(lc))));
		ReplicationSlotDrop(lfirst(lc), true);
	}
	return found;
}

/*
 * Create the slot of a new epoch, as pg_create_logical_replication_slot
 * does: ephemeral until the decoding start point is found (which waits for
 * the transactions running now), then persistent.  It stays acquired.
 */
static uint32
create_slot(void)
{
	char		name[NAMEDATALEN];
	uint32		epoch = 0;
	LogicalDecodingContext *ctx;

	while (epoch == 0)
	{
		if (!pg_strong_random(&epoch, sizeof(epoch)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random epoch")));
	}
	snprintf(name, sizeof(name), SLOT_PREFIX "%08x", epoch);
	pgrest_ring_set_state(PGREST_REALTIME_CREATING_SLOT,
						  "creating the replication slot: waiting for the transactions running when it was created to end");
	pgrest_ring_set_slot(name);
	ereport(LOG,
			(errmsg("pgrest realtime is creating replication slot \"%s\"", name),
			 errdetail("It waits for the transactions running now to end.")));

	ReplicationSlotCreate(name, true, RS_EPHEMERAL, false);
	ctx = CreateInitDecodingContext("pgrest", NIL, false, InvalidXLogRecPtr,
									XL_ROUTINE(.page_read = read_local_xlog_page,
											   .segment_open = wal_segment_open,
											   .segment_close = wal_segment_close),
									NULL, NULL, NULL);
	DecodingContextFindStartpoint(ctx);
	FreeDecodingContext(ctx);
	ReplicationSlotPersist();
	return epoch;
}

/* The decoding context for the decoder's life, reading from restart_lsn. */
static void
start_decoding(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	decoding = CreateDecodingContext(InvalidXLogRecPtr, NIL, false,
									 XL_ROUTINE(.page_read = read_local_xlog_page,
												.segment_open = wal_segment_open,
												.segment_close = wal_segment_close),
									 NULL, NULL, NULL);
	MemoryContextSwitchTo(old);
	XLogBeginRead(decoding->reader, MyReplicationSlot->data.restart_lsn);
	/* forget catalog entries of the present: decoding reads history */
	InvalidateSystemCaches();
}

/*
 * Decode everything flushed: the plugin's commit callback appends each
 * transaction's records to the ring and publishes them.
 */
static void
decode_available(void)
{
	XLogRecPtr	end = GetFlushRecPtr(NULL);

	if (decoding->reader->EndRecPtr >= end)
		return;
	pgstat_report_activity(STATE_RUNNING, "decoding");
	while (decoding->reader->EndRecPtr < end)
	{
		char	   *errm = NULL;
		XLogRecord *record;

		record = XLogReadRecord(decoding->reader, &errm);
		if (errm)
			elog(ERROR, "could not read WAL for logical decoding: %s", errm);
		if (record != NULL)
			LogicalDecodingProcessRecord(decoding, decoding->reader);
		CHECK_FOR_INTERRUPTS();
		if (pgrest_ring_drop_requested())
			break;
	}
	if (CurrentResourceOwner == NULL)
		CurrentResourceOwner = ResourceOwnerCreate(NULL, "pgrest realtime decoder");
	pgrest_ring_set_progress(decoding->reader->EndRecPtr, confirmed);
	maybe_confirm(false);
}

/*
 * Tell the slot how far it may move on (see the file header), at most
 * once per CONFIRM_INTERVAL_MS unless forced.
 */
static void
maybe_confirm(bool force)
{
	TimestampTz now = GetCurrentTimestamp();
	XLogRecPtr	decoded = decoding->reader->EndRecPtr;
	XLogRecPtr	flush = GetFlushRecPtr(NULL);
	uint64		max_bytes = (uint64) pgrest_realtime_max_retained_wal * 1024 * 1024;
	int64		window_us = (int64) pgrest_realtime_resume_window * USECS_PER_SEC;
	XLogRecPtr	target;
	TimestampTz target_time = 0;

	if (!force && !TimestampDifferenceExceeds(last_confirm, now, CONFIRM_INTERVAL_MS))
	{
		confirm_pending = true;
		return;
	}
	confirm_pending = false;
	target = pgrest_ring_first_commit_since(now - window_us,
											flush > max_bytes ? flush - max_bytes : InvalidXLogRecPtr,
											&target_time);
	retained_until = 0;
	if (XLogRecPtrIsInvalid(target) || target > decoded)
		target = decoded;
	else
		retained_until = target_time + window_us;
	last_confirm = now;
	if (target > confirmed)
	{
		LogicalConfirmReceivedLocation(target);
		ReplicationSlotMarkDirty();
		confirmed = target;
		pgrest_ring_set_progress(decoded, confirmed);
	}
	log_snapshot_if_held(flush, max_bytes, now);
}

/*
 * The slot's WAL is kept from its restart_lsn, which moves on only when
 * decoding meets a snapshot of the running transactions (xl_running_xacts,
 * logged every 15 s while the server is busy, and at checkpoints).  When
 * it holds more than half of pgrest.realtime_max_retained_wal and what was
 * confirmed is well past it, log such a snapshot now, as slot creation
 * does, so that the next confirmation moves it on: at most once a second.
 */
static void
log_snapshot_if_held(XLogRecPtr flush, uint64 max_bytes, TimestampTz now)
{
	XLogRecPtr	restart = MyReplicationSlot->data.restart_lsn;
	XLogRecPtr	lsn;

	if (XLogRecPtrIsInvalid(restart) || flush - restart <= max_bytes / 2 ||
		confirmed <= restart + max_bytes / 4 ||
		!TimestampDifferenceExceeds(last_snapshot, now, CONFIRM_INTERVAL_MS))
		return;
	last_snapshot = now;
	lsn = LogStandbySnapshot();
	XLogFlush(lsn);
	snapshot_logged = true;
}

/*
 * How long to sleep: until a commit not yet flushed is (a short poll),
 * until the oldest record's resume window ends, or for ever (-1).
 */
static long
next_timeout(void)
{
	long		ms;

	if (snapshot_logged)
	{
		/* decode the snapshot and confirm again at once */
		snapshot_logged = false;
		last_confirm = 0;
		return 0;
	}
	if (pgrest_ring_unflushed_commit(GetFlushRecPtr(NULL)))
		return UNFLUSHED_POLL_MS;
	if (confirm_pending)
		return CONFIRM_INTERVAL_MS;
	if (retained_until == 0)
		return -1;
	ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), retained_until);
	return Max(ms, CONFIRM_INTERVAL_MS) + CONFIRM_INTERVAL_MS;
}

/*
 * DROP DATABASE of this database waits: release the slot, wait for the
 * drop to end, then exit to start again (the database may be gone).
 */
static void
release_for_drop(void)
{
	ereport(LOG,
			(errmsg("pgrest realtime decoder releases its replication slot for DROP DATABASE")));
	if (decoding != NULL)
	{
		FreeDecodingContext(decoding);
		decoding = NULL;
	}
	ReplicationSlotRelease();
	pgrest_ring_set_decoder(false);
	pgrest_ring_set_state(PGREST_REALTIME_STARTING, "the database is being dropped");
	while (pgrest_ring_drop_requested())
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
	}
	proc_exit(1);
}

/* SIGHUP: the settings again; the publication may have another name */
static void
process_reload(void)
{
	char	   *publication = pstrdup(pgrest_realtime_publication);

	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	if (strcmp(publication, pgrest_realtime_publication) != 0)
		pgrest_plugin_forget_relations();
	pfree(publication);
}
