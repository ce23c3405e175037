/*-------------------------------------------------------------------------
 *
 * stream.h
 *	  A read's body written row by row, and sent while it is written
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/stream.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_STREAM_H
#define PGREST_STREAM_H

#include "plan/types.h"
#include "query/types.h"
#include "run/types.h"

/* what pgrest_stream_read returns besides a number of bytes */
#define PGREST_STREAM_END (-1)	/* the body is complete */
#define PGREST_STREAM_FAILED (-2)	/* the body ends here, incomplete */

/* inside the request's transaction */
extern PgrestResult *pgrest_stream_begin(const PgrestQuery *query,
										 const PgrestPlan *plan,
										 PgrestStreamMode mode);
extern bool pgrest_stream_wants_rows(const PgrestStream *stream);
extern void pgrest_stream_write(void *stream);
extern bool pgrest_stream_ended(const PgrestStream *stream);
extern void pgrest_stream_fail(PgrestStream *stream);
extern size_t pgrest_stream_written(const PgrestStream *stream);

/* a spooled body: committed, and read back from its file outside any transaction */
extern bool pgrest_stream_spooled(const PgrestStream *stream);
extern bool pgrest_stream_failed(const PgrestStream *stream);
extern void pgrest_stream_read_spool(PgrestStream *stream);
extern int64 pgrest_stream_length(const PgrestStream *stream);

/* plain C, for libmicrohttpd's callbacks */
extern ssize_t pgrest_stream_read(PgrestStream *stream, char *buf, size_t max);

#endif							/* PGREST_STREAM_H */
