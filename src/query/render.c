/*-------------------------------------------------------------------------
 *
 * render.c
 *	  Write a read-plan tree as SQL: one SELECT per node, embedded
 *	  resources as lateral joins, in one statement.
 *
 * A node reads its relation under its own alias, pgrest_<id>, never a
 * name from the request or the database, so no relation name can clash
 * with pgrest's own names (pgrest_source, pgrest_body, ...):
 *
 *	 SELECT <outputs>
 *	 FROM <relation> AS pgrest_1
 *	 [LEFT | INNER] JOIN LATERAL (<child>) AS pgrest_2 ON ...
 *	 WHERE <join with the parent> AND <filters>
 *	 [GROUP BY ...] ORDER BY ... LIMIT $n OFFSET $m
 *
 * A to-one child's lateral is its SELECT: its key in the parent is
 * row_to_json(pgrest_2.*), NULL when nothing matched, and a spread takes
 * its columns.  A to-many child's lateral aggregates its rows,
 *
 *	 (SELECT json_agg(pgrest_2.*) AS pgrest_2 FROM (<child>) AS pgrest_2)
 *
 * (or, spread, one array per key), so each parent row stays one row:
 * never one query per parent row.  !inner joins only where the child
 * matched; "rel=is.null" tests the same.  Nodes that aggregate group by
 * their other outputs (by position), their embedded values as jsonb.
 *
 * Identifiers are quoted with quote_identifier and qualified; functions
 * with pg_catalog; every value from the request, JSON keys included, is a
 * $n parameter, never SQL text.  The only words of SQL that come from a
 * plan are PostgreSQL's own spelling of a type (format_type) and numbers
 * pgrest computed.
 *
 * This file only builds strings and runs no SQL (query/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/render.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "query/layer.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "query/render.h"
#include "cache/schema.h"

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

static const char *const aggregate_sql[] = {
	[PGREST_AGG_NONE] = NULL,
	[PGREST_AGG_COUNT] = "pg_catalog.count",
	[PGREST_AGG_SUM] = "pg_catalog.sum",
	[PGREST_AGG_AVG] = "pg_catalog.avg",
	[PGREST_AGG_MAX] = "pg_catalog.max",
	[PGREST_AGG_MIN] = "pg_catalog.min",
};

static void append_node(PgrestQuery *query, StringInfo sql,
						const PgrestReadNode *node, const char *from,
						const PgrestReadNode *parent);
static void append_outputs(PgrestQuery *query, StringInfo sql,
						   const PgrestReadNode *node);
static void append_output(PgrestQuery *query, StringInfo sql,
						  const PgrestReadNode *node, const PgrestOutput *out);
static void append_from(PgrestQuery *query, StringInfo sql,
						const PgrestReadNode *node, const char *from,
						const PgrestReadNode *parent, bool counting);
static void append_join(PgrestQuery *query, StringInfo sql,
						const PgrestReadNode *node, const PgrestReadNode *child);
static void append_join_condition(StringInfo sql, const PgrestReadNode *node,
								  const PgrestReadNode *parent);
static void append_group_by(StringInfo sql, const PgrestReadNode *node);
static void append_order(PgrestQuery *query, StringInfo sql,
						 const PgrestReadNode *node);
static void append_filter(PgrestQuery *query, StringInfo sql,
						  const PgrestReadNode *node, const PgrestFilter *filter,
						  bool counting);
static void append_exists(PgrestQuery *query, StringInfo sql,
						  const PgrestReadNode *node, const PgrestReadNode *child);
static void append_condition(PgrestQuery *query, StringInfo sql,
							 const PgrestReadNode *node, const PgrestFilter *filter);
static void append_embed_test(StringInfo sql, const PgrestReadNode *child);
static void append_field(PgrestQuery *query, StringInfo sql, const char *alias,
						 const PgrestRelation *rel, const PgrestField *field);
static const PgrestColumn *field_column(const PgrestRelation *rel, const PgrestField *field);
static const PgrestRepresentation *representation(const PgrestRelation *rel,
												  const PgrestField *field,
												  Oid source, Oid target);
static void append_value(PgrestQuery *query, StringInfo sql,
						 const PgrestRepresentation *rep, const char *value);
static void append_values(PgrestQuery *query, StringInfo sql,
						  const PgrestRepresentation *rep, const char *array);
static void append_range(PgrestQuery *query, StringInfo sql,
						 const PgrestReadNode *node);
static bool range_first(const PgrestReadNode *node);
static bool filters_test(List *filters, const PgrestReadNode *child);
static void append_range_first(PgrestQuery *query, StringInfo sql,
							   const PgrestReadNode *node);
static bool is_to_many(const PgrestReadNode *child);
static bool spreads_embed(const PgrestReadNode *child, const char *key);
static bool typed_row(const PgrestReadNode *node);
static char *like_pattern(const char *value);

/* Append a parameter; returns its number n for "$n". */
int
pgrest_render_param(PgrestQuery *query, const char *value)
{
	query->params = query->nparams == 0 ?
		palloc(sizeof(char *)) :
		repalloc(query->params, sizeof(char *) * (query->nparams + 1));
	query->params[query->nparams++] = value;
	return query->nparams;
}

/*
 * An array literal of text values, {"a","b"}, each element quoted and
 * escaped as array_in expects.
 */
char *
pgrest_render_text_array(List *values)
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

/* "pgrest_<id>", the alias of a node (or a junction) */
char *
pgrest_render_alias(int id)
{
	return psprintf("pgrest_%d", id);
}

/*
 * The SELECT of the top node and everything embedded in it.  from, when
 * not NULL, is what the top node reads instead of its relation (the rows
 * a write returned, a call's result).
 */
void
pgrest_render_select(PgrestQuery *query, StringInfo sql,
					 const PgrestReadNode *node, const char *from)
{
	append_node(query, sql, node, from, NULL);
}

/*
 * " FROM ... WHERE ..." of the top node without its range, where the
 * embedded resources that decide which rows there are (!inner, or tested
 * by a filter) are EXISTS subqueries, as in PostgREST's count: counting
 * its rows counts the request's, and the planner's estimate of it
 * (count=planned) is the one PostgREST's statement gets.
 */
void
pgrest_render_counted(PgrestQuery *query, StringInfo sql,
					  const PgrestReadNode *node, const char *from)
{
	append_from(query, sql, node, from, NULL, true);
}

/*
 * The columns of its relation (indexes) that the node reads from what it
 * reads (the rows a write returned, a call's result): its fields, order
 * and embeds' join columns; NIL with *whole set when it needs every
 * column, as a row of the relation's type (a computed field or
 * relationship, a field that is no column).
 */
List *
pgrest_render_columns(const PgrestReadNode *node, bool *whole)
{
	const PgrestRelation *rel = node->rel;
	List	   *columns = NIL;
	ListCell   *lc;

	*whole = false;
	foreach(lc, node->outputs)
	{
		const PgrestOutput *out = (const PgrestOutput *) lfirst(lc);

		if (out->kind != PGREST_OUTPUT_FIELD)
			continue;
		if (out->column < 0)
			*whole = true;
		else
			columns = list_append_unique_int(columns, out->column);
	}
	foreach(lc, node->order)
	{
		const PgrestOrderTerm *term = (const PgrestOrderTerm *) lfirst(lc);
		int			i;

		if (term->embed != NULL)
			continue;
		if ((i = pgrest_schema_column(rel, term->field.name)) < 0)
			*whole = true;
		else
			columns = list_append_unique_int(columns, i);
	}
	foreach(lc, node->children)
	{
		const PgrestRelationship *r = ((const PgrestReadNode *) lfirst(lc))->relationship;

		if (r->cardinality == PGREST_COMPUTED)
			*whole = true;
		for (int i = 0; i < r->ncolumns; i++)
			columns = list_append_unique_int(columns, r->from_columns[i]);
	}
	if (*whole)
		return NIL;
	return columns;
}

/* " WHERE f1 AND f2 ...", or nothing: filters on the node's columns */
void
pgrest_render_where(PgrestQuery *query, StringInfo sql,
					const PgrestReadNode *node, List *filters)
{
	ListCell   *lc;

	foreach(lc, filters)
	{
		appendStringInfoString(sql, foreach_current_index(lc) == 0 ? " WHERE " : " AND ");
		append_filter(query, sql, node, (PgrestFilter *) lfirst(lc), false);
	}
}

/*
 * The top node's rows one by one, each with its JSON object as a GET's
 * body holds it (a stream's events, realtime/):
 *
 *	 SELECT <leading>, (SELECT pg_catalog.to_json(_pgrest_r.*)
 *						FROM (SELECT <outputs>) AS _pgrest_r)
 *	 FROM <from> AS pgrest_<id> <joins> [WHERE <filters>]
 *
 * The outputs are a subquery's, so that the leading columns (which the
 * caller writes) stay out of the object.  from, when not NULL, is what
 * comes before the node's own relation in FROM ("... CROSS JOIN ").
 * The node has no range and no aggregate.  Returns whether a WHERE was
 * written.
 */
bool
pgrest_render_each_row(PgrestQuery *query, StringInfo sql,
					   const PgrestReadNode *node, const char *leading,
					   const char *from)
{
	appendStringInfo(sql, "SELECT %s, (SELECT pg_catalog.to_json(_pgrest_r.*) FROM (SELECT ",
					 leading);
	append_outputs(query, sql, node);
	appendStringInfoString(sql, ") AS _pgrest_r)");
	append_from(query, sql, node,
				from ? psprintf("%s%s", from,
								quote_qualified_identifier(node->rel->schema,
														   node->rel->name)) : NULL,
				NULL, false);
	return node->filters != NIL;
}

/*
 * SELECT <outputs> FROM ... WHERE ... GROUP BY ... ORDER BY ... LIMIT ...
 *
 * A top node whose range does not depend on its embedded resources takes
 * its range first, and joins them to the rows in range only:
 *
 *	 SELECT <outputs> FROM (SELECT <its columns> FROM <relation> AS pgrest_1
 *		WHERE ... ORDER BY ... LIMIT $n OFFSET $m) AS pgrest_1
 *	 LEFT JOIN LATERAL ... ORDER BY ...
 *
 * Otherwise PostgreSQL joins (and turns into JSON) every row the OFFSET
 * skips: a page at offset 900 embedded 1,000 parents' related rows.
 */
static void
append_node(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
			const char *from, const PgrestReadNode *parent)
{
	check_stack_depth();
	appendStringInfoString(sql, "SELECT ");
	append_outputs(query, sql, node);
	if (parent == NULL && from == NULL && range_first(node))
	{
		append_range_first(query, sql, node);
		return;
	}
	append_from(query, sql, node, from, parent, false);
	append_group_by(sql, node);
	append_order(query, sql, node);
	append_range(query, sql, node);
}

/*
 * Can the top node's range be taken before its embedded resources are
 * joined?  When it has a range and children, none of which decides which
 * rows there are (!inner, a filter on it, an empty embed) or orders them,
 * each child adds at most one row per parent (a to-one child's key is
 * unique, a to-many child's rows are aggregated), nothing groups, and the
 * node reads columns only (a row of the relation's type, for a computed
 * field or relationship, would become an anonymous record).
 */
static bool
range_first(const PgrestReadNode *node)
{
	bool		whole;
	ListCell   *lc;

	if ((node->limit < 0 && node->offset <= 0) || node->children == NIL ||
		node->aggregated || node->relationship != NULL)
		return false;
	foreach(lc, node->children)
	{
		const PgrestReadNode *child = (const PgrestReadNode *) lfirst(lc);

		if (child->inner || child->empty || filters_test(node->filters, child) ||
			child->relationship->cardinality == PGREST_COMPUTED)
			return false;
	}
	foreach(lc, node->order)
	{
		if (((const PgrestOrderTerm *) lfirst(lc))->embed != NULL)
			return false;
	}
	(void) pgrest_render_columns(node, &whole);
	return !whole;
}

/* does a filter (or one inside a logic tree) test the embedded child? */
static bool
filters_test(List *filters, const PgrestReadNode *child)
{
	ListCell   *lc;

	foreach(lc, filters)
	{
		const PgrestFilter *f = (const PgrestFilter *) lfirst(lc);

		if (f->embed == child ||
			(f->kind != PGREST_FILTER_CONDITION && filters_test(f->children, child)))
			return true;
	}
	return false;
}

/*
 * " FROM (SELECT <columns> FROM <relation> AS pgrest_<id> WHERE ...
 * ORDER BY ... LIMIT ... OFFSET ...) AS pgrest_<id> <joins> ORDER BY ...":
 * the top node's rows in range, then their embedded resources (see
 * range_first).
 */
static void
append_range_first(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node)
{
	char	   *alias = pgrest_render_alias(node->id);
	bool		whole;
	List	   *columns = pgrest_render_columns(node, &whole);
	ListCell   *lc;

	appendStringInfoString(sql, " FROM (SELECT ");
	foreach(lc, columns)
		appendStringInfo(sql, "%s%s.%s", foreach_current_index(lc) > 0 ? ", " : "",
						 alias, quote_identifier(node->rel->columns[lfirst_int(lc)].name));
	appendStringInfo(sql, " FROM %s AS %s",
					 quote_qualified_identifier(node->rel->schema, node->rel->name),
					 alias);
	pgrest_render_where(query, sql, node, node->filters);
	append_order(query, sql, node);
	append_range(query, sql, node);
	appendStringInfo(sql, ") AS %s", alias);
	foreach(lc, node->children)
		append_join(query, sql, node, (const PgrestReadNode *) lfirst(lc));
	append_order(query, sql, node);
}

/*
 * " LIMIT <n> OFFSET $m", or what of it the node has.  The limit is
 * written into the text: PostgreSQL plans a LIMIT parameter as a tenth of
 * the rows, which can turn the joins of a 100-row page into hash joins
 * over whole tables; page sizes are few, so the kept plans stay few.  The
 * offset stays a parameter (every page would be a statement of its own)
 * and the statement asks for the generic plan: PostgreSQL also plans an
 * OFFSET parameter as a tenth of the rows, which makes the generic plan
 * look dearer than one made for the value and so replans the statement
 * on every run; below a known LIMIT the plan hardly depends on the offset.
 */
static void
append_range(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node)
{
	if (node->limit >= 0)
		appendStringInfo(sql, " LIMIT " INT64_FORMAT, node->limit);
	if (node->offset > 0)
	{
		appendStringInfo(sql, " OFFSET $%d",
						 pgrest_render_param(query, psprintf(INT64_FORMAT, node->offset)));
		query->generic_plan = true;
	}
}

/* the select list: each output under its key */
static void
append_outputs(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node)
{
	ListCell   *lc;

	foreach(lc, node->outputs)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(sql, ", ");
		append_output(query, sql, node, (PgrestOutput *) lfirst(lc));
	}
}

/*
 * One output: [CAST(agg(]CAST(value AS cast)[) AS cast)] AS "key", where
 * value is a field of the node's relation, a count, an embedded value or
 * a spread child's key.
 */
static void
append_output(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
			  const PgrestOutput *out)
{
	char	   *child = out->child ? pgrest_render_alias(out->child->id) : NULL;

	if (out->aggregate_cast)
		appendStringInfoString(sql, "CAST(");
	if (out->aggregate != PGREST_AGG_NONE)
		appendStringInfo(sql, "%s(", aggregate_sql[out->aggregate]);
	if (out->cast)
		appendStringInfoString(sql, "CAST(");

	switch (out->kind)
	{
		case PGREST_OUTPUT_FIELD:
			{
				/* a column of a domain with a json representation: formatted */
				const PgrestColumn *col = field_column(node->rel, &out->field);
				const PgrestRepresentation *rep = col == NULL ? NULL :
					representation(node->rel, &out->field, col->type, JSONOID);

				if (rep)
					appendStringInfo(sql, "%s(", rep->function);
				append_field(query, sql, pgrest_render_alias(node->id), node->rel, &out->field);
				if (rep)
					appendStringInfo(sql, "::%s)", format_type_be_qualified(rep->argtype));
				break;
			}
		case PGREST_OUTPUT_COUNT:
			/* count(): every row; hoisted to the parent, this row if any */
			appendStringInfoString(sql, out->aggregate != PGREST_AGG_NONE ? "*" : "true");
			break;
		case PGREST_OUTPUT_EMBED:
			if (is_to_many(out->child))
				appendStringInfo(sql, "coalesce(%s.%s, '[]')", child, child);
			else
				appendStringInfo(sql, "pg_catalog.row_to_json(%s.*)", child);
			/* grouped by: json has no equality, jsonb has */
			if (node->aggregated || query->jsonb_embeds)
				appendStringInfoString(sql, "::pg_catalog.jsonb");
			break;
		case PGREST_OUTPUT_SPREAD:
			appendStringInfo(sql, "%s.%s", child, quote_identifier(out->child_key));
			/* an embedded value of the spread, grouped by: as jsonb */
			if (node->aggregated && out->aggregate == PGREST_AGG_NONE &&
				spreads_embed(out->child, out->child_key))
				appendStringInfoString(sql, "::pg_catalog.jsonb");
			break;
	}

	if (out->cast)
		appendStringInfo(sql, " AS %s)", out->cast);
	if (out->aggregate != PGREST_AGG_NONE)
		appendStringInfoChar(sql, ')');
	if (out->aggregate_cast)
		appendStringInfo(sql, " AS %s)", out->aggregate_cast);
	appendStringInfo(sql, " AS %s", quote_identifier(out->name));
}

/*
 * " FROM <what the node reads> AS pgrest_<id> <joins> WHERE <join with
 * the parent> AND <filters>".  Counting, only the joins that decide which
 * rows there are.
 */
static void
append_from(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
			const char *from, const PgrestReadNode *parent, bool counting)
{
	const PgrestRelationship *r = node->relationship;
	char	   *alias = pgrest_render_alias(node->id);
	bool		where = false;
	ListCell   *lc;

	appendStringInfoString(sql, " FROM ");
	if (from != NULL && typed_row(node))
	{
		/*
		 * Rows of the relation's type, so that its computed fields (and
		 * overloads of them) apply as they do to the relation's own rows
		 */
		appendStringInfo(sql, "%s AS pgrest_whole CROSS JOIN LATERAL "
						 "pg_catalog.unnest(ARRAY[pgrest_whole::%s]) AS %s",
						 from, format_type_be_qualified(node->rel->rowtype), alias);
		from = NULL;
		alias = NULL;
	}
	else if (from != NULL)
		appendStringInfoString(sql, from);
	else if (r != NULL && r->cardinality == PGREST_COMPUTED)
		appendStringInfo(sql, "%s(%s.*::%s)",
						 quote_qualified_identifier(r->function_schema, r->function),
						 pgrest_render_alias(parent->id),
						 quote_qualified_identifier(r->from->schema, r->from->name));
	else
		appendStringInfoString(sql, quote_qualified_identifier(node->rel->schema,
															   node->rel->name));
	if (alias != NULL)
		appendStringInfo(sql, " AS %s", alias);
	alias = pgrest_render_alias(node->id);
	if (r != NULL && r->cardinality == PGREST_MANY_TO_MANY)
		appendStringInfo(sql, ", %s AS %s",
						 quote_qualified_identifier(r->junction->schema, r->junction->name),
						 pgrest_render_alias(node->junction_id));

	foreach(lc, node->children)
	{
		const PgrestReadNode *child = (const PgrestReadNode *) lfirst(lc);

		if (!counting)
			append_join(query, sql, node, child);
	}

	if (parent != NULL && r->cardinality != PGREST_COMPUTED)
	{
		appendStringInfoString(sql, " WHERE ");
		append_join_condition(sql, node, parent);
		where = true;
	}
	foreach(lc, node->filters)
	{
		appendStringInfoString(sql, where ? " AND " : " WHERE ");
		append_filter(query, sql, node, (PgrestFilter *) lfirst(lc), counting);
		where = true;
	}
	/* counting: an !inner child's rows must be there */
	foreach(lc, node->children)
	{
		const PgrestReadNode *child = (const PgrestReadNode *) lfirst(lc);

		if (!counting || !child->inner)
			continue;
		appendStringInfoString(sql, where ? " AND " : " WHERE ");
		append_exists(query, sql, node, child);
		where = true;
	}
}

/* EXISTS (SELECT 1 FROM <child> WHERE <its join, filters and !inner>) */
static void
append_exists(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
			  const PgrestReadNode *child)
{
	check_stack_depth();
	appendStringInfoString(sql, "EXISTS (SELECT 1");
	append_from(query, sql, child, NULL, node, true);
	appendStringInfoChar(sql, ')');
}

/*
 * [LEFT | INNER] JOIN LATERAL (...) AS pgrest_<child> ON ...: a to-one
 * child's own SELECT; a to-many child's rows aggregated into one JSON
 * array (or one per key, spread), with a count for !inner and embed
 * tests.
 */
static void
append_join(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
			const PgrestReadNode *child)
{
	char	   *alias = pgrest_render_alias(child->id);
	ListCell   *lc;

	appendStringInfo(sql, " %s JOIN LATERAL (", child->inner ? "INNER" : "LEFT");
	if (!is_to_many(child))
	{
		append_node(query, sql, child, NULL, node);
		appendStringInfo(sql, ") AS %s ON TRUE", alias);
		return;
	}
	if (child->spread == PGREST_SPREAD_TO_MANY)
	{
		appendStringInfo(sql, "SELECT pg_catalog.count(*) AS %s", alias);
		foreach(lc, child->outputs)
		{
			const char *key = quote_identifier(((PgrestOutput *) lfirst(lc))->name);

			appendStringInfo(sql, ", coalesce(pg_catalog.json_agg(%s.%s), '[]') AS %s",
							 alias, key, key);
		}
	}
	else
		appendStringInfo(sql, "SELECT pg_catalog.json_agg(%s.*) AS %s", alias, alias);
	appendStringInfoString(sql, " FROM (");
	append_node(query, sql, child, NULL, node);
	appendStringInfo(sql, ") AS %s) AS %s ON ", alias, alias);
	if (!child->inner)
		appendStringInfoString(sql, "TRUE");
	else
		append_embed_test(sql, child);
}

/*
 * The child's rows are those of its relationship with the parent's row:
 * key columns equal, through the junction for many-to-many.  (A computed
 * relationship's function is given the parent's row.)
 */
static void
append_join_condition(StringInfo sql, const PgrestReadNode *node,
					  const PgrestReadNode *parent)
{
	const PgrestRelationship *r = node->relationship;
	char	   *alias = pgrest_render_alias(node->id);
	char	   *parent_alias = pgrest_render_alias(parent->id);

	if (r->cardinality == PGREST_MANY_TO_MANY)
	{
		char	   *junction = pgrest_render_alias(node->junction_id);

		for (int i = 0; i < r->ntarget; i++)
			appendStringInfo(sql, "%s.%s = %s.%s AND ", junction,
							 quote_identifier(r->junction->columns[r->junction_columns[i]].name),
							 alias,
							 quote_identifier(r->to->columns[r->target_columns[i]].name));
		for (int i = 0; i < r->ncolumns; i++)
			appendStringInfo(sql, "%s%s.%s = %s.%s", i > 0 ? " AND " : "", junction,
							 quote_identifier(r->junction->columns[r->to_columns[i]].name),
							 parent_alias,
							 quote_identifier(r->from->columns[r->from_columns[i]].name));
		return;
	}
	for (int i = 0; i < r->ncolumns; i++)
		appendStringInfo(sql, "%s%s.%s = %s.%s", i > 0 ? " AND " : "", alias,
						 quote_identifier(r->to->columns[r->to_columns[i]].name),
						 parent_alias,
						 quote_identifier(r->from->columns[r->from_columns[i]].name));
}

/* " GROUP BY <positions of the outputs that are not aggregates>" */
static void
append_group_by(StringInfo sql, const PgrestReadNode *node)
{
	bool		first = true;
	ListCell   *lc;

	if (!node->aggregated)
		return;
	foreach(lc, node->outputs)
	{
		if (((PgrestOutput *) lfirst(lc))->aggregate != PGREST_AGG_NONE)
			continue;
		appendStringInfo(sql, "%s%d", first ? " GROUP BY " : ", ",
						 foreach_current_index(lc) + 1);
		first = false;
	}
}

/* " ORDER BY ...", or nothing; rel(col) orders by a to-one child's key */
static void
append_order(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node)
{
	ListCell   *lc;

	foreach(lc, node->order)
	{
		PgrestOrderTerm *term = (PgrestOrderTerm *) lfirst(lc);

		appendStringInfoString(sql, foreach_current_index(lc) == 0 ? " ORDER BY " : ", ");
		if (term->embed)
			append_field(query, sql, pgrest_render_alias(term->embed->id),
						 term->embed->rel, &term->field);
		else
			append_field(query, sql, pgrest_render_alias(node->id), node->rel, &term->field);
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

static void
append_filter(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
			  const PgrestFilter *filter, bool counting)
{
	ListCell   *lc;

	check_stack_depth();
	if (counting && filter->kind == PGREST_FILTER_CONDITION && filter->embed != NULL)
	{
		/*
		 * Counting: [NOT] EXISTS bare, as PostgREST writes it, so that the
		 * planner makes it a (anti-)join and estimates it as one
		 */
		if (!filter->negated)
			appendStringInfoString(sql, "NOT ");
		append_exists(query, sql, node, filter->embed);
		return;
	}
	if (filter->negated)
		appendStringInfoString(sql, "NOT ");
	appendStringInfoChar(sql, '(');
	if (filter->kind == PGREST_FILTER_CONDITION && filter->embed != NULL)
	{
		/* rel=is.null: nothing matched */
		appendStringInfoString(sql, "NOT ");
		append_embed_test(sql, filter->embed);
	}
	else if (filter->kind == PGREST_FILTER_CONDITION)
		append_condition(query, sql, node, filter);
	else
	{
		foreach(lc, filter->children)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(sql, filter->kind == PGREST_FILTER_AND ? " AND " : " OR ");
			append_filter(query, sql, node, (PgrestFilter *) lfirst(lc), counting);
		}
	}
	appendStringInfoChar(sql, ')');
}

/*
 * The embedded child matched: for a to-many child its aggregate is not
 * NULL (or its count above 0, spread); for a to-one child its row is
 * there.
 */
static void
append_embed_test(StringInfo sql, const PgrestReadNode *child)
{
	char	   *alias = pgrest_render_alias(child->id);

	if (child->spread == PGREST_SPREAD_TO_MANY)
		appendStringInfo(sql, "(%s.%s > 0)", alias, alias);
	else if (is_to_many(child))
		appendStringInfo(sql, "(%s.%s IS NOT NULL)", alias, alias);
	else
		appendStringInfo(sql, "(pg_catalog.row_to_json(%s.*) IS NOT NULL)", alias);
}

/*
 * A condition on a field.  A value compared with a column of a domain
 * that has a text representation is parsed by it (each value of in.()
 * and of a quantifier), as PostgREST does, except for like, ilike, is,
 * isdistinct and the full-text operators.
 */
static void
append_condition(PgrestQuery *query, StringInfo sql, const PgrestReadNode *node,
				 const PgrestFilter *filter)
{
	char	   *alias = pgrest_render_alias(node->id);
	const PgrestColumn *col = field_column(node->rel, &filter->field);
	const PgrestRepresentation *rep = col == NULL ? NULL :
		representation(node->rel, &filter->field, TEXTOID, col->type);

	switch (filter->op)
	{
		case PGREST_OP_IS:
			append_field(query, sql, alias, node->rel, &filter->field);
			appendStringInfo(sql, " %s", is_sql[filter->is]);
			return;
		case PGREST_OP_IN:
			append_field(query, sql, alias, node->rel, &filter->field);
			appendStringInfoString(sql, " = ANY (");
			append_values(query, sql, rep, pgrest_render_text_array(filter->values));
			appendStringInfoChar(sql, ')');
			return;
		case PGREST_OP_ISDISTINCT:
			append_field(query, sql, alias, node->rel, &filter->field);
			appendStringInfo(sql, " IS DISTINCT FROM $%d",
							 pgrest_render_param(query, filter->value));
			return;
		case PGREST_OP_FTS:
		case PGREST_OP_PLFTS:
		case PGREST_OP_PHFTS:
		case PGREST_OP_WFTS:
			{
				const char *fn = filter->op == PGREST_OP_FTS ? "to_tsquery" :
					filter->op == PGREST_OP_PLFTS ? "plainto_tsquery" :
					filter->op == PGREST_OP_PHFTS ? "phraseto_tsquery" :
					"websearch_to_tsquery";
				char	   *language = NULL;

				if (filter->language)
					language = psprintf("$%d::pg_catalog.regconfig, ",
										pgrest_render_param(query, filter->language));
				/*
				 * A column that is not a tsvector is made one; a computed
				 * field is taken as it is, as PostgREST does
				 */
				if (col == NULL || (col->basetype == TSVECTOROID && filter->field.path == NIL))
					append_field(query, sql, alias, node->rel, &filter->field);
				else
				{
					appendStringInfo(sql, "pg_catalog.to_tsvector(%s", language ? language : "");
					append_field(query, sql, alias, node->rel, &filter->field);
					appendStringInfoChar(sql, ')');
				}
				appendStringInfo(sql, " @@ pg_catalog.%s(%s$%d)", fn,
								 language ? language : "",
								 pgrest_render_param(query, filter->value));
				return;
			}
		default:
			{
				const char *value = filter->value;

				if (filter->op == PGREST_OP_LIKE || filter->op == PGREST_OP_ILIKE)
				{
					value = like_pattern(value);
					rep = NULL;
				}
				append_field(query, sql, alias, node->rel, &filter->field);
				appendStringInfo(sql, " %s ", operator_sql[filter->op]);
				if (filter->quantifier != PGREST_QUANT_NONE)
				{
					appendStringInfoString(sql, filter->quantifier == PGREST_QUANT_ANY ?
										   "ANY (" : "ALL (");
					append_values(query, sql, rep, value);
					appendStringInfoChar(sql, ')');
				}
				else
					append_value(query, sql, rep, value);
				return;
			}
	}
}

/*
 * alias.column, then its JSON path.  A path on a column that is not json
 * or jsonb goes through to_jsonb (arrays, composites), as in PostgREST.
 * Keys and indexes are parameters.
 */
static void
append_field(PgrestQuery *query, StringInfo sql, const char *alias,
			 const PgrestRelation *rel, const PgrestField *field)
{
	const PgrestColumn *col;
	ListCell   *lc;

	if (field->path == NIL)
	{
		appendStringInfo(sql, "%s.%s", alias, quote_identifier(field->name));
		return;
	}

	col = field_column(rel, field);
	appendStringInfoChar(sql, '(');
	if (col && (col->basetype == JSONOID || col->basetype == JSONBOID))
		appendStringInfo(sql, "%s.%s", alias, quote_identifier(field->name));
	else
		appendStringInfo(sql, "pg_catalog.to_jsonb(%s.%s)", alias,
						 quote_identifier(field->name));
	foreach(lc, field->path)
	{
		PgrestJsonStep *step = (PgrestJsonStep *) lfirst(lc);

		/*
		 * A key's parameter has no type of its own, as PostgREST's literal
		 * has none: the operator takes it as text, and a misplaced arrow
		 * fails as PostgREST's does ("text -> unknown").
		 */
		appendStringInfo(sql, "%s$%d%s", step->as_text ? "->>" : "->",
						 pgrest_render_param(query, step->key),
						 step->is_index ? "::pg_catalog.int4" : "");
	}
	appendStringInfoChar(sql, ')');
}

/* the schema cache's column for a field, or NULL if it has none */
static const PgrestColumn *
field_column(const PgrestRelation *rel, const PgrestField *field)
{
	int			i = pgrest_schema_column(rel, field->name);

	return i >= 0 ? &rel->columns[i] : NULL;
}

/*
 * The data representation from source to target for a field of rel: a
 * column of a relation, without a JSON path.  (A function's value and
 * columns that are not a relation's have none, as in PostgREST.)
 */
static const PgrestRepresentation *
representation(const PgrestRelation *rel, const PgrestField *field,
			   Oid source, Oid target)
{
	if (rel->kind == 'F' || field->path != NIL)
		return NULL;
	return pgrest_schema_representation(source, target);
}

/* $n, or $n parsed by the text representation rep */
static void
append_value(PgrestQuery *query, StringInfo sql, const PgrestRepresentation *rep,
			 const char *value)
{
	int			n = pgrest_render_param(query, value);

	if (rep == NULL)
		appendStringInfo(sql, "$%d", n);
	else
		appendStringInfo(sql, "%s($%d::pg_catalog.text::%s)", rep->function, n,
						 format_type_be_qualified(rep->argtype));
}

/* the array $n, or its elements parsed by the text representation rep */
static void
append_values(PgrestQuery *query, StringInfo sql, const PgrestRepresentation *rep,
			  const char *array)
{
	int			n = pgrest_render_param(query, array);

	if (rep == NULL)
		appendStringInfo(sql, "$%d", n);
	else
		appendStringInfo(sql, "SELECT %s(pg_catalog.unnest($%d::pg_catalog.text[])::%s)",
						 rep->function, n, format_type_be_qualified(rep->argtype));
}

/*
 * Is the key of a spread child an embedded resource's value (json), also
 * through spreads in it?
 */
static bool
spreads_embed(const PgrestReadNode *child, const char *key)
{
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, child->outputs)
	{
		const PgrestOutput *out = (const PgrestOutput *) lfirst(lc);

		if (strcmp(out->name, key) != 0)
			continue;
		if (out->kind == PGREST_OUTPUT_EMBED)
			return true;
		if (out->kind == PGREST_OUTPUT_SPREAD)
			return spreads_embed(out->child, out->child_key);
		return false;
	}
	return false;
}

/*
 * Does the node read another's rows (a write's, a call's) that it must
 * see as rows of its relation's type?
 */
static bool
typed_row(const PgrestReadNode *node)
{
	bool		whole;

	if (node->rel->kind == 'F' || !OidIsValid(node->rel->rowtype))
		return false;
	(void) pgrest_render_columns(node, &whole);
	return whole;
}

/* does the child give many rows per parent row? */
static bool
is_to_many(const PgrestReadNode *child)
{
	return !child->relationship->to_one;
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
