/*-------------------------------------------------------------------------
 *
 * embed.c
 *	  The relationship an embedded resource names.
 *
 * The schema cache holds each relation's relationships (cache/
 * relationship.c derives them), sorted as PostgREST orders them.  An
 * embed picks one by PostgREST's rules: the target's name, a hint, the
 * self-reference conventions; none is 400 PGRST200 (with a "Perhaps you
 * meant" hint), several are 300 PGRST201 (each candidate described, in
 * that order).
 *
 * This file only reads the schema cache: no SPI, no catalog.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/embed.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan/layer.h"

#include "lib/stringinfo.h"
#include "utils/json.h"

#include "base/error.h"
#include "cache/schema.h"
#include "plan/embed.h"
#include "plan/fuzzy.h"

static bool matches(const PgrestRelationship *r, const char *target, const char *hint);
static bool single_column_is(const PgrestRelationship *r, bool from_side, const char *name);
static void no_relationship(const PgrestRelation *origin, const char *origin_name,
							const char *schema, const char *target,
							const char *hint) pg_attribute_noreturn();
static void ambiguous(const char *origin_name, const char *target,
					  List *candidates) pg_attribute_noreturn();
static const char *cardinality_name(const PgrestRelationship *r);
static char *column_names(const PgrestRelation *rel, const int *columns, int n);

/*
 * The relationship of origin that target (with hint, or NULL) names: only
 * those to relations of the request's schema, as PostgREST looks; pgrest
 * looks in the other exposed schemas when none there matches.  None is
 * 400 PGRST200, several are 300 PGRST201.  origin_name is what the
 * request calls the origin (the function, for a call's result).
 */
const PgrestRelationship *
pgrest_embed_find(const PgrestRelation *origin, const char *origin_name,
						 const char *schema, const char *target, const char *hint)
{
	List	   *found = NIL;
	List	   *elsewhere = NIL;
	ListCell   *lc;

	foreach(lc, origin->relationships)
	{
		PgrestRelationship *r = (PgrestRelationship *) lfirst(lc);

		if (!matches(r, target, hint))
			continue;
		if (strcmp(r->to->schema, schema) == 0)
			found = lappend(found, r);
		else
			elsewhere = lappend(elsewhere, r);
	}
	if (found == NIL)
		found = elsewhere;
	if (found == NIL)
		no_relationship(origin, origin_name, schema, target, hint);
	if (list_length(found) > 1)
		ambiguous(origin_name, target, found);
	return linitial(found);
}

/*
 * Does target!hint name r?  Without a hint, target is the related table,
 * the foreign key's name or its single column (these two not for views);
 * with one, target is the table and the hint the key, one of its single
 * columns, or the junction.  A self-reference has two relationships for
 * one key: the table's name is the one-to-many one, the column's name the
 * many-to-one one; with a hint, the table's name and the referenced
 * column.  A computed relationship is named by its function.
 */
static bool
matches(const PgrestRelationship *r, const char *target, const char *hint)
{
	bool		to_table = strcmp(target, r->to->name) == 0;
	bool		keyed = r->cardinality != PGREST_MANY_TO_MANY;

	if (r->cardinality == PGREST_COMPUTED)
		return strcmp(target, r->function) == 0;
	if (r->is_self)
	{
		if (hint == NULL)
			return (to_table && r->cardinality == PGREST_ONE_TO_MANY) ||
				(r->cardinality == PGREST_MANY_TO_ONE && single_column_is(r, true, target));
		return to_table && r->cardinality == PGREST_ONE_TO_MANY &&
			single_column_is(r, false, hint);
	}
	if (hint == NULL)
		return to_table ||
			(keyed && !r->to_is_view &&
			 (strcmp(target, r->constraint) == 0 || single_column_is(r, true, target)));
	return to_table &&
		((keyed && (strcmp(hint, r->constraint) == 0 ||
					single_column_is(r, true, hint) ||
					single_column_is(r, false, hint))) ||
		 (!keyed && strcmp(hint, r->junction->name) == 0));
}

/* a single-column key whose column (in "from", or in "to") is name */
static bool
single_column_is(const PgrestRelationship *r, bool from_side, const char *name)
{
	if (r->cardinality == PGREST_MANY_TO_MANY || r->cardinality == PGREST_COMPUTED ||
		r->ncolumns != 1)
		return false;
	return strcmp(from_side ? r->from->columns[r->from_columns[0]].name :
				  r->to->columns[r->to_columns[0]].name, name) == 0;
}

/*
 * 400 PGRST200.  The hint suggests another origin when the origin has no
 * relationships, else another target, as PostgREST's does.
 */
static void
no_relationship(const PgrestRelation *origin, const char *origin_name,
				const char *schema, const char *target, const char *hint)
{
	List	   *parents = NIL;
	List	   *children = NIL;
	bool		parent_found = false;
	const char *suggestion = NULL;
	ListCell   *lc;
	ListCell   *lr;

	foreach(lc, pgrest_schema_relations())
	{
		PgrestRelation *rel = (PgrestRelation *) lfirst(lc);
		bool		has = false;

		foreach(lr, rel->relationships)
		{
			PgrestRelationship *r = (PgrestRelationship *) lfirst(lr);

			if (strcmp(r->to->schema, schema) != 0)
				continue;
			has = true;
			if (strcmp(rel->schema, schema) == 0 && strcmp(rel->name, origin_name) == 0)
				children = lappend(children, r->to->name);
		}
		if (has)
			parents = lappend(parents, rel->name);
		if (has && strcmp(rel->schema, schema) == 0 && strcmp(rel->name, origin_name) == 0)
			parent_found = true;
	}
	/* a junction in another schema is a relationship, in PostgREST's cache */
	if (origin != NULL && origin->hidden_junction && strcmp(origin->schema, schema) == 0)
		parent_found = true;
	if (parent_found)
	{
		/* a child that matches exactly gets no suggestion */
		foreach(lc, pgrest_fuzzy_matches(children, target))
		{
			if (pg_strcasecmp((char *) lfirst(lc), target) != 0)
			{
				suggestion = psprintf("Perhaps you meant '%s' instead of '%s'.",
									  (char *) lfirst(lc), target);
				break;
			}
		}
	}
	else
	{
		const char *best = pgrest_fuzzy_best(parents, origin_name);

		if (best)
			suggestion = psprintf("Perhaps you meant '%s' instead of '%s'.",
								  best, origin_name);
	}
	pgrest_error_raise(PGREST_ERR_NO_RELATIONSHIP,
					   psprintf("Could not find a relationship between '%s' and '%s' in the schema cache",
								origin_name, target),
					   psprintf("Searched for a foreign key relationship between '%s' and '%s%s%s' in the schema '%s', but no matches were found.",
								origin_name, target, hint ? "' using the hint '" : "",
								hint ? hint : "", schema),
					   suggestion);
}

/* 300 PGRST201: each candidate described, and the hints that choose one */
static void
ambiguous(const char *origin_name, const char *target, List *candidates)
{
	StringInfoData details;
	StringInfoData hints;
	ListCell   *lc;

	initStringInfo(&details);
	initStringInfo(&hints);
	appendStringInfoChar(&details, '[');
	foreach(lc, candidates)
	{
		PgrestRelationship *r = (PgrestRelationship *) lfirst(lc);
		StringInfoData described;

		if (foreach_current_index(lc) > 0)
		{
			appendStringInfoChar(&details, ',');
			appendStringInfoString(&hints, ", ");
		}
		if (r->cardinality == PGREST_COMPUTED)
		{
			appendStringInfoString(&details, "{}");
			continue;
		}
		initStringInfo(&described);
		if (r->cardinality == PGREST_MANY_TO_MANY)
			appendStringInfo(&described, "%s using %s(%s) and %s(%s)",
							 r->junction->name, r->constraint,
							 column_names(r->junction, r->to_columns, r->ncolumns),
							 r->constraint2,
							 column_names(r->junction, r->junction_columns, r->ntarget));
		else
			appendStringInfo(&described, "%s using %s(%s) and %s(%s)",
							 r->constraint, r->from->name,
							 column_names(r->from, r->from_columns, r->ncolumns),
							 r->to->name,
							 column_names(r->to, r->to_columns, r->ncolumns));
		appendStringInfoString(&details, "{\"cardinality\":");
		escape_json(&details, cardinality_name(r));
		appendStringInfoString(&details, ",\"embedding\":");
		escape_json(&details, psprintf("%s with %s", r->from->name, r->to->name));
		appendStringInfoString(&details, ",\"relationship\":");
		escape_json(&details, described.data);
		appendStringInfoChar(&details, '}');
		appendStringInfo(&hints, "'%s!%s'", r->to->name,
						 r->cardinality == PGREST_MANY_TO_MANY ? r->junction->name : r->constraint);
	}
	appendStringInfoChar(&details, ']');
	pgrest_error_raise_json(PGREST_ERR_AMBIGUOUS_RELATIONSHIP,
							psprintf("Could not embed because more than one relationship was found for '%s' and '%s'",
									 origin_name, target),
							details.data,
							psprintf("Try changing '%s' to one of the following: %s. Find the desired relationship in the 'details' key.",
									 target, hints.data));
}

static const char *
cardinality_name(const PgrestRelationship *r)
{
	switch (r->cardinality)
	{
		case PGREST_ONE_TO_MANY:
			return "one-to-many";
		case PGREST_MANY_TO_ONE:
			return "many-to-one";
		case PGREST_ONE_TO_ONE:
			return "one-to-one";
		case PGREST_MANY_TO_MANY:
			return "many-to-many";
		case PGREST_COMPUTED:
			break;
	}
	return "computed";
}

/* "a, b": the names of some columns of rel */
static char *
column_names(const PgrestRelation *rel, const int *columns, int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", rel->columns[columns[i]].name);
	return buf.data;
}
