/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Decide what a parsed request does: which exposed schema, which
 *	  relation, which outputs, filters, order and range.
 *
 * Names from the request are looked up in the schema cache; unknown
 * relations, schemas and methods become 404/405/406 errors here, before
 * any SQL runs.  Unknown columns are left to PostgreSQL, which reports
 * them (42703) when the statement is parsed, as it does for PostgREST.
 * Casts in select= are resolved to a type here, so only PostgreSQL's own
 * spelling of a type name ever reaches the SQL text.  Privileges are not
 * checked here: PostgreSQL checks them when the statement runs as the
 * request's role.
 *
 * This file reads the catalogs (schema cache, type names) but runs no
 * SQL; it needs a transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan/layer.h"

#include "lib/stringinfo.h"
#include "parser/parser.h"
#include "parser/parse_type.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "base/error.h"
#include "plan/fuzzy.h"
#include "plan/media.h"
#include "server/guc.h"
#include "plan/plan.h"
#include "plan/readplan.h"
#include "plan/subscription.h"
#include "cache/schema.h"
#include "api/request.h"

static void choose_schema(const PgrestRequest *req, PgrestPlan *plan);
static void require_read_method(const PgrestRequest *req, PgrestPlan *plan);
static void unsupported_method(const PgrestRequest *req) pg_attribute_noreturn();
static PgrestRelation *resolve_relation(const PgrestPlan *plan, const char *name);
static char *table_hint(const char *schema, const char *name);
static void plan_transaction_end(const PgrestRequest *req, PgrestPlan *plan);
static void plan_relation(const PgrestRequest *req, PgrestPlan *plan);
static void plan_read(const PgrestRequest *req, PgrestPlan *plan);
static void plan_subscribe(const PgrestRequest *req, PgrestPlan *plan);
static bool written_row_by_row(const PgrestPlan *plan);
static void plan_returned_rows(const PgrestRequest *req, PgrestPlan *plan,
							   const char *origin_name, bool top_level);
static void plan_insert(const PgrestRequest *req, PgrestPlan *plan);
static void plan_update_or_delete(const PgrestRequest *req, PgrestPlan *plan);
static void plan_put(const PgrestRequest *req, PgrestPlan *plan);
static List *put_key_from_filters(PgrestPlan *plan);
static void put_filters_invalid(void) pg_attribute_noreturn();
static void plan_write(const PgrestRequest *req, PgrestPlan *plan);
static void plan_call(const PgrestRequest *req, PgrestPlan *plan);
static void plan_sql(const PgrestRequest *req, PgrestPlan *plan);
static void plan_info(const PgrestRequest *req, PgrestPlan *plan);
static PgrestRoutine *choose_routine(const PgrestRequest *req, const PgrestPlan *plan,
									 List *names, bool *call_body);
static void no_routine(const PgrestRequest *req, const PgrestPlan *plan,
					   List *overloads, List *names) pg_attribute_noreturn();
static char *names_list(List *names);
static int	compare_names(const ListCell *a, const ListCell *b);
static bool routine_takes(const PgrestRoutine *routine, List *names);
static bool takes_body(const PgrestRoutine *routine, const PgrestPayload *payload);
static bool name_in(List *names, const char *name);
static const PgrestRoutineArg *routine_arg(const PgrestRoutine *routine, const char *name);
static char *routine_signature(const PgrestRoutine *routine);
static PgrestRelation *scalar_result(const PgrestRoutine *routine);
static int	column_index(const PgrestRelation *rel, const char *name);
static void no_single_key(const PgrestRelation *rel) pg_attribute_noreturn();
static void add_key_filter(const PgrestRequest *req, PgrestPlan *plan);

/* Plan the request; raises a pgrest error for what cannot be served. */
PgrestPlan *
pgrest_plan_build(const PgrestRequest *req)
{
	PgrestPlan *plan = palloc0(sizeof(PgrestPlan));

	plan->max_affected = -1;
	choose_schema(req, plan);
	if (req->method == PGREST_METHOD_OPTIONS)
	{
		plan_info(req, plan);
		return plan;
	}
	plan_transaction_end(req, plan);
	switch (req->target)
	{
		case PGREST_TARGET_ROOT:
			require_read_method(req, plan);
			if (pgrest_root_spec[0] != '\0')
			{
				/* pgrest.root_spec: GET / calls that function instead */
				PgrestRequest call = *req;

				call.target = PGREST_TARGET_ROUTINE;
				call.name = pgrest_root_spec;
				plan_call(&call, plan);
				break;
			}
			plan->kind = PGREST_PLAN_OPENAPI;
			break;
		case PGREST_TARGET_SQL:
			plan_sql(req, plan);
			break;
		case PGREST_TARGET_RELATION:
		case PGREST_TARGET_ROW:
			plan->rel = resolve_relation(plan, req->name);
			plan_relation(req, plan);
			break;
		case PGREST_TARGET_ROUTINE:
			plan_call(req, plan);
			break;
		case PGREST_TARGET_NONE:
			elog(ERROR, "a path that names nothing reached the planner");
	}
	plan->row_by_row = written_row_by_row(plan);
	return plan;
}

/*
 * Whether the body is written row by row as a portal yields the rows
 * (stream.c), so that a large one can be streamed: JSON arrays and CSV of
 * reads and of functions returning sets, and NDJSON.  Single objects,
 * GeoJSON, a function's single value and the rows a write returns are
 * aggregated by the statement itself.
 */
static bool
written_row_by_row(const PgrestPlan *plan)
{
	if (!plan->with_body ||
		(plan->kind != PGREST_PLAN_READ && plan->kind != PGREST_PLAN_CALL))
		return false;
	switch (plan->media)
	{
		case PGREST_MEDIA_NDJSON:
			return true;
		case PGREST_MEDIA_JSON:
		case PGREST_MEDIA_CSV:
			return plan->kind == PGREST_PLAN_READ || plan->call.routine->returns_set;
		default:
			return false;
	}
}

/* the method decides what happens to the relation (or its row) */
static void
plan_relation(const PgrestRequest *req, PgrestPlan *plan)
{
	bool		row = req->target == PGREST_TARGET_ROW;

	/* a stream of changes is read with GET only */
	if (req->media == PGREST_MEDIA_EVENT_STREAM && req->method != PGREST_METHOD_GET)
		pgrest_error_raise(PGREST_ERR_MEDIA,
						   psprintf("None of these media types are available: %s",
									pgrest_request_header(req, "accept")),
						   psprintf("A stream of changes is read with GET, not %s.",
									req->method_name),
						   NULL);
	switch (req->method)
	{
		case PGREST_METHOD_GET:
		case PGREST_METHOD_HEAD:
			require_read_method(req, plan);
			if (req->media == PGREST_MEDIA_EVENT_STREAM)
				plan_subscribe(req, plan);
			else
				plan_read(req, plan);
			break;
		case PGREST_METHOD_POST:
			if (row)
				unsupported_method(req);
			plan_insert(req, plan);
			break;
		case PGREST_METHOD_PATCH:
		case PGREST_METHOD_DELETE:
			plan_update_or_delete(req, plan);
			break;
		case PGREST_METHOD_PUT:
			plan_put(req, plan);
			break;
		default:
			unsupported_method(req);
	}
	if (row && plan->kind != PGREST_PLAN_PUT)
		add_key_filter(req, plan);
}

/*
 * OPTIONS: the methods the path takes, as PostgREST computes them from
 * the schema cache.  A relation takes GET and HEAD, and the writes
 * PostgreSQL would run on it (a view: those its automatic updatability,
 * rules or INSTEAD OF triggers allow); PUT needs a primary key besides
 * inserts and updates.  A function takes GET and HEAD unless it is
 * VOLATILE.  What does not exist is 404, as for any other method.
 */
static void
plan_info(const PgrestRequest *req, PgrestPlan *plan)
{
	StringInfoData allow;

	plan->kind = PGREST_PLAN_INFO;
	plan->read_only = true;
	initStringInfo(&allow);
	appendStringInfoString(&allow, "OPTIONS");
	switch (req->target)
	{
		case PGREST_TARGET_ROOT:
			if (pgrest_openapi_mode == PGREST_OPENAPI_DISABLED)
				pgrest_error_raise(PGREST_ERR_OPENAPI_OFF,
								   "Root endpoint metadata is disabled", NULL, NULL);
			appendStringInfoString(&allow, ",GET,HEAD");
			break;
		case PGREST_TARGET_RELATION:
		case PGREST_TARGET_ROW:
			{
				int			events;
				bool		row = req->target == PGREST_TARGET_ROW;

				plan->rel = resolve_relation(plan, req->name);
				if (row && plan->rel->npkey != 1)
					no_single_key(plan->rel);
				events = pgrest_schema_writable(plan->rel);
				appendStringInfoString(&allow, ",GET,HEAD");
				if (!row && (events & (1 << CMD_INSERT)))
					appendStringInfoString(&allow, ",POST");
				if ((events & (1 << CMD_INSERT)) && (events & (1 << CMD_UPDATE)) &&
					plan->rel->npkey > 0)
					appendStringInfoString(&allow, ",PUT");
				if (events & (1 << CMD_UPDATE))
					appendStringInfoString(&allow, ",PATCH");
				if (events & (1 << CMD_DELETE))
					appendStringInfoString(&allow, ",DELETE");
				break;
			}
		case PGREST_TARGET_ROUTINE:
			{
				List	   *names = NIL;
				ListCell   *lc;
				bool		body;
				PgrestRoutine *routine;

				/* chosen as HEAD would choose it, by its query parameters */
				foreach(lc, req->rpc_args)
				{
					char	   *name = ((PgrestParam *) lfirst(lc))->name;

					if (!name_in(names, name))
						names = lappend(names, name);
				}
				routine = choose_routine(req, plan, names, &body);
				if (routine->volatility != PROVOLATILE_VOLATILE)
					appendStringInfoString(&allow, ",GET,HEAD");
				appendStringInfoString(&allow, ",POST");
				break;
			}
		case PGREST_TARGET_SQL:
		case PGREST_TARGET_NONE:
			elog(ERROR, "OPTIONS of a path that names no resource reached the planner");
	}
	plan->allow = allow.data;
}

/*
 * pgrest.tx_end decides whether the transaction commits; its
 * *-allow-override values let Prefer: tx=commit|rollback decide.
 */
static void
plan_transaction_end(const PgrestRequest *req, PgrestPlan *plan)
{
	bool		allow = pgrest_tx_end == PGREST_TX_COMMIT_ALLOW_OVERRIDE ||
		pgrest_tx_end == PGREST_TX_ROLLBACK_ALLOW_OVERRIDE;

	plan->rollback = pgrest_tx_end == PGREST_TX_ROLLBACK ||
		pgrest_tx_end == PGREST_TX_ROLLBACK_ALLOW_OVERRIDE;
	if (allow && req->prefer.tx != PGREST_TX_NONE)
	{
		plan->rollback = req->prefer.tx == PGREST_TX_ROLLBACK_PREFERRED;
		plan->tx_applied = true;
	}
}

/*
 * The first exposed schema, or the one a profile header names; a schema
 * that is not exposed is 406 PGRST106, whose hint lists the exposed ones
 * by name, as PostgREST does.  As in PostgREST, the response names its
 * schema when a profile chose it or more than one is exposed.
 */
static void
choose_schema(const PgrestRequest *req, PgrestPlan *plan)
{
	List	   *schemas = pgrest_guc_schema_list();
	ListCell   *lc;
	StringInfoData names;

	plan->schema = linitial(schemas);
	plan->profile_named = list_length(schemas) > 1;
	if (req->profile == NULL)
		return;
	initStringInfo(&names);
	foreach(lc, schemas)
	{
		if (strcmp((char *) lfirst(lc), req->profile) == 0)
		{
			plan->schema = lfirst(lc);
			plan->profile_named = true;
			return;
		}
		appendStringInfo(&names, "%s%s", names.len > 0 ? ", " : "", (char *) lfirst(lc));
	}
	pgrest_error_raise(PGREST_ERR_SCHEMA,
					   psprintf("Invalid schema: %s", req->profile),
					   NULL,
					   psprintf("Only the following schemas are exposed: %s", names.data));
}

/* GET and HEAD read; every other method is refused for now */
static void
require_read_method(const PgrestRequest *req, PgrestPlan *plan)
{
	if (req->method != PGREST_METHOD_GET && req->method != PGREST_METHOD_HEAD)
		unsupported_method(req);
	plan->read_only = true;
	plan->with_body = req->method == PGREST_METHOD_GET;
}

static void
unsupported_method(const PgrestRequest *req)
{
	pgrest_error_raise(PGREST_ERR_METHOD,
					   psprintf("Unsupported HTTP method: %s", req->method_name),
					   NULL, NULL);
}

/* A table, view, materialized view or foreign table of the schema. */
static PgrestRelation *
resolve_relation(const PgrestPlan *plan, const char *name)
{
	PgrestRelation *rel = pgrest_schema_relation(plan->schema, name);

	if (rel == NULL)
		pgrest_error_raise(PGREST_ERR_NO_TABLE,
						   psprintf("Could not find the table '%s.%s' in the schema cache",
									plan->schema, name),
						   NULL, table_hint(plan->schema, name));
	return rel;
}

/*
 * "Perhaps you meant the table 's.t'": a relation of the schema at least
 * 0.75 similar, as PostgREST suggests (not for schemas of 500 or more).
 */
static char *
table_hint(const char *schema, const char *name)
{
	List	   *names = NIL;
	const char *best;
	ListCell   *lc;

	foreach(lc, pgrest_schema_relations())
	{
		PgrestRelation *rel = (PgrestRelation *) lfirst(lc);

		if (strcmp(rel->schema, schema) == 0)
			names = lappend(names, rel->name);
	}
	if (list_length(names) >= 500)
		return NULL;
	best = pgrest_fuzzy_best_scored(names, name, 0.75);
	return best ? psprintf("Perhaps you meant the table '%s.%s'", schema, best) : NULL;
}

static void
plan_read(const PgrestRequest *req, PgrestPlan *plan)
{
	plan->kind = PGREST_PLAN_READ;
	plan_returned_rows(req, plan, plan->rel->name, true);
	plan->read->offset = req->offset;
	plan->read->limit = req->limit;
	plan->max_rows = pgrest_max_rows;
	if (pgrest_max_rows > 0)
		plan->read->limit = plan->read->limit < 0 ? pgrest_max_rows :
			Min(plan->read->limit, pgrest_max_rows);
}

/*
 * GET with Accept: text/event-stream: the rows of the table that change,
 * shaped as the same GET would shape them (subscription.c refuses what
 * cannot stream).  No range, no pgrest.max_rows: a stream has no page.
 */
static void
plan_subscribe(const PgrestRequest *req, PgrestPlan *plan)
{
	pgrest_plan_stream_server(req);
	plan->kind = PGREST_PLAN_SUBSCRIBE;
	plan->read = pgrest_readplan_build(plan, req, plan->rel, plan->rel->name, true);
	plan->read->limit = -1;
	plan->media = PGREST_MEDIA_EVENT_STREAM;	/* not negotiated: media.c knows no stream */
	pgrest_plan_stream_check(req, plan);
}

/*
 * What every statement shares: the tree of the rows it returns (see
 * readplan.c), count, format (media.c).  With top_level the request's filters and
 * range shape those rows; writes apply their filters to what they write.
 */
static void
plan_returned_rows(const PgrestRequest *req, PgrestPlan *plan,
				   const char *origin_name, bool top_level)
{
	plan->read = pgrest_readplan_build(plan, req, plan->rel, origin_name, top_level);
	if (!top_level)
		plan->mutate.filters = list_copy(req->filters);
	plan->read->limit = -1;
	plan->count = req->prefer.count;
	pgrest_media_choose(req, plan, top_level);
}

/*
 * POST: insert the payload's rows; with Prefer: resolution, an upsert on
 * on_conflict= (default: the primary key).
 */
static void
plan_insert(const PgrestRequest *req, PgrestPlan *plan)
{
	ListCell   *lc;

	plan->kind = PGREST_PLAN_INSERT;
	plan_write(req, plan);
	plan->mutate.resolution = req->prefer.resolution;
	if (plan->mutate.resolution == PGREST_RESOLUTION_NONE)
		return;
	if (req->on_conflict != NIL)
	{
		foreach(lc, req->on_conflict)
			plan->mutate.conflict = lappend_int(plan->mutate.conflict,
										 column_index(plan->rel, (char *) lfirst(lc)));
	}
	else
	{
		for (int i = 0; i < plan->rel->npkey; i++)
			plan->mutate.conflict = lappend_int(plan->mutate.conflict, plan->rel->pkey[i]);
	}
	/* no key to conflict on: a plain insert, as PostgREST ignores it */
	if (plan->mutate.conflict == NIL)
		plan->mutate.resolution = PGREST_RESOLUTION_NONE;
}

/* PATCH and DELETE: the rows the filters match; never a page of them */
static void
plan_update_or_delete(const PgrestRequest *req, PgrestPlan *plan)
{
	plan->kind = req->method == PGREST_METHOD_PATCH ?
		PGREST_PLAN_UPDATE : PGREST_PLAN_DELETE;
	if (req->ranged)
		pgrest_error_raise(PGREST_ERR_NOT_IMPLEMENTED, "Feature not implemented",
						   psprintf("limit and offset are not supported with %s.",
									req->method_name),
						   NULL);
	plan_write(req, plan);
	if (req->prefer.strict && req->prefer.max_affected >= 0)
		plan->max_affected = req->prefer.max_affected;
}

/*
 * PUT /<table>?pk=eq.x: insert the row, or replace it.  The filters must
 * be eq on every primary-key column and nothing else; the body's object
 * whose key columns hold the same values is written (of an array, as
 * PostgREST does, the first that matches; one must).  PUT /<table>/<key>
 * does the same for a row that must exist.
 */
static void
plan_put(const PgrestRequest *req, PgrestPlan *plan)
{
	PgrestRelation *rel = plan->rel;

	plan->kind = PGREST_PLAN_PUT;
	if (req->ranged)
		pgrest_error_raise(PGREST_ERR_PUT_RANGE,
						   "limit/offset querystring parameters are not allowed for PUT",
						   NULL, NULL);
	plan_write(req, plan);
	if (req->target == PGREST_TARGET_ROW)
	{
		if (rel->npkey != 1)
			no_single_key(rel);
		plan->mutate.put_key = list_make1(req->key);
		plan->by_key = true;
	}
	else
		plan->mutate.put_key = put_key_from_filters(plan);
	plan->mutate.filters = NIL;
	for (int i = 0; i < rel->npkey; i++)
	{
		if (!list_member_int(plan->mutate.columns, rel->pkey[i]))
			pgrest_error_raise(PGREST_ERR_PUT_KEY,
							   "Payload values do not match URL in primary key column(s)",
							   psprintf("The body has no value for '%s'.",
										rel->columns[rel->pkey[i]].name),
							   NULL);
	}
	for (int i = 0; i < rel->npkey; i++)
		plan->mutate.conflict = lappend_int(plan->mutate.conflict, rel->pkey[i]);
}

/* the values of PUT's primary-key filters, in key order, or 405 PGRST105 */
static List *
put_key_from_filters(PgrestPlan *plan)
{
	PgrestRelation *rel = plan->rel;
	List	   *values = NIL;

	if (rel->npkey == 0 || list_length(plan->mutate.filters) != rel->npkey)
		put_filters_invalid();
	for (int k = 0; k < rel->npkey; k++)
	{
		const char *pkcol = rel->columns[rel->pkey[k]].name;
		PgrestFilter *match = NULL;
		ListCell   *lc;

		foreach(lc, plan->mutate.filters)
		{
			PgrestFilter *f = (PgrestFilter *) lfirst(lc);

			if (f->kind == PGREST_FILTER_CONDITION && !f->negated &&
				f->op == PGREST_OP_EQ && f->quantifier == PGREST_QUANT_NONE &&
				f->field.path == NIL && strcmp(f->field.name, pkcol) == 0)
				match = f;
		}
		if (match == NULL)
			put_filters_invalid();
		values = lappend(values, match->value);
	}
	return values;
}

static void
put_filters_invalid(void)
{
	pgrest_error_raise(PGREST_ERR_PUT_FILTERS,
					   "Filters must include all and only primary key columns with 'eq' operators",
					   NULL, NULL);
}

/*
 * What every write shares: the payload and the columns it writes (the
 * columns= parameter, or the body's keys), what the response returns, and
 * the rows it shapes.
 */
static void
plan_write(const PgrestRequest *req, PgrestPlan *plan)
{
	List	   *names = req->columns != NIL ? req->columns :
		(req->payload ? req->payload->keys : NIL);
	ListCell   *lc;

	plan_returned_rows(req, plan, plan->rel->name, false);
	plan->mutate.payload = req->payload;
	plan->mutate.return_ = req->prefer.return_;
	plan->mutate.missing_default = req->prefer.missing == PGREST_MISSING_DEFAULT;
	plan->read_only = false;
	plan->with_body = plan->mutate.return_ == PGREST_RETURN_REPRESENTATION;
	if (plan->kind == PGREST_PLAN_DELETE)
		return;
	foreach(lc, names)
		plan->mutate.columns = lappend_int(plan->mutate.columns,
									column_index(plan->rel, (char *) lfirst(lc)));
}

/* a column the request names, or 400 PGRST204 */
static int
column_index(const PgrestRelation *rel, const char *name)
{
	int			i = pgrest_schema_column(rel, name);

	if (i < 0)
		pgrest_error_raise(PGREST_ERR_NO_COLUMN,
						   psprintf("Could not find the '%s' column of '%s' in the schema cache",
									name, rel->name),
						   NULL, NULL);
	return i;
}

/* /<relation>/<key>: the single-column primary key equals the key */
static void
add_key_filter(const PgrestRequest *req, PgrestPlan *plan)
{
	PgrestRelation *rel = plan->rel;
	PgrestFilter *filter;

	if (rel->npkey != 1)
		no_single_key(rel);

	filter = palloc0(sizeof(PgrestFilter));
	filter->kind = PGREST_FILTER_CONDITION;
	filter->field.name = rel->columns[rel->pkey[0]].name;
	filter->op = PGREST_OP_EQ;
	filter->value = req->key;
	if (plan->kind == PGREST_PLAN_READ || plan->kind == PGREST_PLAN_SUBSCRIBE)
		plan->read->filters = lappend(plan->read->filters, filter);
	else
		plan->mutate.filters = lappend(plan->mutate.filters, filter);
	plan->by_key = true;
	if (plan->kind == PGREST_PLAN_READ && plan->media != PGREST_MEDIA_HANDLER)
		plan->media = PGREST_MEDIA_OBJECT;
}

static void
no_single_key(const PgrestRelation *rel)
{
	pgrest_error_raise(PGREST_ERR_NO_SINGLE_KEY,
					   psprintf("The table '%s.%s' has no single-column primary key",
								rel->schema, rel->name),
					   NULL,
					   psprintf("Filter instead: /%s?column=eq.value", rel->name));
}

/*
 * GET|HEAD|POST /rpc/<function>: choose the function by the names of the
 * arguments (the body's keys, or the query parameters that are not
 * filters), as PostgREST does; its result takes the read grammar.
 */
static void
plan_call(const PgrestRequest *req, PgrestPlan *plan)
{
	bool		read = req->method == PGREST_METHOD_GET || req->method == PGREST_METHOD_HEAD;
	List	   *names = NIL;
	List	   *direct = NIL;	/* PgrestParam *: arguments given as texts */
	ListCell   *lc;
	PgrestRoutine *routine;

	if (!read && req->method != PGREST_METHOD_POST)
		pgrest_error_raise(PGREST_ERR_RPC_METHOD,
						   psprintf("Cannot use the %s method on RPC", req->method_name),
						   NULL, NULL);

	/*
	 * The names of the arguments: GET's query parameters that are not
	 * filters, a form's keys (both given as texts, a VARIADIC parameter
	 * taking every value), or columns= or the keys of a body's (first)
	 * object, as PostgREST takes them.
	 */
	if (read)
		direct = req->rpc_args;
	else if (req->payload->pairs != NIL)
		direct = req->payload->pairs;
	else
		names = req->columns != NIL ? req->columns : req->payload->keys;
	foreach(lc, direct)
	{
		char	   *name = ((PgrestParam *) lfirst(lc))->name;

		if (!name_in(names, name))
			names = lappend(names, name);
	}

	routine = choose_routine(req, plan, names, &plan->call.body);
	plan->call.payload = direct != NIL && !plan->call.body ? NULL : req->payload;

	/*
	 * GET and HEAD call any function, as PostgREST does, in a READ ONLY
	 * transaction: one that then writes fails with 25006 (405).
	 */
	plan->kind = PGREST_PLAN_CALL;
	plan->call.routine = routine;
	plan->read_only = read || routine->volatility != PROVOLATILE_VOLATILE;
	plan->with_body = req->method != PGREST_METHOD_HEAD && !routine->returns_void;
	plan->call.scalar = routine->result == NULL;
	plan->rel = routine->table ? routine->table :
		routine->result ? routine->result : scalar_result(routine);
	plan_returned_rows(req, plan, routine->table ? routine->table->name : routine->name,
					   true);
	plan->read->offset = req->offset;
	plan->read->limit = req->limit;
	plan->max_rows = pgrest_max_rows;
	if (pgrest_max_rows > 0 && routine->returns_set)
		plan->read->limit = plan->read->limit < 0 ? pgrest_max_rows :
			Min(plan->read->limit, pgrest_max_rows);
	if (req->prefer.strict && req->prefer.max_affected >= 0)
	{
		if (!routine->returns_set)
			pgrest_error_raise(PGREST_ERR_MAX_AFFECTED_RPC,
							   "Function must return SETOF or TABLE when max-affected preference is used with handling=strict",
							   NULL, NULL);
		plan->max_affected = req->prefer.max_affected;
	}

	if (pgrest_plan_scalar(plan) && plan->read->outputs != NIL)
		((PgrestOutput *) linitial(plan->read->outputs))->name = routine->name;

	/* GET and forms: each argument's texts */
	foreach(lc, names)
	{
		PgrestCallArg *call = palloc0(sizeof(PgrestCallArg));
		ListCell   *lp;

		call->arg = routine_arg(routine, (char *) lfirst(lc));
		foreach(lp, direct)
		{
			PgrestParam *param = (PgrestParam *) lfirst(lp);

			if (strcmp(param->name, (char *) lfirst(lc)) == 0)
				call->values = lappend(call->values, param->value);
		}
		plan->call.args = lappend(plan->call.args, call);
	}
}

/*
 * The function named by the request that takes these argument names, as
 * PostgREST's findProc chooses it: the overloads whose required
 * parameters are all named and whose other names are optional
 * parameters; failing those, for a POST, the one whose single unnamed
 * parameter takes the whole body (json or jsonb for JSON).  None: 404
 * PGRST202; several: 300 PGRST203, candidates in PostgREST's order.
 */
static PgrestRoutine *
choose_routine(const PgrestRequest *req, const PgrestPlan *plan, List *names,
			   bool *call_body)
{
	List	   *candidates = pgrest_schema_routines(plan->schema, req->name);
	Oid			raw = req->payload ? req->payload->raw_type : InvalidOid;
	List	   *matches = NIL;
	List	   *body_takers = NIL;
	ListCell   *lc;
	StringInfoData list;

	foreach(lc, candidates)
	{
		PgrestRoutine *routine = (PgrestRoutine *) lfirst(lc);

		/* a body that is not JSON is for a parameter, not for none */
		if (routine_takes(routine, names) && !(raw != InvalidOid && routine->nargs == 0))
			matches = lappend(matches, routine);
		else if (req->method == PGREST_METHOD_POST && takes_body(routine, req->payload))
			body_takers = lappend(body_takers, routine);
	}
	if (matches == NIL)
		matches = body_takers;
	if (list_length(matches) == 1)
	{
		PgrestRoutine *routine = linitial(matches);

		/* a single unnamed parameter is given the whole body */
		*call_body = req->method == PGREST_METHOD_POST && routine->nargs == 1 &&
			routine->args[0].name[0] == '\0';

		return routine;
	}
	if (matches == NIL)
		no_routine(req, plan, candidates, names);

	initStringInfo(&list);
	foreach(lc, matches)
		appendStringInfo(&list, "%s%s", list.len > 0 ? ", " : "",
						 routine_signature((PgrestRoutine *) lfirst(lc)));
	pgrest_error_raise(PGREST_ERR_AMBIGUOUS_FUNCTION,
					   psprintf("Could not choose the best candidate function between: %s", list.data),
					   NULL,
					   "Try renaming the parameters or the function itself in the database so function overloading can be resolved");
}

/*
 * 404 PGRST202, worded as PostgREST's: the names asked for, sorted; the
 * hint a close function name (similarity 0.75 or more) when none has
 * this name, else the closest list of parameter names.
 */
static void
no_routine(const PgrestRequest *req, const PgrestPlan *plan, List *overloads,
		   List *names)
{
	List	   *sorted = list_copy(names);
	Oid			raw = req->payload ? req->payload->raw_type : InvalidOid;
	char	   *keys;
	char	   *asked;
	char	   *searched;
	const char *best = NULL;
	char	   *hint = NULL;
	ListCell   *lc;

	list_sort(sorted, compare_names);
	keys = names_list(sorted);
	if (raw != InvalidOid)
	{
		/* a text, xml or bytea body: only a single unnamed parameter takes it */
		pgrest_error_raise(PGREST_ERR_NO_FUNCTION,
						   psprintf("Could not find the function %s.%s in the schema cache",
									plan->schema, req->name),
						   psprintf("Searched for the function %s.%s with a single unnamed %s parameter, but no matches were found in the schema cache.",
									plan->schema, req->name, format_type_be(raw)),
						   NULL);
	}
	asked = sorted == NIL ? " without parameters" : psprintf("(%s)", keys);
	searched = sorted == NIL ? " without parameters" :
		psprintf(" with parameter%s %s", list_length(sorted) > 1 ? "s" : "", keys);
	if (req->method == PGREST_METHOD_POST && req->payload->is_json)
		searched = psprintf("%s or with a single unnamed json/jsonb parameter", searched);

	if (overloads == NIL)
	{
		best = pgrest_fuzzy_best_scored(pgrest_schema_routine_names(plan->schema),
										req->name, 0.75);
		if (best)
			hint = psprintf("Perhaps you meant to call the function %s.%s", plan->schema, best);
	}
	else
	{
		List	   *lists = NIL;

		foreach(lc, overloads)
		{
			PgrestRoutine *routine = (PgrestRoutine *) lfirst(lc);
			List	   *params = NIL;

			for (int i = 0; i < routine->nargs; i++)
				params = lappend(params, routine->args[i].name);
			list_sort(params, compare_names);
			lists = lappend(lists, psprintf("(%s)", names_list(params)));
		}
		best = pgrest_fuzzy_best(lists, psprintf("(%s)", keys));
		if (best)
			hint = psprintf("Perhaps you meant to call the function %s.%s%s",
							plan->schema, req->name, best);
	}
	pgrest_error_raise(PGREST_ERR_NO_FUNCTION,
					   psprintf("Could not find the function %s.%s%s in the schema cache",
								plan->schema, req->name, asked),
					   psprintf("Searched for the function %s.%s%s, but no matches were found in the schema cache.",
								plan->schema, req->name, searched),
					   hint);
}

/* "a, b, c" */
static char *
names_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", (char *) lfirst(lc));
	return buf.data;
}

static int
compare_names(const ListCell *a, const ListCell *b)
{
	return strcmp((char *) lfirst(a), (char *) lfirst(b));
}

/*
 * PostgREST's matchesParams: names are parameters (an unnamed one is
 * called ""), and every parameter without a default is named; a function
 * without parameters takes no names.
 */
static bool
routine_takes(const PgrestRoutine *routine, List *names)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (routine_arg(routine, (char *) lfirst(lc)) == NULL)
			return false;
	}
	for (int i = 0; i < routine->nargs; i++)
	{
		const PgrestRoutineArg *arg = &routine->args[i];

		if (!arg->has_default && !name_in(names, arg->name))
			return false;
	}
	return true;
}

static bool
name_in(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

/*
 * One unnamed parameter that takes the whole body: json or jsonb for a
 * JSON body, else the raw body's type (text, xml, bytea); none for a
 * CSV or form body.
 */
static bool
takes_body(const PgrestRoutine *routine, const PgrestPayload *payload)
{
	Oid			type;

	if (routine->nargs != 1 || routine->args[0].name[0] != '\0')
		return false;
	type = routine->args[0].type;
	if (payload->raw_type == InvalidOid)
		return payload->is_json && (type == JSONOID || type == JSONBOID);
	return type == payload->raw_type;
}

static const PgrestRoutineArg *
routine_arg(const PgrestRoutine *routine, const char *name)
{
	for (int i = 0; i < routine->nargs; i++)
	{
		if (strcmp(routine->args[i].name, name) == 0)
			return &routine->args[i];
	}
	return NULL;
}

/* schema.f(a => integer, b => text), for PGRST203 */
static char *
routine_signature(const PgrestRoutine *routine)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s.%s(", routine->schema, routine->name);
	for (int i = 0; i < routine->nargs; i++)
		appendStringInfo(&buf, "%s%s => %s", i > 0 ? ", " : "",
						 routine->args[i].name, format_type_be(routine->args[i].type));
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* a function returning a value: one column, pgrest_scalar */
static PgrestRelation *
scalar_result(const PgrestRoutine *routine)
{
	PgrestRelation *rel = palloc0(sizeof(PgrestRelation));

	rel->schema = routine->schema;
	rel->name = routine->name;
	rel->kind = 'F';
	rel->ncolumns = 1;
	rel->columns = palloc0(sizeof(PgrestColumn));
	rel->columns[0].name = "pgrest_scalar";
	rel->columns[0].type = routine->rettype;
	rel->columns[0].typmod = -1;
	rel->columns[0].basetype = getBaseType(routine->rettype);
	return rel;
}

/*
 * POST /sql {"query": "..."}: exactly one statement, run READ ONLY as the
 * request's role under its statement timeout.  PostgreSQL's parser counts
 * the statements; a syntax error is its own 42601.
 */
static void
plan_sql(const PgrestRequest *req, PgrestPlan *plan)
{
	Jsonb	   *body;
	JsonbValue *query;
	List	   *statements;

	if (!req->payload->single)
		pgrest_error_raise(PGREST_ERR_BODY, "The body must be {\"query\": \"...\"}",
						   NULL, NULL);
	body = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
											  CStringGetDatum(req->payload->text)));
	query = getKeyJsonValueFromContainer(&body->root, "query", 5, NULL);
	if (query == NULL || query->type != jbvString)
		pgrest_error_raise(PGREST_ERR_BODY, "The body must be {\"query\": \"...\"}",
						   "\"query\" must be a string.", NULL);

	plan->kind = PGREST_PLAN_SQL;
	plan->sql = pnstrdup(query->val.string.val, query->val.string.len);
	statements = raw_parser(plan->sql, RAW_PARSE_DEFAULT);
	if (list_length(statements) != 1)
		pgrest_error_raise(PGREST_ERR_SQL_STATEMENTS,
						   "The SQL endpoint runs exactly one statement",
						   psprintf("The query holds %d statements.", list_length(statements)),
						   NULL);
	plan->read_only = true;
	plan->with_body = true;
	plan->max_affected = -1;
}
