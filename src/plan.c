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
 * src/plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"

#include "error.h"
#include "guc.h"
#include "plan.h"

static void choose_schema(const PgrestRequest *req, PgrestPlan *plan);
static void require_read_method(const PgrestRequest *req, PgrestPlan *plan);
static void unsupported_method(const PgrestRequest *req) pg_attribute_noreturn();
static PgrestRelation *resolve_relation(const PgrestPlan *plan, const char *name);
static void plan_transaction_end(const PgrestRequest *req, PgrestPlan *plan);
static void plan_relation(const PgrestRequest *req, PgrestPlan *plan);
static void plan_read(const PgrestRequest *req, PgrestPlan *plan);
static void plan_returned_rows(const PgrestRequest *req, PgrestPlan *plan);
static void plan_insert(const PgrestRequest *req, PgrestPlan *plan);
static void plan_update_or_delete(const PgrestRequest *req, PgrestPlan *plan);
static void plan_put(const PgrestRequest *req, PgrestPlan *plan);
static List *put_key_from_filters(PgrestPlan *plan);
static void put_filters_invalid(void) pg_attribute_noreturn();
static void plan_write(const PgrestRequest *req, PgrestPlan *plan);
static int	column_index(const PgrestRelation *rel, const char *name);
static void no_single_key(const PgrestRelation *rel) pg_attribute_noreturn();
static void add_outputs(PgrestPlan *plan, const PgrestSelectItem *item);
static char *resolve_cast(const char *name);
static char *output_name(const PgrestField *field);
static void add_key_filter(const PgrestRequest *req, PgrestPlan *plan);

/* Plan the request; raises a pgrest error for what cannot be served. */
PgrestPlan *
pgrest_plan_build(const PgrestRequest *req)
{
	PgrestPlan *plan = palloc0(sizeof(PgrestPlan));

	plan->max_affected = -1;
	choose_schema(req, plan);
	plan_transaction_end(req, plan);
	switch (req->target)
	{
		case PGREST_TARGET_ROOT:
			require_read_method(req, plan);
			plan->kind = PGREST_PLAN_LIST_RELATIONS;
			break;
		case PGREST_TARGET_RELATION:
		case PGREST_TARGET_ROW:
			plan->rel = resolve_relation(plan, req->name);
			plan_relation(req, plan);
			break;
		case PGREST_TARGET_ROUTINE:
			pgrest_error_raise(404, "PGRST125",
							   "Invalid path specified in request URL", NULL, NULL);
	}
	return plan;
}

/* the method decides what happens to the relation (or its row) */
static void
plan_relation(const PgrestRequest *req, PgrestPlan *plan)
{
	bool		row = req->target == PGREST_TARGET_ROW;

	switch (req->method)
	{
		case PGREST_METHOD_GET:
		case PGREST_METHOD_HEAD:
			require_read_method(req, plan);
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
 * that is not exposed is 406 PGRST106.
 */
static void
choose_schema(const PgrestRequest *req, PgrestPlan *plan)
{
	List	   *schemas = pgrest_guc_schema_list();
	ListCell   *lc;

	plan->schema = linitial(schemas);
	if (req->profile == NULL)
		return;
	foreach(lc, schemas)
	{
		if (strcmp((char *) lfirst(lc), req->profile) == 0)
		{
			plan->schema = lfirst(lc);
			plan->profile_given = true;
			return;
		}
	}
	pgrest_error_raise(406, "PGRST106",
					   psprintf("Invalid schema: %s", req->profile),
					   NULL,
					   psprintf("Only the following schemas are exposed: %s",
								pgrest_schemas));
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
	pgrest_error_raise(405, "PGRST117",
					   psprintf("Unsupported HTTP method: %s", req->method_name),
					   NULL, NULL);
}

/* A table, view, materialized view or foreign table of the schema. */
static PgrestRelation *
resolve_relation(const PgrestPlan *plan, const char *name)
{
	PgrestRelation *rel = pgrest_schema_relation(plan->schema, name);

	if (rel == NULL)
		pgrest_error_raise(404, "PGRST205",
						   psprintf("Could not find the table '%s.%s' in the schema cache",
									plan->schema, name),
						   NULL, NULL);
	return rel;
}

static void
plan_read(const PgrestRequest *req, PgrestPlan *plan)
{
	plan->kind = PGREST_PLAN_READ;
	plan_returned_rows(req, plan);
	plan->offset = req->offset;
	plan->limit = req->limit;
	plan->max_rows = pgrest_max_rows;
	if (pgrest_max_rows > 0)
		plan->limit = plan->limit < 0 ? pgrest_max_rows : Min(plan->limit, pgrest_max_rows);
}

/* what every statement shares: outputs, filters, order, count, format */
static void
plan_returned_rows(const PgrestRequest *req, PgrestPlan *plan)
{
	ListCell   *lc;

	if (!req->select_given)
	{
		PgrestSelectItem star = {.star = true};

		add_outputs(plan, &star);
	}
	foreach(lc, req->select)
		add_outputs(plan, (PgrestSelectItem *) lfirst(lc));

	plan->filters = list_copy(req->filters);
	plan->order = req->order;
	plan->limit = -1;
	plan->count = req->prefer.count;
	plan->media = req->media;
	plan->strip_nulls = req->strip_nulls;
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
	plan->resolution = req->prefer.resolution;
	if (plan->resolution == PGREST_RESOLUTION_NONE)
		return;
	if (req->on_conflict != NIL)
	{
		foreach(lc, req->on_conflict)
			plan->conflict = lappend_int(plan->conflict,
										 column_index(plan->rel, (char *) lfirst(lc)));
	}
	else
	{
		for (int i = 0; i < plan->rel->npkey; i++)
			plan->conflict = lappend_int(plan->conflict, plan->rel->pkey[i]);
	}
}

/* PATCH and DELETE: the rows the filters match; never a page of them */
static void
plan_update_or_delete(const PgrestRequest *req, PgrestPlan *plan)
{
	plan->kind = req->method == PGREST_METHOD_PATCH ?
		PGREST_PLAN_UPDATE : PGREST_PLAN_DELETE;
	if (req->ranged)
		pgrest_error_raise(400, "PGRST127", "Feature not implemented",
						   psprintf("limit and offset are not supported with %s.",
									req->method_name),
						   NULL);
	plan_write(req, plan);
	if (req->prefer.strict && req->prefer.max_affected >= 0)
		plan->max_affected = req->prefer.max_affected;
}

/*
 * PUT /<table>?pk=eq.x: insert the row, or replace it.  The filters must
 * be eq on every primary-key column and nothing else; the body must be one
 * object whose key columns hold the same values.  PUT /<table>/<key> does
 * the same for a row that must exist.
 */
static void
plan_put(const PgrestRequest *req, PgrestPlan *plan)
{
	PgrestRelation *rel = plan->rel;

	plan->kind = PGREST_PLAN_PUT;
	if (req->ranged)
		pgrest_error_raise(400, "PGRST114",
						   "limit/offset querystring parameters are not allowed for PUT",
						   NULL, NULL);
	plan_write(req, plan);
	if (req->target == PGREST_TARGET_ROW)
	{
		if (rel->npkey != 1)
			no_single_key(rel);
		plan->put_key = list_make1(req->key);
		plan->by_key = true;
	}
	else
		plan->put_key = put_key_from_filters(plan);
	plan->filters = NIL;
	for (int i = 0; i < rel->npkey; i++)
	{
		if (!list_member_int(plan->columns, rel->pkey[i]))
			pgrest_error_raise(400, "PGRST115",
							   "Payload values do not match URL in primary key column(s)",
							   psprintf("The body has no value for '%s'.",
										rel->columns[rel->pkey[i]].name),
							   NULL);
	}
	if (req->payload->nrows != 1)
		pgrest_error_raise(400, "PGRST102", "PUT requires one object in the body",
						   psprintf("The body holds %d rows.", req->payload->nrows),
						   NULL);
	for (int i = 0; i < rel->npkey; i++)
		plan->conflict = lappend_int(plan->conflict, rel->pkey[i]);
}

/* the values of PUT's primary-key filters, in key order, or 405 PGRST105 */
static List *
put_key_from_filters(PgrestPlan *plan)
{
	PgrestRelation *rel = plan->rel;
	List	   *values = NIL;

	if (rel->npkey == 0 || list_length(plan->filters) != rel->npkey)
		put_filters_invalid();
	for (int k = 0; k < rel->npkey; k++)
	{
		const char *pkcol = rel->columns[rel->pkey[k]].name;
		PgrestFilter *match = NULL;
		ListCell   *lc;

		foreach(lc, plan->filters)
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
	pgrest_error_raise(405, "PGRST105",
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

	plan_returned_rows(req, plan);
	plan->payload = req->payload;
	plan->return_ = req->prefer.return_;
	plan->missing_default = req->prefer.missing == PGREST_MISSING_DEFAULT;
	plan->read_only = false;
	plan->with_body = plan->return_ == PGREST_RETURN_REPRESENTATION;
	if (plan->kind == PGREST_PLAN_DELETE)
		return;
	foreach(lc, names)
		plan->columns = lappend_int(plan->columns,
									column_index(plan->rel, (char *) lfirst(lc)));
}

/* a column the request names, or 400 PGRST204 */
static int
column_index(const PgrestRelation *rel, const char *name)
{
	int			i = pgrest_schema_column(rel, name);

	if (i < 0)
		pgrest_error_raise(400, "PGRST204",
						   psprintf("Could not find the '%s' column of '%s' in the schema cache",
									name, rel->name),
						   NULL, NULL);
	return i;
}

/* "*" is every column, in order; a field is one key */
static void
add_outputs(PgrestPlan *plan, const PgrestSelectItem *item)
{
	PgrestRelation *rel = plan->rel;
	PgrestOutput *out;

	if (item->star)
	{
		for (int i = 0; i < rel->ncolumns; i++)
		{
			out = palloc0(sizeof(PgrestOutput));
			out->field.name = rel->columns[i].name;
			out->column = i;
			out->name = rel->columns[i].name;
			plan->outputs = lappend(plan->outputs, out);
		}
		return;
	}

	out = palloc0(sizeof(PgrestOutput));
	out->field = item->field;
	out->column = pgrest_schema_column(rel, item->field.name);
	out->cast = item->cast ? resolve_cast(item->cast) : NULL;
	out->name = item->alias ? item->alias : output_name(&item->field);
	plan->outputs = lappend(plan->outputs, out);
}

/*
 * The key PostgREST gives a field: the last JSON key of its path, or the
 * column's name (also when the path ends in array indexes).
 */
static char *
output_name(const PgrestField *field)
{
	char	   *name = field->name;
	ListCell   *lc;

	foreach(lc, field->path)
	{
		PgrestJsonStep *step = (PgrestJsonStep *) lfirst(lc);

		if (!step->is_index)
			name = step->key;
	}
	return name;
}

/*
 * A type name from select=name::type, checked by PostgreSQL's own parser
 * and spelled back by format_type, so the client's text never reaches SQL.
 */
static char *
resolve_cast(const char *name)
{
	Oid			type;
	int32		typmod;

	parseTypeString(name, &type, &typmod, true);
	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type \"%s\" does not exist", name)));
	return format_type_with_typemod(type, typmod);
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
	plan->filters = lappend(plan->filters, filter);
	plan->by_key = true;
	if (plan->kind == PGREST_PLAN_READ)
		plan->media = PGREST_MEDIA_OBJECT;
}

static void
no_single_key(const PgrestRelation *rel)
{
	pgrest_error_raise(400, "PGRST503",
					   psprintf("The table '%s.%s' has no single-column primary key",
								rel->schema, rel->name),
					   NULL,
					   psprintf("Filter instead: /%s?column=eq.value", rel->name));
}
