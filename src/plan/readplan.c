/*-------------------------------------------------------------------------
 *
 * readplan.c
 *	  Plan the rows a request returns: a tree of read nodes, one per
 *	  relation read, embedded resources as children.
 *
 * Every read shapes rows the same way, whether it reads a relation, the
 * rows a write returns or a call's result: select= gives each node its
 * outputs and its children (embedded resources, each joined through the
 * relationship its name picks, see relationship.c); filters, logic trees,
 * order, limit and offset with a path (a.b.col=eq.1, a.order=...) go to
 * the node that path names; "rel=is.null" on an embedded resource tests
 * whether it matched; order=rel(col) orders by a to-one resource's
 * column; aggregates group the other outputs, and those of a to-one
 * spread are computed in its parent, as PostgREST does.
 *
 * The errors are PostgREST's: PGRST108 for a path that names no embedded
 * resource, PGRST118 for a related order on a to-many resource, PGRST123
 * for aggregates when pgrest.aggregates_enabled is off, PGRST200/201 for
 * a name that no or several relationships match.
 *
 * This file reads the schema cache and type names, and runs no SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/readplan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan/layer.h"

#include <limits.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"

#include "base/error.h"
#include "server/guc.h"
#include "plan/readplan.h"
#include "plan/embed.h"

static PgrestReadNode *new_node(PgrestPlan *plan, PgrestRelation *rel, List *items);
static void add_embeds(PgrestPlan *plan, PgrestReadNode *node);
static void resolve(PgrestPlan *plan, PgrestReadNode *node, const char *node_name);
static void add_field(PgrestReadNode *node, const PgrestSelectItem *item);
static void add_child_outputs(PgrestReadNode *node);
static PgrestOutput *lifted_output(PgrestReadNode *child, PgrestOutput *key);
static bool subtree_selects_nothing(const PgrestReadNode *node);
static PgrestReadNode *find_child(const PgrestReadNode *node, const char *name);
static PgrestReadNode *node_at(PgrestReadNode *root, List *path);
static void not_embedded(const char *name) pg_attribute_noreturn();
static void add_embed_param(PgrestReadNode *root, const PgrestEmbedParam *param,
							bool ranges);
static void resolve_all_filters(PgrestReadNode *node);
static List *resolve_filters(PgrestReadNode *node, List *filters);
static PgrestFilter *resolve_filter(PgrestReadNode *node, PgrestFilter *filter);
static void resolve_order(PgrestReadNode *node);
static void check_aggregates(PgrestReadNode *node);
static void restrict_range(PgrestReadNode *node, int64 max_rows);
static const char *alias_name(const PgrestReadNode *node, int id);
static char *resolve_cast(const char *name);
static char *output_name(const PgrestField *field);
static const char *aggregate_name(PgrestAggregate aggregate);

/*
 * The read tree of req over rel, named origin_name in error messages (a
 * call's function, or the relation).  With top_level, the request's own
 * filters and range shape the top node (reads and calls); a write applies
 * its filters to the rows it writes, and returns them all.
 *
 * The steps run in PostgREST's order, so that a request with several
 * mistakes gets the same error first: the tree of names, the parameters
 * addressed to its nodes, relationships, related orders, embed tests,
 * aggregates, ranges.
 */
PgrestReadNode *
pgrest_readplan_build(PgrestPlan *plan, const PgrestRequest *req,
					  PgrestRelation *rel, const char *origin_name, bool top_level)
{
	PgrestReadNode *root;
	ListCell   *lc;

	/*
	 * No select=, or one that names nothing: every column, as PostgREST
	 * reads it (a function's value is its body whatever select= says).
	 */
	if (req->select == NIL)
	{
		PgrestSelectItem *star = palloc0(sizeof(PgrestSelectItem));

		star->kind = PGREST_SELECT_STAR;
		root = new_node(plan, rel, list_make1(star));
	}
	else
		root = new_node(plan, rel, req->select);
	add_embeds(plan, root);

	if (top_level)
		root->filters = list_copy(req->filters);
	root->order = req->order;
	foreach(lc, req->embed_params)
		add_embed_param(root, (PgrestEmbedParam *) lfirst(lc), top_level);

	resolve(plan, root, origin_name);
	resolve_order(root);
	resolve_all_filters(root);
	check_aggregates(root);
	if (top_level && pgrest_max_rows > 0)
	{
		foreach(lc, root->children)
			restrict_range((PgrestReadNode *) lfirst(lc), pgrest_max_rows);
	}
	return root;
}

static PgrestReadNode *
new_node(PgrestPlan *plan, PgrestRelation *rel, List *items)
{
	PgrestReadNode *node = palloc0(sizeof(PgrestReadNode));

	node->id = ++plan->next_id;
	node->rel = rel;
	node->items = items;
	node->limit = -1;
	return node;
}

/* a child node for each embedded resource among the node's items, by name */
static void
add_embeds(PgrestPlan *plan, PgrestReadNode *node)
{
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, node->items)
	{
		PgrestSelectItem *item = (PgrestSelectItem *) lfirst(lc);
		PgrestReadNode *child;

		if (item->kind != PGREST_SELECT_EMBED && item->kind != PGREST_SELECT_SPREAD)
			continue;
		child = new_node(plan, NULL, item->items);
		child->name = item->relation;
		child->alias = item->alias;
		child->hint = item->hint;
		child->inner = item->join == PGREST_JOIN_INNER;
		child->spread = item->kind == PGREST_SELECT_SPREAD ?
			PGREST_SPREAD_TO_ONE : PGREST_SPREAD_NONE;
		node->children = lappend(node->children, child);
		add_embeds(plan, child);
	}
}

/*
 * Each child's relationship (which gives the relation it reads), then the
 * node's outputs: its own fields first, in order, then one key per
 * embedded resource (or a spread's keys), in order, as PostgREST builds
 * them.
 */
static void
resolve(PgrestPlan *plan, PgrestReadNode *node, const char *node_name)
{
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, node->children)
	{
		PgrestReadNode *child = (PgrestReadNode *) lfirst(lc);
		const PgrestRelationship *r;

		r = pgrest_embed_find(node->rel, node_name, plan->schema,
							  child->name, child->hint);
		child->relationship = r;
		child->rel = r->to;
		if (r->cardinality == PGREST_MANY_TO_MANY)
			child->junction_id = ++plan->next_id;
		if (child->spread != PGREST_SPREAD_NONE && !r->to_one)
			child->spread = PGREST_SPREAD_TO_MANY;
		resolve(plan, child, r->to->name);
		child->empty = subtree_selects_nothing(child);
	}
	foreach(lc, node->items)
	{
		PgrestSelectItem *item = (PgrestSelectItem *) lfirst(lc);

		if (item->kind != PGREST_SELECT_EMBED && item->kind != PGREST_SELECT_SPREAD)
			add_field(node, item);
	}
	add_child_outputs(node);
}

/* "*" is every column, in order; a field or count() is one key */
static void
add_field(PgrestReadNode *node, const PgrestSelectItem *item)
{
	PgrestRelation *rel = node->rel;
	PgrestOutput *out;

	if (item->kind == PGREST_SELECT_STAR)
	{
		for (int i = 0; i < rel->ncolumns; i++)
		{
			out = palloc0(sizeof(PgrestOutput));
			out->kind = PGREST_OUTPUT_FIELD;
			out->field.name = rel->columns[i].name;
			out->column = i;
			out->name = rel->columns[i].name;
			node->outputs = lappend(node->outputs, out);
		}
		return;
	}

	out = palloc0(sizeof(PgrestOutput));
	out->aggregate = item->aggregate;
	out->aggregate_cast = item->aggregate_cast ? resolve_cast(item->aggregate_cast) : NULL;
	if (item->kind == PGREST_SELECT_COUNT)
	{
		out->kind = PGREST_OUTPUT_COUNT;
		out->column = -1;
	}
	else
	{
		out->kind = PGREST_OUTPUT_FIELD;
		out->field = item->field;
		out->column = pgrest_schema_column(rel, item->field.name);
		out->cast = item->cast ? resolve_cast(item->cast) : NULL;
	}
	if (item->alias)
		out->name = item->alias;
	else if (out->aggregate != PGREST_AGG_NONE)
		out->name = (char *) aggregate_name(out->aggregate);	/* as PostgreSQL names it */
	else
		out->name = output_name(&item->field);
	if (out->aggregate != PGREST_AGG_NONE)
		node->aggregated = true;
	node->outputs = lappend(node->outputs, out);
}

/*
 * After a node's own fields: a key per embedded resource that selects
 * something, or the keys of a spread one.
 */
static void
add_child_outputs(PgrestReadNode *node)
{
	ListCell   *lc;
	ListCell   *lk;

	foreach(lc, node->children)
	{
		PgrestReadNode *child = (PgrestReadNode *) lfirst(lc);

		if (child->spread != PGREST_SPREAD_NONE)
		{
			child->aggregated = false;
			foreach(lk, child->outputs)
			{
				PgrestOutput *key = (PgrestOutput *) lfirst(lk);
				PgrestOutput *out = lifted_output(child, key);

				if (out->aggregate != PGREST_AGG_NONE)
					node->aggregated = true;
				if (key->aggregate != PGREST_AGG_NONE)
					child->aggregated = true;
				node->outputs = lappend(node->outputs, out);
			}
		}
		else if (!child->empty)
		{
			PgrestOutput *out = palloc0(sizeof(PgrestOutput));

			out->kind = PGREST_OUTPUT_EMBED;
			out->column = -1;
			out->child = child;
			out->name = child->alias ? child->alias : child->name;
			node->outputs = lappend(node->outputs, out);
		}
	}
}

/*
 * A spread child's key, as a key of its parent.  Aggregates of a to-one
 * spread are computed in the parent, over the child's plain values, so
 * that they group by the parent's other keys (aggregates in a to-many
 * spread are refused, see check_aggregates).
 */
static PgrestOutput *
lifted_output(PgrestReadNode *child, PgrestOutput *key)
{
	PgrestOutput *out = palloc0(sizeof(PgrestOutput));

	out->kind = PGREST_OUTPUT_SPREAD;
	out->column = -1;
	out->child = child;
	out->child_key = key->name;
	out->name = key->name;
	if (key->aggregate != PGREST_AGG_NONE && child->spread == PGREST_SPREAD_TO_ONE)
	{
		out->aggregate = key->aggregate;
		out->aggregate_cast = key->aggregate_cast;
		key->aggregate = PGREST_AGG_NONE;
		key->aggregate_cast = NULL;
	}
	return out;
}

/* rel() with nothing selected below it: it only filters its parent */
static bool
subtree_selects_nothing(const PgrestReadNode *node)
{
	ListCell   *lc;

	if (node->outputs != NIL)
		return false;
	foreach(lc, node->children)
	{
		if (!subtree_selects_nothing((PgrestReadNode *) lfirst(lc)))
			return false;
	}
	return true;
}

/* the child named name (its alias, or the name it was embedded by) */
static PgrestReadNode *
find_child(const PgrestReadNode *node, const char *name)
{
	ListCell   *lc;

	foreach(lc, node->children)
	{
		PgrestReadNode *child = (PgrestReadNode *) lfirst(lc);

		if (strcmp(child->name, name) == 0 ||
			(child->alias && strcmp(child->alias, name) == 0))
			return child;
	}
	return NULL;
}

/* the node a parameter's path names, or 400 PGRST108 */
static PgrestReadNode *
node_at(PgrestReadNode *root, List *path)
{
	PgrestReadNode *node = root;
	ListCell   *lc;

	foreach(lc, path)
	{
		const char *name = (const char *) lfirst(lc);
		PgrestReadNode *child = find_child(node, name);

		/*
		 * Without pgrest.url_use_legacy_target_names, an embed that has an
		 * alias is named by its alias only, as in PostgREST.
		 */
		if (child != NULL && !pgrest_url_use_legacy_target_names &&
			child->alias != NULL && strcmp(child->alias, name) != 0)
			pgrest_error_raise(PGREST_ERR_NOT_EMBEDDED,
							   psprintf("'%s' is not an embedded resource in this request", name),
							   "Target names are not allowed in filters if they have an alias",
							   psprintf("Change '%s' to '%s' in filters, orders or limits.",
										name, child->alias));
		if (child == NULL)
			not_embedded(name);
		node = child;
	}
	return node;
}

static void
not_embedded(const char *name)
{
	pgrest_error_raise(PGREST_ERR_NOT_EMBEDDED,
					   psprintf("'%s' is not an embedded resource in this request", name),
					   NULL,
					   psprintf("Verify that '%s' is included in the 'select' query parameter.",
								name));
}

/*
 * a.b.col=..., a.or=..., a.order=..., a.limit=..., a.offset=...  Writes
 * take no ranges for their embedded resources (PostgREST ignores them).
 */
static void
add_embed_param(PgrestReadNode *root, const PgrestEmbedParam *param, bool ranges)
{
	PgrestReadNode *node = node_at(root, param->embeds);

	switch (param->kind)
	{
		case PGREST_EMBED_FILTER:
			node->filters = lappend(node->filters, param->filter);
			break;
		case PGREST_EMBED_ORDER:
			node->order = param->order;
			break;
		case PGREST_EMBED_LIMIT:
			if (ranges)
				node->limit = param->number;
			break;
		case PGREST_EMBED_OFFSET:
			if (ranges)
				node->offset = param->number;
			break;
	}
}

/* embed tests in every node's filters */
static void
resolve_all_filters(PgrestReadNode *node)
{
	ListCell   *lc;

	check_stack_depth();
	node->filters = resolve_filters(node, node->filters);
	foreach(lc, node->children)
		resolve_all_filters((PgrestReadNode *) lfirst(lc));
}

/*
 * "rel=is.null" and "rel=not.is.null" where rel is an embedded resource
 * of the node test whether it matched (an anti-join, a semi-join), also
 * inside logic trees.  Other filters are on columns.
 */
static List *
resolve_filters(PgrestReadNode *node, List *filters)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, filters)
		result = lappend(result, resolve_filter(node, (PgrestFilter *) lfirst(lc)));
	return result;
}

static PgrestFilter *
resolve_filter(PgrestReadNode *node, PgrestFilter *filter)
{
	PgrestFilter *copy;
	PgrestReadNode *child;

	check_stack_depth();
	if (filter->kind != PGREST_FILTER_CONDITION)
	{
		copy = palloc(sizeof(PgrestFilter));
		*copy = *filter;
		copy->children = resolve_filters(node, filter->children);
		return copy;
	}
	if (filter->op != PGREST_OP_IS || filter->is != PGREST_IS_NULL ||
		filter->field.path != NIL || filter->embed != NULL)
		return filter;
	child = find_child(node, filter->field.name);
	if (child == NULL)
		return filter;
	copy = palloc(sizeof(PgrestFilter));
	*copy = *filter;
	copy->embed = child;
	return copy;
}

/*
 * order=rel(col): rel must be an embedded to-one resource of the node
 * (PGRST108, PGRST118); its column orders the node's rows.  Then the same
 * for every child.
 */
static void
resolve_order(PgrestReadNode *node)
{
	List	   *order = NIL;
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, node->order)
	{
		PgrestOrderTerm *term = (PgrestOrderTerm *) lfirst(lc);

		if (term->relation != NULL)
		{
			PgrestReadNode *child = find_child(node, term->relation);
			PgrestOrderTerm *copy;

			if (child == NULL)
				not_embedded(term->relation);
			if (!child->relationship->to_one)
				pgrest_error_raise(PGREST_ERR_RELATED_ORDER,
								   psprintf("A related order on '%s' is not possible",
											child->alias ? child->alias : child->name),
								   psprintf("'%s' and '%s' do not form a many-to-one or one-to-one relationship",
											node->rel->name,
											child->alias ? child->alias : child->name),
								   NULL);
			copy = palloc(sizeof(PgrestOrderTerm));
			*copy = *term;
			copy->embed = child;
			term = copy;
		}
		order = lappend(order, term);
	}
	node->order = order;
	foreach(lc, node->children)
		resolve_order((PgrestReadNode *) lfirst(lc));
}

/*
 * Aggregates need pgrest.aggregates_enabled (PGRST123), and are not
 * computed in to-many spreads (PGRST127), as in PostgREST.
 */
static void
check_aggregates(PgrestReadNode *node)
{
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, node->outputs)
	{
		if (((PgrestOutput *) lfirst(lc))->aggregate == PGREST_AGG_NONE)
			continue;
		if (!pgrest_aggregates_enabled)
			pgrest_error_raise(PGREST_ERR_AGGREGATES, "Use of aggregate functions is not allowed",
							   NULL, NULL);
		if (node->spread == PGREST_SPREAD_TO_MANY)
			pgrest_error_raise(PGREST_ERR_NOT_IMPLEMENTED, "Feature not implemented",
							   "Aggregates are not implemented for one-to-many or many-to-many spreads.",
							   NULL);
	}
	foreach(lc, node->children)
		check_aggregates((PgrestReadNode *) lfirst(lc));
}

/* pgrest.max_rows caps embedded resources too, as PostgREST's db-max-rows */
static void
restrict_range(PgrestReadNode *node, int64 max_rows)
{
	ListCell   *lc;

	node->limit = node->limit < 0 ? max_rows : Min(node->limit, max_rows);
	foreach(lc, node->children)
		restrict_range((PgrestReadNode *) lfirst(lc), max_rows);
}

/*
 * text with each node's alias (pgrest_<id>) replaced by the name of the
 * relation it reads, so that PostgreSQL's messages about a statement
 * ("column pgrest_1.x does not exist") name what the request named.
 */
char *
pgrest_readplan_name_aliases(const PgrestReadNode *root, const char *input)
{
	StringInfoData buf;
	const char *p = input;

	if (input == NULL || root == NULL || strstr(input, "pgrest_") == NULL)
		return (char *) input;
	initStringInfo(&buf);
	while (*p)
	{
		const char *name = NULL;
		const char *end = p + 7;

		if (strncmp(p, "pgrest_", 7) == 0 && isdigit((unsigned char) *end) &&
			(p == input || !(isalnum((unsigned char) p[-1]) || p[-1] == '_')))
		{
			long		id;

			errno = 0;
			id = strtol(end, (char **) &end, 10);
			if (errno == 0 && id > 0 && id <= INT_MAX &&
				!(isalnum((unsigned char) *end) || *end == '_'))
				name = alias_name(root, (int) id);
		}
		if (name != NULL)
		{
			appendStringInfoString(&buf, name);
			p = end;
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/* the relation (or junction) that alias id reads in the tree, or NULL */
static const char *
alias_name(const PgrestReadNode *node, int id)
{
	ListCell   *lc;

	if (node->id == id)
		return node->rel->name;
	if (node->junction_id == id && node->relationship)
		return node->relationship->junction->name;
	foreach(lc, node->children)
	{
		const char *name = alias_name((PgrestReadNode *) lfirst(lc), id);

		if (name)
			return name;
	}
	return NULL;
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

static const char *
aggregate_name(PgrestAggregate aggregate)
{
	switch (aggregate)
	{
		case PGREST_AGG_COUNT:
			return "count";
		case PGREST_AGG_SUM:
			return "sum";
		case PGREST_AGG_AVG:
			return "avg";
		case PGREST_AGG_MAX:
			return "max";
		case PGREST_AGG_MIN:
			return "min";
		case PGREST_AGG_NONE:
			break;
	}
	return NULL;
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
