/*-------------------------------------------------------------------------
 *
 * subscription.c
 *	  A worker's streams of table changes: subscribing, the cohorts that
 *	  share a statement, heartbeats, limits, and what the HTTP server
 *	  reads.
 *
 * A GET with Accept: text/event-stream (plan.c: PGREST_PLAN_SUBSCRIBE)
 * becomes a subscriber in two steps, both from handler.c:
 *
 *	 pgrest_realtime_prepare	inside the request's transaction, as its
 *								role: the ring must be running, the worker
 *								and the role below their caps (503 and
 *								Retry-After); the statement's dry run
 *								(query/subscription.c, with no key: what
 *								PostgreSQL says of the same GET, it says
 *								here: 400, 401, 403, 404); whether
 *								row-level security applies to the role;
 *								the prefilter's values; where the stream
 *								starts (Last-Event-ID); the snapshot's rows
 *	 pgrest_realtime_respond	once that transaction committed: the
 *								subscriber joins its cohort, and the
 *								response's first frames are written: the
 *								snapshot, "ready", a "reset" when the id
 *								given cannot be resumed from
 *
 * Nothing is sent before all the checks passed: every refusal is an
 * ordinary PostgREST error response.
 *
 * Cohorts.  Subscribers with the same role, claims, query (statement and
 * parameters), schema, path and events share one cohort: one statement
 * per batch, one rendering of each event (batch.c).  Cohorts are grouped
 * by table; a table's cohorts whose filters hold col=eq.v or col=in.(...)
 * on a type with a canonical output (int2, int4, int8, text and varchar
 * of a deterministic collation, uuid, bool, oid, enums) are indexed by
 * that column's values, so that a change reaches only the cohorts that
 * may match it; the ring carries those columns for this worker
 * (pgrest_ring_want_columns), which also makes the decoder wake this
 * worker when the table changes.
 *
 * Position.  The worker reads the ring at one place for all its live
 * cohorts.  A new subscriber starts there; one that resumes from an id
 * behind it (Last-Event-ID) starts in a cohort of its own that catches
 * up with its own cursor, and joins its live cohort when it arrives; one
 * whose id cannot be resumed from (another epoch, older than the ring
 * keeps, not an id) gets "reset" and starts at the worker's place.
 *
 * The HTTP server.  A stream's bytes wait in the subscriber's outbox
 * (outbox.c); the HTTP server's content reader copies them
 * (pgrest_realtime_read, plain C) and, finding none, suspends the
 * connection and says so (pgrest_realtime_suspended).  When the worker
 * appends to a suspended subscriber's outbox, it lists it for the HTTP
 * server to resume, outside its callbacks (pgrest_realtime_next_resume).
 *
 * Heartbeats and the worker's clock.  Every pgrest.realtime_heartbeat,
 * each subscriber that sent nothing for half of it gets a comment line:
 * proxies keep the connection, and a client that went away is found
 * (a suspended connection notices nothing by itself).  The same tick
 * checks, in one transaction, that each cohort's table still exists and
 * streams (DROP TABLE, ALTER PUBLICATION ... DROP TABLE end their
 * streams with an error).  At its token's exp (with pgrest's 30 s of
 * clock skew) a cohort's streams end with an "error" event, PGRST303.
 * Nothing else wakes the worker: with no change and no subscriber, it
 * sleeps.
 *
 * Limits.  pgrest.realtime_max_subscribers per worker, and
 * pgrest.realtime_max_subscribers_per_role per role and worker; past
 * them a subscription gets 503 with Retry-After.  A subscriber whose
 * outbox would pass pgrest.realtime_client_buffer drops what it holds
 * and gets "reset" (slow_consumer); the second time within a minute, its
 * stream ends.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/subscription.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "api/request.h"
#include "base/error.h"
#include "base/jsonparse.h"
#include "base/state.h"
#include "cache/schema.h"
#include "plan/subscription.h"
#include "query/render.h"
#include "query/subscription.h"
#include "realtime/cohort.h"
#include "realtime/status.h"
#include "realtime/subscription.h"
#include "run/execute.h"
#include "run/receivers.h"
#include "server/guc.h"
#include "server/shmem.h"

/* the reconnection delay EventSource is told, in ms */
#define PGREST_EVENTS_RETRY 2000

/* seconds by which exp may miss, as auth.c allows */
#define PGREST_EXP_SKEW 30

/* a second time behind within this long ends the stream */
#define PGREST_BEHIND_WINDOW_MS (60 * 1000)

/* a turn's events a subscriber may hold, in client buffers */
#define PGREST_BURST_BUFFERS 16

/* a snapshot larger than this many times the client buffer is refused */
#define PGREST_SNAPSHOT_BUFFERS 64

/* where a stream starts */
typedef enum StreamStart
{
	START_LIVE,					/* at the worker's place */
	START_RESUME,				/* behind it: catching up from cursor */
	START_RESET					/* at the worker's place, after a reset */
} StreamStart;

/* a subscription checked and ready to join (prepare -> respond) */
struct PgrestStreamSpec
{
	Oid			relid;
	char	   *names_json;
	int			npkey;
	AttrNumber *pkey;
	char	  **pkey_json;
	char	   *pkey_kind;
	char	   *role;
	char	   *claims;
	char	   *schema;
	char	   *path;
	PgrestQuery *query;
	int			events;
	bool		rls;
	List	   *prefilters;
	TimestampTz expires;
	char	   *identity;
	StreamStart start;
	PgrestRingCursor cursor;	/* START_RESUME */
	const char *reset_reason;	/* START_RESET */
	StringInfoData snapshot;	/* its frames, when asked for */
	bool		with_snapshot;
	List	   *snapshot_keys;	/* rls: the keys of its rows */
};

/* the rows of the snapshot, as they come */
typedef struct SnapshotSink
{
	PgrestStreamSpec *spec;
	Size		limit;
} SnapshotSink;

/* a live cohort by its identity */
typedef struct CohortEntry
{
	const char *identity;		/* the key: points at the cohort's own */
	Cohort	   *cohort;
} CohortEntry;

/* subscribers per role */
typedef struct RoleCount
{
	char		role[NAMEDATALEN];
	int			count;
} RoleCount;

/* what batch.c shares */
dlist_head	pgrest_rt_cohorts = DLIST_STATIC_INIT(pgrest_rt_cohorts);
PgrestRingCursor pgrest_rt_place;
bool		pgrest_rt_placed = false;
HTAB	   *pgrest_rt_tables = NULL;

static MemoryContext realtime_context = NULL;
static HTAB *live_cohorts = NULL;
static HTAB *roles = NULL;
static dlist_head subscribers = DLIST_STATIC_INIT(subscribers);
static int	nsubscribers = 0;
static int	ncohorts = 0;
static int	ncatching = 0;		/* cohorts catching up (Cohort.catching) */
static dlist_head resume_list = DLIST_STATIC_INIT(resume_list);
static TimestampTz last_tick = 0;
static TimestampTz next_expiry = 0;
static uint64 turns = 0;		/* the worker's turns with subscribers */

static void setup(void);
static void check_ring(void);
static void check_caps(const char *role);
static int	role_count(const char *role);
static void count_role(const char *role, int delta);
static void dry_run(PgrestStreamSpec *spec);
static void run_rows(const PgrestQuery *query, PgrestRowSink *sink);
static List *prefilters_of(const PgrestPlan *plan);
static Prefilter *prefilter_of(const PgrestRelation *rel, const PgrestFilter *filter);
static bool canonical_type(Oid relid, const PgrestColumn *col);
static char *canonical_value(const PgrestColumn *col, const char *value);
static int	compare_strings(const void *a, const void *b);
static TimestampTz token_expiry(const char *claims);
static void choose_start(PgrestStreamSpec *spec, const PgrestRequest *req);
static void place_worker(void);
static void wait_for_commits(void);
static void take_snapshot(PgrestStreamSpec *spec, const PgrestPlan *plan);
static bool snapshot_row(void *arg, TupleTableSlot *slot);
static char *identity_of(PgrestStreamSpec *spec);
static void append_part(StringInfo buf, const char *part);
static Table *get_table(PgrestStreamSpec *spec);
static void release_table(Table *table);
static void want_columns(Table *table);
static Cohort *new_cohort(PgrestStreamSpec *spec, Table *table, bool live);
static void index_cohort(Cohort *cohort);
static void unindex_cohort(Cohort *cohort);
static void free_cohort(Cohort *cohort);
static void set_catching(Cohort *cohort, bool catching);
static PgrestSubscriber *new_subscriber(Cohort *cohort, const char *role);
static void leave_cohort(PgrestSubscriber *sub);
static void write_start(PgrestSubscriber *sub, PgrestStreamSpec *spec);
static char *place_id(const PgrestRingCursor *cursor);
static void append_text(PgrestSubscriber *sub, const char *bytes);
static void list_resume(PgrestSubscriber *sub);
static TimestampTz next_tick(void);
static void tick(TimestampTz now);
static void check_tables(void);
static void check_tables_body(void *arg);
static bool served(Oid relid);
static void expire(TimestampTz now);
static uint32 hash_identity(const void *key, Size keysize);
static int	match_identity(const void *key1, const void *key2, Size keysize);
static void publish_counts(void);

/*
 * Inside the subscribing request's transaction, as its role (handler.c
 * set it): every check, the dry run, and what the stream starts with.
 * Raises the error the request answers with.
 */
PgrestStreamSpec *
pgrest_realtime_prepare(const PgrestRequest *req, const PgrestAuth *auth,
						const PgrestPlan *plan)
{
	PgrestStreamSpec *spec = palloc0(sizeof(PgrestStreamSpec));
	const PgrestRelation *rel = plan->rel;
	StringInfoData names;

	setup();
	check_ring();
	check_caps(auth->role);

	spec->relid = rel->oid;
	initStringInfo(&names);
	appendStringInfoString(&names, "\"schema\":");
	escape_json(&names, rel->schema);
	appendStringInfoString(&names, ",\"table\":");
	escape_json(&names, rel->name);
	spec->names_json = names.data;
	spec->npkey = rel->npkey;
	spec->pkey = palloc(sizeof(AttrNumber) * rel->npkey);
	spec->pkey_json = palloc(sizeof(char *) * rel->npkey);
	spec->pkey_kind = palloc(rel->npkey);
	for (int i = 0; i < rel->npkey; i++)
	{
		const PgrestColumn *col = &rel->columns[rel->pkey[i]];
		StringInfoData name;

		spec->pkey[i] = col->attnum;
		initStringInfo(&name);
		escape_json(&name, col->name);
		spec->pkey_json[i] = name.data;
		switch (col->basetype)
		{
			case INT2OID:
			case INT4OID:
			case INT8OID:
			case OIDOID:
			case NUMERICOID:
			case FLOAT4OID:
			case FLOAT8OID:
				spec->pkey_kind[i] = PGREST_KEY_NUMBER;
				break;
			case BOOLOID:
				spec->pkey_kind[i] = PGREST_KEY_BOOL;
				break;
			case JSONOID:
			case JSONBOID:
				spec->pkey_kind[i] = PGREST_KEY_RAW;
				break;
			default:
				spec->pkey_kind[i] = PGREST_KEY_STRING;
				break;
		}
	}
	spec->role = pstrdup(auth->role);
	spec->claims = pstrdup(auth->claims);
	spec->schema = pstrdup(plan->schema);
	spec->path = pstrdup(req->path);
	spec->events = req->prefer.realtime != 0 ? req->prefer.realtime : PGREST_EVENTS_ALL;
	spec->query = pgrest_query_stream(plan, true);

	/* what the same GET would say: columns, filters, privileges */
	dry_run(spec);
	spec->rls = check_enable_rls(rel->oid, InvalidOid, true) == RLS_ENABLED;
	spec->prefilters = prefilters_of(plan);
	spec->expires = token_expiry(auth->claims);
	spec->identity = identity_of(spec);
	choose_start(spec, req);
	initStringInfo(&spec->snapshot);
	if (spec->with_snapshot)
		take_snapshot(spec, plan);
	return spec;
}

/*
 * After the subscribing request's transaction: the subscriber joins its
 * cohort, and the stream's first frames are written.  In pgrest.handle()
 * (nested) nothing joins: the response's body is those frames.
 */
PgrestResponse *
pgrest_realtime_respond(PgrestStreamSpec *spec, bool nested)
{
	PgrestResponse *resp = pgrest_message_json(200, NULL, 0);
	PgrestSubscriber *sub;
	Table	   *table;
	Cohort	   *cohort = NULL;
	MemoryContext old;

	pgrest_message_set_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
	pgrest_message_add_header(resp, "Cache-Control", "no-store");
	pgrest_message_add_header(resp, "X-Accel-Buffering", "no");
	if (nested)
	{
		PgrestSubscriber probe;
		size_t		len;

		memset(&probe, 0, sizeof(probe));
		write_start(&probe, spec);
		len = pgrest_outbox_pending(&probe.out);
		resp->body = palloc(len + 1);
		resp->body_len = pgrest_outbox_read(&probe.out, resp->body, len);
		resp->body[resp->body_len] = '\0';
		pgrest_outbox_free(&probe.out);
		return resp;
	}

	old = MemoryContextSwitchTo(realtime_context);
	table = get_table(spec);
	if (spec->start != START_RESUME)
	{
		CohortEntry *entry = hash_search(live_cohorts, &spec->identity, HASH_FIND, NULL);

		if (entry != NULL)
			cohort = entry->cohort;
	}
	if (cohort == NULL)
	{
		cohort = new_cohort(spec, table, spec->start != START_RESUME);
		if (spec->start == START_RESUME)
			cohort->cursor = spec->cursor;
	}
	sub = new_subscriber(cohort, spec->role);
	MemoryContextSwitchTo(old);
	want_columns(table);
	write_start(sub, spec);
	resp->events = sub;
	publish_counts();
	return resp;
}

/*
 * One turn of the worker's loop (not while a request's rows stream): the
 * ring's new changes for the live cohorts, a step for each cohort that
 * catches up, tokens that expired, the heartbeat.  Cheap when there is
 * nothing to do.
 */
void
pgrest_realtime_turn(void)
{
	TimestampTz now;
	dlist_mutable_iter iter;

	if (nsubscribers == 0)
		return;
	turns++;
	if (pgrest_rt_placed)
		pgrest_rt_read_live();
	/* thousands of live cohorts are not walked for the few catching up */
	if (ncatching > 0)
	{
		dlist_foreach_modify(iter, &pgrest_rt_cohorts)
		{
			Cohort	   *cohort = dlist_container(Cohort, all_node, iter.cur);

			if (cohort->catching && pgrest_rt_catch_up(cohort))
				pgrest_rt_make_live(cohort);
		}
	}
	now = GetCurrentTimestamp();
	if (next_expiry != 0 && now >= next_expiry)
		expire(now);
	if (now >= next_tick())
		tick(now);
	publish_counts();
}

/*
 * How long the worker may sleep before realtime has something to do
 * (ms), or -1: the next heartbeat, the next token to expire, or at once
 * while a cohort catches up.
 */
long
pgrest_realtime_timeout_ms(void)
{
	TimestampTz now;
	TimestampTz due;

	if (nsubscribers == 0)
		return -1;
	if (ncatching > 0)
		return 0;
	if (!dlist_is_empty(&resume_list))
		return 0;
	due = next_tick();
	if (next_expiry != 0 && next_expiry < due)
		due = next_expiry;
	now = GetCurrentTimestamp();
	if (due <= now)
		return 0;
	return (long) Min((due - now + 999) / 1000, INT_MAX);
}

/* How many subscribers this worker holds. */
int
pgrest_realtime_subscribers(void)
{
	return nsubscribers;
}

/*
 * libmicrohttpd's content reader: copy what the subscriber's outbox
 * holds.  PGREST_EVENTS_WAIT: nothing now (the caller suspends the
 * connection, then calls pgrest_realtime_suspended); PGREST_EVENTS_END:
 * the stream is over.  Plain C.
 */
ssize_t
pgrest_realtime_read(PgrestSubscriber *sub, char *buf, size_t max)
{
	size_t		n = pgrest_outbox_read(&sub->out, buf, max);

	if (n > 0)
		return (ssize_t) n;
	return sub->ending ? PGREST_EVENTS_END : PGREST_EVENTS_WAIT;
}

/* The HTTP server suspended the subscriber's connection.  Plain C. */
void
pgrest_realtime_suspended(PgrestSubscriber *sub)
{
	sub->suspended = true;
}

/* The HTTP server's connection of the subscriber, to resume it by. */
void
pgrest_realtime_attach(PgrestSubscriber *sub, void *connection)
{
	sub->connection = connection;
}

/*
 * The next suspended connection that has bytes to send (or whose stream
 * ended), for the HTTP server to resume; NULL when there is none.
 */
void *
pgrest_realtime_next_resume(void)
{
	while (!dlist_is_empty(&resume_list))
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, resume_node,
												dlist_pop_head_node(&resume_list));

		sub->resume_listed = false;
		if (!sub->suspended || sub->connection == NULL)
			continue;
		sub->suspended = false;
		return sub->connection;
	}
	return NULL;
}

/* Every suspended connection is to be resumed (the worker exits). */
void
pgrest_realtime_resume_all(void)
{
	dlist_iter	iter;

	dlist_foreach(iter, &subscribers)
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, all_node, iter.cur);

		sub->ending = true;
		list_resume(sub);
	}
}

/*
 * The subscriber's connection is gone, or its stream ended: it leaves its
 * cohort (the last one out ends the cohort, the last of a table forgets
 * the table).  Outside the HTTP server's callbacks.
 */
void
pgrest_realtime_unsubscribe(PgrestSubscriber *sub)
{
	if (sub->resume_listed)
		dlist_delete(&sub->resume_node);
	dlist_delete(&sub->all_node);
	nsubscribers--;
	count_role(sub->role, -1);
	leave_cohort(sub);
	pgrest_outbox_free(&sub->out);
	pfree(sub->role);
	pfree(sub);
	if (nsubscribers == 0)
		pgrest_rt_placed = false;	/* a new subscriber places the worker anew */
	publish_counts();
}

/*
 * Queue a frame in a subscriber's outbox, and have its connection
 * resumed.  An event finds the subscriber behind when what it had not
 * sent when this turn of the worker began passes
 * pgrest.realtime_client_buffer (its client did not keep up with the
 * last turns), or what it has not sent now passes
 * PGREST_BURST_BUFFERS times that (a burst larger than a client may
 * take): it then takes no more events this turn, and gets a reset once
 * the turn's batch is over (pgrest_rt_settle).  So is one that finds no
 * memory.
 */
void
pgrest_rt_send_frame(PgrestSubscriber *sub, PgrestFrame *frame, bool event)
{
	size_t		pending = pgrest_outbox_pending(&sub->out);
	size_t		buffer = (size_t) pgrest_realtime_client_buffer;

	if (sub->ending || (event && sub->behind))
		return;
	if (event)
	{
		if (sub->turn != turns)
		{
			sub->turn = turns;
			sub->turn_pending = pending;
		}
		if (sub->turn_pending > buffer || pending > buffer * PGREST_BURST_BUFFERS)
		{
			sub->behind = true;
			return;
		}
	}
	if (!pgrest_outbox_append(&sub->out, frame))
	{
		sub->behind = true;
		return;
	}
	sub->last_write = GetCurrentTimestamp();
	if (event)
		pgrest_shmem_count_realtime_event();
	list_resume(sub);
}

/* The same for a frame of text made here. */
void
pgrest_rt_send(PgrestSubscriber *sub, const char *bytes, size_t len, bool event)
{
	PgrestFrame *frame = pgrest_frame_make(bytes, len);

	if (frame == NULL)
	{
		sub->behind = true;
		return;
	}
	pgrest_rt_send_frame(sub, frame, event);
	pgrest_frame_release(frame);
}

/*
 * An event for every member of a cohort, written once (each member that
 * falls behind on it gets a reset after the batch).
 */
void
pgrest_rt_send_cohort(Cohort *cohort, const char *bytes, size_t len)
{
	PgrestFrame *frame = pgrest_frame_make(bytes, len);
	dlist_iter	iter;

	dlist_foreach(iter, &cohort->members)
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, member_node, iter.cur);

		if (frame == NULL)
			sub->behind = true;
		else
			pgrest_rt_send_frame(sub, frame, true);
	}
	pgrest_frame_release(frame);
}

/*
 * End every stream of a cohort with frame (an "error" event), and the
 * cohort with them: its members leave when their connections complete.
 */
void
pgrest_rt_end_cohort(Cohort *cohort, const char *frame)
{
	dlist_iter	iter;

	/* a new subscription of its identity makes a new cohort */
	if (cohort->live && !cohort->ended)
		hash_search(live_cohorts, &cohort->identity, HASH_REMOVE, NULL);
	cohort->ended = true;
	set_catching(cohort, false);
	dlist_foreach(iter, &cohort->members)
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, member_node, iter.cur);

		pgrest_rt_send(sub, frame, strlen(frame), false);
		sub->ending = true;
		list_resume(sub);
	}
}

/* "<epoch>-<commit LSN>-<seq>", an event's id */
char *
pgrest_rt_id(uint32 epoch, XLogRecPtr lsn, uint32 seq)
{
	return pgrest_realtime_format_id(epoch, lsn, seq);
}

/* "event: reset" with its reason and where the client goes on from */
char *
pgrest_rt_reset_frame(const char *reason, const char *since)
{
	return psprintf("id: %s\nevent: reset\ndata: {\"reason\":\"%s\",\"since\":\"%s\"}\n\n",
					since, reason, since);
}

/* Count a reset sent, by reason, for /metrics. */
void
pgrest_rt_count_reset(const char *reason)
{
	static const char *const reasons[] = {
		"too_old", "new_epoch", "slow_consumer", "too_many_changes"
	};

	for (int i = 0; i < (int) lengthof(reasons); i++)
	{
		if (strcmp(reason, reasons[i]) == 0)
			pgrest_shmem_count_realtime_reset(i);
	}
}

/*
 * A catching-up cohort arrived at the worker's place: it joins the live
 * cohort of its identity, or becomes it.
 */
void
pgrest_rt_make_live(Cohort *cohort)
{
	CohortEntry *entry;
	bool		found;

	set_catching(cohort, false);
	entry = hash_search(live_cohorts, &cohort->identity, HASH_ENTER, &found);
	if (found)
	{
		Cohort	   *live = entry->cohort;
		dlist_mutable_iter iter;

		dlist_foreach_modify(iter, &cohort->members)
		{
			PgrestSubscriber *sub = dlist_container(PgrestSubscriber, member_node, iter.cur);

			dlist_delete(&sub->member_node);
			dlist_push_tail(&live->members, &sub->member_node);
			sub->cohort = live;
			live->nmembers++;
		}
		cohort->nmembers = 0;
		free_cohort(cohort);
		return;
	}
	entry->identity = cohort->identity;
	entry->cohort = cohort;
	cohort->live = true;
	dlist_push_tail(&cohort->table->cohorts, &cohort->table_node);
	index_cohort(cohort);
}

/* once per process: the memory and the hash tables */
static void
setup(void)
{
	HASHCTL		ctl;

	if (realtime_context != NULL)
		return;
	realtime_context = AllocSetContextCreate(TopMemoryContext, "pgrest realtime",
											 ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(CohortEntry);
	ctl.hash = hash_identity;
	ctl.match = match_identity;
	ctl.hcxt = realtime_context;
	live_cohorts = hash_create("pgrest realtime cohorts", 256, &ctl,
							   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Table *) + sizeof(Oid) * 2;
	ctl.hcxt = realtime_context;
	pgrest_rt_tables = hash_create("pgrest realtime tables", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(RoleCount);
	ctl.hcxt = realtime_context;
	roles = hash_create("pgrest realtime roles", 64, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	last_tick = GetCurrentTimestamp();
}

/* the ring must be there and running: else 503, saying why */
static void
check_ring(void)
{
	PgrestRingStatus status;

	if (!pgrest_ring_attached())
		pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
						   "Changes cannot be streamed: pgrest.realtime was off when the server started",
						   NULL,
						   "Set pgrest.realtime = on and restart the server.");
	pgrest_ring_status(&status);
	switch (status.state)
	{
		case PGREST_REALTIME_RUNNING:
			return;
		case PGREST_REALTIME_STARTING:
		case PGREST_REALTIME_CREATING_SLOT:
			pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
							   "Changes cannot be streamed yet: realtime is starting",
							   status.reason[0] ? pstrdup(status.reason) : NULL,
							   "Retry later.");
			break;
		case PGREST_REALTIME_NO_WAL_LEVEL:
			pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
							   "Changes cannot be streamed: wal_level is not logical",
							   status.reason[0] ? pstrdup(status.reason) : NULL,
							   "Set wal_level = logical in postgresql.conf and restart the server.");
			break;
		case PGREST_REALTIME_STANDBY:
			pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
							   "Changes are streamed by the primary server",
							   status.reason[0] ? pstrdup(status.reason) : NULL,
							   "Send requests with Accept: text/event-stream to the primary.");
			break;
		case PGREST_REALTIME_OFF:
		case PGREST_REALTIME_UNAVAILABLE:
			pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
							   "Changes cannot be streamed now",
							   status.reason[0] ? pstrdup(status.reason) : NULL,
							   "The server log says why.");
			break;
	}
}

/* the worker's cap and the role's: 503, to retry later */
static void
check_caps(const char *role)
{
	if (nsubscribers >= pgrest_realtime_max_subscribers)
		pgrest_error_raise(PGREST_ERR_STREAM_FULL,
						   "This server holds as many streams as it may",
						   psprintf("A worker holds at most %d subscribers (pgrest.realtime_max_subscribers).",
									pgrest_realtime_max_subscribers),
						   NULL);
	if (role_count(role) >= pgrest_realtime_max_subscribers_per_role)
		pgrest_error_raise(PGREST_ERR_STREAM_FULL,
						   "This role holds as many streams as it may",
						   psprintf("A worker holds at most %d subscribers of one role (pgrest.realtime_max_subscribers_per_role).",
									pgrest_realtime_max_subscribers_per_role),
						   NULL);
}

static int
role_count(const char *role)
{
	char		key[NAMEDATALEN];
	RoleCount  *entry;

	strlcpy(key, role, NAMEDATALEN);
	entry = hash_search(roles, key, HASH_FIND, NULL);
	return entry ? entry->count : 0;
}

static void
count_role(const char *role, int delta)
{
	char		key[NAMEDATALEN];
	RoleCount  *entry;
	bool		found;

	strlcpy(key, role, NAMEDATALEN);
	entry = hash_search(roles, key, HASH_ENTER, &found);
	if (!found)
		entry->count = 0;
	entry->count += delta;
	if (entry->count <= 0)
		hash_search(roles, key, HASH_REMOVE, NULL);
}

/*
 * The statement with no key: PostgreSQL parses it, binds the filters'
 * values and checks the role's privileges on every column it names, the
 * primary key's included, as it would for the GET, and returns nothing.
 */
static void
dry_run(PgrestStreamSpec *spec)
{
	PgrestQuery *query = spec->query;
	PgrestRowSink sink = {NULL, NULL, NULL, NULL};

	for (int i = 0; i < spec->npkey; i++)
		query->params[i] = "{}";
	run_rows(query, &sink);
	for (int i = 0; i < spec->npkey; i++)
		query->params[i] = NULL;
}

/* rows of a statement to a sink (a NULL row function: dropped) */
static bool
drop_row(void *arg, TupleTableSlot *slot)
{
	return true;
}

static void
run_rows(const PgrestQuery *query, PgrestRowSink *sink)
{
	DestReceiver *dest;

	if (sink->row == NULL)
		sink->row = drop_row;
	dest = pgrest_receiver_sink(sink);
	pgrest_execute_open_rows(query);
	(void) pgrest_execute_fetch_rows(FETCH_ALL, dest);
	pgrest_execute_close_rows();
	dest->rDestroy(dest);
}

/*
 * The prefilter: the top node's conditions eq and in, not negated, on a
 * column (no JSON path) of a canonical type, each value as the column's
 * type writes it.  A value the type does not read is the statement's
 * error (the dry run raised it already).
 */
static List *
prefilters_of(const PgrestPlan *plan)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, plan->read->filters)
	{
		Prefilter  *p = prefilter_of(plan->rel, (const PgrestFilter *) lfirst(lc));

		if (p != NULL)
			result = lappend(result, p);
	}
	return result;
}

static Prefilter *
prefilter_of(const PgrestRelation *rel, const PgrestFilter *filter)
{
	const PgrestColumn *col;
	Prefilter  *p;
	int			i;
	ListCell   *lc;

	if (filter->kind != PGREST_FILTER_CONDITION || filter->negated ||
		filter->embed != NULL || filter->field.path != NIL ||
		filter->quantifier != PGREST_QUANT_NONE ||
		(filter->op != PGREST_OP_EQ && filter->op != PGREST_OP_IN))
		return NULL;
	i = pgrest_schema_column(rel, filter->field.name);
	if (i < 0)
		return NULL;
	col = &rel->columns[i];
	if (!canonical_type(rel->oid, col))
		return NULL;
	p = palloc0(sizeof(Prefilter));
	p->attnum = col->attnum;
	if (filter->op == PGREST_OP_EQ)
	{
		p->values = palloc(sizeof(char *));
		p->values[p->nvalues++] = canonical_value(col, filter->value);
	}
	else
	{
		p->values = palloc(sizeof(char *) * Max(list_length(filter->values), 1));
		foreach(lc, filter->values)
			p->values[p->nvalues++] = canonical_value(col, (const char *) lfirst(lc));
	}
	qsort(p->values, p->nvalues, sizeof(char *), compare_strings);
	return p;
}

/*
 * Types whose output text is one per value, so that a value differs from
 * the filter's exactly when its text does: integers, oids, booleans,
 * uuids, enum labels, and text of a deterministic collation.  (numeric
 * writes 1.0 and 1.00, floats and times depend on settings.)
 */
static bool
canonical_type(Oid relid, const PgrestColumn *col)
{
	Oid			type;
	int32		typmod;
	Oid			collation;

	switch (col->basetype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case BOOLOID:
		case UUIDOID:
			return true;
		case TEXTOID:
		case VARCHAROID:
			get_atttypetypmodcoll(relid, col->attnum, &type, &typmod, &collation);
			return !OidIsValid(collation) || get_collation_isdeterministic(collation);
		default:
			return type_is_enum(col->basetype);
	}
}

/* the column's type's output of its input of value */
static char *
canonical_value(const PgrestColumn *col, const char *value)
{
	Oid			input;
	Oid			ioparam;
	Oid			output;
	bool		varlena;
	Datum		datum;

	getTypeInputInfo(col->type, &input, &ioparam);
	datum = OidInputFunctionCall(input, (char *) value, ioparam, -1);
	getTypeOutputInfo(col->type, &output, &varlena);
	return OidOutputFunctionCall(output, datum);
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* the token's exp, with the clock skew auth.c allows; 0: none */
static TimestampTz
token_expiry(const char *claims)
{
	PgrestJson *json = pgrest_json_read(claims, strlen(claims), PGREST_JSON_MAX_DEPTH);
	const PgrestJson *exp;
	double		seconds;

	if (json == NULL || json->kind != PGREST_JSON_OBJECT)
		return 0;
	exp = pgrest_json_member(json, "exp");
	if (exp == NULL || exp->kind != PGREST_JSON_NUMBER)
		return 0;
	seconds = floor(strtod(exp->text, NULL)) + PGREST_EXP_SKEW;
	if (!(seconds > 0) || seconds > 1e11)
		return 0;
	return time_t_to_timestamptz((pg_time_t) seconds);
}

/*
 * Where the stream starts: at the worker's place; behind it, from the
 * id the client last saw; or at the worker's place after a reset, when
 * that id cannot be resumed from.  A snapshot is taken when asked for,
 * unless the client resumes (it has the rows).
 */
static void
choose_start(PgrestStreamSpec *spec, const PgrestRequest *req)
{
	place_worker();
	spec->start = START_LIVE;
	spec->with_snapshot = req->prefer.snapshot;
	if (!req->last_event_given)
		return;
	if (req->last_event_valid &&
		pgrest_ring_seek(req->last_event.epoch, req->last_event.lsn,
						 req->last_event.seq, &spec->cursor))
	{
		spec->with_snapshot = false;
		if (spec->cursor.epoch == pgrest_rt_place.epoch &&
			spec->cursor.pos >= pgrest_rt_place.pos)
			return;				/* it is where the worker is */
		spec->start = START_RESUME;
		return;
	}
	if (spec->with_snapshot)
		return;					/* the snapshot is the state to go on from */
	spec->start = START_RESET;
	spec->reset_reason = req->last_event_valid &&
		req->last_event.epoch != pgrest_ring_epoch() ? "new_epoch" : "too_old";
}

/* the worker's place in the ring, once it holds subscribers */
static void
place_worker(void)
{
	if (pgrest_rt_placed && pgrest_rt_place.epoch == pgrest_ring_epoch())
		return;
	pgrest_ring_cursor_at_head(&pgrest_rt_place);
	pgrest_rt_placed = true;
}

/*
 * Wait for the transactions that committed but may not be visible yet
 * (their commit was decoded before they left the proc array: under
 * synchronous replication, say), so that a snapshot taken next sees every
 * change before the worker's place.
 */
static void
wait_for_commits(void)
{
	Snapshot	snapshot = GetLatestSnapshot();

	for (uint32 i = 0; i < snapshot->xcnt; i++)
	{
		TransactionId xid = snapshot->xip[i];

		if (TransactionIdDidCommit(xid))
			XactLockTableWait(xid, NULL, NULL, XLTW_None);
	}
}

/*
 * Prefer: snapshot=include: the rows the subscription matches now, each
 * an "event: snapshot", read under a snapshot taken after every change
 * before the worker's place is visible.  Every change after that place
 * comes as an event, so nothing falls between the two (a row may come
 * twice: as it was read here, then as the event of a change it already
 * showed).
 */
static void
take_snapshot(PgrestStreamSpec *spec, const PgrestPlan *plan)
{
	PgrestQuery *query = pgrest_query_stream(plan, false);
	SnapshotSink state = {spec,
		(Size) pgrest_realtime_client_buffer * PGREST_SNAPSHOT_BUFFERS};
	PgrestRowSink sink = {NULL, snapshot_row, NULL, &state};

	wait_for_commits();
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		run_rows(query, &sink);
	}
	PG_FINALLY();
	{
		PopActiveSnapshot();
	}
	PG_END_TRY();
}

/* one row of the snapshot: its keys (text), then its JSON object */
static bool
snapshot_row(void *arg, TupleTableSlot *slot)
{
	SnapshotSink *state = (SnapshotSink *) arg;
	PgrestStreamSpec *spec = state->spec;
	int			npkey = spec->npkey;
	bool		isnull;
	Datum		json = slot_getattr(slot, npkey + 1, &isnull);
	StringInfo	buf = &spec->snapshot;

	appendStringInfo(buf, "event: snapshot\ndata: {%s,\"commit_timestamp\":null,"
					 "\"eventType\":\"SNAPSHOT\",\"new\":%s,\"old\":{}}\n\n",
					 spec->names_json,
					 isnull ? "{}" : TextDatumGetCString(json));
	if (spec->rls)
	{
		StringInfoData key;

		initStringInfo(&key);
		for (int i = 0; i < npkey; i++)
		{
			Datum		value = slot_getattr(slot, i + 1, &isnull);

			if (i > 0)
				appendStringInfoChar(&key, '\0');
			if (!isnull)
				appendBinaryStringInfo(&key, VARDATA_ANY(DatumGetTextPP(value)),
									   VARSIZE_ANY_EXHDR(DatumGetTextPP(value)));
		}
		spec->snapshot_keys = lappend(spec->snapshot_keys,
									  pnstrdup(key.data, key.len));
	}
	if ((Size) buf->len > state->limit)
		pgrest_error_raise(PGREST_ERR_STREAM_SNAPSHOT, NULL,
						   psprintf("A snapshot may take %zu bytes (pgrest.realtime_client_buffer times %d).",
									state->limit, PGREST_SNAPSHOT_BUFFERS),
						   NULL);
	return true;
}

/*
 * What makes two subscriptions one cohort: the same role, claims,
 * statement and parameters, schema, path and events.
 */
static char *
identity_of(PgrestStreamSpec *spec)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%u|%d|", spec->relid, spec->events);
	append_part(&buf, spec->role);
	append_part(&buf, spec->claims);
	append_part(&buf, spec->schema);
	append_part(&buf, spec->path);
	append_part(&buf, spec->query->sql);
	for (int i = spec->npkey; i < spec->query->nparams; i++)
		append_part(&buf, spec->query->params[i]);
	return buf.data;
}

/* a part of an identity, so that no two lists of parts read the same */
static void
append_part(StringInfo buf, const char *part)
{
	if (part == NULL)
		appendStringInfoString(buf, "-|");
	else
		appendStringInfo(buf, "%zu:%s|", strlen(part), part);
}

/* the worker's entry of the table, made on first use */
static Table *
get_table(PgrestStreamSpec *spec)
{
	Table	   *table = pgrest_rt_table(spec->relid);
	MemoryContext old;
	Table	  **slot;
	bool		found;

	if (table != NULL)
		return table;
	table = MemoryContextAllocZero(realtime_context, sizeof(Table));
	table->relid = spec->relid;
	table->context = AllocSetContextCreate(realtime_context, "pgrest realtime table",
										   ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(table->context);
	table->names_json = pstrdup(spec->names_json);
	table->npkey = spec->npkey;
	table->pkey = palloc(sizeof(AttrNumber) * spec->npkey);
	memcpy(table->pkey, spec->pkey, sizeof(AttrNumber) * spec->npkey);
	table->pkey_json = palloc(sizeof(char *) * spec->npkey);
	table->pkey_kind = palloc(spec->npkey);
	for (int i = 0; i < spec->npkey; i++)
	{
		table->pkey_json[i] = pstrdup(spec->pkey_json[i]);
		table->pkey_kind[i] = spec->pkey_kind[i];
	}
	MemoryContextSwitchTo(old);
	dlist_init(&table->cohorts);
	dlist_init(&table->unindexed);
	slot = hash_search(pgrest_rt_tables, &spec->relid, HASH_ENTER, &found);
	*(Table **) ((char *) slot + sizeof(Oid) * 2) = table;
	return table;
}

/* The worker's entry of a table, or NULL. */
Table *
pgrest_rt_table(Oid relid)
{
	char	   *slot;

	if (pgrest_rt_tables == NULL)
		return NULL;
	slot = hash_search(pgrest_rt_tables, &relid, HASH_FIND, NULL);
	return slot ? *(Table **) (slot + sizeof(Oid) * 2) : NULL;
}

/* the table has no cohort left: the ring is told, the entry goes */
static void
release_table(Table *table)
{
	Oid			relid = table->relid;

	pgrest_ring_forget(relid);
	hash_search(pgrest_rt_tables, &relid, HASH_REMOVE, NULL);
	MemoryContextDelete(table->context);
	pfree(table);
}

/*
 * Tell the ring which of the table's columns this worker's cohorts
 * prefilter on (and so that the worker listens to the table), when that
 * set changed.
 */
static void
want_columns(Table *table)
{
	AttrNumber	attnums[64];
	int			n = 0;
	dlist_iter	iter;
	bool		same;

	dlist_foreach(iter, &pgrest_rt_cohorts)
	{
		Cohort	   *cohort = dlist_container(Cohort, all_node, iter.cur);
		ListCell   *lc;

		if (cohort->table != table)
			continue;
		foreach(lc, cohort->prefilters)
		{
			AttrNumber	attnum = ((Prefilter *) lfirst(lc))->attnum;
			bool		have = false;

			for (int i = 0; i < n; i++)
				have = have || attnums[i] == attnum;
			if (!have && n < (int) lengthof(attnums))
				attnums[n++] = attnum;
		}
	}
	same = table->wanted != NULL && table->nwanted == n;
	for (int i = 0; same && i < n; i++)
		same = table->wanted[i] == attnums[i];
	if (same)
		return;
	if (!pgrest_ring_want_columns(table->relid, attnums, n))
		ereport(LOG,
				(errmsg("pgrest realtime could not listen to the changes of table %u: the ring's table of listeners is full",
						table->relid)));
	if (table->wanted != NULL)
		pfree(table->wanted);
	table->wanted = MemoryContextAlloc(table->context, sizeof(AttrNumber) * Max(n, 1));
	memcpy(table->wanted, attnums, sizeof(AttrNumber) * n);
	table->nwanted = n;
}

/* a cohort for spec's identity, live or catching up */
static Cohort *
new_cohort(PgrestStreamSpec *spec, Table *table, bool live)
{
	MemoryContext context = AllocSetContextCreate(realtime_context, "pgrest realtime cohort",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	Cohort	   *cohort = palloc0(sizeof(Cohort));
	PgrestQuery *query = palloc0(sizeof(PgrestQuery));
	ListCell   *lc;

	cohort->context = context;
	cohort->identity = pstrdup(spec->identity);
	cohort->table = table;
	cohort->role = pstrdup(spec->role);
	cohort->claims = pstrdup(spec->claims);
	cohort->schema = pstrdup(spec->schema);
	cohort->path = pstrdup(spec->path);
	*query = *spec->query;
	query->sql = pstrdup(spec->query->sql);
	query->params = palloc0(sizeof(char *) * Max(query->nparams, 1));
	for (int i = spec->npkey; i < query->nparams; i++)
		query->params[i] = spec->query->params[i] ? pstrdup(spec->query->params[i]) : NULL;
	cohort->query = query;
	cohort->events = spec->events;
	cohort->rls = spec->rls;
	foreach(lc, spec->prefilters)
	{
		Prefilter  *from = (Prefilter *) lfirst(lc);
		Prefilter  *p = palloc(sizeof(Prefilter));

		p->attnum = from->attnum;
		p->nvalues = from->nvalues;
		p->values = palloc(sizeof(char *) * Max(p->nvalues, 1));
		for (int i = 0; i < p->nvalues; i++)
			p->values[i] = pstrdup(from->values[i]);
		cohort->prefilters = lappend(cohort->prefilters, p);
	}
	cohort->expires = spec->expires;
	dlist_init(&cohort->members);
	MemoryContextSwitchTo(old);

	dlist_push_tail(&pgrest_rt_cohorts, &cohort->all_node);
	table->ncohorts++;
	ncohorts++;
	if (cohort->expires != 0 && (next_expiry == 0 || cohort->expires < next_expiry))
		next_expiry = cohort->expires;
	if (live)
		pgrest_rt_make_live(cohort);
	else
		set_catching(cohort, true);
	return cohort;
}


/*
 * A live cohort joins its table's index: under the values of its first
 * prefilter, or among the table's cohorts without one.
 */
static void
index_cohort(Cohort *cohort)
{
	Table	   *table = cohort->table;
	Prefilter  *p;
	IndexedColumn *column = NULL;
	MemoryContext old;
	ListCell   *lc;

	if (cohort->prefilters == NIL)
	{
		dlist_push_tail(&table->unindexed, &cohort->unindexed_node);
		return;
	}
	p = linitial(cohort->prefilters);
	cohort->indexed = p;
	old = MemoryContextSwitchTo(table->context);
	if (table->index == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(uint64);
		ctl.entrysize = sizeof(IndexEntry);
		ctl.hcxt = table->context;
		table->index = hash_create("pgrest realtime prefilter", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	foreach(lc, table->indexed)
	{
		if (((IndexedColumn *) lfirst(lc))->attnum == p->attnum)
			column = lfirst(lc);
	}
	if (column == NULL)
	{
		column = palloc0(sizeof(IndexedColumn));
		column->attnum = p->attnum;
		table->indexed = lappend(table->indexed, column);
	}
	column->cohorts = lappend(column->cohorts, cohort);
	for (int i = 0; i < p->nvalues; i++)
	{
		uint64		hash = pgrest_rt_value_hash(p->attnum, p->values[i],
												strlen(p->values[i]));
		IndexEntry *entry;
		bool		found;

		entry = hash_search(table->index, &hash, HASH_ENTER, &found);
		if (!found)
			entry->cohorts = NIL;
		if (!list_member_ptr(entry->cohorts, cohort))
			entry->cohorts = lappend(entry->cohorts, cohort);
	}
	MemoryContextSwitchTo(old);
}

/* A live cohort leaves its table's index. */
static void
unindex_cohort(Cohort *cohort)
{
	Table	   *table = cohort->table;
	Prefilter  *p = cohort->indexed;
	ListCell   *lc;

	if (p == NULL)
	{
		dlist_delete(&cohort->unindexed_node);
		return;
	}
	foreach(lc, table->indexed)
	{
		IndexedColumn *column = (IndexedColumn *) lfirst(lc);

		if (column->attnum == p->attnum)
			column->cohorts = list_delete_ptr(column->cohorts, cohort);
	}
	for (int i = 0; i < p->nvalues; i++)
	{
		uint64		hash = pgrest_rt_value_hash(p->attnum, p->values[i],
												strlen(p->values[i]));
		IndexEntry *entry = hash_search(table->index, &hash, HASH_FIND, NULL);

		if (entry == NULL)
			continue;
		entry->cohorts = list_delete_ptr(entry->cohorts, cohort);
		if (entry->cohorts == NIL)
			hash_search(table->index, &hash, HASH_REMOVE, NULL);
	}
	cohort->indexed = NULL;
}

/* The hash a prefilter's value is indexed by. */
uint64
pgrest_rt_value_hash(AttrNumber attnum, const char *value, size_t len)
{
	return hash_bytes_extended((const unsigned char *) value, (int) len,
							   (uint64) attnum);
}

/* A cohort starts or stops catching up: counted in ncatching. */
static void
set_catching(Cohort *cohort, bool catching)
{
	if (cohort->catching == catching)
		return;
	cohort->catching = catching;
	ncatching += catching ? 1 : -1;
}

/*
 * A cohort without members goes: out of the index and the lists, its
 * memory freed; its table too when it was the table's last.
 */
static void
free_cohort(Cohort *cohort)
{
	Table	   *table = cohort->table;

	Assert(cohort->nmembers == 0);
	set_catching(cohort, false);
	if (cohort->live)
	{
		if (!cohort->ended)
			hash_search(live_cohorts, &cohort->identity, HASH_REMOVE, NULL);
		dlist_delete(&cohort->table_node);
		unindex_cohort(cohort);
	}
	if (cohort->in_batch)
		dlist_delete(&cohort->batch_node);
	dlist_delete(&cohort->all_node);
	if (cohort->known != NULL)
		hash_destroy(cohort->known);
	MemoryContextDelete(cohort->context);
	ncohorts--;
	if (--table->ncohorts == 0)
		release_table(table);
	else
		want_columns(table);
}

/* a subscriber in a cohort, counted for its role and the worker */
static PgrestSubscriber *
new_subscriber(Cohort *cohort, const char *role)
{
	PgrestSubscriber *sub = palloc0(sizeof(PgrestSubscriber));

	sub->cohort = cohort;
	sub->role = pstrdup(role);
	sub->last_write = GetCurrentTimestamp();
	dlist_push_tail(&cohort->members, &sub->member_node);
	cohort->nmembers++;
	dlist_push_tail(&subscribers, &sub->all_node);
	nsubscribers++;
	count_role(role, 1);
	return sub;
}

/* the subscriber leaves its cohort; the last one out ends it */
static void
leave_cohort(PgrestSubscriber *sub)
{
	Cohort	   *cohort = sub->cohort;

	dlist_delete(&sub->member_node);
	if (--cohort->nmembers == 0)
		free_cohort(cohort);
}

/*
 * The stream's first frames: the reconnection delay, the snapshot's rows,
 * "ready" with the place the stream starts from (its id, as any event's,
 * for Last-Event-ID), and a reset when the id the client gave cannot be
 * resumed from.
 */
static void
write_start(PgrestSubscriber *sub, PgrestStreamSpec *spec)
{
	char	   *since;
	char	   *frame;

	if (spec->start == START_RESUME)
		since = pgrest_rt_id(spec->cursor.epoch, spec->cursor.lsn, spec->cursor.seq);
	else
		since = place_id(&pgrest_rt_place);
	frame = psprintf("retry: %d\n\n", PGREST_EVENTS_RETRY);
	append_text(sub, frame);
	if (spec->snapshot.len > 0)
		append_text(sub, pg_server_to_any(spec->snapshot.data, spec->snapshot.len, PG_UTF8));
	if (sub->cohort != NULL && sub->cohort->rls)
	{
		ListCell   *lc;

		foreach(lc, spec->snapshot_keys)
			pgrest_rt_know(sub->cohort, (const char *) lfirst(lc), true);
	}
	frame = psprintf("id: %s\nevent: ready\ndata: {\"since\":\"%s\"}\n\n", since, since);
	append_text(sub, frame);
	if (spec->start == START_RESET)
	{
		frame = pgrest_rt_reset_frame(spec->reset_reason, since);
		append_text(sub, frame);
		if (sub->cohort != NULL)
			pgrest_rt_count_reset(spec->reset_reason);
	}
	sub->last_write = GetCurrentTimestamp();
}

/*
 * The start of a stream, into its outbox, whatever its size (the
 * snapshot has a limit of its own); a stream that finds no memory for it
 * ends.
 */
static void
append_text(PgrestSubscriber *sub, const char *bytes)
{
	PgrestFrame *frame = pgrest_frame_make(bytes, strlen(bytes));

	if (frame == NULL || !pgrest_outbox_append(&sub->out, frame))
		sub->ending = true;
	pgrest_frame_release(frame);
}

/* the id of a cursor's place: the last change it passed, or a place */
static char *
place_id(const PgrestRingCursor *cursor)
{
	return pgrest_rt_id(cursor->epoch, cursor->lsn, cursor->seq);
}

/* the subscriber has bytes for a suspended connection: have it resumed */
static void
list_resume(PgrestSubscriber *sub)
{
	if (!sub->suspended || sub->resume_listed)
		return;
	dlist_push_tail(&resume_list, &sub->resume_node);
	sub->resume_listed = true;
}

/*
 * After a batch: each member of the cohort that fell behind drops what
 * its outbox held and gets a reset from since; the second time within a
 * minute its stream ends there.
 */
void
pgrest_rt_settle(Cohort *cohort, const char *since)
{
	dlist_iter	iter;

	dlist_foreach(iter, &cohort->members)
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, member_node, iter.cur);
		TimestampTz now;
		char	   *frame;

		if (!sub->behind)
			continue;
		sub->behind = false;
		if (sub->ending)
			continue;
		now = GetCurrentTimestamp();
		pgrest_outbox_drop(&sub->out);
		frame = pgrest_rt_reset_frame("slow_consumer", since);
		pgrest_rt_send(sub, frame, strlen(frame), false);
		pgrest_rt_count_reset("slow_consumer");
		if (sub->behind_at != 0 &&
			!TimestampDifferenceExceeds(sub->behind_at, now, PGREST_BEHIND_WINDOW_MS))
		{
			sub->ending = true;
			list_resume(sub);
		}
		sub->behind_at = now;
		pfree(frame);
	}
}

/* when the next heartbeat is due (pgrest.realtime_heartbeat may change) */
static TimestampTz
next_tick(void)
{
	return TimestampTzPlusMilliseconds(last_tick, Max(pgrest_realtime_heartbeat, 100));
}

/*
 * The heartbeat: a comment line to each subscriber that sent nothing for
 * half of pgrest.realtime_heartbeat, and the tables' check.
 */
static void
tick(TimestampTz now)
{
	dlist_iter	iter;
	PgrestFrame *heartbeat = pgrest_frame_make(":\n\n", 3);
	int			interval = Max(pgrest_realtime_heartbeat, 100);

	last_tick = now;
	dlist_foreach(iter, &subscribers)
	{
		PgrestSubscriber *sub = dlist_container(PgrestSubscriber, all_node, iter.cur);

		if (heartbeat != NULL && !sub->ending &&
			TimestampDifferenceExceeds(sub->last_write, now, interval / 2))
			pgrest_rt_send_frame(sub, heartbeat, false);
	}
	pgrest_frame_release(heartbeat);
	check_tables();
}

/*
 * In one transaction as pgrest.role: each cohort's table must still be
 * in the schema cache and in the publication; the streams of one that is
 * not end with an error (DROP TABLE, ALTER PUBLICATION ... DROP TABLE).
 */
static void
check_tables(void)
{
	ErrorData  *edata;
	MemoryContext cxt = CurrentMemoryContext;

	if (IsTransactionState())
		return;
	pgrest_state_reset();
	edata = pgrest_execute_transaction(check_tables_body, NULL, false);
	MemoryContextSwitchTo(cxt);
	if (edata != NULL)
	{
		ereport(LOG,
				(errmsg("pgrest realtime could not check its tables: %s", edata->message)));
		FreeErrorData(edata);
	}
}

static void
check_tables_body(void *arg)
{
	HASH_SEQ_STATUS status;
	char	   *slot;
	List	   *gone = NIL;
	ListCell   *lc;

	pgrest_schema_refresh();
	hash_seq_init(&status, pgrest_rt_tables);
	while ((slot = hash_seq_search(&status)) != NULL)
	{
		Table	   *table = *(Table **) (slot + sizeof(Oid) * 2);
		char	   *frame = NULL;

		if (!served(table->relid))
			frame = pgrest_rt_error_frame("PGRST205",
										  "The table of this stream is gone",
										  "The table was dropped, renamed out of the exposed schemas, or its privileges revoked.",
										  NULL);
		else if (!pgrest_plan_in_publication(table->relid))
			frame = pgrest_rt_error_frame("PGRST521",
										  psprintf("The table is not in the publication \"%s\" any more",
												   pgrest_realtime_publication),
										  NULL, NULL);
		if (frame != NULL)
			gone = lappend(gone, list_make2(table, frame));
	}
	foreach(lc, gone)
	{
		List	   *pair = (List *) lfirst(lc);
		Table	   *table = linitial(pair);
		dlist_iter	iter;

		dlist_foreach(iter, &pgrest_rt_cohorts)
		{
			Cohort	   *cohort = dlist_container(Cohort, all_node, iter.cur);

			if (cohort->table == table)
				pgrest_rt_end_cohort(cohort, lsecond(pair));
		}
	}
}

/* whether the schema cache holds the relation (by oid) */
static bool
served(Oid relid)
{
	ListCell   *lc;

	foreach(lc, pgrest_schema_relations())
	{
		if (((PgrestRelation *) lfirst(lc))->oid == relid)
			return true;
	}
	return false;
}

/*
 * Tokens that expired: their cohorts' streams end with PGRST303, as a
 * request with that token would be answered.
 */
static void
expire(TimestampTz now)
{
	dlist_iter	iter;
	char	   *frame = NULL;

	next_expiry = 0;
	dlist_foreach(iter, &pgrest_rt_cohorts)
	{
		Cohort	   *cohort = dlist_container(Cohort, all_node, iter.cur);

		if (cohort->expires == 0)
			continue;
		if (cohort->expires <= now)
		{
			if (frame == NULL)
				frame = pgrest_rt_error_frame("PGRST303", "JWT expired", NULL, NULL);
			pgrest_rt_end_cohort(cohort, frame);
			cohort->expires = 0;
		}
		else if (next_expiry == 0 || cohort->expires < next_expiry)
			next_expiry = cohort->expires;
	}
}

/* "event: error" with a PostgREST error object */
char *
pgrest_rt_error_frame(const char *code, const char *message,
					  const char *details, const char *hint)
{
	StringInfoData buf;
	char	   *utf8;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "event: error\ndata: ");
	pgrest_error_append_body(&buf, code, message, details, false, hint);
	appendStringInfoString(&buf, "\n\n");
	utf8 = pg_server_to_any(buf.data, buf.len, PG_UTF8);
	return utf8 == buf.data ? buf.data : utf8;
}

/* the live cohorts are found by their identity's text */
static uint32
hash_identity(const void *key, Size keysize)
{
	const char *identity = *(const char *const *) key;

	return hash_bytes((const unsigned char *) identity, strlen(identity));
}

static int
match_identity(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

/*
 * The streams' samples for /metrics and pgrest.stats() (a metrics
 * source): every worker's, summed.
 */
void
pgrest_realtime_subscriber_metrics(PgrestSampleFn fn, void *arg)
{
	static const char *const reasons[PGREST_RESET_REASONS] = {
		"too_old", "new_epoch", "slow_consumer", "too_many_changes"
	};
	PgrestStats *stats = palloc(sizeof(PgrestStats));
	char		labels_json[64];
	char		labels_text[64];

	pgrest_shmem_collect(stats);
	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_subscribers Streams of table changes the workers hold open now.\n"
	   "# TYPE pgrest_realtime_subscribers gauge\n", 0);
	fn(arg, "pgrest_realtime_subscribers", "{}", "", (double) stats->realtime.subscribers);
	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_cohorts Groups of streams that share one statement per batch.\n"
	   "# TYPE pgrest_realtime_cohorts gauge\n", 0);
	fn(arg, "pgrest_realtime_cohorts", "{}", "", (double) stats->realtime.cohorts);
	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_events_total Change events the workers sent to streams.\n"
	   "# TYPE pgrest_realtime_events_total counter\n", 0);
	fn(arg, "pgrest_realtime_events_total", "{}", "", (double) stats->realtime.events);
	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_statements_total Statements the workers ran for cohorts of streams.\n"
	   "# TYPE pgrest_realtime_statements_total counter\n", 0);
	fn(arg, "pgrest_realtime_statements_total", "{}", "", (double) stats->realtime.statements);
	fn(arg, NULL, NULL,
	   "# HELP pgrest_realtime_resets_total Streams told to refetch and go on, by reason.\n"
	   "# TYPE pgrest_realtime_resets_total counter\n", 0);
	for (int r = 0; r < PGREST_RESET_REASONS; r++)
	{
		snprintf(labels_json, sizeof(labels_json), "{\"reason\": \"%s\"}", reasons[r]);
		snprintf(labels_text, sizeof(labels_text), "{reason=\"%s\"}", reasons[r]);
		fn(arg, "pgrest_realtime_resets_total", labels_json, labels_text,
		   (double) stats->realtime.resets[r]);
	}
	pfree(stats);
}

/* the worker's subscribers and cohorts, for /metrics */
static void
publish_counts(void)
{
	pgrest_shmem_set_realtime(nsubscribers, ncohorts);
}
