/*-------------------------------------------------------------------------
 *
 * result.c
 *	  Take a statement's one result row straight from the executor.
 *
 * Every statement query.c builds returns one row of four columns:
 *
 *	 total bigint, rows bigint, body json|text, inserted bigint
 *
 * This DestReceiver copies that row into a PgrestResult as the executor
 * produces it.  The body, which can be the whole response (megabytes of
 * JSON), is copied once, into the memory context that was current when
 * the receiver was made (the request's): no SPI tuple table holds a
 * second copy, and nothing copies it again on its way to the client.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/result.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/memutils.h"

#include "run/result.h"

typedef struct ResultReceiver
{
	DestReceiver pub;
	PgrestResult *result;
	MemoryContext context;		/* where the body goes */
	int			received;
} ResultReceiver;

static bool receive_row(TupleTableSlot *slot, DestReceiver *self);
static void receiver_startup(DestReceiver *self, int operation,
							 TupleDesc typeinfo);
static void receiver_shutdown(DestReceiver *self);
static void receiver_destroy(DestReceiver *self);
static int64 int8_column(TupleTableSlot *slot, int i);

/*
 * A receiver that fills result; allocated, and the body later copied,
 * in the current memory context.
 */
DestReceiver *
pgrest_result_receiver(PgrestResult *result)
{
	ResultReceiver *receiver = palloc0(sizeof(ResultReceiver));

	receiver->pub.receiveSlot = receive_row;
	receiver->pub.rStartup = receiver_startup;
	receiver->pub.rShutdown = receiver_shutdown;
	receiver->pub.rDestroy = receiver_destroy;
	/* anything but DestNone, for which SPI reports a SELECT as utility */
	receiver->pub.mydest = DestTuplestore;
	receiver->result = result;
	receiver->context = CurrentMemoryContext;
	result->total = -1;
	result->inserted = -1;
	return (DestReceiver *) receiver;
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	if (typeinfo->natts != 4)
		elog(ERROR, "pgrest statement returned %d columns, not 4", typeinfo->natts);
}

static bool
receive_row(TupleTableSlot *slot, DestReceiver *self)
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
receiver_shutdown(DestReceiver *self)
{
	ResultReceiver *receiver = (ResultReceiver *) self;

	if (receiver->received != 1)
		elog(ERROR, "pgrest statement returned no row");
}

static void
receiver_destroy(DestReceiver *self)
{
	pfree(self);
}

/* a bigint column, -1 for NULL */
static int64
int8_column(TupleTableSlot *slot, int i)
{
	return slot->tts_isnull[i] ? -1 : DatumGetInt64(slot->tts_values[i]);
}
