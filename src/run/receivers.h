/*-------------------------------------------------------------------------
 *
 * receivers.h
 *	  Where the executor puts the rows of a request's statement
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/receivers.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RECEIVERS_H
#define PGREST_RECEIVERS_H

#include "executor/tuptable.h"
#include "tcop/dest.h"

#include "run/types.h"

/* what becomes of the rows of a body written row by row */
typedef struct PgrestRowSink
{
	void		(*startup) (void *arg, TupleDesc desc); /* each batch; may be NULL */
	bool		(*row) (void *arg, TupleTableSlot *slot);
	void		(*shutdown) (void *arg);	/* each batch; may be NULL */
	void	   *arg;
} PgrestRowSink;

extern DestReceiver *pgrest_receiver_result(PgrestResult *result);
extern DestReceiver *pgrest_receiver_json_rows(PgrestResult *result);
extern DestReceiver *pgrest_receiver_sink(const PgrestRowSink *sink);

#endif							/* PGREST_RECEIVERS_H */
