/*-------------------------------------------------------------------------
 *
 * receivers.c
 *	  Every DestReceiver of pgrest: where the executor puts the rows of a
 *	  request's statement.
 *
 * The rows go straight from the executor to where they belong, with no
 * SPI tuple table holding a second copy:
 *
 *	 - the one row of four columns every statement query.c builds returns
 *	   (total bigint, rows bigint, body json|text, inserted bigint) is
 *	   copied into a PgrestResult; the body, which can be the whole
 *	   response (megabytes of JSON), once, into the memory context that
 *	   was current when the receiver was made (the request's);
 *	 - a /sql statement's rows become a JSON array, each row as
 *	   row_to_json writes it, within pgrest.max_rows and
 *	   pgrest.sql_max_response_size;
 *	 - the rows of a body written row by row go to the functions of a
 *	   PgrestRowSink (stream.c's), batch after batch.
 *
 * The executor calls these inside the request's transaction; they run no
 * SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/receivers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "run/layer.h"

#include "access/htup_details.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "base/error.h"
#include "run/receivers.h"
#include "server/guc.h"

/* the statement's one row, into a PgrestResult */
typedef struct ResultReceiver
{
	DestReceiver pub;
	PgrestResult *result;
	MemoryContext context;		/* where the body goes */
	int			received;
} ResultReceiver;

/* a /sql statement's rows, as a JSON array */
typedef struct JsonRowsReceiver
{
	DestReceiver pub;
	PgrestResult *result;
	StringInfoData body;		/* in the memory of the receiver's creator */
	TupleDesc	desc;			/* the rows' descriptor, blessed */
	MemoryContext rowcxt;		/* reset after every row */
	int64		rows;
} JsonRowsReceiver;

/* rows handed to a sink */
typedef struct SinkReceiver
{
	DestReceiver pub;
	PgrestRowSink sink;
} SinkReceiver;

static void result_startup(DestReceiver *self, int operation, TupleDesc typeinfo);
static bool result_row(TupleTableSlot *slot, DestReceiver *self);
static void result_shutdown(DestReceiver *self);
static int64 int8_column(TupleTableSlot *slot, int i);
static void json_rows_startup(DestReceiver *self, int operation, TupleDesc typeinfo);
static bool json_rows_row(TupleTableSlot *slot, DestReceiver *self);
static void json_rows_shutdown(DestReceiver *self);
static void json_rows_destroy(DestReceiver *self);
static void sink_startup(DestReceiver *self, int operation, TupleDesc typeinfo);
static bool sink_row(TupleTableSlot *slot, DestReceiver *self);
static void sink_shutdown(DestReceiver *self);
static void free_receiver(DestReceiver *self);

/*
 * A receiver that fills result with the statement's one row; allocated,
 * and the body later copied, in the current memory context.
 */
DestReceiver *
pgrest_receiver_result(PgrestResult *result)
{
	ResultReceiver *receiver = palloc0(sizeof(ResultReceiver));

	receiver->pub.receiveSlot = result_row;
	receiver->pub.rStartup = result_startup;
	receiver->pub.rShutdown = result_shutdown;
	receiver->pub.rDestroy = free_receiver;
	/* anything but DestNone, for which SPI reports a SELECT as utility */
	receiver->pub.mydest = DestTuplestore;
	receiver->result = result;
	receiver->context = CurrentMemoryContext;
	result->total = -1;
	result->inserted = -1;
	return (DestReceiver *) receiver;
}

/*
 * A receiver that writes a /sql statement's rows into result->body as a
 * JSON array, in the current memory context.
 */
DestReceiver *
pgrest_receiver_json_rows(PgrestResult *result)
{
	JsonRowsReceiver *receiver = palloc0(sizeof(JsonRowsReceiver));

	receiver->pub.receiveSlot = json_rows_row;
	receiver->pub.rStartup = json_rows_startup;
	receiver->pub.rShutdown = json_rows_shutdown;
	receiver->pub.rDestroy = json_rows_destroy;
	receiver->pub.mydest = DestTuplestore;
	receiver->result = result;
	initStringInfo(&receiver->body);
	appendStringInfoChar(&receiver->body, '[');
	receiver->rowcxt = AllocSetContextCreate(CurrentMemoryContext,
											 "pgrest sql row",
											 ALLOCSET_DEFAULT_SIZES);
	result->total = -1;
	result->inserted = -1;
	return (DestReceiver *) receiver;
}

/*
 * A receiver that hands each row to sink, for the portal of a body
 * written row by row (fetched in batches: startup and shutdown come with
 * every batch); allocated in the current memory context.
 */
DestReceiver *
pgrest_receiver_sink(const PgrestRowSink *sink)
{
	SinkReceiver *receiver = palloc0(sizeof(SinkReceiver));

	receiver->pub.receiveSlot = sink_row;
	receiver->pub.rStartup = sink_startup;
	receiver->pub.rShutdown = sink_shutdown;
	receiver->pub.rDestroy = free_receiver;
	receiver->pub.mydest = DestNone;
	receiver->sink = *sink;
	return (DestReceiver *) receiver;
}

static void
result_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	if (typeinfo->natts != 4)
		elog(ERROR, "pgrest statement returned %d columns, not 4", typeinfo->natts);
}

static bool
result_row(TupleTableSlot *slot, DestReceiver *self)
{
	ResultReceiver *receiver = (ResultReceiver *) self;
	PgrestResult *result = receiver->result;

	if (receiver->received++ > 0)
		elog(ERROR, "pgrest statement returned more than one row");

	slot_getallattrs(slot);
	result->total = int8_column(slot, 0);
	result->rows = Max(int8_column(slot, 1), 0);
	result->inserted = int8_column(slot, 3);
	if (!slot->tts_isnull[2])
	{
		/* json and text share the varlena text layout */
		text	   *body = DatumGetTextPP(slot->tts_values[2]);
		size_t		len = VARSIZE_ANY_EXHDR(body);

		result->body = MemoryContextAlloc(receiver->context, len + 1);
		memcpy(result->body, VARDATA_ANY(body), len);
		result->body[len] = '\0';
		result->body_len = len;
	}
	return true;
}

static void
result_shutdown(DestReceiver *self)
{
	ResultReceiver *receiver = (ResultReceiver *) self;

	if (receiver->received != 1)
		elog(ERROR, "pgrest statement returned no row");
}

/* a bigint column, -1 for NULL */
static int64
int8_column(TupleTableSlot *slot, int i)
{
	return slot->tts_isnull[i] ? -1 : DatumGetInt64(slot->tts_values[i]);
}

static void
json_rows_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	JsonRowsReceiver *receiver = (JsonRowsReceiver *) self;
	MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(receiver));

	/* row_to_json needs a row type it can look up */
	receiver->desc = BlessTupleDesc(CreateTupleDescCopy(typeinfo));
	MemoryContextSwitchTo(old);
}

/* one row: row_to_json of it, appended; the limits checked */
static bool
json_rows_row(TupleTableSlot *slot, DestReceiver *self)
{
	JsonRowsReceiver *receiver = (JsonRowsReceiver *) self;
	MemoryContext old;
	HeapTuple	tuple;
	text	   *json;

	CHECK_FOR_INTERRUPTS();
	if (pgrest_max_rows > 0 && receiver->rows >= pgrest_max_rows)
		return false;			/* stops the executor */

	old = MemoryContextSwitchTo(receiver->rowcxt);
	slot_getallattrs(slot);
	tuple = heap_form_tuple(receiver->desc, slot->tts_values, slot->tts_isnull);
	json = DatumGetTextPP(DirectFunctionCall1(row_to_json,
											  HeapTupleGetDatum(tuple)));
	MemoryContextSwitchTo(old);

	if ((size_t) receiver->body.len + VARSIZE_ANY_EXHDR(json) + 3 >
		(size_t) pgrest_sql_max_response_size)
		pgrest_error_raise(PGREST_ERR_SQL_TOO_LARGE,
						   "The SQL endpoint's result is larger than pgrest.sql_max_response_size",
						   psprintf("The limit is %d bytes.", pgrest_sql_max_response_size),
						   "Select fewer rows or columns.");
	if (receiver->rows++ > 0)
		appendStringInfoString(&receiver->body, ", ");
	appendBinaryStringInfo(&receiver->body, VARDATA_ANY(json),
						   VARSIZE_ANY_EXHDR(json));
	MemoryContextReset(receiver->rowcxt);
	return true;
}

static void
json_rows_shutdown(DestReceiver *self)
{
	JsonRowsReceiver *receiver = (JsonRowsReceiver *) self;

	appendStringInfoChar(&receiver->body, ']');
	receiver->result->body = receiver->body.data;
	receiver->result->body_len = receiver->body.len;
	receiver->result->rows = receiver->rows;
}

static void
json_rows_destroy(DestReceiver *self)
{
	JsonRowsReceiver *receiver = (JsonRowsReceiver *) self;

	MemoryContextDelete(receiver->rowcxt);
	pfree(receiver);
}

static void
sink_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	SinkReceiver *receiver = (SinkReceiver *) self;

	if (receiver->sink.startup)
		receiver->sink.startup(receiver->sink.arg, typeinfo);
}

static bool
sink_row(TupleTableSlot *slot, DestReceiver *self)
{
	SinkReceiver *receiver = (SinkReceiver *) self;

	return receiver->sink.row(receiver->sink.arg, slot);
}

static void
sink_shutdown(DestReceiver *self)
{
	SinkReceiver *receiver = (SinkReceiver *) self;

	if (receiver->sink.shutdown)
		receiver->sink.shutdown(receiver->sink.arg);
}

static void
free_receiver(DestReceiver *self)
{
	pfree(self);
}
