/*-------------------------------------------------------------------------
 *
 * stream.c
 *	  Write a read's body row by row, as a portal yields the rows, and
 *	  hand a large body to the client while it is being written.
 *
 * Reads of JSON arrays and CSV (of relations, and of functions returning
 * sets) and every NDJSON body are written here rather than aggregated by
 * their statement (json_agg, string_agg): query.c's rows statement returns
 * each row (as a record, or a function's value), execute.c opens a portal
 * on it and fetches its rows in batches into this file's DestReceiver,
 * which writes each one into the body as it comes, in the same bytes the
 * aggregate would have written:
 *
 *	 JSON		'[' row ', ' row ... ']', '[]' for none: json_agg's text.  A
 *				row (a record) is row_to_json's text, a function's value
 *				to_json's; json_agg puts "\n " before every structured
 *				value (an array or a record, domains looked through) but
 *				the first, and nothing before a null.  With nulls=stripped
 *				json_strip_nulls rewrites the whole array, which amounts
 *				to each element stripped, joined by ','.
 *	 CSV		the header, then each row as its record's output without
 *				the parentheses, one a line; '\n' alone for none.
 *	 NDJSON		each row's JSON and '\n'.  JSON allows a line break only
 *				between tokens (a string holds it as \n), so the breaks a
 *				json column keeps from its input become spaces.
 *
 * The first batches are fetched inside the request's transaction, until
 * the rows end or the body holds pgrest.stream_threshold bytes.  A body
 * that ended is the response's body, as the aggregate's would have been
 * (Content-Length).  One that did not is streamed: its response goes out
 * with what was written, and the transaction stays open (execute.c); in
 * each later turn of the worker's loop pgrest_stream_write fetches the
 * next batch once the client has taken most of the last, until the rows
 * end.  A batch aims at PGREST_STREAM_BATCH bytes and
 * PGREST_STREAM_BATCH_MS milliseconds, fetched a few hundred rows at a
 * time, sized by the rows seen so far; so a worker holds about
 * pgrest.stream_threshold plus a batch, whatever the size of the body,
 * and goes back to its loop (where it notices a client that went away)
 * several times a second unless single rows are slower than that.
 *
 * A streamed body goes out before its transaction commits: its status
 * cannot tell how the commit went, only its end can (handler.c sends the
 * last chunk after the commit, or cuts the body short).  So only a
 * request that has written nothing is streamed (execute.c says whether
 * the transaction has): a write's body, an HTTP/1.0 client's (which
 * cannot take chunks) and one whose row count a check must see are
 * spooled instead (PGREST_STREAM_SPOOLED).  All their rows are written
 * inside the transaction, and past pgrest.stream_threshold the body goes
 * to a temporary file (fd.c's, which temp_file_limit bounds, and which
 * outlives the transaction) a batch at a time, so that memory stays at
 * the threshold plus a batch.  The response goes out after the commit,
 * with its length; later turns of the worker's loop read the file back,
 * a batch at a time, outside any transaction, once the client has taken
 * most of the last.  The file is closed (and deleted) after its last
 * byte was read back, or with the request's memory, whatever ended the
 * request.
 *
 * A streamed or spooled body is converted to UTF-8 batch by batch (whole
 * rows, so no character is cut); one sent whole is converted with the
 * response, as any other body.
 *
 * pgrest_stream_read runs inside libmicrohttpd's content reader callback:
 * it only copies bytes already written, and is plain C.  Everything else
 * here is PostgreSQL code, run by the worker's loop outside any callback.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/stream.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "run/layer.h"

#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "run/execute.h"
#include "run/receivers.h"
#include "run/stream.h"
#include "server/guc.h"

/* rows of the first batch, before any row's size is known */
#define PGREST_STREAM_FIRST_ROWS 128

/* rows of one fetch at most; once streaming, fewer */
#define PGREST_STREAM_MAX_ROWS 10000
#define PGREST_STREAM_STEP_ROWS 256

/*
 * Once streaming: the bytes a batch aims at, written when less than that
 * is left for the client to take, and the time it may take at most (but
 * for the last fetch of it, whose rows may come slower than the rows
 * before them).
 */
#define PGREST_STREAM_BATCH (64 * 1024)
#define PGREST_STREAM_BATCH_MS 100

struct PgrestStream
{
	/* what the body is */
	PgrestMedia media;
	bool		strip_nulls;
	const char *csv_header;
	bool		total_first;	/* the statement's first row is the total */

	/* the body: the client has taken buf[0, sent) of buf[0, converted) */
	StringInfoData buf;
	size_t		sent;
	size_t		converted;		/* what is UTF-8 (and may be sent) */
	bool		streaming;		/* the response has begun */
	bool		ended;			/* the rows are all written, and the end */
	bool		failed;			/* the body stops short */

	/* a spooled body: its file, what it holds, what was read back */
	bool		spooled;
	File		file;			/* -1: none (yet, or any more) */
	off_t		file_size;
	off_t		file_read;
	MemoryContextCallback close_file;	/* with the request's memory */

	/* what was written */
	int64		rows;
	int64		total;			/* the first row's, if total_first */
	bool		total_seen;
	size_t		written;		/* bytes of rows, over the whole body */
	double		ms_per_row;		/* the last fetch's pace, 0 until known */

	/* the receiver, and how it writes a value */
	MemoryContext context;		/* the request's: the stream's own memory */
	DestReceiver *receiver;
	MemoryContext row_context;	/* reset after each row */
	bool		typed;			/* what follows is set */
	bool		is_record;		/* row_to_json; else to_json */
	bool		structured;		/* json_agg puts "\n " before it */
	FmgrInfo	output;			/* to_json, or the record's output (CSV) */
};

static void write_rows(PgrestStream *stream, size_t bytes, double ms);
static void fetch_rows(PgrestStream *stream, size_t bytes, double ms);
static void write_end(PgrestStream *stream);
static void convert_written(PgrestStream *stream);
static void compact(PgrestStream *stream);
static bool complete(const PgrestStream *stream);
static void spool_rows(PgrestStream *stream);
static void spool_written(PgrestStream *stream);
static void close_spool(void *arg);
static bool write_row(void *arg, TupleTableSlot *slot);
static void learn_columns(void *arg, TupleDesc typeinfo);
static void learn_value_type(PgrestStream *stream, Oid type);
static text *value_json(PgrestStream *stream, Datum value);
static void write_element(PgrestStream *stream, Datum value, bool isnull);
static void write_line(PgrestStream *stream, Datum value, bool isnull);
static void write_record(PgrestStream *stream, Datum value, bool isnull);

/*
 * Open the rows of query (a rows statement, query.h) and write the first
 * of them: all (PGREST_STREAM_WHOLE), or at least pgrest.stream_threshold
 * bytes of body.  Returns the result: the whole body if the rows ended
 * before the threshold; else the stream.  A chunked one
 * pgrest_stream_write continues in later turns of the worker's loop (the
 * portal, and the transaction, stay open), and its rows are known only
 * from an exact total, else -1.  A spooled one has all its rows written,
 * into its file (its rows are known); pgrest_stream_read_spool reads it
 * back in later turns.  A chunked body is spooled instead when the
 * transaction has written anything by then.  The total (first row, or the
 * planner's estimate) is known in every case.  Call inside the request's
 * transaction, in the request's memory.
 */
PgrestResult *
pgrest_stream_begin(const PgrestQuery *query, const PgrestPlan *plan,
					PgrestStreamMode mode)
{
	PgrestStream *stream = palloc0(sizeof(PgrestStream));
	PgrestResult *result = palloc0(sizeof(PgrestResult));
	size_t		threshold = (size_t) pgrest_stream_threshold;
	bool		exact;
	PgrestRowSink sink;

	stream->media = plan->media;
	stream->strip_nulls = plan->strip_nulls;
	stream->csv_header = query->csv_header;
	stream->total_first = query->total_first;
	stream->total = -1;
	stream->file = -1;
	stream->context = CurrentMemoryContext;
	initStringInfo(&stream->buf);
	stream->row_context = AllocSetContextCreate(CurrentMemoryContext,
												"pgrest row",
												ALLOCSET_DEFAULT_SIZES);
	sink.startup = learn_columns;
	sink.row = write_row;
	sink.shutdown = NULL;
	sink.arg = stream;
	stream->receiver = pgrest_receiver_sink(&sink);

	pgrest_execute_open_rows(query);
	write_rows(stream, mode == PGREST_STREAM_WHOLE ? SIZE_MAX : threshold + 1, 0);

	/* a status sent before the commit must not stand for a write */
	if (mode == PGREST_STREAM_CHUNKED && !stream->ended && pgrest_execute_wrote())
		mode = PGREST_STREAM_SPOOLED;
	if (mode == PGREST_STREAM_SPOOLED && !stream->ended)
		spool_rows(stream);

	result->inserted = -1;
	result->total = pgrest_execute_total(query, stream->total_seen ? stream->total : -1);
	/* what the rows' functions set of response.* so far (later rows: too late) */
	pgrest_execute_response_settings(result);
	if (stream->ended)
	{
		result->rows = stream->rows;
		if (stream->spooled)
			result->stream = stream;
		else
		{
			result->body = stream->buf.data;
			result->body_len = stream->buf.len;
		}
		return result;
	}

	/*
	 * Streamed: the headers go before the rows are all seen, so the rows
	 * are known only from a total counted exactly (a count that
	 * pgrest.max_rows cut short is not; without it, estimate_from is 0
	 * and the count is whole).
	 */
	exact = stream->total_seen &&
		(query->estimate_from <= 0 || stream->total < query->estimate_from);
	if (exact)
	{
		int64		left = Max(stream->total - plan->read->offset, 0);

		result->rows = plan->read->limit >= 0 ? Min(left, plan->read->limit) : left;
	}
	else
		result->rows = -1;
	stream->streaming = true;
	convert_written(stream);
	result->stream = stream;
	return result;
}

/*
 * Whether the client has taken most of what was written, so that the
 * next batch is due.
 */
bool
pgrest_stream_wants_rows(const PgrestStream *stream)
{
	return !complete(stream) && !stream->failed &&
		stream->converted - stream->sent < PGREST_STREAM_BATCH;
}

/*
 * In a later turn, inside the request's transaction (a
 * PgrestTransactionBody): write the next batch if it is due; after the
 * last row, close the portal (the transaction then ends) and write the
 * end of the body.
 */
void
pgrest_stream_write(void *arg)
{
	PgrestStream *stream = (PgrestStream *) arg;

	Assert(!stream->spooled);
	if (!pgrest_stream_wants_rows(stream))
		return;
	compact(stream);
	write_rows(stream, PGREST_STREAM_BATCH, PGREST_STREAM_BATCH_MS);
	convert_written(stream);
}

/*
 * Whether the whole body is written into memory, its end too (a spooled
 * one: read back from its file).
 */
bool
pgrest_stream_ended(const PgrestStream *stream)
{
	return complete(stream);
}

/*
 * The body cannot be completed (an error, after its first byte): what is
 * left is not sent, and the client sees the body stop short.
 */
void
pgrest_stream_fail(PgrestStream *stream)
{
	stream->failed = true;
}

/* The bytes of the body written so far (a spooled one: all of them). */
size_t
pgrest_stream_written(const PgrestStream *stream)
{
	return stream->spooled ? (size_t) stream->file_size : stream->written;
}

/* Whether the body was spooled: its transaction is over, its length known. */
bool
pgrest_stream_spooled(const PgrestStream *stream)
{
	return stream->spooled;
}

/* Whether the body stops short. */
bool
pgrest_stream_failed(const PgrestStream *stream)
{
	return stream->failed;
}

/* The body's length in bytes, or -1 while it is not known (chunked). */
int64
pgrest_stream_length(const PgrestStream *stream)
{
	return stream->spooled ? (int64) stream->file_size : -1;
}

/*
 * A spooled body, in a later turn, outside any transaction: once the
 * client has taken most of what was read back, read the next batch from
 * the file; after the last, close it.  Raises no ERROR: a failing read
 * is logged, and the body stops short.  The buffer has room for a batch
 * beyond what is left in it (spool_rows), so nothing is allocated here.
 */
void
pgrest_stream_read_spool(PgrestStream *stream)
{
	int			want;
	int			got;

	if (!stream->spooled || !pgrest_stream_wants_rows(stream))
		return;
	compact(stream);
	want = (int) Min(stream->file_size - stream->file_read, (off_t) PGREST_STREAM_BATCH);
	Assert(stream->buf.len + want < stream->buf.maxlen);
	errno = 0;
	got = FileRead(stream->file, stream->buf.data + stream->buf.len, want,
				   stream->file_read, WAIT_EVENT_BUFFILE_READ);
	if (got <= 0)
	{
		if (got == 0)
			errno = EIO;		/* the file ends before its size */
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("pgrest could not read a response body back from temporary file \"%s\": %m",
						FilePathName(stream->file))));
		stream->failed = true;
		close_spool(stream);
		return;
	}
	stream->buf.len += got;
	stream->buf.data[stream->buf.len] = '\0';
	stream->converted = stream->buf.len;
	stream->file_read += got;
	if (stream->file_read == stream->file_size)
		close_spool(stream);
}

/*
 * Copy up to max bytes of what was written into buf, for libmicrohttpd.
 * Returns the bytes copied, 0 when the next batch is not written yet,
 * PGREST_STREAM_END after the last byte, PGREST_STREAM_FAILED when the
 * body stops short.  Plain C: called inside libmicrohttpd's callback.
 */
ssize_t
pgrest_stream_read(PgrestStream *stream, char *buf, size_t max)
{
	size_t		pending;

	if (stream->failed)
		return PGREST_STREAM_FAILED;
	pending = stream->converted - stream->sent;
	if (pending == 0)
		return complete(stream) ? PGREST_STREAM_END : 0;
	if (pending > max)
		pending = max;
	memcpy(buf, stream->buf.data + stream->sent, pending);
	stream->sent += pending;
	return (ssize_t) pending;
}

/*
 * The rest of the rows of a body that is spooled: written a batch at a
 * time, each batch converted to UTF-8 and appended to the file, inside
 * the transaction (a failing write, temp_file_limit among them, fails the
 * request).  Then the first batch is read back.
 */
static void
spool_rows(PgrestStream *stream)
{
	stream->spooled = true;
	stream->file = OpenTemporaryFile(true);
	stream->close_file.func = close_spool;
	stream->close_file.arg = stream;
	MemoryContextRegisterResetCallback(stream->context, &stream->close_file);
	for (;;)
	{
		spool_written(stream);
		if (stream->ended)
			break;
		write_rows(stream, PGREST_STREAM_BATCH, 0);
	}
	/* room to read a batch back beside what the client has not taken */
	enlargeStringInfo(&stream->buf, 2 * PGREST_STREAM_BATCH);
	pgrest_stream_read_spool(stream);
}

/* Append what was written to the file, and empty the buffer. */
static void
spool_written(PgrestStream *stream)
{
	int			written;

	convert_written(stream);
	if (stream->buf.len == 0)
		return;
	errno = 0;
	written = FileWrite(stream->file, stream->buf.data, stream->buf.len,
						stream->file_size, WAIT_EVENT_BUFFILE_WRITE);
	if (written != stream->buf.len)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write a response body to temporary file \"%s\": %m",
						FilePathName(stream->file))));
	stream->file_size += written;
	resetStringInfo(&stream->buf);
	stream->converted = 0;
}

/*
 * Close (and so delete) a spooled body's file: after its last byte was
 * read back, or when the request's memory goes, whatever ended the
 * request (a MemoryContextCallback).
 */
static void
close_spool(void *arg)
{
	PgrestStream *stream = (PgrestStream *) arg;

	if (stream->file < 0)
		return;
	FileClose(stream->file);
	stream->file = -1;
}

/* Whether the whole body is in memory, its end too. */
static bool
complete(const PgrestStream *stream)
{
	return stream->ended && stream->file_read == stream->file_size;
}

/*
 * Write rows until they make this many bytes of body, or (ms > 0) took
 * this long, or end.  The rows are fetched as many at a time as should
 * make the bytes left, by the rows seen so far; while streaming, at most
 * PGREST_STREAM_STEP_ROWS at a time, and as many as should take the time
 * left, by the pace of the last fetch.
 */
static void
write_rows(PgrestStream *stream, size_t bytes, double ms)
{
	size_t		written = stream->written;
	instr_time	start;
	instr_time	now;
	double		spent = 0;

	INSTR_TIME_SET_CURRENT(start);
	while (!stream->ended && stream->written - written < bytes &&
		   (ms <= 0 || spent < ms))
	{
		fetch_rows(stream, bytes - (stream->written - written), ms - spent);
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, start);
		spent = INSTR_TIME_GET_MILLISEC(now);
	}
}

/*
 * One fetch, meant to write about this many bytes in (ms > 0) this many
 * milliseconds; at the end of the rows, close the portal and write the end
 * of the body.
 */
static void
fetch_rows(PgrestStream *stream, size_t bytes, double ms)
{
	double		rows = PGREST_STREAM_FIRST_ROWS;
	int64		rows_before = stream->rows;
	long		count;
	instr_time	start;
	instr_time	elapsed;
	uint64		fetched;

	if (stream->rows > 0)
	{
		rows = (double) bytes / Max((double) stream->written / stream->rows, 1.0) + 1;
		if (ms > 0)
		{
			rows = Min(rows, PGREST_STREAM_STEP_ROWS);
			if (stream->ms_per_row > 0)
				rows = Min(rows, ms / stream->ms_per_row + 1);
		}
	}
	count = (long) Max(Min(rows, PGREST_STREAM_MAX_ROWS), 1);
	/* the total comes first, in a row of its own */
	if (stream->total_first && !stream->total_seen)
		count++;

	INSTR_TIME_SET_CURRENT(start);
	fetched = pgrest_execute_fetch_rows(count, stream->receiver);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	if (stream->rows > rows_before)
		stream->ms_per_row = INSTR_TIME_GET_MILLISEC(elapsed) /
			(stream->rows - rows_before);
	if (fetched < (uint64) count)
	{
		pgrest_execute_close_rows();
		write_end(stream);
		stream->ended = true;
	}
}

/* What the body ends with, after its last row. */
static void
write_end(PgrestStream *stream)
{
	switch (stream->media)
	{
		case PGREST_MEDIA_CSV:
			if (stream->rows == 0)
				appendStringInfoChar(&stream->buf, '\n');
			break;
		case PGREST_MEDIA_NDJSON:
			break;
		default:
			appendStringInfoString(&stream->buf, stream->rows == 0 ? "[]" : "]");
			break;
	}
}

/*
 * A streamed body goes out in UTF-8: convert what was written since the
 * last call (whole rows), unless the database's encoding is UTF-8.
 */
static void
convert_written(PgrestStream *stream)
{
	char	   *from = stream->buf.data + stream->converted;
	int			len = stream->buf.len - stream->converted;
	char	   *utf8;

	if (!stream->streaming && !stream->spooled)
		return;
	utf8 = len > 0 ? pg_server_to_any(from, len, PG_UTF8) : from;
	if (utf8 != from)
	{
		stream->buf.len = stream->converted;
		appendBinaryStringInfo(&stream->buf, utf8, strlen(utf8));
		pfree(utf8);
	}
	stream->converted = stream->buf.len;
}

/* Drop what the client has taken, before writing more. */
static void
compact(PgrestStream *stream)
{
	size_t		left = stream->buf.len - stream->sent;

	if (stream->sent == 0)
		return;
	memmove(stream->buf.data, stream->buf.data + stream->sent, left);
	stream->buf.len = left;
	stream->buf.data[left] = '\0';
	stream->converted -= stream->sent;
	stream->sent = 0;
}

/* the receiver's sink: write one row of the rows statement into the body */
static bool
write_row(void *arg, TupleTableSlot *slot)
{
	PgrestStream *stream = (PgrestStream *) arg;
	MemoryContext old;
	size_t		before = stream->buf.len;
	Datum		value;
	bool		isnull;

	if (stream->total_first && !stream->total_seen)
	{
		value = slot_getattr(slot, 1, &isnull);
		stream->total = isnull ? -1 : DatumGetInt64(value);
		stream->total_seen = true;
		return true;
	}

	value = slot_getattr(slot, 2, &isnull);
	old = MemoryContextSwitchTo(stream->row_context);
	switch (stream->media)
	{
		case PGREST_MEDIA_CSV:
			write_record(stream, value, isnull);
			break;
		case PGREST_MEDIA_NDJSON:
			write_line(stream, value, isnull);
			break;
		default:
			write_element(stream, value, isnull);
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(stream->row_context);
	stream->written += stream->buf.len - before;
	stream->rows++;
	return true;
}

/* the receiver's sink, at the start of every batch: learn the value's type once */
static void
learn_columns(void *arg, TupleDesc typeinfo)
{
	PgrestStream *stream = (PgrestStream *) arg;

	if (typeinfo->natts != 2)
		elog(ERROR, "pgrest rows statement returned %d columns, not 2", typeinfo->natts);
	if (!stream->typed)
		learn_value_type(stream, TupleDescAttr(typeinfo, 1)->atttypid);
}

/*
 * How values of this type are written: a record (JSON: row_to_json;
 * CSV: its output function), or another value (to_json, which needs its
 * argument's type from the call's expression).  json_agg's rule for "\n "
 * looks through domains.
 */
static void
learn_value_type(PgrestStream *stream, Oid type)
{
	Oid			base = getBaseType(type);
	MemoryContext old = MemoryContextSwitchTo(stream->context);

	stream->is_record = type_is_rowtype(base);
	stream->structured = stream->is_record || type_is_array(base);
	if (stream->media == PGREST_MEDIA_CSV)
	{
		Oid			output;
		bool		varlena;

		getTypeOutputInfo(type, &output, &varlena);
		fmgr_info(output, &stream->output);
	}
	else if (!stream->is_record)
	{
		fmgr_info(F_TO_JSON, &stream->output);
		fmgr_info_set_expr((Node *) makeFuncExpr(F_TO_JSON, JSONOID,
												 list_make1(makeNullConst(type, -1, InvalidOid)),
												 InvalidOid, InvalidOid,
												 COERCE_EXPLICIT_CALL),
						   &stream->output);
	}
	MemoryContextSwitchTo(old);
	stream->typed = true;
}

/* a value as JSON text, as json_agg writes it */
static text *
value_json(PgrestStream *stream, Datum value)
{
	Datum		json;

	if (stream->is_record)
		json = DirectFunctionCall1(row_to_json, value);
	else
		json = FunctionCall1(&stream->output, value);
	if (stream->strip_nulls)
		json = DirectFunctionCall1(json_strip_nulls, json);
	return DatumGetTextPP(json);
}

/* JSON: one element of the array */
static void
write_element(PgrestStream *stream, Datum value, bool isnull)
{
	StringInfo	buf = &stream->buf;
	text	   *json;

	if (stream->rows == 0)
		appendStringInfoChar(buf, '[');
	else if (stream->strip_nulls)
		appendStringInfoChar(buf, ',');
	else
	{
		appendBinaryStringInfo(buf, ", ", 2);
		if (!isnull && stream->structured)
			appendBinaryStringInfo(buf, "\n ", 2);
	}
	if (isnull)
	{
		appendBinaryStringInfo(buf, "null", 4);
		return;
	}
	json = value_json(stream, value);
	appendBinaryStringInfo(buf, VARDATA_ANY(json), VARSIZE_ANY_EXHDR(json));
}

/* NDJSON: one line */
static void
write_line(PgrestStream *stream, Datum value, bool isnull)
{
	StringInfo	buf = &stream->buf;

	if (isnull)
		appendBinaryStringInfo(buf, "null", 4);
	else
	{
		text	   *json = value_json(stream, value);
		int			start = buf->len;

		appendBinaryStringInfo(buf, VARDATA_ANY(json), VARSIZE_ANY_EXHDR(json));
		for (char *p = buf->data + start; p < buf->data + buf->len; p++)
		{
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		}
	}
	appendStringInfoChar(buf, '\n');
}

/* CSV: the header before the first row, then the record without (...) */
static void
write_record(PgrestStream *stream, Datum value, bool isnull)
{
	StringInfo	buf = &stream->buf;
	char	   *record;
	size_t		len;

	if (stream->rows == 0)
		appendStringInfoString(buf, stream->csv_header);
	appendStringInfoChar(buf, '\n');
	if (isnull)
		return;					/* a row is never null */
	record = OutputFunctionCall(&stream->output, value);
	len = strlen(record);
	if (len >= 2)
		appendBinaryStringInfo(buf, record + 1, len - 2);
}
