/*-------------------------------------------------------------------------
 *
 * status.c
 *	  What realtime shows of itself: pgrest.realtime_status(), its samples
 *	  in /metrics and pgrest.stats(); and for tests pgrest._realtime_peek()
 *	  (the ring's records), pgrest._realtime_wait() (until the decoder has
 *	  decoded the commits made so far) and pgrest._realtime_listen() (the
 *	  session listens to a table, as an HTTP worker with subscribers).
 *
 *	 pgrest_realtime_state{state}				gauge, 1 for the state now
 *	 pgrest_realtime_decoder_lag_seconds		gauge
 *	 pgrest_realtime_decoder_lag_bytes			gauge
 *	 pgrest_realtime_retained_wal_bytes			gauge, WAL the slot holds
 *	 pgrest_realtime_ring_size_bytes			gauge
 *	 pgrest_realtime_ring_used_bytes			gauge
 *	 pgrest_realtime_ring_records				gauge
 *	 pgrest_realtime_transactions_total			counter, with records
 *	 pgrest_realtime_changes_total				counter, records published
 *	 pgrest_realtime_capped_total				counter, TOO_MANY records
 *	 pgrest_realtime_evicted_total				counter, records evicted
 *	 pgrest_realtime_epochs_total				counter, new slots
 *	 pgrest_realtime_decoder_restarts_total		counter
 *	 pgrest_realtime_commit_to_ring_seconds		histogram, from a
 *												transaction's commit time to
 *												its records in the ring
 *
 * Everything is read from shared memory (ring.c) and the slot's state:
 * no SQL, no catalog.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/status.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "access/xlog.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "replication/slot.h"
#include "catalog/pg_type.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/wait_event.h"

#include "realtime/ring.h"
#include "realtime/status.h"
#include "server/metrics.h"

PG_FUNCTION_INFO_V1(pgrest_realtime_status);
PG_FUNCTION_INFO_V1(pgrest_realtime_peek);
PG_FUNCTION_INFO_V1(pgrest_realtime_wait);
PG_FUNCTION_INFO_V1(pgrest_realtime_listen);

/* by PgrestRealtimeState */
static const char *const state_names[PGREST_REALTIME_STATES] = {
	"off", "starting", "standby", "no_wal_level", "unavailable", "creating_slot", "running"
};

static uint64 retained_bytes(const PgrestRingStatus *status);
static Datum lsn_or_null(XLogRecPtr lsn, bool *isnull);
static void sample(PgrestSampleFn fn, void *arg, const char *name,
				   const char *help, const char *type, double value);

/* the name of a state, as the status, /ready and /metrics show it */
const char *
pgrest_realtime_state_name(PgrestRealtimeState state)
{
	if ((int) state < 0 || state >= PGREST_REALTIME_STATES)
		return "unknown";
	return state_names[state];
}

/* an event id: <epoch 8 hex>-<commit LSN 16 hex>-<seq> */
char *
pgrest_realtime_format_id(uint32 epoch, XLogRecPtr lsn, uint32 seq)
{
	return psprintf("%08x-%08X%08X-%u", epoch, LSN_FORMAT_ARGS(lsn), seq);
}

/*
 * pgrest.realtime_status() returns one row: realtime's state and why, the
 * slot and its epoch, the ring, the decoder's progress and lag, counters.
 */
Datum
pgrest_realtime_status(PG_FUNCTION_ARGS)
{
	PgrestRingStatus status;
	TupleDesc	desc;
	Datum		values[23];
	bool		nulls[23];
	int			i = 0;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	pgrest_ring_status(&status);
	memset(nulls, 0, sizeof(nulls));

	values[i++] = CStringGetTextDatum(pgrest_realtime_state_name(status.state));
	nulls[i] = status.reason[0] == '\0';
	values[i++] = CStringGetTextDatum(status.reason);
	nulls[i] = status.slot_name[0] == '\0';
	values[i++] = CStringGetTextDatum(status.slot_name);
	nulls[i] = status.epoch == 0;
	values[i++] = CStringGetTextDatum(psprintf("%08x", status.epoch));
	nulls[i] = status.epoch == 0;
	values[i++] = CStringGetTextDatum(pgrest_realtime_format_id(status.epoch,
																status.newest_lsn,
																status.newest_seq));
	nulls[i] = status.epoch == 0;
	values[i++] = CStringGetTextDatum(pgrest_realtime_format_id(status.epoch,
																status.floor_lsn,
																status.floor_seq));
	values[i++] = Int64GetDatum((int64) status.size);
	values[i++] = Int64GetDatum((int64) status.used);
	values[i++] = Int64GetDatum((int64) status.records);
	values[i] = lsn_or_null(status.oldest_lsn, &nulls[i]);
	i++;
	nulls[i] = status.oldest_time == 0;
	values[i++] = TimestampTzGetDatum(status.oldest_time);
	values[i] = lsn_or_null(status.decoded_lsn, &nulls[i]);
	i++;
	values[i] = lsn_or_null(status.confirmed_lsn, &nulls[i]);
	i++;
	values[i++] = Int64GetDatum((int64) status.lag_bytes);
	values[i++] = Float8GetDatum(status.lag_seconds);
	values[i++] = Int64GetDatum((int64) retained_bytes(&status));
	values[i++] = Int64GetDatum((int64) status.transactions_total);
	values[i++] = Int64GetDatum((int64) status.changes_total);
	values[i++] = Int64GetDatum((int64) status.too_many_total);
	values[i++] = Int64GetDatum((int64) status.evicted_total);
	values[i++] = Int64GetDatum((int64) status.epochs_total);
	values[i++] = Int64GetDatum((int64) (status.decoder_starts > 1 ?
										 status.decoder_starts - 1 : 0));
	values[i++] = Int64GetDatum((int64) status.wakeups_total);
	Assert(i == lengthof(values));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * pgrest._realtime_peek() returns setof (id, op, relid, xid, commit_time,
 * "values"): the records in the ring now, oldest first, each value as
 * {"attnum", "from", "value"} (value null for NULL; "unknown": true
 * instead when the value is not known).
 * For tests: it copies the whole ring.
 */
Datum
pgrest_realtime_peek(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgrestRingStatus status;
	PgrestRingCursor cursor;
	char	   *buf = palloc(PGREST_RING_MAX_RECORD * 4);

	uint64		read = 0;

	InitMaterializedSRF(fcinfo, 0);
	pgrest_ring_status(&status);
	if (status.epoch == 0)
		return (Datum) 0;
	if (!pgrest_ring_seek(status.epoch, status.floor_lsn, status.floor_seq, &cursor))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the realtime ring changed while it was read")));

	/* at most a ring's worth: writes go on meanwhile */
	while (read < status.size)
	{
		ssize_t		got = pgrest_ring_read(&cursor, buf, PGREST_RING_MAX_RECORD * 4);
		const PgrestChange *change = (const PgrestChange *) buf;

		if (got < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the realtime ring changed while it was read")));
		if (got == 0)
			break;
		read += got;
		while ((const char *) change < buf + got)
		{
			Datum		values[6];
			bool		nulls[6] = {false, false, false, false, false, false};
			StringInfoData json;
			const PgrestChangeValue *value = pgrest_change_first_value(change);

			initStringInfo(&json);
			appendStringInfoChar(&json, '[');
			for (int v = 0; v < change->nvalues; v++)
			{
				if (v > 0)
					appendStringInfoString(&json, ", ");
				appendStringInfo(&json, "{\"attnum\": %d, \"from\": \"%c\"",
								 value->attnum, value->from);
				if (value->kind == PGREST_VALUE_TEXT)
				{
					appendStringInfoString(&json, ", \"value\": ");
					escape_json(&json, pgrest_change_value_text(value));
				}
				else if (value->kind == PGREST_VALUE_NULL)
					appendStringInfoString(&json, ", \"value\": null");
				else
					appendStringInfoString(&json, ", \"unknown\": true");
				appendStringInfoChar(&json, '}');
				value = pgrest_change_next_value(value);
			}
			appendStringInfoChar(&json, ']');

			values[0] = CStringGetTextDatum(pgrest_realtime_format_id(status.epoch,
																	  change->commit_lsn,
																	  change->seq));
			values[1] = CStringGetTextDatum(psprintf("%c", change->op));
			values[2] = ObjectIdGetDatum(change->relid);
			values[3] = TransactionIdGetDatum(change->xid);
			values[4] = TimestampTzGetDatum(change->commit_time);
			values[5] = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.data));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			change = pgrest_change_next(change);
		}
	}
	return (Datum) 0;
}

/*
 * pgrest._realtime_wait(timeout_ms int) returns boolean: wait until the
 * decoder has decoded every commit of the served database made so far
 * (that woke it), for at most timeout_ms.  For tests.
 */
Datum
pgrest_realtime_wait(PG_FUNCTION_ARGS)
{
	int32		timeout_ms = PG_GETARG_INT32(0);
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	PgrestRingStatus status;
	XLogRecPtr	target;

	pgrest_ring_status(&status);
	target = status.committed_lsn;
	for (;;)
	{
		pgrest_ring_status(&status);
		if (status.state == PGREST_REALTIME_RUNNING && status.decoded_lsn >= target)
			PG_RETURN_BOOL(true);
		if (GetCurrentTimestamp() >= deadline)
			PG_RETURN_BOOL(false);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 5L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * pgrest._realtime_listen(relid regclass, attnums int2[]) returns boolean:
 * this session listens to relid and prefilters on attnums (an empty array:
 * listens only; NULL: stops), as an HTTP worker with subscribers does, until
 * it ends.  For tests.
 */
Datum
pgrest_realtime_listen(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ArrayType  *array;
	Datum	   *elems;
	bool	   *elemnulls;
	int			n;
	AttrNumber *attnums;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	if (PG_ARGISNULL(1))
	{
		pgrest_ring_forget(relid);
		PG_RETURN_BOOL(true);
	}
	array = PG_GETARG_ARRAYTYPE_P(1);
	deconstruct_array(array, INT2OID, sizeof(int16), true, TYPALIGN_SHORT,
					  &elems, &elemnulls, &n);
	attnums = palloc(sizeof(AttrNumber) * Max(n, 1));
	for (int i = 0; i < n; i++)
		attnums[i] = elemnulls[i] ? InvalidAttrNumber : DatumGetInt16(elems[i]);
	PG_RETURN_BOOL(pgrest_ring_want_columns(relid, attnums, n));
}

/*
 * realtime's samples for /metrics and pgrest.stats() (a metrics source,
 * added by realtime.c); none when realtime is off.
 */
void
pgrest_realtime_metrics(PgrestSampleFn fn, void *arg)
{
	PgrestRingStatus status;
	char		labels_json[64];
	char		labels_text[64];

	if (!pgrest_ring_attached())
		return;
	pgrest_ring_status(&status);

	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_state Realtime's state: 1 for the state it is in.\n"
	   "# TYPE pgrest_realtime_state gauge\n", 0);
	for (int s = 0; s < PGREST_REALTIME_STATES; s++)
	{
		snprintf(labels_json, sizeof(labels_json), "{\"state\": \"%s\"}", state_names[s]);
		snprintf(labels_text, sizeof(labels_text), "{state=\"%s\"}", state_names[s]);
		fn(arg, "pgrest_realtime_state", labels_json, labels_text,
		   status.state == (PgrestRealtimeState) s ? 1 : 0);
	}
	sample(fn, arg, "pgrest_realtime_decoder_lag_seconds",
		   "How long committed changes have waited for the decoder.", "gauge",
		   status.lag_seconds);
	sample(fn, arg, "pgrest_realtime_decoder_lag_bytes",
		   "WAL of committed changes the decoder has not decoded yet.", "gauge",
		   (double) status.lag_bytes);
	sample(fn, arg, "pgrest_realtime_retained_wal_bytes",
		   "WAL the realtime replication slot keeps.", "gauge",
		   (double) retained_bytes(&status));
	sample(fn, arg, "pgrest_realtime_ring_size_bytes",
		   "Size of the shared ring of changes (pgrest.realtime_buffer).", "gauge",
		   (double) status.size);
	sample(fn, arg, "pgrest_realtime_ring_used_bytes",
		   "Bytes of the ring that hold changes.", "gauge", (double) status.used);
	sample(fn, arg, "pgrest_realtime_ring_records",
		   "Changes in the ring.", "gauge", (double) status.records);
	sample(fn, arg, "pgrest_realtime_transactions_total",
		   "Transactions that put changes in the ring.", "counter",
		   (double) status.transactions_total);
	sample(fn, arg, "pgrest_realtime_changes_total",
		   "Changes put in the ring.", "counter", (double) status.changes_total);
	sample(fn, arg, "pgrest_realtime_capped_total",
		   "Tables whose changes in one transaction were past pgrest.realtime_max_tx_changes (their subscribers are reset).",
		   "counter", (double) status.too_many_total);
	sample(fn, arg, "pgrest_realtime_evicted_total",
		   "Changes evicted from the ring to make room.", "counter",
		   (double) status.evicted_total);
	sample(fn, arg, "pgrest_realtime_epochs_total",
		   "Replication slots created anew since the server started (every subscriber reset).",
		   "counter", (double) status.epochs_total);
	sample(fn, arg, "pgrest_realtime_decoder_restarts_total",
		   "Times the decoder started again since the server started.", "counter",
		   (double) (status.decoder_starts > 1 ? status.decoder_starts - 1 : 0));

	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_commit_to_ring_seconds Time from a transaction's commit to its changes in the ring.\n"
	   "# TYPE pgrest_realtime_commit_to_ring_seconds histogram\n", 0);
	{
		uint64		count = 0;

		for (int b = 0; b < PGREST_RING_LATENCY_BUCKETS; b++)
		{
			char		le[32];

			count += status.latency_buckets[b];
			if (b < PGREST_RING_LATENCY_BUCKETS - 1)
				snprintf(le, sizeof(le), "%g", pgrest_ring_latency_bounds[b]);
			else
				strlcpy(le, "+Inf", sizeof(le));
			snprintf(labels_json, sizeof(labels_json), "{\"le\": \"%s\"}", le);
			snprintf(labels_text, sizeof(labels_text), "{le=\"%s\"}", le);
			fn(arg, "pgrest_realtime_commit_to_ring_seconds_bucket", labels_json,
			   labels_text, (double) count);
		}
		fn(arg, "pgrest_realtime_commit_to_ring_seconds_sum", "{}", "", status.latency_sum);
		fn(arg, "pgrest_realtime_commit_to_ring_seconds_count", "{}", "", (double) count);
	}
}

/* WAL the slot holds back: from its restart_lsn to the WAL's end */
static uint64
retained_bytes(const PgrestRingStatus *status)
{
	ReplicationSlot *slot;
	XLogRecPtr	restart = InvalidXLogRecPtr;
	XLogRecPtr	end;

	if (status->slot_name[0] == '\0' || RecoveryInProgress())
		return 0;
	LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
	slot = SearchNamedReplicationSlot(status->slot_name, false);
	if (slot != NULL)
	{
		SpinLockAcquire(&slot->mutex);
		restart = slot->data.restart_lsn;
		SpinLockRelease(&slot->mutex);
	}
	LWLockRelease(ReplicationSlotControlLock);
	end = GetFlushRecPtr(NULL);
	return !XLogRecPtrIsInvalid(restart) && end > restart ? end - restart : 0;
}

static Datum
lsn_or_null(XLogRecPtr lsn, bool *isnull)
{
	*isnull = XLogRecPtrIsInvalid(lsn);
	return LSNGetDatum(lsn);
}

/* a metric of one sample without labels */
static void
sample(PgrestSampleFn fn, void *arg, const char *name, const char *help,
	   const char *type, double value)
{
	fn(arg, NULL, NULL, psprintf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type), 0);
	fn(arg, name, "{}", "", value);
}
