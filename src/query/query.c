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
 *	 WITH pgrest_source AS (<the read tree's SELECT, see render.c>)
 *	 SELECT <total>, pg_catalog.count(*), <body>
 *	 FROM pgrest_source _pgrest_t
 *
 * where the body aggregates the rows as _pgrest_t.* (a column of that
 * name, from an alias in select=, cannot stand in for the row).  A body
 * written row by row (stream.c) takes the rows themselves instead: see
 * build_rows.
 *
 * Writes and calls put what they write or return in a CTE first, and the
 * same read tree shapes its rows.  The relation written is aliased like
 * the read tree's top node (pgrest_<id>), never by its own name.
 *
 * This file only builds strings and runs no SQL (query/layer.h); it names
 * types as the catalog spells them (format_type), inside the request's
 * transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/query.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "query/layer.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "query/query.h"
#include "query/render.h"
#include "cache/schema.h"

/* a statement being built */
typedef struct Builder
{
	PgrestQuery *query;
	const PgrestPlan *plan;
	char	   *relation;		/* "schema"."name" */
	char	   *alias;			/* pgrest_<id> of the top node */
	char	   *from;			/* what the top node reads: NULL (its relation), or a CTE */
	char	   *with;			/* CTEs a read needs first, or NULL */
} Builder;

static void build_read(Builder *b);
static void build_rows(Builder *b);
static char *total_expression(Builder *b, const char *all_rows);
static void build_write(Builder *b);
static void build_call(Builder *b);
static const char *argument_type(Oid type);
static char *estimate_sql(Builder *b, const char *counted);
static void append_source(Builder *b, StringInfo sql);
static void append_payload(Builder *b, StringInfo sql);
static char **direct_values(Builder *b);
static bool direct_value(const PgrestPlan *plan, const PgrestColumn *col,
						 const PgrestBodyValue *value, char **out);
static bool direct_type(Oid type);
static bool direct_typmod(Oid type, int32 typmod);
static const PgrestBodyValue *body_value(const PgrestPayload *payload, const char *key,
										 int position);
static void append_direct_value(Builder *b, StringInfo sql, const PgrestColumn *col,
								char *value);
static void append_column_list(Builder *b, StringInfo sql, const char *prefix);
static const PgrestRepresentation *body_representation(const PgrestPlan *plan,
													   const PgrestColumn *col);
static void append_returning(Builder *b, StringInfo sql);
static void append_read_columns(Builder *b, StringInfo sql, const char *none);
static void append_write_result(Builder *b, StringInfo sql);
static void append_inserted_count(Builder *b, StringInfo sql);
static void append_body(Builder *b, StringInfo sql);
static void append_handler_body(Builder *b, StringInfo sql);
static char *csv_header(const PgrestPlan *plan);
static const char *scalar_column(const PgrestPlan *plan);
static void explain(PgrestQuery *query, const PgrestPlan *plan);

PgrestQuery *
pgrest_query_build(const PgrestPlan *plan)
{
	PgrestQuery *query = palloc0(sizeof(PgrestQuery));
	Builder		b;

	query->read_only = plan->read_only;
	query->estimate_from = -1;
	query->jsonb_embeds = plan->media == PGREST_MEDIA_HANDLER;
	switch (plan->kind)
	{
		case PGREST_PLAN_OPENAPI:
			elog(ERROR, "the OpenAPI document is built by openapi.c");
			break;
		case PGREST_PLAN_SQL:
			elog(ERROR, "the SQL endpoint builds no statement");
			break;
		case PGREST_PLAN_INFO:
			elog(ERROR, "OPTIONS runs no statement");
			break;
		case PGREST_PLAN_SUBSCRIBE:
			elog(ERROR, "a stream's statements are built by subscription.c");
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
			b.alias = pgrest_render_alias(plan->read->id);
			b.from = NULL;
			b.with = NULL;
			if (plan->kind == PGREST_PLAN_CALL)
				build_call(&b);
			if (plan->row_by_row)
				build_rows(&b);
			else if (plan->kind == PGREST_PLAN_READ || plan->kind == PGREST_PLAN_CALL)
				build_read(&b);
			else
				build_write(&b);
			break;
	}
	if (plan->explain != PGREST_EXPLAIN_NONE)
		explain(query, plan);
	return query;
}

/*
 * Accept: application/vnd.pgrst.plan: the statement's EXPLAIN instead,
 * with PostgREST's format and options.
 */
static void
explain(PgrestQuery *query, const PgrestPlan *plan)
{
	StringInfoData sql;
	int			o = plan->explain_options;

	initStringInfo(&sql);
	appendStringInfo(&sql, "EXPLAIN (FORMAT %s%s%s%s%s%s) %s",
					 plan->explain == PGREST_EXPLAIN_JSON ? "JSON" : "TEXT",
					 o & PGREST_EXPLAIN_ANALYZE ? ", ANALYZE" : "",
					 o & PGREST_EXPLAIN_VERBOSE ? ", VERBOSE" : "",
					 o & PGREST_EXPLAIN_SETTINGS ? ", SETTINGS" : "",
					 o & PGREST_EXPLAIN_BUFFERS ? ", BUFFERS" : "",
					 o & PGREST_EXPLAIN_WAL ? ", WAL" : "",
					 query->sql);
	query->sql = sql.data;
	query->explain = true;
	query->estimate_sql = NULL;
	/* its rows are the plan's lines, not the body's rows */
	query->rows = false;
	query->total_first = false;
	query->csv_header = NULL;
}

/* "WITH [<the write's CTEs>, ]pgrest_source AS (<the read tree's SELECT>)" */
static void
append_source(Builder *b, StringInfo sql)
{
	initStringInfo(sql);
	appendStringInfo(sql, "WITH %s%spgrest_source AS (",
					 b->with ? b->with : "", b->with ? ", " : "");
	pgrest_render_select(b->query, sql, b->plan->read, b->from);
	appendStringInfoChar(sql, ')');
}

static void
build_read(Builder *b)
{
	PgrestQuery *query = b->query;
	StringInfoData sql;
	char	   *total;

	append_source(b, &sql);
	appendStringInfoString(&sql, " SELECT ");
	total = total_expression(b, "pg_catalog.count(*)");
	appendStringInfoString(&sql, total ? total : "NULL::pg_catalog.int8");
	appendStringInfoString(&sql, ", pg_catalog.count(*), ");
	append_body(b, &sql);
	appendStringInfoString(&sql, ", NULL::pg_catalog.int8 FROM pgrest_source _pgrest_t");
	query->sql = sql.data;
}

/*
 * A read whose body is written row by row (stream.c) returns its rows
 * instead of an aggregate:
 *
 *	 WITH pgrest_source AS (<the read tree's SELECT>)
 *	 [SELECT <total>, NULL UNION ALL]
 *	 SELECT NULL::int8, <value> FROM pgrest_source _pgrest_t
 *
 * The value is the row as a record (for JSON, NDJSON and CSV), or a
 * function's value; stream.c turns each into text with the functions
 * json_agg and the record's output function use.  When a count is asked
 * for, a first row carries it, so that it is known before the first byte
 * of the body; without a range it counts pgrest_source itself, which
 * PostgreSQL then materializes (in work_mem, then a temporary file) rather
 * than run twice.
 */
static void
build_rows(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	PgrestQuery *query = b->query;
	StringInfoData sql;
	char	   *total;

	append_source(b, &sql);
	appendStringInfoChar(&sql, ' ');
	total = total_expression(b, "(SELECT pg_catalog.count(*) FROM pgrest_source)");
	if (total != NULL)
		appendStringInfo(&sql, "SELECT %s, NULL UNION ALL ", total);
	appendStringInfoString(&sql, "SELECT NULL::pg_catalog.int8, ");
	if (pgrest_plan_scalar(plan) && plan->media != PGREST_MEDIA_CSV)
		appendStringInfo(&sql, "_pgrest_t.%s", scalar_column(plan));
	else
		appendStringInfoString(&sql, "(_pgrest_t.*)::pg_catalog.record");
	appendStringInfoString(&sql, " FROM pgrest_source _pgrest_t");
	query->sql = sql.data;
	query->rows = true;
	query->total_first = total != NULL;
	if (plan->media == PGREST_MEDIA_CSV)
		query->csv_header = csv_header(plan);
}

/*
 * The total a read reports (Prefer: count=), as an expression, or NULL
 * when the statement computes none; for count=planned (and estimated,
 * above pgrest.max_rows) it sets the statement whose estimate gives it.
 * all_rows counts every row of pgrest_source.
 */
static char *
total_expression(Builder *b, const char *all_rows)
{
	const PgrestPlan *plan = b->plan;
	PgrestQuery *query = b->query;
	StringInfoData counted;

	initStringInfo(&counted);
	switch (plan->count)
	{
		case PGREST_COUNT_NONE:
			break;
		case PGREST_COUNT_EXACT:
		case PGREST_COUNT_ESTIMATED:
			pgrest_render_counted(query, &counted, plan->read, b->from);
			if (plan->count == PGREST_COUNT_ESTIMATED && plan->max_rows > 0)
			{
				/* exact up to pgrest.max_rows, the planner's guess above */
				query->estimate_sql = estimate_sql(b, counted.data);
				query->estimate_from = plan->max_rows + 1;
				return psprintf("(SELECT pg_catalog.count(*) FROM (SELECT 1%s LIMIT "
								INT64_FORMAT ") _pgrest_c)",
								counted.data, plan->max_rows + 1);
			}
			if (plan->count == PGREST_COUNT_ESTIMATED)
			{
				/*
				 * Without pgrest.max_rows, PostgREST reports the larger of
				 * the count and the planner's guess (its count is compared
				 * with a maximum that is not there, and any count is more).
				 */
				query->estimate_sql = estimate_sql(b, counted.data);
				query->estimate_from = 0;
			}
			if (plan->read->limit < 0 && plan->read->offset == 0)
				return pstrdup(all_rows);
			return psprintf("(SELECT pg_catalog.count(*)%s)", counted.data);
		case PGREST_COUNT_PLANNED:
			pgrest_render_counted(query, &counted, plan->read, b->from);
			query->estimate_sql = estimate_sql(b, counted.data);
			break;
	}
	return NULL;
}

/*
 * The type an argument is read as: its parameter's, except that
 * character and bit (of length 1 as types) take any length, as PostgREST
 * reads them, so that the function decides what fits.
 */
static const char *
argument_type(Oid type)
{
	switch (type)
	{
		case BPCHAROID:
			type = VARCHAROID;
			break;
		case BITOID:
			type = VARBITOID;
			break;
		default:
			if (type == get_array_type(BPCHAROID))
				type = get_array_type(VARCHAROID);
			else if (type == get_array_type(BITOID))
				type = get_array_type(VARBITOID);
			break;
	}
	return format_type_be(type);
}

/*
 * A call is read like a relation: its result is computed once, into
 *
 *	 [pgrest_args AS (SELECT <arguments> FROM json_to_recordset($1) AS ... LIMIT 1),]
 *	 pgrest_call AS MATERIALIZED (SELECT pgrest_1.* FROM "s"."f"(a := ...) AS pgrest_1)
 *
 * and the read grammar (outputs, filters, order, range, count) applies to
 * pgrest_call, so counting never calls a volatile function twice.  A
 * function returning record (without OUT parameters) is called as a
 * value, each record an object, as PostgREST has it.
 * Arguments are named, each cast to the chosen function's parameter type,
 * so PostgreSQL calls exactly that function; a body's arguments are its
 * (first) object's, as PostgREST takes them.
 */
static void
build_call(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	const PgrestRoutine *routine = plan->call.routine;
	StringInfoData with;
	StringInfoData call;
	ListCell   *lc;

	initStringInfo(&with);
	initStringInfo(&call);
	appendStringInfo(&call, "%s(", quote_qualified_identifier(routine->schema, routine->name));
	if (plan->call.body)
		appendStringInfo(&call, "$%d::%s", pgrest_render_param(b->query, plan->call.payload->text),
						 format_type_be(routine->args[0].type));
	else if (plan->call.payload != NULL && plan->call.args != NIL)
	{
		appendStringInfo(&with,
						 "pgrest_args AS (SELECT * FROM pg_catalog.json_to_recordset($%d::pg_catalog.json) AS pgrest_row(",
						 pgrest_render_param(b->query, plan->call.payload->json));
		foreach(lc, plan->call.args)
		{
			const PgrestRoutineArg *arg = ((PgrestCallArg *) lfirst(lc))->arg;

			appendStringInfo(&with, "%s%s %s", foreach_current_index(lc) > 0 ? ", " : "",
							 quote_identifier(arg->name), argument_type(arg->type));
			appendStringInfo(&call, "%s%s%s := pgrest_args.%s",
							 foreach_current_index(lc) > 0 ? ", " : "",
							 arg->variadic ? "VARIADIC " : "",
							 quote_identifier(arg->name), quote_identifier(arg->name));
		}
		appendStringInfoString(&with, ") LIMIT 1), ");
	}
	else
	{
		foreach(lc, plan->call.args)
		{
			PgrestCallArg *ca = (PgrestCallArg *) lfirst(lc);
			const char *value = ca->arg->variadic ?
				pgrest_render_text_array(ca->values) : (const char *) llast(ca->values);

			appendStringInfo(&call, "%s%s%s := $%d::%s",
							 foreach_current_index(lc) > 0 ? ", " : "",
							 ca->arg->variadic ? "VARIADIC " : "",
							 quote_identifier(ca->arg->name),
							 pgrest_render_param(b->query, value), argument_type(ca->arg->type));
		}
	}
	appendStringInfoChar(&call, ')');

	if (routine->rettype == RECORDOID && routine->result == NULL)
	{
		/* a record: a value, whose columns only its rows know */
		appendStringInfo(&with,
						 "pgrest_call AS MATERIALIZED (SELECT %s.* FROM %s(SELECT %s AS pgrest_scalar) AS %s)",
						 b->alias, with.len > 0 ? "pgrest_args, LATERAL " : "", call.data,
						 b->alias);
	}
	else
		appendStringInfo(&with, "pgrest_call AS MATERIALIZED (SELECT %s.* FROM %s%s AS %s%s)",
						 b->alias, with.len > 0 ? "pgrest_args, " : "", call.data, b->alias,
						 pgrest_plan_scalar(plan) ? "(pgrest_scalar)" : "");
	b->with = with.data;
	b->from = "pgrest_call";
}

/* the statement whose planner estimate is the total (count=planned) */
static char *
estimate_sql(Builder *b, const char *counted)
{
	if (b->with)
		return psprintf("WITH %s SELECT 1%s", b->with, counted);
	return psprintf("SELECT 1%s", counted);
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
 *
 * A POST or PATCH of one object whose values each column's input function
 * reads as json_to_recordset would (direct_values) binds each value as a
 * parameter of its own instead, converted in the statement:
 *
 *	 INSERT ... SELECT <columns> FROM (SELECT $1::text::<type> AS <column>,
 *		 ... OFFSET 0) AS pgrest_body
 *	 UPDATE ... SET <column> = $1::text::<type>, ... WHERE ...
 *
 * The values stay text until the statement runs, and its plan is generic,
 * so that they are converted where json_to_recordset converted them: after
 * the privileges are checked, for an insert before a column's DEFAULT is
 * evaluated (the fence OFFSET 0 keeps them apart: a bad value takes no
 * number from a sequence), for an update only when a row matches.
 */
static void
build_write(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	PgrestQuery *query = b->query;
	StringInfoData sql;
	StringInfoData where;
	ListCell   *lc;
	char	  **direct;

	initStringInfo(&where);
	pgrest_render_where(query, &where, plan->read, plan->mutate.filters);
	direct = direct_values(b);
	if (direct != NULL)
		query->generic_plan = true;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "WITH ");
	if (plan->mutate.columns != NIL && direct == NULL)
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
			appendStringInfo(&sql, "INSERT INTO %s AS %s ", b->relation, b->alias);
			if (plan->mutate.columns == NIL)
			{
				/* rows of defaults, one per object of the body */
				appendStringInfo(&sql,
								 "SELECT FROM pg_catalog.json_array_elements($%d::pg_catalog.json)",
								 pgrest_render_param(query, plan->mutate.payload->json));
			}
			else if (direct != NULL)
			{
				append_column_list(b, &sql, "(");
				appendStringInfoString(&sql, ") SELECT ");
				append_column_list(b, &sql, "");
				appendStringInfoString(&sql, " FROM (SELECT ");
				foreach(lc, plan->mutate.columns)
				{
					const PgrestColumn *col = &plan->rel->columns[lfirst_int(lc)];

					if (foreach_current_index(lc) > 0)
						appendStringInfoString(&sql, ", ");
					append_direct_value(b, &sql, col, direct[foreach_current_index(lc)]);
					appendStringInfo(&sql, " AS %s", quote_identifier(col->name));
				}
				appendStringInfoString(&sql, " OFFSET 0) AS pgrest_body");
			}
			else
			{
				append_column_list(b, &sql, "(");
				appendStringInfoString(&sql, ") SELECT ");
				append_column_list(b, &sql, "");
				appendStringInfoString(&sql, " FROM pgrest_body");
			}
			if (plan->kind == PGREST_PLAN_PUT ||
				plan->mutate.resolution != PGREST_RESOLUTION_NONE)
			{
				appendStringInfoString(&sql, " ON CONFLICT (");
				foreach(lc, plan->mutate.conflict)
				{
					if (foreach_current_index(lc) > 0)
						appendStringInfoString(&sql, ", ");
					appendStringInfoString(&sql, quote_identifier(plan->rel->columns[lfirst_int(lc)].name));
				}
				if (plan->mutate.resolution == PGREST_RESOLUTION_IGNORE || plan->mutate.columns == NIL)
					appendStringInfoString(&sql, ") DO NOTHING");
				else
				{
					appendStringInfoString(&sql, ") DO UPDATE SET ");
					foreach(lc, plan->mutate.columns)
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
			if (plan->mutate.columns == NIL)
			{
				/*
				 * Nothing to set: no row changes.  As PostgREST does, a
				 * table's route matches no row; /<table>/<key> matches its
				 * row unchanged, so that only a missing one is a 404.
				 */
				appendStringInfoString(&sql, "SELECT ");
				if (plan->mutate.return_ == PGREST_RETURN_HEADERS_ONLY)
					appendStringInfo(&sql, "%s.*", b->alias);
				else
					append_read_columns(b, &sql, "NULL");
				appendStringInfo(&sql, " FROM %s AS %s%s",
								 b->relation, b->alias,
								 plan->by_key ? where.data : " WHERE false");
				appendStringInfoString(&sql, ") ");
				append_write_result(b, &sql);
				query->sql = sql.data;
				return;
			}
			appendStringInfo(&sql, "UPDATE %s AS %s SET ", b->relation, b->alias);
			foreach(lc, plan->mutate.columns)
			{
				const char *col = quote_identifier(plan->rel->columns[lfirst_int(lc)].name);

				if (foreach_current_index(lc) > 0)
					appendStringInfoString(&sql, ", ");
				if (direct != NULL)
				{
					appendStringInfo(&sql, "%s = ", col);
					append_direct_value(b, &sql, &plan->rel->columns[lfirst_int(lc)],
										direct[foreach_current_index(lc)]);
				}
				else
					appendStringInfo(&sql, "%s = pgrest_body.%s", col, col);
			}
			if (direct != NULL)
				appendStringInfoString(&sql, where.data);
			else
				appendStringInfo(&sql, " FROM pgrest_body%s", where.data);
			break;
		case PGREST_PLAN_DELETE:
			appendStringInfo(&sql, "DELETE FROM %s AS %s%s", b->relation, b->alias, where.data);
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
 * DEFAULT, evaluated per row.  PATCH applies the body's first object; PUT
 * the first whose key is the URL's.  A column of a domain with a json
 * representation is read as json and parsed by it, as PostgREST does.
 */
static void
append_payload(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;
	int			json = pgrest_render_param(b->query, plan->mutate.payload->json);
	bool		defaults = false;
	ListCell   *lc;

	appendStringInfoString(sql, "SELECT ");
	foreach(lc, plan->mutate.columns)
	{
		const PgrestColumn *col = &plan->rel->columns[lfirst_int(lc)];
		const char *name = quote_identifier(col->name);
		const PgrestRepresentation *rep = body_representation(plan, col);

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		if (rep)
			appendStringInfo(sql, "%s(pgrest_row.%s::%s) AS %s", rep->function, name,
							 format_type_be_qualified(rep->argtype), name);
		else
			appendStringInfoString(sql, name);
	}
	if (plan->mutate.missing_default)
	{
		foreach(lc, plan->mutate.columns)
			defaults = defaults || plan->rel->columns[lfirst_int(lc)].default_expr != NULL;
	}
	if (defaults)
	{
		appendStringInfo(sql,
						 " FROM pg_catalog.json_array_elements($%d::pg_catalog.json) AS pgrest_element, "
						 "LATERAL pg_catalog.json_to_record((pg_catalog.jsonb_build_object(",
						 json);
		foreach(lc, plan->mutate.columns)
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
	foreach(lc, plan->mutate.columns)
	{
		const PgrestColumn *col = &plan->rel->columns[lfirst_int(lc)];

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		appendStringInfo(sql, "%s %s", quote_identifier(col->name),
						 body_representation(plan, col) ? "pg_catalog.json" :
						 format_type_with_typemod(col->type, col->typmod));
	}
	appendStringInfoChar(sql, ')');
	if (plan->kind == PGREST_PLAN_UPDATE)
		appendStringInfoString(sql, " LIMIT 1");
	if (plan->kind == PGREST_PLAN_PUT)
	{
		/* PUT: the first row whose key is the URL's; none is PGRST115 */
		foreach(lc, plan->mutate.conflict)
		{
			appendStringInfoString(sql, foreach_current_index(lc) == 0 ? " WHERE " : " AND ");
			appendStringInfo(sql, "pgrest_row.%s = $%d",
							 quote_identifier(plan->rel->columns[lfirst_int(lc)].name),
							 pgrest_render_param(b->query,
												 list_nth(plan->mutate.put_key,
														  foreach_current_index(lc))));
		}
		appendStringInfoString(sql, " LIMIT 1");
	}
}

/*
 * The text of each written column's value (NULL for null), in the order of
 * mutate.columns, when the write can bind them one by one; else NULL, and
 * the write reads its body with json_to_recordset.  That takes a POST
 * without upsert or PATCH of one JSON object, without Prefer:
 * missing=default, whose written columns are the object's keys in their
 * order (columns= naming others keeps json_to_recordset), in the table's
 * order of columns (so that of two bad values the same one is
 * reported), and whose every value direct_value takes.
 */
static char **
direct_values(Builder *b)
{
	const PgrestPlan *plan = b->plan;
	const PgrestPayload *payload = plan->mutate.payload;
	AttrNumber	last = InvalidAttrNumber;
	char	  **values;
	ListCell   *lc;

	if (!(plan->kind == PGREST_PLAN_UPDATE ||
		  (plan->kind == PGREST_PLAN_INSERT &&
		   plan->mutate.resolution == PGREST_RESOLUTION_NONE)))
		return NULL;
	if (payload == NULL || !payload->is_json || !payload->single ||
		payload->values == NULL || plan->mutate.missing_default ||
		plan->mutate.columns == NIL)
		return NULL;

	values = palloc(sizeof(char *) * list_length(plan->mutate.columns));
	foreach(lc, plan->mutate.columns)
	{
		const PgrestColumn *col = &plan->rel->columns[lfirst_int(lc)];
		const PgrestBodyValue *value = body_value(payload, col->name,
												  foreach_current_index(lc));

		if (value == NULL || col->attnum <= last ||
			!direct_value(plan, col, value, &values[foreach_current_index(lc)]))
			return NULL;
		last = col->attnum;
	}
	return values;
}

/*
 * The text json_to_recordset would hand col's input function for the
 * value, into *out; false when it would do something else.  A string is
 * its decoded text (for json and jsonb made a JSON string again, as
 * json_to_recordset does); a number, true and false their text as
 * written; null is NULL; a flat array, for an array column, its array
 * literal, whose elements array_in reads with the element type's input
 * function, as json_to_recordset does (a string given for an array column
 * is read by array_in in both).  An object, an array for any other column
 * or nested, a scalar other than a string for an array column, a domain
 * or a representation keep json_to_recordset.
 */
static bool
direct_value(const PgrestPlan *plan, const PgrestColumn *col,
			 const PgrestBodyValue *value, char **out)
{
	Oid			element = get_element_type(col->type);

	if (col->type != col->basetype || body_representation(plan, col) != NULL ||
		!direct_type(col->type) ||
		!direct_typmod(OidIsValid(element) ? element : col->type, col->typmod))
		return false;
	*out = value->text;
	switch (value->kind)
	{
		case PGREST_JSON_NULL:
			return true;
		case PGREST_JSON_STRING:
			if (col->type == JSONOID || col->type == JSONBOID)
			{
				StringInfoData json;

				initStringInfo(&json);
				escape_json(&json, value->text);
				*out = json.data;
			}
			return true;
		case PGREST_JSON_NUMBER:
		case PGREST_JSON_TRUE:
		case PGREST_JSON_FALSE:
			return !OidIsValid(element);
		case PGREST_JSON_ARRAY:
			{
				int16		typlen;
				bool		typbyval;
				char		typalign;
				char		typdelim;
				Oid			typioparam;
				Oid			typinput;

				if (!OidIsValid(element) || !value->flat ||
					get_array_type(element) != col->type ||
					element == JSONOID || element == JSONBOID ||
					get_element_type(element) != InvalidOid ||
					!(get_typtype(element) == TYPTYPE_BASE ||
					  get_typtype(element) == TYPTYPE_ENUM ||
					  get_typtype(element) == TYPTYPE_RANGE ||
					  get_typtype(element) == TYPTYPE_MULTIRANGE))
					return false;
				get_type_io_data(element, IOFunc_input, &typlen, &typbyval, &typalign,
								 &typdelim, &typioparam, &typinput);
				if (typdelim != ',')
					return false;
				*out = value->array;
				return true;
			}
		case PGREST_JSON_OBJECT:
			return false;
	}
	return false;
}

/*
 * A type whose value text::<type> reads with the type's input function (or
 * takes as it is, text and its kin): a base type, an enum or a range, but
 * no domain, composite or pseudo-type, nor a type with a cast of its own
 * from text (name, "char", xml, regclass).
 */
static bool
direct_type(Oid type)
{
	char		typtype = get_typtype(type);
	Oid			function;
	CoercionPathType path;

	if (type == TEXTOID)
		return true;
	if (!(typtype == TYPTYPE_BASE || typtype == TYPTYPE_ENUM ||
		  typtype == TYPTYPE_RANGE || typtype == TYPTYPE_MULTIRANGE))
		return false;
	path = find_coercion_pathway(type, TEXTOID, COERCION_EXPLICIT, &function);
	return path == COERCION_PATH_COERCEVIAIO || path == COERCION_PATH_RELABELTYPE;
}

/*
 * Whether a column of type (an array's: its elements') with typmod reads
 * a value the same when the typmod is applied after the type's input
 * function as when given to it: none, or one of the types whose input
 * checks the text first and then applies the typmod as their length
 * coercion does (bit checks the length first; interval reads a bare
 * number in the unit of its fields).
 */
static bool
direct_typmod(Oid type, int32 typmod)
{
	if (typmod < 0)
		return true;
	switch (type)
	{
		case VARCHAROID:
		case BPCHAROID:
		case NUMERICOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case TIMEOID:
		case TIMETZOID:
			return true;
		default:
			return false;
	}
}

/*
 * The value of key in a single object's body, if it is the key at
 * position (the columns written are the body's keys, in order, unless
 * columns= names them); else NULL.
 */
static const PgrestBodyValue *
body_value(const PgrestPayload *payload, const char *key, int position)
{
	if (position < list_length(payload->keys) &&
		strcmp((char *) list_nth(payload->keys, position), key) == 0)
		return &payload->values[position];
	return NULL;
}

/*
 * $n::pg_catalog.text::<col's type>: the value, read when the statement
 * runs.  The type is named without a typmod (bpchar, not character, which
 * is character(1)); the column's typmod is applied as it is stored.
 */
static void
append_direct_value(Builder *b, StringInfo sql, const PgrestColumn *col, char *value)
{
	appendStringInfo(sql, "$%d::pg_catalog.text", pgrest_render_param(b->query, value));
	if (col->type != TEXTOID)
		appendStringInfo(sql, "::%s",
						 format_type_extended(col->type, -1,
											  FORMAT_TYPE_TYPEMOD_GIVEN |
											  FORMAT_TYPE_FORCE_QUALIFY));
}

/* the representation that parses a body's json value for col, or NULL */
static const PgrestRepresentation *
body_representation(const PgrestPlan *plan, const PgrestColumn *col)
{
	if (plan->rel->kind == 'F')
		return NULL;
	return pgrest_schema_representation(JSONOID, col->type);
}

/* "a", "b", ... after prefix */
static void
append_column_list(Builder *b, StringInfo sql, const char *prefix)
{
	ListCell   *lc;

	appendStringInfoString(sql, prefix);
	foreach(lc, b->plan->mutate.columns)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		appendStringInfoString(sql,
							   quote_identifier(b->plan->rel->columns[lfirst_int(lc)].name));
	}
}

/*
 * For return=representation, the columns the response reads (every
 * column when it needs the whole row); the primary key for headers-only;
 * else just 1: a role may write what it cannot read, and read back only
 * the columns it may.
 */
static void
append_returning(Builder *b, StringInfo sql)
{
	const PgrestRelation *rel = b->plan->rel;

	if (b->plan->mutate.return_ == PGREST_RETURN_REPRESENTATION)
	{
		appendStringInfoString(sql, " RETURNING ");
		append_read_columns(b, sql, "1");
	}
	else if (b->plan->mutate.return_ == PGREST_RETURN_HEADERS_ONLY && rel->npkey > 0)
	{
		for (int i = 0; i < rel->npkey; i++)
			appendStringInfo(sql, "%s%s.%s", i == 0 ? " RETURNING " : ", ", b->alias,
							 quote_identifier(rel->columns[rel->pkey[i]].name));
	}
	else
		appendStringInfoString(sql, " RETURNING 1");
}

/*
 * The columns of the written relation the returned rows are read from
 * (pgrest_render_columns): "pgrest_<n>.*" for the whole row, else each
 * column, or none (then what stands for none).
 */
static void
append_read_columns(Builder *b, StringInfo sql, const char *none)
{
	bool		whole;
	List	   *columns = pgrest_render_columns(b->plan->read, &whole);
	ListCell   *lc;

	if (whole)
	{
		appendStringInfo(sql, "%s.*", b->alias);
		return;
	}
	if (columns == NIL)
		appendStringInfoString(sql, none);
	foreach(lc, columns)
		appendStringInfo(sql, "%s%s.%s", foreach_current_index(lc) > 0 ? ", " : "", b->alias,
						 quote_identifier(b->plan->rel->columns[lfirst_int(lc)].name));
}

/*
 * SELECT <total>, count, <body>, <inserted> FROM (the returned rows).
 * headers-only returns the primary key of the first row, for Location.
 */
static void
append_write_result(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;

	appendStringInfo(sql, "SELECT %s, pg_catalog.count(*), ",
					 plan->count != PGREST_COUNT_NONE ?
					 "pg_catalog.count(*)" : "NULL::pg_catalog.int8");
	if (plan->mutate.return_ == PGREST_RETURN_HEADERS_ONLY && plan->rel->npkey > 0)
	{
		appendStringInfoString(sql, "(pg_catalog.array_agg(pg_catalog.json_build_array(");
		for (int i = 0; i < plan->rel->npkey; i++)
			appendStringInfo(sql, "%s_pgrest_t.%s::pg_catalog.text", i > 0 ? ", " : "",
							 quote_identifier(plan->rel->columns[plan->rel->pkey[i]].name));
		appendStringInfoString(sql, ")))[1]");
	}
	else if (plan->mutate.return_ == PGREST_RETURN_REPRESENTATION)
		append_body(b, sql);
	else
		appendStringInfoString(sql, "NULL::pg_catalog.text");
	appendStringInfoString(sql, ", ");
	append_inserted_count(b, sql);

	appendStringInfoString(sql, " FROM (");
	if (plan->mutate.return_ == PGREST_RETURN_REPRESENTATION)
		pgrest_render_select(b->query, sql, plan->read, "pgrest_source");
	else if (plan->mutate.return_ == PGREST_RETURN_HEADERS_ONLY && plan->rel->npkey > 0)
		appendStringInfo(sql, "SELECT %s.* FROM pgrest_source AS %s", b->alias, b->alias);
	else
		appendStringInfo(sql, "SELECT 1 FROM pgrest_source AS %s", b->alias);
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

	if (!((plan->kind == PGREST_PLAN_INSERT && plan->mutate.resolution != PGREST_RESOLUTION_NONE) ||
		  plan->kind == PGREST_PLAN_PUT) || plan->mutate.columns == NIL || plan->mutate.conflict == NIL)
	{
		appendStringInfoString(sql, "NULL::pg_catalog.int8");
		return;
	}
	appendStringInfo(sql,
					 "(SELECT pg_catalog.count(*) FROM pgrest_body WHERE NOT EXISTS "
					 "(SELECT 1 FROM %s AS pgrest_existing WHERE ", b->relation);
	foreach(lc, plan->mutate.conflict)
	{
		const char *col = quote_identifier(plan->rel->columns[lfirst_int(lc)].name);

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, " AND ");
		appendStringInfo(sql, "pgrest_existing.%s = pgrest_body.%s", col, col);
	}
	appendStringInfoString(sql, "))");
}

/*
 * The body: a JSON array, a single object (the count is checked after the
 * statement), or CSV; nothing for HEAD.
 */
static void
append_body(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;
	const char *rows;
	const char *element;

	if (!plan->with_body)
	{
		appendStringInfoString(sql, "NULL::pg_catalog.text");
		return;
	}
	if (plan->media == PGREST_MEDIA_HANDLER)
	{
		append_handler_body(b, sql);
		return;
	}
	if (plan->media == PGREST_MEDIA_CSV)
	{
		/*
		 * As PostgREST writes CSV: the keys, then each row as PostgreSQL
		 * prints a record without its parentheses (a value is quoted when
		 * empty or holding a quote, backslash, comma, parenthesis or white
		 * space; NULL is nothing).  No rows: an empty header.
		 */
		appendStringInfo(sql,
						 "CASE WHEN pg_catalog.count(*) = 0 THEN '' ELSE $%d END || E'\\n' || "
						 "coalesce(pg_catalog.string_agg(pg_catalog.substr((_pgrest_t.*)::pg_catalog.text, 2, "
						 "pg_catalog.length((_pgrest_t.*)::pg_catalog.text) - 2), E'\\n'), '')",
						 pgrest_render_param(b->query, csv_header(plan)));
		return;
	}

	if (plan->media == PGREST_MEDIA_GEOJSON)
	{
		/* as PostgREST: a FeatureCollection of PostGIS's features */
		appendStringInfo(sql,
						 "pg_catalog.json_build_object('type', 'FeatureCollection', 'features', "
						 "coalesce(pg_catalog.json_agg(%s((_pgrest_t.*)::record)::pg_catalog.json), '[]'))",
						 pgrest_schema_geojson_function());
		return;
	}

	/*
	 * A function's value is the body itself; one that returns no set, too.
	 * Nothing re-reads the JSON text PostgreSQL built: its JSON parser
	 * cannot be interrupted, so json_agg(...)->0 or
	 * json_strip_nulls(json_agg(...)) over a large table would hold the
	 * worker past its statement timeout.  A single object is the first of
	 * the rows as JSON, which only a count of 1 lets through
	 * (pgrest_response_check); nulls are stripped row by row and the rows
	 * joined by ',', the very text json_strip_nulls makes of an array.
	 */
	if (pgrest_plan_scalar(plan))
		rows = psprintf("_pgrest_t.%s", scalar_column(plan));
	else
		rows = "_pgrest_t.*";
	if (plan->strip_nulls)
		element = psprintf("pg_catalog.json_strip_nulls(pg_catalog.to_json(%s))", rows);
	else
		element = psprintf("pg_catalog.to_json(%s)", rows);
	if (plan->media == PGREST_MEDIA_OBJECT ||
		(plan->kind == PGREST_PLAN_CALL && !plan->call.routine->returns_set))
		appendStringInfo(sql, "coalesce((pg_catalog.array_agg(%s))[1], 'null')", element);
	else if (plan->strip_nulls)
		appendStringInfo(sql, "'[' || coalesce(pg_catalog.string_agg(%s::pg_catalog.text, ','), '') || ']'",
						 element);
	else
		appendStringInfo(sql, "coalesce(pg_catalog.json_agg(%s), '[]')", rows);
}

/*
 * The body a media type handler of the database makes (plan/media.c), as
 * PostgREST calls it: an aggregate over the rows (as the relation's row
 * type, or as they are for anyelement; a function's values), or the
 * function's single value cast to the handler's domain.  A domain of a
 * type that is not text is sent in that type's binary form, as
 * PostgREST receives it (jsonb's starts with its version byte; xml's
 * is its text without a first empty line).
 */
static void
append_handler_body(Builder *b, StringInfo sql)
{
	const PgrestPlan *plan = b->plan;
	const PgrestMediaHandler *handler = plan->handler;
	char	   *rows;
	char	   *value;

	if (pgrest_plan_scalar(plan))
		rows = psprintf("_pgrest_t.%s", scalar_column(plan));
	else if (!handler->aggregate || handler->any)
		rows = "_pgrest_t";
	else
		rows = psprintf("_pgrest_t::%s", format_type_be_qualified(handler->rowtype));
	if (handler->aggregate)
		value = psprintf("%s(%s)", handler->function, rows);
	else
		value = psprintf("(pg_catalog.array_agg(CAST(%s AS %s)))[1]", rows,
						 format_type_be_qualified(handler->domain));
	if (getBaseType(handler->domain) != BYTEAOID && (plan->raw_body ||
													  getBaseType(handler->domain) == XMLOID))
	{
		Oid			send;
		bool		varlena;

		getTypeBinaryOutputInfo(getBaseType(handler->domain), &send, &varlena);
		value = psprintf("%s(%s)",
						 quote_qualified_identifier(get_namespace_name(get_func_namespace(send)),
													get_func_name(send)),
						 value);
	}
	appendStringInfoString(sql, value);
}

/*
 * The column holding a function's value, quoted: the read plan's first
 * output (readplan.c never leaves a function's value without one).
 */
static const char *
scalar_column(const PgrestPlan *plan)
{
	if (plan->read->outputs == NIL)
		elog(ERROR, "a function's value is read without a column");
	return quote_identifier(((PgrestOutput *) linitial(plan->read->outputs))->name);
}

/* the CSV header line: the keys, joined by commas as PostgREST joins them */
static char *
csv_header(const PgrestPlan *plan)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, plan->read->outputs)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, ((PgrestOutput *) lfirst(lc))->name);
	}
	return buf.data;
}
