/*-------------------------------------------------------------------------
 *
 * status.h
 *	  What realtime shows of itself: state names, event ids, metrics
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/status.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_STATUS_H
#define PGREST_REALTIME_STATUS_H

#include "realtime/ring.h"
#include "server/metrics.h"

extern const char *pgrest_realtime_state_name(PgrestRealtimeState state);
extern char *pgrest_realtime_format_id(uint32 epoch, XLogRecPtr lsn, uint32 seq);
extern void pgrest_realtime_metrics(PgrestSampleFn fn, void *arg);

#endif							/* PGREST_REALTIME_STATUS_H */
