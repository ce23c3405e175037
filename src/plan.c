/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Decide what a parsed request does: which exposed schema, which
 *	  relation, which kind of statement.
 *
 * Names from the request are looked up in the catalogs (through the
 * syscache, so DDL is seen by the next request); unknown names and
 * unsupported methods become 404/405 errors here, before any SQL runs.
 * Privileges are not checked here: PostgreSQL checks them when the
 * statement runs as the request's role.
 *
 * This file reads the catalogs but runs no SQL; it needs a transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "utils/lsyscache.h"

#include "error.h"
#include "guc.h"
#include "plan.h"

static void require_read_method(const PgrestRequest *req, PgrestPlan *plan);
static void resolve_relation(PgrestPlan *plan, const char *name);
static void unsupported_method(const PgrestRequest *req) pg_attribute_noreturn();

/* Plan the request; raises a pgrest error for what cannot be served. */
PgrestPlan *
pgrest_plan_build(const PgrestRequest *req)
{
	PgrestPlan *plan = palloc0(sizeof(PgrestPlan));

	plan->schema = linitial(pgrest_guc_schema_list());

	switch (req->target)
	{
		case PGREST_TARGET_ROOT:
			require_read_method(req, plan);
			plan->kind = PGREST_PLAN_LIST_RELATIONS;
			break;
		case PGREST_TARGET_RELATION:
			require_read_method(req, plan);
			resolve_relation(plan, req->name);
			plan->kind = PGREST_PLAN_READ;
			break;
		case PGREST_TARGET_ROW:
		case PGREST_TARGET_ROUTINE:
			pgrest_error_raise(404, "PGRST125",
							   "Invalid path specified in request URL", NULL, NULL);
	}
	return plan;
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
static void
resolve_relation(PgrestPlan *plan, const char *name)
{
	Oid			nspid = get_namespace_oid(plan->schema, true);
	Oid			relid = InvalidOid;

	if (OidIsValid(nspid))
		relid = get_relname_relid(name, nspid);
	if (OidIsValid(relid))
	{
		switch (get_rel_relkind(relid))
		{
			case RELKIND_RELATION:
			case RELKIND_PARTITIONED_TABLE:
			case RELKIND_VIEW:
			case RELKIND_MATVIEW:
			case RELKIND_FOREIGN_TABLE:
				plan->relid = relid;
				plan->relname = pstrdup(name);
				return;
			default:
				break;
		}
	}
	pgrest_error_raise(404, "PGRST205",
					   psprintf("Could not find the table '%s.%s' in the schema cache",
								plan->schema, name),
					   NULL, NULL);
}
