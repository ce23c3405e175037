/*-------------------------------------------------------------------------
 *
 * query.c
 *	  Build the one SQL statement a plan needs.
 *
 * Identifiers are always quoted with quote_identifier and qualified with
 * their schema; functions are qualified with pg_catalog; every value from
 * the request is a $n parameter, never SQL text.  PostgreSQL builds the
 * JSON (json_agg), so the statement returns the finished body.
 *
 * This file only builds strings: it never calls SPI and needs no
 * transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "query.h"

static void build_list_relations(PgrestQuery *query, const PgrestPlan *plan);
static void build_read(PgrestQuery *query, const PgrestPlan *plan);
static int	add_param(PgrestQuery *query, const char *value);

PgrestQuery *
pgrest_query_build(const PgrestPlan *plan)
{
	PgrestQuery *query = palloc0(sizeof(PgrestQuery));

	query->read_only = plan->read_only;
	switch (plan->kind)
	{
		case PGREST_PLAN_LIST_RELATIONS:
			build_list_relations(query, plan);
			break;
		case PGREST_PLAN_READ:
			build_read(query, plan);
			break;
	}
	return query;
}

/*
 * The relations of the schema the request's role has any privilege on,
 * as [{"name": ..., "kind": ...}] ordered by name.
 */
static void
build_list_relations(PgrestQuery *query, const PgrestPlan *plan)
{
	int			schema = add_param(query, plan->schema);

	query->sql = psprintf(
						  "SELECT pg_catalog.count(_pgrest_t), "
						  "coalesce(pg_catalog.json_agg(_pgrest_t ORDER BY _pgrest_t.name), '[]') "
						  "FROM (SELECT c.relname AS name, "
						  "CASE c.relkind WHEN 'v' THEN 'view' "
						  "WHEN 'm' THEN 'materialized view' "
						  "WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind "
						  "FROM pg_catalog.pg_class c "
						  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
						  "WHERE n.nspname = $%d "
						  "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
						  "AND pg_catalog.has_table_privilege(c.oid, "
						  "'SELECT, INSERT, UPDATE, DELETE')) _pgrest_t",
						  schema);
}

/* every row of the relation, as a JSON array */
static void
build_read(PgrestQuery *query, const PgrestPlan *plan)
{
	query->sql = psprintf(
						  "SELECT pg_catalog.count(_pgrest_t), "
						  "coalesce(pg_catalog.json_agg(_pgrest_t), '[]') "
						  "FROM (SELECT * FROM %s) _pgrest_t",
						  quote_qualified_identifier(plan->schema, plan->relname));
}

/* Append a parameter; returns its number n for "$n". */
static int
add_param(PgrestQuery *query, const char *value)
{
	query->params = query->nparams == 0 ?
		palloc(sizeof(char *)) :
		repalloc(query->params, sizeof(char *) * (query->nparams + 1));
	query->params[query->nparams++] = value;
	return query->nparams;
}
