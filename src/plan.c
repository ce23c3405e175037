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
static void plan_read(const PgrestRequest *req, PgrestPlan *plan);
static void add_outputs(PgrestPlan *plan, const PgrestSelectItem *item);
static char *resolve_cast(const char *name);
static char *output_name(const PgrestField *field);
static void add_key_filter(const PgrestRequest *req, PgrestPlan *plan);

/* Plan the request; raises a pgrest error for what cannot be served. */
PgrestPlan *
pgrest_plan_build(const PgrestRequest *req)
{
	PgrestPlan *plan = palloc0(sizeof(PgrestPlan));

	choose_schema(req, plan);
	switch (req->target)
	{
		case PGREST_TARGET_ROOT:
			require_read_method(req, plan);
			plan->kind = PGREST_PLAN_LIST_RELATIONS;
			break;
		case PGREST_TARGET_RELATION:
			require_read_method(req, plan);
			plan->rel = resolve_relation(plan, req->name);
			plan_read(req, plan);
			break;
		case PGREST_TARGET_ROW:
			require_read_method(req, plan);
			plan->rel = resolve_relation(plan, req->name);
			plan_read(req, plan);
			add_key_filter(req, plan);
			break;
		case PGREST_TARGET_ROUTINE:
			pgrest_error_raise(404, "PGRST125",
							   "Invalid path specified in request URL", NULL, NULL);
	}
	return plan;
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
	ListCell   *lc;

	plan->kind = PGREST_PLAN_READ;
	if (!req->select_given)
	{
		PgrestSelectItem star = {.star = true};

		add_outputs(plan, &star);
	}
	foreach(lc, req->select)
		add_outputs(plan, (PgrestSelectItem *) lfirst(lc));

	plan->filters = list_copy(req->filters);
	plan->order = req->order;
	plan->offset = req->offset;
	plan->limit = req->limit;
	plan->max_rows = pgrest_max_rows;
	if (pgrest_max_rows > 0)
		plan->limit = plan->limit < 0 ? pgrest_max_rows : Min(plan->limit, pgrest_max_rows);
	plan->count = req->prefer.count;
	plan->media = req->media;
	plan->strip_nulls = req->strip_nulls;
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
		pgrest_error_raise(400, "PGRST503",
						   psprintf("The table '%s.%s' has no single-column primary key",
									rel->schema, rel->name),
						   NULL,
						   psprintf("Filter instead: /%s?column=eq.value", rel->name));

	filter = palloc0(sizeof(PgrestFilter));
	filter->kind = PGREST_FILTER_CONDITION;
	filter->field.name = rel->columns[rel->pkey[0]].name;
	filter->op = PGREST_OP_EQ;
	filter->value = req->key;
	plan->filters = lappend(plan->filters, filter);
	plan->by_key = true;
	plan->media = PGREST_MEDIA_OBJECT;
}
