/*-------------------------------------------------------------------------
 *
 * types.h
 *	  What other layers hold of a stream of table changes
 *
 * A subscriber (its HTTP connection holds it), and a subscription checked
 * inside its request's transaction, waiting for its commit.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_TYPES_H
#define PGREST_REALTIME_TYPES_H

typedef struct PgrestSubscriber PgrestSubscriber;
typedef struct PgrestStreamSpec PgrestStreamSpec;

/* what pgrest_realtime_read returns besides a count of bytes */
#define PGREST_EVENTS_WAIT	0		/* nothing to send now: suspend */
#define PGREST_EVENTS_END	(-1)	/* the stream is over */

#endif							/* PGREST_REALTIME_TYPES_H */
