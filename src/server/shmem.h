/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  Shared state of the pgrest HTTP workers
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/shmem.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SHMEM_H
#define PGREST_SHMEM_H

/* what a worker knows of its own readiness (see handler.c) */
typedef enum PgrestWorkerState
{
	PGREST_WORKER_STARTING,		/* it has not tried to serve yet */
	PGREST_WORKER_READY,		/* schema cache loaded, extension installed */
	PGREST_WORKER_NO_EXTENSION, /* pgrest is not installed in its database */
	PGREST_WORKER_REFUSED,		/* it cannot serve (see the server log) */
	PGREST_WORKER_SUPERUSER,	/* pgrest.role is a superuser */
	PGREST_WORKER_NO_LOGIN		/* it cannot log in (see login.c) */
} PgrestWorkerState;

#define PGREST_WORKER_STATES (PGREST_WORKER_NO_LOGIN + 1)

/* what anonymous requests found of pgrest.anon_role (see auth.c) */
typedef enum PgrestAnonRoleProblem
{
	PGREST_ANON_ROLE_OK,
	PGREST_ANON_ROLE_MISSING,	/* no role of that name */
	PGREST_ANON_ROLE_NOT_GRANTED	/* pgrest.role is not a member of it */
} PgrestAnonRoleProblem;

/* dimensions of the request counters of each worker */
#define PGREST_METRIC_METHODS 8	/* GET HEAD POST PATCH PUT DELETE OPTIONS other */
#define PGREST_METRIC_STATUS_MIN 100
#define PGREST_METRIC_STATUSES 500	/* 100..599 */
#define PGREST_METRIC_BUCKETS 15	/* duration buckets, +Inf last */

/* the reasons a stream is reset, in metrics.c's order of their labels */
#define PGREST_RESET_REASONS 4	/* too_old new_epoch slow_consumer too_many_changes */

/* what a worker's streams of changes did (realtime/) */
typedef struct PgrestRealtimeStats
{
	uint64		subscribers;	/* now */
	uint64		cohorts;		/* now */
	uint64		events;			/* events sent */
	uint64		statements;		/* cohort statements run */
	uint64		resets[PGREST_RESET_REASONS];
} PgrestRealtimeStats;

/* every worker's counters, summed; and the workers' states, counted */
typedef struct PgrestStats
{
	uint64		requests[PGREST_METRIC_METHODS][PGREST_METRIC_STATUSES];
	uint64		duration_buckets[PGREST_METRIC_BUCKETS];	/* not cumulative */
	uint64		duration_sum_us;
	uint64		connections;
	uint64		schema_cache_loads;
	uint64		worker_restarts;
	int			workers;		/* pgrest.workers */
	int			serving;		/* running their event loop */
	int			states[PGREST_WORKER_STATES];	/* serving workers by state */
	PgrestRealtimeStats realtime;
} PgrestStats;

extern void pgrest_shmem_install_hooks(void);
extern bool pgrest_shmem_attached(void);
extern void pgrest_shmem_set_ready(int worker, bool ready);
extern bool pgrest_shmem_wait_ready(int timeout_ms);
extern void pgrest_shmem_set_busy(bool busy);
extern void pgrest_shmem_set_connections(int connections, bool has_room);
extern bool pgrest_shmem_should_accept(void);
extern uint64 pgrest_shmem_schema_generation(void);
extern void pgrest_shmem_bump_schema_generation(void);
extern void pgrest_shmem_set_state(PgrestWorkerState state);
extern PgrestWorkerState pgrest_shmem_state(void);
extern bool pgrest_shmem_set_anon_role_problem(PgrestAnonRoleProblem problem);
extern PgrestAnonRoleProblem pgrest_shmem_anon_role_problem(void);
extern void pgrest_shmem_count_request(int method, int status, int bucket,
									   uint64 duration_us);
extern void pgrest_shmem_count_schema_load(void);
extern void pgrest_shmem_set_realtime(int subscribers, int cohorts);
extern void pgrest_shmem_count_realtime_event(void);
extern void pgrest_shmem_count_realtime_statement(void);
extern void pgrest_shmem_count_realtime_reset(int reason);
extern void pgrest_shmem_collect(PgrestStats *stats);

#endif							/* PGREST_SHMEM_H */
