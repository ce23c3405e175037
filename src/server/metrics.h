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

/*
 * One sample, as both renderings (the Prometheus text, pgrest.stats())
 * take it: name NULL for a metric's header, whose HELP and TYPE lines are
 * then in labels_text.
 */
typedef void (*PgrestSampleFn) (void *arg, const char *name, const char *labels_json,
								const char *labels_text, double value);

/* more samples, from a layer above: each of its metrics, header first */
typedef void (*PgrestMetricsSource) (PgrestSampleFn fn, void *arg);

extern void pgrest_metrics_count(const char *method, int status,
								 uint64 duration_us);
extern char *pgrest_metrics_text(void);
extern void pgrest_metrics_add_source(PgrestMetricsSource source);

#endif							/* PGREST_METRICS_H */
