/*-------------------------------------------------------------------------
 *
 * metrics.h
 *	  Request counters for /metrics and pgrest.stats()
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/metrics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_METRICS_H
#define PGREST_METRICS_H

extern void pgrest_metrics_count(const char *method, int status,
								 uint64 duration_us);
extern char *pgrest_metrics_text(void);

#endif							/* PGREST_METRICS_H */
