/*-------------------------------------------------------------------------
 *
 * query.c
 *	  Build the one SQL statement a plan needs.
 *
 * Identifiers are always quoted with quote_identifier and qualified;
 * functions are qualified with pg_catalog; every value from the request,
 * JSON keys included, is a $n parameter, never SQL text.  The only words
 * of SQL that come from a plan are PostgreSQL's own spelling of a type
 * (format_type) and numbers pgrest computed.  PostgreSQL builds the body
 * (json_agg, string_agg), so the statement returns the finished response.
 *
 * A read is
 *
 *	 WITH pgrest_source AS (SELECT <outputs> FROM <relation>
 *							WHERE <filters> ORDER BY ... LIMIT $l OFFSET $o)
 *	 SELECT <total>, pg_catalog.count(_pgrest_t), <body>
 *	 FROM pgrest_source _pgrest_t
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

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "query.h"

/* the SQL operator of each simple filter operator */
static const char *const operator_sql[] = {
	[PGREST_OP_EQ] = "=",
	[PGREST_OP_NEQ] = "<>",
	[PGREST_OP_GT] = ">",
	[PGREST_OP_GTE] = ">=",
	[PGREST_OP_LT] = "<",
	[PGREST_OP_LTE] = "<=",
	[PGREST_OP_LIKE] = "LIKE",
	[PGREST_OP_ILIKE] = "ILIKE",
	[PGREST_OP_MATCH] = "~",
	[PGREST_OP_IMATCH] = "~*",
	[PGREST_OP_CS] = "@>",
	[PGREST_OP_CD] = "<@",
	[PGREST_OP_OV] = "&&",
	[PGREST_OP_SL] = "<<",
	[PGREST_OP_SR] = ">>",
	[PGREST_OP_NXR] = "&<",
	[PGREST_OP_NXL] = "&>",
	[PGREST_OP_ADJ] = "-|-",
};

static const char *const is_sql[] = {
	[PGREST_IS_NULL] = "IS NULL",
	[PGREST_IS_NOT_NULL] = "IS NOT NULL",
	[PGREST_IS_TRUE] = "IS TRUE",
	[PGREST_IS_FALSE] = "IS FALSE",
	[PGREST_IS_UNKNOWN] = "IS UNKNOWN",
};

/* a statement being built */
typedef struct Builder
{
	PgrestQuery *query;
	const PgrestPlan *plan;
	char	   *relation;		/* "schema"."name" */
	char	   *alias;			/* "name", to qualify columns */
	char	   *from;			/* the FROM item of a read: relation, or a call */
	char	   *with;			/* CTEs a read needs first, or NULL */
} Builder;

static void build_read(Builder *b);
static void build_write(Builder *b);
static void build_call(Builder *b);
static char *estimate_sql(Builder *b, const char *where);
static void append_payload(Builder *b, StringInfo sql);
static void append_column_list(Builder *b, StringInfo sql, const char *prefix);
static void append_returning(Builder *b, StringInfo sql);
static void append_write_result(Builder *b, StringInfo sql);
static void append_inserted_count(Builder *b, StringInfo sql);
static void append_outputs(Builder *b, StringInfo sql);
static void append_order(Builder *b, StringInfo sql);
static void append_where(Builder *b, StringInfo sql);
static void append_filter(Builder *b, StringInfo sql, const PgrestFilter *filter);
static void append_condition(Builder *b, StringInfo sql, const PgrestFilter *filter);
static void append_field(Builder *b, StringInfo sql, const PgrestField *field);
static void append_body(Builder *b, StringInfo sql);
static void append_csv_field(StringInfo sql, const char *value_sql);
static const PgrestColumn *field_column(Builder *b, const PgrestField *field);
static char *like_pattern(const char *value);
static char *csv_header(const PgrestPlan *plan);
static void csv_quote(StringInfo buf, const char *value);
static int	add_param(PgrestQuery *query, const char *value);

PgrestQuery *
pgrest_query_build(const PgrestPlan *plan)
{
	PgrestQuery *query = palloc0(sizeof(PgrestQuery));
	Builder		b;

	query->read_only = plan->read_only;
	query->estimate_above = -1;
	switch (plan->kind)
	{
		case PGREST_PLAN_OPENAPI:
			elog(ERROR, "the OpenAPI document is built by openapi.c");
			break;
		case PGREST_PLAN_SQL:
			elog(ERROR, "the SQL endpoint builds no statement");
			break;
		case PGREST_PLAN_READ:
		case PGREST_PLAN_INSERT:
		case PGREST_PLAN_UPDATE:
		case PGREST_PLAN_DELETE:
		case PGREST_PLAN_PUT:
		case PGREST_PLAN_CALL:
			b.query = query;
			b.plan = plan;
			b.relation = quote_qualified_identifier(plan->rel->schema, plan->rel->name);
			b.alias = pstrdup(quote_identifier(plan->rel->name));
			b.from = b.relation;
			b.with = NULL;
			if (plan->kind == PGREST_PLAN_CALL)
				build_call(&b);
			if (plan->kind == PGREST_PLAN_READ || plan->kind == PGREST_PLAN_CALL)
				build_read(&b);
			else
				build_write(&b);
			break;
	}
	return query;
}

/*
 * An array literal of text values, {"a","b"}, each element quoted and
 * escaped as array_in expects.
 */
char *
pgrest_query_text_array(List *values)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, values)
	{
		const char *v = (const char *) lfirst(lc);

		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '"');
		for (; *v; v++)
		{
			if (*v == '"' || *v == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *v);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static void
build_read(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	PgrestQuery *query = b->query;
	StringInfoData where;
	StringInfoData sql;

	/* the filters first: their parameters are shared with the count */
	initStringInfo(&where);
	append_where(b, &where);

	initStringInfo(&sql);
	appendStringInfo(&sql, "WITH %s%spgrest_source AS (SELECT ",
					 b->with ? b->with : "", b->with ? ", " : "");
	append_outputs(b, &sql);
	appendStringInfo(&sql, " FROM %s%s", b->from, where.data);

	append_order(b, &sql);
	if (plan->limit >= 0)
		appendStringInfo(&sql, " LIMIT $%d",
						 add_param(query, psprintf(INT64_FORMAT, plan->limit)));
	if (plan->offset > 0)
		appendStringInfo(&sql, " OFFSET $%d",
						 add_param(query, psprintf(INT64_FORMAT, plan->offset)));
	appendStringInfoString(&sql, ") SELECT ");

	/* the total: counted, estimated by the planner, or not asked for */
	switch (plan->count)
	{
		case PGREST_COUNT_NONE:
			appendStringInfoString(&sql, "NULL::pg_catalog.int8");
			break;
		case PGREST_COUNT_EXACT:
		case PGREST_COUNT_ESTIMATED:
			if (plan->limit < 0 && plan->offset == 0)
				appendStringInfoString(&sql, "pg_catalog.count(_pgrest_t)");
			else if (plan->count == PGREST_COUNT_ESTIMATED && plan->max_rows > 0)
			{
				/* exact up to pgrest.max_rows, the planner's guess above */
				appendStringInfo(&sql,
								 "(SELECT pg_catalog.count(*) FROM (SELECT 1 FROM %s%s LIMIT "
								 INT64_FORMAT ") _pgrest_c)",
								 b->from, where.data, plan->max_rows + 1);
				query->estimate_sql = estimate_sql(b, where.data);
				query->estimate_above = plan->max_rows;
			}
			else
				appendStringInfo(&sql, "(SELECT pg_catalog.count(*) FROM %s%s)",
								 b->from, where.data);
			break;
		case PGREST_COUNT_PLANNED:
			appendStringInfoString(&sql, "NULL::pg_catalog.int8");
			query->estimate_sql = estimate_sql(b, where.data);
			break;
	}
	appendStringInfoString(&sql, ", pg_catalog.count(_pgrest_t), ");
	append_body(b, &sql);
	appendStringInfoString(&sql, ", NULL::pg_catalog.int8 FROM pgrest_source _pgrest_t");
	query->sql = sql.data;
}

/*
 * A call is read like a relation: its result is computed once, into
 *
 *	 [pgrest_args AS (SELECT <arguments> FROM json_to_record($1) AS ...),]
 *	 pgrest_call AS MATERIALIZED (SELECT "f".* FROM "s"."f"(a := ...) AS "f")
 *
 * and the read grammar (outputs, filters, order, range, count) applies to
 * pgrest_call, so counting never calls a volatile function twice.
 * Arguments are named, each cast to the chosen function's parameter type,
 * so PostgreSQL calls exactly that function.
 */
static void
build_call(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	const PgrestRoutine *routine = plan->routine;
	StringInfoData with;
	StringInfoData call;
	ListCell   *lc;

	initStringInfo(&with);
	initStringInfo(&call);
	appendStringInfo(&call, "%s(", quote_qualified_identifier(routine->schema, routine->name));
	if (plan->call_body)
		appendStringInfo(&call, "$%d::%s", add_param(b->query, plan->payload->text),
						 format_type_be(routine->args[0].type));
	else if (plan->payload != NULL && plan->call_args != NIL)
	{
		appendStringInfo(&with,
						 "pgrest_args AS (SELECT * FROM pg_catalog.json_to_record($%d::pg_catalog.json) AS pgrest_row(",
						 add_param(b->query, plan->payload->text));
		foreach(lc, plan->call_args)
		{
			const PgrestRoutineArg *arg = ((PgrestCallArg *) lfirst(lc))->arg;

			appendStringInfo(&with, "%s%s %s", foreach_current_index(lc) > 0 ? ", " : "",
							 quote_identifier(arg->name), format_type_be(arg->type));
			appendStringInfo(&call, "%s%s%s := pgrest_args.%s",
							 foreach_current_index(lc) > 0 ? ", " : "",
							 arg->variadic ? "VARIADIC " : "",
							 quote_identifier(arg->name), quote_identifier(arg->name));
		}
		appendStringInfoString(&with, ")), ");
	}
	else
	{
		foreach(lc, plan->call_args)
		{
			PgrestCallArg *ca = (PgrestCallArg *) lfirst(lc);
			const char *value = ca->arg->variadic ?
				pgrest_query_text_array(ca->values) : (const char *) llast(ca->values);

			appendStringInfo(&call, "%s%s%s := $%d::%s",
							 foreach_current_index(lc) > 0 ? ", " : "",
							 ca->arg->variadic ? "VARIADIC " : "",
							 quote_identifier(ca->arg->name),
							 add_param(b->query, value), format_type_be(ca->arg->type));
		}
	}
	appendStringInfoChar(&call, ')');

	appendStringInfo(&with, "pgrest_call AS MATERIALIZED (SELECT %s.* FROM %s%s AS %s%s)",
					 b->alias, with.len > 0 ? "pgrest_args, " : "", call.data, b->alias,
					 plan->scalar ? "(pgrest_scalar)" : "");
	b->with = with.data;
	b->from = psprintf("pgrest_call AS %s", b->alias);
}

/* the statement whose planner estimate is the total (count=planned) */
static char *
estimate_sql(Builder *b, const char *where)
{
	if (b->with)
		return psprintf("WITH %s SELECT 1 FROM %s%s", b->with, b->from, where);
	return psprintf("SELECT 1 FROM %s%s", b->from, where);
}

/*
 * A write:
 *
 *	 WITH pgrest_body AS (SELECT <columns> FROM json_to_recordset($1) AS ...),
 *		  pgrest_source AS (INSERT | UPDATE | DELETE ... RETURNING ...)
 *	 SELECT <total>, count(*), <body>, <rows inserted by an upsert>
 *	 FROM (SELECT <outputs> FROM pgrest_source AS <relation> ORDER BY ...)
 *
 * json_to_recordset reads every row with the columns' own types, so
 * PostgreSQL converts and checks each value.  The returned rows are shaped
 * by select= and order= exactly as a read's.  RETURNING asks only for
 * what the response needs, so a role may write what it cannot read.
 */
static void
build_write(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	PgrestQuery *query = b->query;
	StringInfoData sql;
	StringInfoData where;
	ListCell   *lc;

	initStringInfo(&where);
	append_where(b, &where);

	initStringInfo(&sql);
	appendStringInfoString(&sql, "WITH ");
	if (plan->columns != NIL)
	{
		appendStringInfoString(&sql, "pgrest_body AS (");
		append_payload(b, &sql);
		appendStringInfoString(&sql, "), ");
	}
	appendStringInfoString(&sql, "pgrest_source AS (");

	switch (plan->kind)
	{
		case PGREST_PLAN_INSERT:
		case PGREST_PLAN_PUT:
			appendStringInfo(&sql, "INSERT INTO %s ", b->relation);
			if (plan->columns == NIL)
			{
				/* rows of defaults, one per object of the body */
				appendStringInfo(&sql,
								 "SELECT FROM pg_catalog.json_array_elements($%d::pg_catalog.json)",
								 add_param(query, plan->payload->json));
			}
			else
			{
				append_column_list(b, &sql, "(");
				appendStringInfoString(&sql, ") SELECT ");
				append_column_list(b, &sql, "");
				appendStringInfoString(&sql, " FROM pgrest_body");
			}
			if (plan->kind == PGREST_PLAN_PUT)
			{
				/* the body's key must be the URL's */
				foreach(lc, plan->conflict)
				{
					appendStringInfoString(&sql, foreach_current_index(lc) == 0 ? " WHERE " : " AND ");
					appendStringInfo(&sql, "pgrest_body.%s = $%d",
									 quote_identifier(plan->rel->columns[lfirst_int(lc)].name),
									 add_param(query, list_nth(plan->put_key, foreach_current_index(lc))));
				}
			}
			if (plan->kind == PGREST_PLAN_PUT ||
				plan->resolution != PGREST_RESOLUTION_NONE)
			{
				appendStringInfoString(&sql, " ON CONFLICT (");
				foreach(lc, plan->conflict)
				{
					if (foreach_current_index(lc) > 0)
						appendStringInfoString(&sql, ", ");
					appendStringInfoString(&sql, quote_identifier(plan->rel->columns[lfirst_int(lc)].name));
				}
				if (plan->resolution == PGREST_RESOLUTION_IGNORE || plan->columns == NIL)
					appendStringInfoString(&sql, ") DO NOTHING");
				else
				{
					appendStringInfoString(&sql, ") DO UPDATE SET ");
					foreach(lc, plan->columns)
					{
						const char *col = quote_identifier(plan->rel->columns[lfirst_int(lc)].name);

						if (foreach_current_index(lc) > 0)
							appendStringInfoString(&sql, ", ");
						appendStringInfo(&sql, "%s = EXCLUDED.%s", col, col);
					}
				}
			}
			break;
		case PGREST_PLAN_UPDATE:
			if (plan->columns == NIL)
			{
				/*
				 * Nothing to set: no row changes.  As PostgREST does, a
				 * table's route matches no row; /<table>/<key> matches its
				 * row unchanged, so that only a missing one is a 404.
				 */
				appendStringInfo(&sql, "SELECT %s.* FROM %s%s",
								 b->alias, b->relation,
								 plan->by_key ? where.data : " WHERE false");
				appendStringInfoString(&sql, ") ");
				append_write_result(b, &sql);
				query->sql = sql.data;
				return;
			}
			appendStringInfo(&sql, "UPDATE %s SET ", b->relation);
			foreach(lc, plan->columns)
			{
				const char *col = quote_identifier(plan->rel->columns[lfirst_int(lc)].name);

				if (foreach_current_index(lc) > 0)
					appendStringInfoString(&sql, ", ");
				appendStringInfo(&sql, "%s = pgrest_body.%s", col, col);
			}
			appendStringInfo(&sql, " FROM pgrest_body%s", where.data);
			break;
		case PGREST_PLAN_DELETE:
			appendStringInfo(&sql, "DELETE FROM %s%s", b->relation, where.data);
			break;
		default:
			elog(ERROR, "unexpected pgrest write");
	}
	append_returning(b, &sql);
	appendStringInfoString(&sql, ") ");
	append_write_result(b, &sql);
	query->sql = sql.data;
}

/*
 * SELECT <columns> FROM json_to_recordset($n) AS pgrest_row(<col> <type>, ...)
 * With Prefer: missing=default, a row's missing keys take their column's
 * DEFAULT, evaluated per row.  PATCH applies the body's first object.
 */
static void
append_payload(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;
	int			json = add_param(b->query, plan->payload->json);
	bool		defaults = false;
	ListCell   *lc;

	appendStringInfoString(sql, "SELECT ");
	append_column_list(b, sql, "");
	if (plan->missing_default)
	{
		foreach(lc, plan->columns)
			defaults = defaults || plan->rel->columns[lfirst_int(lc)].default_expr != NULL;
	}
	if (defaults)
	{
		appendStringInfo(sql,
						 " FROM pg_catalog.json_array_elements($%d::pg_catalog.json) AS pgrest_element, "
						 "LATERAL pg_catalog.json_to_record((pg_catalog.jsonb_build_object(",
						 json);
		foreach(lc, plan->columns)
		{
			const PgrestColumn *col = &plan->rel->columns[lfirst_int(lc)];

			if (col->default_expr == NULL)
				continue;
			appendStringInfo(sql, "%s%s, (%s)",
							 sql->data[sql->len - 1] == '(' ? "" : ", ",
							 quote_literal_cstr(col->name), col->default_expr);
		}
		appendStringInfoString(sql,
							   ") OPERATOR(pg_catalog.||) pgrest_element.value::pg_catalog.jsonb)::pg_catalog.json)");
	}
	else
		appendStringInfo(sql, " FROM pg_catalog.json_to_recordset($%d::pg_catalog.json)", json);

	appendStringInfoString(sql, " AS pgrest_row(");
	foreach(lc, plan->columns)
	{
		const PgrestColumn *col = &plan->rel->columns[lfirst_int(lc)];

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		appendStringInfo(sql, "%s %s", quote_identifier(col->name),
						 format_type_with_typemod(col->type, col->typmod));
	}
	appendStringInfoChar(sql, ')');
	if (plan->kind == PGREST_PLAN_UPDATE)
		appendStringInfoString(sql, " LIMIT 1");
}

/* "a", "b", ... after prefix */
static void
append_column_list(Builder *b, StringInfo sql, const char *prefix)
{
	ListCell   *lc;

	appendStringInfoString(sql, prefix);
	foreach(lc, b->plan->columns)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		appendStringInfoString(sql,
							   quote_identifier(b->plan->rel->columns[lfirst_int(lc)].name));
	}
}

/*
 * The rows for return=representation, the primary key for headers-only,
 * else just 1: a role may write what it cannot read.
 */
static void
append_returning(Builder *b, StringInfo sql)
{
	const PgrestRelation *rel = b->plan->rel;

	if (b->plan->return_ == PGREST_RETURN_REPRESENTATION)
		appendStringInfo(sql, " RETURNING %s.*", b->alias);
	else if (b->plan->return_ == PGREST_RETURN_HEADERS_ONLY && rel->npkey > 0)
	{
		for (int i = 0; i < rel->npkey; i++)
			appendStringInfo(sql, "%s%s.%s", i == 0 ? " RETURNING " : ", ", b->alias,
							 quote_identifier(rel->columns[rel->pkey[i]].name));
	}
	else
		appendStringInfoString(sql, " RETURNING 1");
}

/*
 * SELECT <total>, count, <body>, <inserted> FROM (the returned rows).
 * headers-only returns the primary key of the first row, for Location.
 */
static void
append_write_result(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;

	appendStringInfo(sql, "SELECT %s, pg_catalog.count(_pgrest_t), ",
					 plan->count != PGREST_COUNT_NONE ?
					 "pg_catalog.count(_pgrest_t)" : "NULL::pg_catalog.int8");
	if (plan->return_ == PGREST_RETURN_HEADERS_ONLY && plan->rel->npkey > 0)
	{
		appendStringInfoString(sql, "(pg_catalog.json_agg(pg_catalog.json_build_array(");
		for (int i = 0; i < plan->rel->npkey; i++)
			appendStringInfo(sql, "%s_pgrest_t.%s::pg_catalog.text", i > 0 ? ", " : "",
							 quote_identifier(plan->rel->columns[plan->rel->pkey[i]].name));
		appendStringInfoString(sql, ")))->0");
	}
	else if (plan->return_ == PGREST_RETURN_REPRESENTATION)
		append_body(b, sql);
	else
		appendStringInfoString(sql, "NULL::pg_catalog.text");
	appendStringInfoString(sql, ", ");
	append_inserted_count(b, sql);

	appendStringInfoString(sql, " FROM (SELECT ");
	if (plan->return_ == PGREST_RETURN_HEADERS_ONLY && plan->rel->npkey > 0)
		appendStringInfo(sql, "%s.*", b->alias);
	else if (plan->return_ == PGREST_RETURN_REPRESENTATION)
		append_outputs(b, sql);
	else
		appendStringInfoString(sql, "1");
	appendStringInfo(sql, " FROM pgrest_source AS %s", b->alias);
	if (plan->return_ == PGREST_RETURN_REPRESENTATION)
		append_order(b, sql);
	appendStringInfoString(sql, ") _pgrest_t");
}

/*
 * How many rows of an upsert were new: the body's rows whose key the table
 * did not hold.  Every part of the statement sees the table as it was
 * before the statement, so this counts against the old rows.
 */
static void
append_inserted_count(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;
	ListCell   *lc;

	if (!((plan->kind == PGREST_PLAN_INSERT && plan->resolution != PGREST_RESOLUTION_NONE) ||
		  plan->kind == PGREST_PLAN_PUT) || plan->columns == NIL || plan->conflict == NIL)
	{
		appendStringInfoString(sql, "NULL::pg_catalog.int8");
		return;
	}
	appendStringInfo(sql,
					 "(SELECT pg_catalog.count(*) FROM pgrest_body WHERE NOT EXISTS "
					 "(SELECT 1 FROM %s AS pgrest_existing WHERE ", b->relation);
	foreach(lc, plan->conflict)
	{
		const char *col = quote_identifier(plan->rel->columns[lfirst_int(lc)].name);

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, " AND ");
		appendStringInfo(sql, "pgrest_existing.%s = pgrest_body.%s", col, col);
	}
	appendStringInfoString(sql, "))");
}

/* the select list: each output, cast if asked, under its key */
static void
append_outputs(Builder *b, StringInfo sql)
{
	ListCell   *lc;

	foreach(lc, b->plan->outputs)
	{
		PgrestOutput *out = (PgrestOutput *) lfirst(lc);

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		if (out->cast)
			appendStringInfoString(sql, "CAST(");
		append_field(b, sql, &out->field);
		if (out->cast)
			appendStringInfo(sql, " AS %s)", out->cast);
		appendStringInfo(sql, " AS %s", quote_identifier(out->name));
	}
}

/* " ORDER BY ...", or nothing */
static void
append_order(Builder *b, StringInfo sql)
{
	ListCell   *lc;

	foreach(lc, b->plan->order)
	{
		PgrestOrderTerm *term = (PgrestOrderTerm *) lfirst(lc);

		appendStringInfoString(sql, foreach_current_index(lc) == 0 ? " ORDER BY " : ", ");
		append_field(b, sql, &term->field);
		if (term->direction == PGREST_DIRECTION_ASC)
			appendStringInfoString(sql, " ASC");
		else if (term->direction == PGREST_DIRECTION_DESC)
			appendStringInfoString(sql, " DESC");
		if (term->nulls == PGREST_NULLS_FIRST)
			appendStringInfoString(sql, " NULLS FIRST");
		else if (term->nulls == PGREST_NULLS_LAST)
			appendStringInfoString(sql, " NULLS LAST");
	}
}

/* " WHERE f1 AND f2 ...", or nothing */
static void
append_where(Builder *b, StringInfo sql)
{
	ListCell   *lc;

	foreach(lc, b->plan->filters)
	{
		appendStringInfoString(sql, foreach_current_index(lc) == 0 ? " WHERE " : " AND ");
		append_filter(b, sql, (PgrestFilter *) lfirst(lc));
	}
}

static void
append_filter(Builder *b, StringInfo sql, const PgrestFilter *filter)
{
	ListCell   *lc;

	if (filter->negated)
		appendStringInfoString(sql, "NOT ");
	appendStringInfoChar(sql, '(');
	if (filter->kind == PGREST_FILTER_CONDITION)
		append_condition(b, sql, filter);
	else
	{
		foreach(lc, filter->children)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(sql, filter->kind == PGREST_FILTER_AND ? " AND " : " OR ");
			append_filter(b, sql, (PgrestFilter *) lfirst(lc));
		}
	}
	appendStringInfoChar(sql, ')');
}

static void
append_condition(Builder *b, StringInfo sql, const PgrestFilter *filter)
{
	PgrestQuery *query = b->query;

	switch (filter->op)
	{
		case PGREST_OP_IS:
			append_field(b, sql, &filter->field);
			appendStringInfo(sql, " %s", is_sql[filter->is]);
			return;
		case PGREST_OP_IN:
			append_field(b, sql, &filter->field);
			appendStringInfo(sql, " = ANY ($%d)",
							 add_param(query, pgrest_query_text_array(filter->values)));
			return;
		case PGREST_OP_ISDISTINCT:
			append_field(b, sql, &filter->field);
			appendStringInfo(sql, " IS DISTINCT FROM $%d", add_param(query, filter->value));
			return;
		case PGREST_OP_FTS:
		case PGREST_OP_PLFTS:
		case PGREST_OP_PHFTS:
		case PGREST_OP_WFTS:
			{
				const PgrestColumn *col = field_column(b, &filter->field);
				const char *fn = filter->op == PGREST_OP_FTS ? "to_tsquery" :
					filter->op == PGREST_OP_PLFTS ? "plainto_tsquery" :
					filter->op == PGREST_OP_PHFTS ? "phraseto_tsquery" :
					"websearch_to_tsquery";
				char	   *language = NULL;

				if (filter->language)
					language = psprintf("$%d::pg_catalog.regconfig, ",
										add_param(query, filter->language));
				/* a column that is not a tsvector is made one */
				if (col && col->basetype == TSVECTOROID && filter->field.path == NIL)
					append_field(b, sql, &filter->field);
				else
				{
					appendStringInfo(sql, "pg_catalog.to_tsvector(%s", language ? language : "");
					append_field(b, sql, &filter->field);
					appendStringInfoChar(sql, ')');
				}
				appendStringInfo(sql, " @@ pg_catalog.%s(%s$%d)", fn,
								 language ? language : "",
								 add_param(query, filter->value));
				return;
			}
		default:
			{
				const char *value = filter->value;

				if (filter->op == PGREST_OP_LIKE || filter->op == PGREST_OP_ILIKE)
					value = like_pattern(value);
				append_field(b, sql, &filter->field);
				appendStringInfo(sql, " %s ", operator_sql[filter->op]);
				if (filter->quantifier == PGREST_QUANT_ANY)
					appendStringInfo(sql, "ANY ($%d)", add_param(query, value));
				else if (filter->quantifier == PGREST_QUANT_ALL)
					appendStringInfo(sql, "ALL ($%d)", add_param(query, value));
				else
					appendStringInfo(sql, "$%d", add_param(query, value));
				return;
			}
	}
}

/*
 * A column of the relation, then its JSON path.  A path on a column that
 * is not json or jsonb goes through to_jsonb (arrays, composites), as in
 * PostgREST.  Keys and indexes are parameters.
 */
static void
append_field(Builder *b, StringInfo sql, const PgrestField *field)
{
	const PgrestColumn *col;
	ListCell   *lc;

	if (field->path == NIL)
	{
		appendStringInfo(sql, "%s.%s", b->alias, quote_identifier(field->name));
		return;
	}

	col = field_column(b, field);
	appendStringInfoChar(sql, '(');
	if (col && (col->basetype == JSONOID || col->basetype == JSONBOID))
		appendStringInfo(sql, "%s.%s", b->alias, quote_identifier(field->name));
	else
		appendStringInfo(sql, "pg_catalog.to_jsonb(%s.%s)", b->alias,
						 quote_identifier(field->name));
	foreach(lc, field->path)
	{
		PgrestJsonStep *step = (PgrestJsonStep *) lfirst(lc);

		appendStringInfo(sql, "%s$%d::%s", step->as_text ? "->>" : "->",
						 add_param(b->query, step->key),
						 step->is_index ? "pg_catalog.int4" : "pg_catalog.text");
	}
	appendStringInfoChar(sql, ')');
}

/*
 * The body: a JSON array, a single object (the count is checked after the
 * statement), or CSV; nothing for HEAD.
 */
static void
append_body(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;
	const char *agg;
	const char *rows;

	if (!plan->with_body)
	{
		appendStringInfoString(sql, "NULL::pg_catalog.text");
		return;
	}
	if (plan->media == PGREST_MEDIA_CSV)
	{
		ListCell   *lc;

		appendStringInfo(sql, "$%d || coalesce(E'\\n' || pg_catalog.string_agg(",
						 add_param(b->query, csv_header(plan)));
		if (plan->outputs == NIL)
			appendStringInfoString(sql, "''");
		foreach(lc, plan->outputs)
		{
			PgrestOutput *out = (PgrestOutput *) lfirst(lc);

			if (foreach_current_index(lc) > 0)
				appendStringInfoString(sql, " || ',' || ");
			append_csv_field(sql, psprintf("_pgrest_t.%s", quote_identifier(out->name)));
		}
		appendStringInfoString(sql, ", E'\\n'), '')");
		return;
	}

	/* a function's value is the body itself; one that returns no set, too */
	if (plan->scalar)
		rows = psprintf("_pgrest_t.%s",
						quote_identifier(((PgrestOutput *) linitial(plan->outputs))->name));
	else
		rows = "_pgrest_t";
	if (plan->media == PGREST_MEDIA_OBJECT ||
		(plan->kind == PGREST_PLAN_CALL && !plan->routine->returns_set))
		agg = psprintf("coalesce(pg_catalog.json_agg(%s)->0, 'null')", rows);
	else
		agg = psprintf("coalesce(pg_catalog.json_agg(%s), '[]')", rows);
	if (plan->strip_nulls)
		appendStringInfo(sql, "pg_catalog.json_strip_nulls(%s)", agg);
	else
		appendStringInfoString(sql, agg);
}

/* RFC 4180: NULL is empty; quote fields holding a quote, comma or newline */
static void
append_csv_field(StringInfo sql, const char *value_sql)
{
	appendStringInfo(sql,
					 "CASE WHEN %s IS NULL THEN '' "
					 "WHEN %s::pg_catalog.text OPERATOR(pg_catalog.~) '[\",\\r\\n]' "
					 "THEN '\"' || pg_catalog.replace(%s::pg_catalog.text, '\"', '\"\"') || '\"' "
					 "ELSE %s::pg_catalog.text END",
					 value_sql, value_sql, value_sql, value_sql);
}

/* the schema cache's column for a field, or NULL if it has none */
static const PgrestColumn *
field_column(Builder *b, const PgrestField *field)
{
	int			i = pgrest_schema_column(b->plan->rel, field->name);

	return i >= 0 ? &b->plan->rel->columns[i] : NULL;
}

/* like.*son: PostgREST's '*' stands for '%' */
static char *
like_pattern(const char *value)
{
	char	   *pattern = pstrdup(value);

	for (char *c = pattern; *c; c++)
	{
		if (*c == '*')
			*c = '%';
	}
	return pattern;
}

/* the CSV header line: the output names */
static char *
csv_header(const PgrestPlan *plan)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, plan->outputs)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		csv_quote(&buf, ((PgrestOutput *) lfirst(lc))->name);
	}
	return buf.data;
}

static void
csv_quote(StringInfo buf, const char *value)
{
	if (strpbrk(value, "\",\r\n") == NULL)
	{
		appendStringInfoString(buf, value);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (; *value; value++)
	{
		if (*value == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, *value);
	}
	appendStringInfoChar(buf, '"');
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
