/*-------------------------------------------------------------------------
 *
 * timing.h
 *	  An opt-in measurement of where a worker's time goes: each request's
 *	  phases, each turn of its event loop, what woke it
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/timing.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_TIMING_H
#define PGREST_TIMING_H

/* a request's phases, and a turn of the loop, in microseconds */
typedef enum PgrestPhase
{
	PGREST_PHASE_QUEUE,			/* read whole -> its handler starts */
	PGREST_PHASE_BEGIN,			/* transaction start, invalidations, schema cache */
	PGREST_PHASE_PARSE,			/* the request, its token and body */
	PGREST_PHASE_PLAN,			/* the plan, its statement, the kept plan */
	PGREST_PHASE_STATEMENT,		/* settings and the statement */
	PGREST_PHASE_RESPONSE,		/* checks and the response */
	PGREST_PHASE_COMMIT,		/* the commit */
	PGREST_PHASE_HANDLER,		/* the handler, whole */
	PGREST_PHASE_SEND,			/* the handler's end -> the response is sent */
	PGREST_PHASE_WORKER,		/* read whole -> sent: the time in the worker */
	PGREST_PHASE_TURN,			/* a turn of the loop, wake-up to wait */
	PGREST_PHASE_COUNT
} PgrestPhase;

/* the points of a turn of the loop, in order */
typedef enum PgrestMark
{
	PGREST_MARK_WAKE,			/* the wait returned */
	PGREST_MARK_SIGNALS,		/* interrupts and a reload handled */
	PGREST_MARK_ACCEPT,			/* new connections taken */
	PGREST_MARK_READ,			/* libmicrohttpd read what came */
	PGREST_MARK_ANSWER,			/* the requests answered */
	PGREST_MARK_SEND,			/* libmicrohttpd sent the answers */
	PGREST_MARK_END,			/* realtime's turn done: back to the wait */
	PGREST_MARK_COUNT
} PgrestMark;

/* what woke the worker (bits) */
#define PGREST_WAKE_LATCH	0x01
#define PGREST_WAKE_HTTP	0x02
#define PGREST_WAKE_LISTEN	0x04

extern PGDLLIMPORT bool pgrest_timing;

extern void pgrest_timing_init(void);
extern uint64 pgrest_timing_now(void);
extern void pgrest_timing_mark(PgrestMark mark);
extern void pgrest_timing_wake(int reasons);
extern void pgrest_timing_add(PgrestPhase phase, uint64 us);
extern void pgrest_timing_answered(uint64 ready, uint64 end);
extern void pgrest_timing_turn_end(void);
extern void pgrest_timing_reload(void);

#endif							/* PGREST_TIMING_H */
