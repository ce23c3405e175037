/*-------------------------------------------------------------------------
 *
 * timing.c
 *	  An opt-in measurement of where a worker's time goes: each request's
 *	  phases, each turn of its event loop, what woke it.
 *
 * Off unless the server starts with the environment variable
 * PGREST_TIMING set to a number of milliseconds, the stall threshold
 * (bench/tail sets it; it is a tool for finding where latency comes
 * from, not a setting).  Then each worker keeps, in its own memory, a
 * histogram per phase of a request (time waiting in the worker once read
 * whole, transaction start with its invalidations, parse, plan,
 * statement, response, commit, sending) and of the turns of its loop,
 * counts its wake-ups by cause, and:
 *
 *   - logs each turn longer than the threshold, split into its parts
 *     (interrupts, accepting, reading, answering, sending, realtime),
 *     with the CPU time the worker used in it (a turn much longer than
 *     its CPU time waited for a CPU: the process was preempted),
 *     with the number of requests it answered and the slowest one's
 *     phases (at most PGREST_TIMING_STALL_LINES lines between reports);
 *   - on each reload of the configuration (pg_reload_conf()), logs one
 *     line with everything since the last: count, p50, p99 and maximum of
 *     each phase, the wake-ups, and from /proc the time the process
 *     waited for a CPU while runnable and its involuntary context
 *     switches; then starts over.
 *
 * The clock is CLOCK_MONOTONIC, read only when the measurement is on;
 * off, each call returns at its first test.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/timing.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "server/layer.h"

#include <math.h>
#include <time.h>

#include "lib/stringinfo.h"
#include "port/pg_bitutils.h"

#include "server/timing.h"

/* histogram: 8 buckets per power of two of microseconds, up to 2^30 */
#define SUB_BUCKETS 8
#define BUCKETS (31 * SUB_BUCKETS)

/* stall lines logged between two reports, at most */
#define PGREST_TIMING_STALL_LINES 50

/* requests answered in one turn that are followed to their sending */
#define TURN_REQUESTS 256

typedef struct Histogram
{
	uint64		count;
	uint64		max;
	uint64		buckets[BUCKETS];
} Histogram;

bool		pgrest_timing = false;

static uint64 stall_us;
static Histogram phases[PGREST_PHASE_COUNT];
static const char *const phase_names[PGREST_PHASE_COUNT] = {
	"queue", "begin", "parse", "plan", "statement", "response", "commit",
	"handler", "send", "worker", "turn"
};
static const char *const mark_names[PGREST_MARK_COUNT] = {
	"wake", "signals", "accept", "read", "answer", "send", "realtime"
};

/* this turn */
static uint64 marks[PGREST_MARK_COUNT];
static int	wake_reasons;
static int	turn_requests;
static uint64 turn_ready[TURN_REQUESTS];
static uint64 turn_end[TURN_REQUESTS];
static uint64 turn_phase[PGREST_PHASE_COUNT];	/* the slowest request's */
static uint64 turn_cpu_start;	/* the thread's CPU time at the wake-up */
static uint64 turn_cpu;			/* ... used in the turn */

/* since the last report */
static uint64 wakes[8];			/* by the bits of their reasons */
static uint64 idle_wakes;		/* turns that answered nothing */
static uint64 stalls;			/* turns longer than the threshold */
static uint64 work_stalls;		/* ... of which the worker ran that long */
static int	stall_lines;
static uint64 run_wait_ns;		/* /proc/self/schedstat at the last report */
static uint64 involuntary;		/* /proc/self/status at the last report */
static uint64 report_start;

static int	bucket_of(uint64 us);
static uint64 bucket_top(int b);
static uint64 cpu_now(void);
static uint64 percentile(const Histogram *h, double p);
static void read_proc(uint64 *wait_ns, uint64 *switches);
static void report(void);

/* Turn the measurement on when PGREST_TIMING says so. */
void
pgrest_timing_init(void)
{
	const char *value = getenv("PGREST_TIMING");

	if (value == NULL || *value == '\0')
		return;
	pgrest_timing = true;
	stall_us = (uint64) (strtod(value, NULL) * 1000);
	if (stall_us == 0)
		stall_us = 5000;
	read_proc(&run_wait_ns, &involuntary);
	report_start = pgrest_timing_now();
}

/* microseconds on the monotonic clock */
uint64
pgrest_timing_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64) ts.tv_sec * 1000000 + (uint64) ts.tv_nsec / 1000;
}

/* A point of this turn; the wake-up starts a new turn. */
void
pgrest_timing_mark(PgrestMark mark)
{
	if (!pgrest_timing)
		return;
	if (mark == PGREST_MARK_WAKE)
	{
		memset(marks, 0, sizeof(marks));
		memset(turn_phase, 0, sizeof(turn_phase));
		turn_requests = 0;
		wake_reasons = 0;
		turn_cpu_start = cpu_now();
	}
	marks[mark] = pgrest_timing_now();
	if (mark == PGREST_MARK_END)
		turn_cpu = cpu_now() - turn_cpu_start;
	/* the answers are sent: each request's time to its sending */
	if (mark == PGREST_MARK_SEND)
	{
		for (int i = 0; i < Min(turn_requests, TURN_REQUESTS); i++)
		{
			pgrest_timing_add(PGREST_PHASE_SEND, marks[mark] - turn_end[i]);
			pgrest_timing_add(PGREST_PHASE_WORKER, marks[mark] - turn_ready[i]);
		}
	}
}

/* What woke the worker this turn (PGREST_WAKE_* bits). */
void
pgrest_timing_wake(int reasons)
{
	if (!pgrest_timing)
		return;
	wake_reasons |= reasons;
}

/* One sample of a phase; the phases of this turn's slowest request are kept. */
void
pgrest_timing_add(PgrestPhase phase, uint64 us)
{
	Histogram  *h = &phases[phase];

	if (!pgrest_timing)
		return;
	h->count++;
	h->buckets[bucket_of(us)]++;
	if (us > h->max)
		h->max = us;
	if (phase <= PGREST_PHASE_COMMIT)
		turn_phase[phase] = us;
}

/*
 * A request answered this turn: read whole at ready, its handler done at
 * end.  Its sending is measured at the turn's PGREST_MARK_SEND.
 */
void
pgrest_timing_answered(uint64 ready, uint64 end)
{
	if (!pgrest_timing)
		return;
	if (turn_requests < TURN_REQUESTS)
	{
		turn_ready[turn_requests] = ready;
		turn_end[turn_requests] = end;
	}
	turn_requests++;
}

/*
 * The turn is over: count it, log it if it stalled the worker, and
 * report after a reload.  Called after PGREST_MARK_END.
 */
void
pgrest_timing_turn_end(void)
{
	uint64		took;

	if (!pgrest_timing || marks[PGREST_MARK_WAKE] == 0)
		return;
	took = marks[PGREST_MARK_END] - marks[PGREST_MARK_WAKE];
	pgrest_timing_add(PGREST_PHASE_TURN, took);
	wakes[wake_reasons & 7]++;
	if (turn_requests == 0)
		idle_wakes++;
	if (took >= stall_us)
	{
		stalls++;
		if (turn_cpu >= stall_us)
			work_stalls++;
		if (stall_lines++ < PGREST_TIMING_STALL_LINES)
		{
			StringInfoData buf;
			uint64		last = marks[PGREST_MARK_WAKE];

			initStringInfo(&buf);
			appendStringInfo(&buf, "pgrest timing: stall: turn=%.3f ms cpu=%.3f ms wake=%s%s%s",
							 took / 1000.0, turn_cpu / 1000.0,
							 (wake_reasons & PGREST_WAKE_LATCH) ? "latch," : "",
							 (wake_reasons & PGREST_WAKE_HTTP) ? "http," : "",
							 (wake_reasons & PGREST_WAKE_LISTEN) ? "listen," : "");
			for (int m = PGREST_MARK_SIGNALS; m < PGREST_MARK_COUNT; m++)
			{
				if (marks[m] == 0)
					continue;
				appendStringInfo(&buf, " %s=%.3f", mark_names[m],
								 (marks[m] - last) / 1000.0);
				last = marks[m];
			}
			appendStringInfo(&buf, " requests=%d", turn_requests);
			for (int p = PGREST_PHASE_QUEUE; p <= PGREST_PHASE_COMMIT; p++)
				appendStringInfo(&buf, " last_%s=%.3f", phase_names[p],
								 turn_phase[p] / 1000.0);
			ereport(LOG, (errmsg_internal("%s", buf.data)));
			pfree(buf.data);
		}
	}
	marks[PGREST_MARK_WAKE] = 0;
}

/*
 * The configuration was reloaded: report what was measured since the
 * last report, and start over.
 */
void
pgrest_timing_reload(void)
{
	if (!pgrest_timing)
		return;
	report();
}

static void
report(void)
{
	StringInfoData buf;
	uint64		wait_ns;
	uint64		switches;
	uint64		now = pgrest_timing_now();

	read_proc(&wait_ns, &switches);
	initStringInfo(&buf);
	appendStringInfo(&buf, "pgrest timing: report: seconds=%.1f",
					 (now - report_start) / 1e6);
	for (int p = 0; p < PGREST_PHASE_COUNT; p++)
	{
		const Histogram *h = &phases[p];

		appendStringInfo(&buf, " %s=" UINT64_FORMAT "/" UINT64_FORMAT "/"
						 UINT64_FORMAT "/" UINT64_FORMAT,
						 phase_names[p], h->count, percentile(h, 0.5),
						 percentile(h, 0.99), h->max);
	}
	appendStringInfo(&buf, " stalls=" UINT64_FORMAT " work_stalls=" UINT64_FORMAT
					 " idle_wakes=" UINT64_FORMAT
					 " wakes_latch=" UINT64_FORMAT " wakes_http=" UINT64_FORMAT
					 " wakes_listen=" UINT64_FORMAT " wakes_timeout=" UINT64_FORMAT
					 " cpu_wait_ms=%.1f involuntary_switches=" UINT64_FORMAT,
					 stalls, work_stalls, idle_wakes,
					 wakes[1] + wakes[3] + wakes[5] + wakes[7],
					 wakes[2] + wakes[3] + wakes[6] + wakes[7],
					 wakes[4] + wakes[5] + wakes[6] + wakes[7],
					 wakes[0],
					 (wait_ns - run_wait_ns) / 1e6, switches - involuntary);
	ereport(LOG, (errmsg_internal("%s", buf.data)));
	pfree(buf.data);

	memset(phases, 0, sizeof(phases));
	memset(wakes, 0, sizeof(wakes));
	idle_wakes = 0;
	stalls = 0;
	work_stalls = 0;
	stall_lines = 0;
	run_wait_ns = wait_ns;
	involuntary = switches;
	report_start = now;
}

/* microseconds of CPU this thread has used */
static uint64
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64) ts.tv_sec * 1000000 + (uint64) ts.tv_nsec / 1000;
}

/* the bucket of a value: 8 per power of two */
static int
bucket_of(uint64 us)
{
	int			msb;

	if (us < SUB_BUCKETS)
		return (int) us;
	msb = pg_leftmost_one_pos64(us);
	return Min((msb - 2) * SUB_BUCKETS + (int) ((us >> (msb - 3)) & (SUB_BUCKETS - 1)),
			   BUCKETS - 1);
}

/* the largest value of a bucket */
static uint64
bucket_top(int b)
{
	int			msb;

	if (b < SUB_BUCKETS)
		return (uint64) b;
	msb = b / SUB_BUCKETS + 2;
	return (((uint64) (SUB_BUCKETS + b % SUB_BUCKETS + 1)) << (msb - 3)) - 1;
}

/* the value below which a share p of the samples lie (a bucket's top) */
static uint64
percentile(const Histogram *h, double p)
{
	uint64		rank = (uint64) ceil(h->count * p);
	uint64		seen = 0;

	if (h->count == 0)
		return 0;
	for (int b = 0; b < BUCKETS; b++)
	{
		seen += h->buckets[b];
		if (seen >= rank)
			return Min(bucket_top(b), h->max);
	}
	return h->max;
}

/*
 * From /proc: the nanoseconds this process has waited for a CPU while
 * runnable (schedstat), and its involuntary context switches; 0 where
 * they cannot be read.
 */
static void
read_proc(uint64 *wait_ns, uint64 *switches)
{
	FILE	   *f;
	char		line[256];
	unsigned long long run = 0,
				wait = 0;

	*wait_ns = 0;
	*switches = 0;
	if ((f = fopen("/proc/self/schedstat", "r")) != NULL)
	{
		if (fscanf(f, "%llu %llu", &run, &wait) == 2)
			*wait_ns = wait;
		fclose(f);
	}
	if ((f = fopen("/proc/self/status", "r")) != NULL)
	{
		while (fgets(line, sizeof(line), f) != NULL)
		{
			unsigned long long n;

			if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &n) == 1)
				*switches = n;
		}
		fclose(f);
	}
}
