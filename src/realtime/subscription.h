/*-------------------------------------------------------------------------
 *
 * subscription.h
 *	  Streams of a table's changes: subscribing, the worker's turns, and
 *	  what the HTTP server reads of each stream
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/subscription.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_SUBSCRIPTION_H
#define PGREST_REALTIME_SUBSCRIPTION_H

#include "api/types.h"
#include "auth/types.h"
#include "base/message.h"
#include "plan/types.h"
#include "realtime/types.h"
#include "server/metrics.h"

/* the request (handler.c): inside its transaction, then after it */
extern PgrestStreamSpec *pgrest_realtime_prepare(const PgrestRequest *req,
												 const PgrestAuth *auth,
												 const PgrestPlan *plan);
extern PgrestResponse *pgrest_realtime_respond(PgrestStreamSpec *spec, bool nested);

/* the worker's loop (worker.c) */
extern void pgrest_realtime_turn(void);
extern long pgrest_realtime_timeout_ms(void);
extern int	pgrest_realtime_subscribers(void);
extern void pgrest_realtime_subscriber_metrics(PgrestSampleFn fn, void *arg);

/* the HTTP server (http/): plain C, safe inside its callbacks */
extern ssize_t pgrest_realtime_read(PgrestSubscriber *sub, char *buf, size_t max);
extern void pgrest_realtime_suspended(PgrestSubscriber *sub);
/* ... and outside them */
extern void pgrest_realtime_attach(PgrestSubscriber *sub, void *connection);
extern void *pgrest_realtime_next_resume(void);
extern void pgrest_realtime_resume_all(void);
extern void pgrest_realtime_unsubscribe(PgrestSubscriber *sub);

#endif							/* PGREST_REALTIME_SUBSCRIPTION_H */
