/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  What pgrest counts, and how it is shown: the Prometheus text of
 *	  GET /metrics on the admin port, and the SQL function pgrest.stats().
 *
 * The counters live in shared memory, one slot per worker (shmem.c); this
 * file names their dimensions (methods, statuses, duration buckets),
 * counts one request into the worker's own slot, and renders the sums.
 * Counting is a few plain stores: it stays on for every request.
 *
 *	 pgrest_requests_total{method,status}	counter
 *	 pgrest_request_duration_seconds		histogram, from the complete
 *											request to its response
 *	 pgrest_connections						gauge, connections open now
 *	 pgrest_schema_cache_loads_total		counter
 *	 pgrest_worker_restarts_total			counter
 *	 pgrest_workers{state}					gauge, serving workers
 *
 * Requests on the admin port itself are not counted.  Counting and the
 * Prometheus text read shared memory only: no SQL (server/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "server/layer.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "server/metrics.h"
#include "server/shmem.h"

PG_FUNCTION_INFO_V1(pgrest_stats);

/* the method label of each index; anything else is "other" (the last) */
static const char *const method_labels[PGREST_METRIC_METHODS] = {
	"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "other"
};

/* upper bounds of the duration buckets, in microseconds; +Inf last */
static const uint64 bucket_bounds_us[PGREST_METRIC_BUCKETS - 1] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000, 10000000
};

/* by PgrestWorkerState */
static const char *const state_labels[PGREST_WORKER_STATES] = {
	"starting", "ready", "no_extension", "refused", "superuser", "cannot_log_in"
};

/* the sources of more samples, rendered after the workers' own */
#define PGREST_METRICS_MAX_SOURCES 4
static PgrestMetricsSource sources[PGREST_METRICS_MAX_SOURCES];
static int	nsources = 0;

static void each_sample(const PgrestStats *stats, PgrestSampleFn fn, void *arg);
static void text_sample(void *arg, const char *name, const char *labels_json,
						const char *labels_text, double value);
static void row_sample(void *arg, const char *name, const char *labels_json,
					   const char *labels_text, double value);
static const char *bucket_label(int bucket);

/*
 * Count one request this worker answered with status, after duration_us
 * microseconds.  Does nothing outside the HTTP workers.
 */
void
pgrest_metrics_count(const char *method, int status, uint64 duration_us)
{
	int			m = PGREST_METRIC_METHODS - 1;
	int			b = PGREST_METRIC_BUCKETS - 1;

	for (int i = 0; i < PGREST_METRIC_METHODS - 1; i++)
	{
		if (method != NULL && strcmp(method, method_labels[i]) == 0)
		{
			m = i;
			break;
		}
	}
	for (int i = 0; i < PGREST_METRIC_BUCKETS - 1; i++)
	{
		if (duration_us <= bucket_bounds_us[i])
		{
			b = i;
			break;
		}
	}
	status = Max(status, PGREST_METRIC_STATUS_MIN);
	status = Min(status, PGREST_METRIC_STATUS_MIN + PGREST_METRIC_STATUSES - 1);
	pgrest_shmem_count_request(m, status - PGREST_METRIC_STATUS_MIN, b, duration_us);
}

/* The Prometheus text exposition (format 0.0.4) of every counter. */
char *
pgrest_metrics_text(void)
{
	PgrestStats *stats = palloc(sizeof(PgrestStats));
	StringInfoData buf;

	pgrest_shmem_collect(stats);
	initStringInfo(&buf);
	each_sample(stats, text_sample, &buf);
	pfree(stats);
	return buf.data;
}

/*
 * pgrest.stats() returns setof (name text, labels jsonb, value float8):
 * the samples of /metrics, one row each (histogram buckets cumulative, as
 * Prometheus has them).  Execute is granted to pg_monitor.
 */
Datum
pgrest_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgrestStats *stats;

	if (!pgrest_shmem_attached())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pgrest must be loaded via \"shared_preload_libraries\""),
				 errhint("Add pgrest to \"shared_preload_libraries\" in postgresql.conf and restart the server.")));
	InitMaterializedSRF(fcinfo, 0);
	stats = palloc(sizeof(PgrestStats));
	pgrest_shmem_collect(stats);
	each_sample(stats, row_sample, rsinfo);
	pfree(stats);
	return (Datum) 0;
}

/*
 * Every sample, with its HELP and TYPE, in exposition order: fn gets
 * name NULL for a metric's header (labels_text then holds the lines).
 */
static void
each_sample(const PgrestStats *stats, PgrestSampleFn fn, void *arg)
{
	uint64		count = 0;
	char		labels_json[128];
	char		labels_text[128];

	fn(arg, NULL, NULL,
	   "# HELP pgrest_requests_total HTTP requests the workers answered, by method and status.\n"
	   "# TYPE pgrest_requests_total counter\n", 0);
	for (int m = 0; m < PGREST_METRIC_METHODS; m++)
	{
		for (int s = 0; s < PGREST_METRIC_STATUSES; s++)
		{
			if (stats->requests[m][s] == 0)
				continue;
			snprintf(labels_json, sizeof(labels_json),
					 "{\"method\": \"%s\", \"status\": \"%d\"}",
					 method_labels[m], s + PGREST_METRIC_STATUS_MIN);
			snprintf(labels_text, sizeof(labels_text),
					 "{method=\"%s\",status=\"%d\"}",
					 method_labels[m], s + PGREST_METRIC_STATUS_MIN);
			fn(arg, "pgrest_requests_total", labels_json, labels_text,
			   (double) stats->requests[m][s]);
		}
	}

	fn(arg, NULL, NULL,
	   "# HELP pgrest_request_duration_seconds Time from a complete request to its response.\n"
	   "# TYPE pgrest_request_duration_seconds histogram\n", 0);
	for (int b = 0; b < PGREST_METRIC_BUCKETS; b++)
	{
		count += stats->duration_buckets[b];
		snprintf(labels_json, sizeof(labels_json), "{\"le\": \"%s\"}", bucket_label(b));
		snprintf(labels_text, sizeof(labels_text), "{le=\"%s\"}", bucket_label(b));
		fn(arg, "pgrest_request_duration_seconds_bucket", labels_json, labels_text,
		   (double) count);
	}
	fn(arg, "pgrest_request_duration_seconds_sum", "{}", "",
	   (double) stats->duration_sum_us / 1000000.0);
	fn(arg, "pgrest_request_duration_seconds_count", "{}", "", (double) count);

	fn(arg, NULL, NULL,
	   "# HELP pgrest_connections HTTP connections the workers hold open now.\n"
	   "# TYPE pgrest_connections gauge\n", 0);
	fn(arg, "pgrest_connections", "{}", "", (double) stats->connections);

	fn(arg, NULL, NULL,
	   "# HELP pgrest_schema_cache_loads_total Times a worker built its schema cache.\n"
	   "# TYPE pgrest_schema_cache_loads_total counter\n", 0);
	fn(arg, "pgrest_schema_cache_loads_total", "{}", "",
	   (double) stats->schema_cache_loads);

	fn(arg, NULL, NULL,
	   "# HELP pgrest_worker_restarts_total Times a worker started again after its first start.\n"
	   "# TYPE pgrest_worker_restarts_total counter\n", 0);
	fn(arg, "pgrest_worker_restarts_total", "{}", "", (double) stats->worker_restarts);

	fn(arg, NULL, NULL,
	   "# HELP pgrest_workers HTTP workers running their event loop, by readiness.\n"
	   "# TYPE pgrest_workers gauge\n", 0);
	for (int i = 0; i < (int) lengthof(state_labels); i++)
	{
		snprintf(labels_json, sizeof(labels_json), "{\"state\": \"%s\"}", state_labels[i]);
		snprintf(labels_text, sizeof(labels_text), "{state=\"%s\"}", state_labels[i]);
		fn(arg, "pgrest_workers", labels_json, labels_text, (double) stats->states[i]);
	}

	for (int i = 0; i < nsources; i++)
		sources[i] (fn, arg);
}

/*
 * Add a source of samples (realtime's, say), rendered after the workers'
 * own by /metrics and pgrest.stats().  Called from _PG_init, so that every
 * process has it.
 */
void
pgrest_metrics_add_source(PgrestMetricsSource source)
{
	if (nsources < PGREST_METRICS_MAX_SOURCES)
		sources[nsources++] = source;
}

/* a line of the text format: integers as such, seconds to the microsecond */
static void
text_sample(void *arg, const char *name, const char *labels_json,
			const char *labels_text, double value)
{
	StringInfo	buf = (StringInfo) arg;

	if (name == NULL)
		appendStringInfoString(buf, labels_text);
	else if (value == (double) (int64) value)
		appendStringInfo(buf, "%s%s " INT64_FORMAT "\n", name, labels_text, (int64) value);
	else
		appendStringInfo(buf, "%s%s %.6f\n", name, labels_text, value);
}

/* a row of pgrest.stats() */
static void
row_sample(void *arg, const char *name, const char *labels_json,
		   const char *labels_text, double value)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) arg;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (name == NULL)
		return;
	values[0] = CStringGetTextDatum(name);
	values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(labels_json));
	values[2] = Float8GetDatum(value);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* the "le" label of a bucket, in seconds */
static const char *
bucket_label(int bucket)
{
	if (bucket >= PGREST_METRIC_BUCKETS - 1)
		return "+Inf";
	return psprintf("%g", (double) bucket_bounds_us[bucket] / 1000000.0);
}
