/*-------------------------------------------------------------------------
 *
 * relationship.c
 *	  Relationships between the exposed relations, derived when the schema
 *	  cache is built.
 *
 * As PostgREST's schema cache, from the catalog:
 *
 *	 - a foreign key gives a many-to-one relationship and its inverse
 *	   one-to-many; one whose columns are also a primary key or unique
 *	   constraint gives two one-to-one relationships instead;
 *	 - a view inherits the keys of the tables its columns read: a view
 *	   column that is a plain reference to a table column (found in the
 *	   view's stored query tree, through views of views) stands for it, and
 *	   a key whose columns all appear in a view relates the view too (the
 *	   view gets the table's primary key the same way);
 *	 - a relation with many-to-one relationships to two others, whose
 *	   columns are all part of its primary key or of one unique key, is a
 *	   junction: the two others are many-to-many through it;
 *	 - a function of one argument of a relation's row type returning a
 *	   relation's row type is a computed relationship, to-one when it
 *	   returns no set or is declared ROWS 1; it replaces any relationship
 *	   to the relation of its own name.
 *
 * Each relation keeps its relationships sorted as PostgREST orders them,
 * which is the order candidates are listed in when an embed is ambiguous.
 *
 * Which of them an embedded resource names is the planner's question
 * (plan/embed.c).
 *
 * This file reads no catalog itself (schema.c hands it the rows) and runs
 * no SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/relationship.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "cache/layer.h"

#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "cache/relationship.h"

/* views of views are followed at most this deep */
#define MAX_VIEW_DEPTH 32

/* a view column repeated (a AS x, a AS y) relates in at most this many ways */
#define MAX_COMBINATIONS 16

/* a table column: where a view column's value comes from */
typedef struct Source
{
	Oid			relid;
	AttrNumber	attnum;
} Source;

/* a view and, by attribute number, the column each of its columns reads */
typedef struct ViewEntry
{
	Oid			oid;
	int			nsources;
	Source	   *sources;		/* [attnum - 1]; relid invalid: no plain column */
} ViewEntry;

typedef struct RelationEntry
{
	Oid			oid;
	PgrestRelation *rel;
} RelationEntry;

/* the keys of one table, in the order they were read */
typedef struct KeysEntry
{
	Oid			relid;
	List	   *keys;			/* PgrestCatalogKey * */
} KeysEntry;

/* an exposed view and the table column each of its columns stands for */
typedef struct ExposedView
{
	PgrestRelation *rel;
	Source	   *sources;		/* [column index] */
} ExposedView;

/* a relation that a key's columns relate, with those columns */
typedef struct Endpoint
{
	PgrestRelation *rel;
	int		   *columns;		/* column indexes in rel */
	bool		is_view;
} Endpoint;

/* what the derivation works on */
typedef struct Derivation
{
	HTAB	   *relations;		/* exposed relations by oid */
	HTAB	   *views;			/* every view's query, by oid */
	List	   *exposed_views;	/* ExposedView * */
	List	   *keys;			/* PgrestCatalogKey * */
	HTAB	   *keys_by_relid;	/* KeysEntry by table */
} Derivation;

static HTAB *index_relations(List *relations);
static HTAB *index_views(List *views);
static HTAB *index_keys(List *keys);
static List *keys_of(Derivation *d, Oid relid);
static int	compare_oids(const ListCell *a, const ListCell *b);
static Source resolve_source(HTAB *views, Source source);
static List *expose_views(Derivation *d, List *relations);
static void add_view_primary_keys(Derivation *d);
static List *endpoints(Derivation *d, Oid relid, const AttrNumber *attnums, int n);
static void add_combinations(List **result, ExposedView *view, List **choices,
							 int n, int i, int *chosen);
static bool is_one_to_one(Derivation *d, const PgrestCatalogKey *fk);
static void add_foreign_key(Derivation *d, const PgrestCatalogKey *fk);
static void add_key_pair(const PgrestCatalogKey *fk, bool one_to_one,
						 const Endpoint *from, const Endpoint *to);
static void add_junctions(List *relations);
static bool columns_in_a_key(const PgrestRelation *rel, const int *a, int na,
							 const int *b, int nb);
static void add_computed(Derivation *d, List *routines);
static void drop_overridden(PgrestRelation *rel);
static int	compare_relationships(const ListCell *a, const ListCell *b);
static int	compare_pairs(const PgrestRelation *r1, const int *a1, const PgrestRelation *s1,
						  const int *b1, int n1,
						  const PgrestRelation *r2, const int *a2, const PgrestRelation *s2,
						  const int *b2, int n2);
static int	compare_names(const PgrestRelation *a, const PgrestRelation *b);

/*
 * Derive every relationship between the exposed relations (PgrestRelation
 * *) from keys (PgrestCatalogKey *, every user table's), views
 * (PgrestCatalogView *, every view's query) and routines (PgrestRoutine
 * *), and set each relation's sorted list.  Views also get the primary
 * key they inherit.  Allocates in the current memory context.
 */
void
pgrest_relationships_build(List *relations, List *keys, List *views, List *routines)
{
	Derivation	d;
	ListCell   *lc;
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "pgrest view queries",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(scratch);

	/* the views' query trees are only read here */
	d.views = index_views(views);
	MemoryContextSwitchTo(old);
	d.relations = index_relations(relations);
	d.keys = keys;
	d.keys_by_relid = index_keys(keys);
	d.exposed_views = expose_views(&d, relations);
	add_view_primary_keys(&d);

	foreach(lc, keys)
	{
		PgrestCatalogKey *key = (PgrestCatalogKey *) lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (key->type == 'f')
			add_foreign_key(&d, key);
	}
	add_junctions(relations);
	add_computed(&d, routines);
	foreach(lc, relations)
	{
		PgrestRelation *rel = (PgrestRelation *) lfirst(lc);

		drop_overridden(rel);
		list_sort(rel->relationships, compare_relationships);
	}
	hash_destroy(d.relations);
	hash_destroy(d.keys_by_relid);
	MemoryContextDelete(scratch);
}

static HTAB *
index_relations(List *relations)
{
	HASHCTL		ctl;
	HTAB	   *table;
	ListCell   *lc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(RelationEntry);
	ctl.hcxt = CurrentMemoryContext;
	table = hash_create("pgrest relationship relations", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lc, relations)
	{
		PgrestRelation *rel = (PgrestRelation *) lfirst(lc);
		RelationEntry *entry = hash_search(table, &rel->oid, HASH_ENTER, NULL);

		entry->rel = rel;
	}
	return table;
}

/* each table's keys, so that a key's table finds them without a scan */
static HTAB *
index_keys(List *keys)
{
	HASHCTL		ctl;
	HTAB	   *table;
	ListCell   *lc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(KeysEntry);
	ctl.hcxt = CurrentMemoryContext;
	table = hash_create("pgrest relationship keys", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lc, keys)
	{
		PgrestCatalogKey *key = (PgrestCatalogKey *) lfirst(lc);
		bool		found;
		KeysEntry  *entry = hash_search(table, &key->relid, HASH_ENTER, &found);

		if (!found)
			entry->keys = NIL;
		entry->keys = lappend(entry->keys, key);
	}
	return table;
}

/* the keys of table relid (PgrestCatalogKey *), in the order read */
static List *
keys_of(Derivation *d, Oid relid)
{
	KeysEntry  *entry = hash_search(d->keys_by_relid, &relid, HASH_FIND, NULL);

	return entry ? entry->keys : NIL;
}

static int
compare_oids(const ListCell *a, const ListCell *b)
{
	Oid			x = lfirst_oid(a);
	Oid			y = lfirst_oid(b);

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * Each view's columns: the table (or view) column its query's target
 * entry names as its origin, which PostgreSQL's parser records for plain
 * column references (and not for expressions, or set operations).
 */
static HTAB *
index_views(List *views)
{
	HASHCTL		ctl;
	HTAB	   *table;
	ListCell   *lc;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ViewEntry);
	ctl.hcxt = CurrentMemoryContext;
	table = hash_create("pgrest relationship views", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lc, views)
	{
		PgrestCatalogView *view = (PgrestCatalogView *) lfirst(lc);
		List	   *actions = (List *) stringToNode(view->action);
		Query	   *query;
		ViewEntry  *entry;
		ListCell   *lt;

		CHECK_FOR_INTERRUPTS();
		if (!IsA(actions, List) || list_length(actions) != 1 ||
			!IsA(linitial(actions), Query))
			continue;
		query = (Query *) linitial(actions);
		entry = hash_search(table, &view->oid, HASH_ENTER, NULL);
		entry->nsources = list_length(query->targetList);
		entry->sources = palloc0(sizeof(Source) * Max(entry->nsources, 1));
		foreach(lt, query->targetList)
		{
			TargetEntry *te = (TargetEntry *) lfirst(lt);

			if (te->resjunk || te->resno < 1 || te->resno > entry->nsources)
				continue;
			entry->sources[te->resno - 1].relid = te->resorigtbl;
			entry->sources[te->resno - 1].attnum = te->resorigcol;
		}
	}
	return table;
}

/* follow a column through views to the table column it reads, if any */
static Source
resolve_source(HTAB *views, Source source)
{
	for (int depth = 0; OidIsValid(source.relid) && depth < MAX_VIEW_DEPTH; depth++)
	{
		ViewEntry  *view = hash_search(views, &source.relid, HASH_FIND, NULL);

		if (view == NULL)
			return source;		/* a table */
		if (source.attnum < 1 || source.attnum > view->nsources)
			break;
		source = view->sources[source.attnum - 1];
	}
	source.relid = InvalidOid;
	return source;
}

/* the exposed views, each column with the table column it stands for */
static List *
expose_views(Derivation *d, List *relations)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, relations)
	{
		PgrestRelation *rel = (PgrestRelation *) lfirst(lc);
		ExposedView *view;

		if (rel->kind != RELKIND_VIEW && rel->kind != RELKIND_MATVIEW)
			continue;
		view = palloc(sizeof(ExposedView));
		view->rel = rel;
		view->sources = palloc0(sizeof(Source) * Max(rel->ncolumns, 1));
		for (int i = 0; i < rel->ncolumns; i++)
		{
			Source		own = {rel->oid, rel->columns[i].attnum};

			view->sources[i] = resolve_source(d->views, own);
		}
		result = lappend(result, view);
	}
	return result;
}

/*
 * A view without a key of its own takes the primary keys of the tables
 * whose key columns it shows, the first of its columns for each.
 */
static void
add_view_primary_keys(Derivation *d)
{
	ListCell   *lv;

	foreach(lv, d->exposed_views)
	{
		ExposedView *view = (ExposedView *) lfirst(lv);
		PgrestRelation *rel = view->rel;
		List	   *columns = NIL;
		List	   *tables = NIL;
		List	   *candidates = NIL;
		ListCell   *lt;
		ListCell   *lk;

		if (rel->npkey > 0)
			continue;
		/* the tables it shows columns of, in the order their keys were read */
		for (int c = 0; c < rel->ncolumns; c++)
		{
			if (OidIsValid(view->sources[c].relid))
				tables = list_append_unique_oid(tables, view->sources[c].relid);
		}
		list_sort(tables, compare_oids);
		foreach(lt, tables)
			candidates = list_concat(candidates, keys_of(d, lfirst_oid(lt)));
		foreach(lk, candidates)
		{
			PgrestCatalogKey *key = (PgrestCatalogKey *) lfirst(lk);
			List	   *found = NIL;

			if (key->type != 'p')
				continue;
			for (int k = 0; k < key->ncolumns; k++)
			{
				for (int c = 0; c < rel->ncolumns; c++)
				{
					if (view->sources[c].relid == key->relid &&
						view->sources[c].attnum == key->attnums[k])
					{
						found = lappend_int(found, c);
						break;
					}
				}
			}
			if (list_length(found) == key->ncolumns)
				columns = list_concat(columns, found);
		}
		if (columns != NIL)
		{
			PgrestKey  *pk = palloc(sizeof(PgrestKey));
			ListCell   *lc;

			rel->npkey = list_length(columns);
			rel->pkey = palloc(sizeof(int) * rel->npkey);
			foreach(lc, columns)
				rel->pkey[foreach_current_index(lc)] = lfirst_int(lc);
			pk->name = rel->name;
			pk->ncolumns = rel->npkey;
			pk->columns = rel->pkey;
			rel->unique_keys = lcons(pk, rel->unique_keys);
		}
	}
}

/*
 * The exposed relations a key's columns relate: the table itself when it
 * is exposed, and every exposed view showing all of the key's columns
 * (each way of choosing them, when a view shows a column twice).
 */
static List *
endpoints(Derivation *d, Oid relid, const AttrNumber *attnums, int n)
{
	List	   *result = NIL;
	RelationEntry *table = hash_search(d->relations, &relid, HASH_FIND, NULL);
	ListCell   *lc;

	if (table != NULL)
	{
		Endpoint   *e = palloc(sizeof(Endpoint));
		bool		complete = true;

		e->rel = table->rel;
		e->is_view = false;
		e->columns = palloc(sizeof(int) * Max(n, 1));
		for (int i = 0; i < n && complete; i++)
		{
			e->columns[i] = -1;
			for (int c = 0; c < table->rel->ncolumns; c++)
			{
				if (table->rel->columns[c].attnum == attnums[i])
					e->columns[i] = c;
			}
			complete = e->columns[i] >= 0;
		}
		if (complete)
			result = lappend(result, e);
	}

	foreach(lc, d->exposed_views)
	{
		ExposedView *view = (ExposedView *) lfirst(lc);
		List	  **choices = palloc0(sizeof(List *) * Max(n, 1));
		bool		complete = true;

		for (int i = 0; i < n && complete; i++)
		{
			for (int c = 0; c < view->rel->ncolumns; c++)
			{
				if (view->sources[c].relid == relid &&
					view->sources[c].attnum == attnums[i])
					choices[i] = lappend_int(choices[i], c);
			}
			complete = choices[i] != NIL;
		}
		if (complete)
			add_combinations(&result, view, choices, n, 0,
							 palloc(sizeof(int) * Max(n, 1)));
	}
	return result;
}

/* every choice of one column per key column, up to MAX_COMBINATIONS */
static void
add_combinations(List **result, ExposedView *view, List **choices, int n,
				 int i, int *chosen)
{
	ListCell   *lc;

	if (i == n)
	{
		Endpoint   *e;

		if (list_length(*result) >= MAX_COMBINATIONS)
			return;
		e = palloc(sizeof(Endpoint));
		e->rel = view->rel;
		e->is_view = true;
		e->columns = palloc(sizeof(int) * Max(n, 1));
		memcpy(e->columns, chosen, sizeof(int) * n);
		*result = lappend(*result, e);
		return;
	}
	foreach(lc, choices[i])
	{
		chosen[i] = lfirst_int(lc);
		add_combinations(result, view, choices, n, i + 1, chosen);
	}
}

/* a foreign key whose columns are exactly a primary key or unique constraint */
static bool
is_one_to_one(Derivation *d, const PgrestCatalogKey *fk)
{
	ListCell   *lc;

	foreach(lc, keys_of(d, fk->relid))
	{
		PgrestCatalogKey *key = (PgrestCatalogKey *) lfirst(lc);
		bool		same = true;

		if (key->type == 'f' ||
			key->ncolumns != fk->ncolumns)
			continue;
		for (int i = 0; i < fk->ncolumns && same; i++)
		{
			bool		found = false;

			for (int j = 0; j < key->ncolumns && !found; j++)
				found = key->attnums[j] == fk->attnums[i];
			same = found;
		}
		if (same)
			return true;
	}
	return false;
}

/* a foreign key relates its table, and views of it, to the referenced ones */
static void
add_foreign_key(Derivation *d, const PgrestCatalogKey *fk)
{
	List	   *froms = endpoints(d, fk->relid, fk->attnums, fk->ncolumns);
	List	   *tos;
	bool		one_to_one;
	ListCell   *lf;
	ListCell   *lt;

	if (froms == NIL)
		return;
	tos = endpoints(d, fk->frelid, fk->fattnums, fk->ncolumns);
	one_to_one = is_one_to_one(d, fk);
	foreach(lf, froms)
	{
		foreach(lt, tos)
			add_key_pair(fk, one_to_one, (Endpoint *) lfirst(lf), (Endpoint *) lfirst(lt));
	}
}

/* the relationship from -> to of a foreign key, and its inverse */
static void
add_key_pair(const PgrestCatalogKey *fk, bool one_to_one, const Endpoint *from,
			 const Endpoint *to)
{
	PgrestRelationship *r = palloc0(sizeof(PgrestRelationship));
	PgrestRelationship *inverse = palloc0(sizeof(PgrestRelationship));

	r->cardinality = one_to_one ? PGREST_ONE_TO_ONE : PGREST_MANY_TO_ONE;
	r->from = from->rel;
	r->to = to->rel;
	r->is_self = from->rel == to->rel;
	r->from_is_view = from->is_view;
	r->to_is_view = to->is_view;
	r->to_one = true;
	r->constraint = fk->name;
	r->ncolumns = fk->ncolumns;
	r->from_columns = from->columns;
	r->to_columns = to->columns;
	from->rel->relationships = lappend(from->rel->relationships, r);

	*inverse = *r;
	inverse->cardinality = one_to_one ? PGREST_ONE_TO_ONE : PGREST_ONE_TO_MANY;
	inverse->parent = one_to_one;
	inverse->to_one = one_to_one;
	inverse->from = to->rel;
	inverse->to = from->rel;
	inverse->from_is_view = to->is_view;
	inverse->to_is_view = from->is_view;
	inverse->from_columns = to->columns;
	inverse->to_columns = from->columns;
	to->rel->relationships = lappend(to->rel->relationships, inverse);
}

/*
 * A relation with many-to-one relationships through two different keys,
 * all of whose columns belong to its primary key or to one unique key,
 * joins the two relations they reach: many-to-many through it.
 */
static void
add_junctions(List *relations)
{
	ListCell   *lc;

	foreach(lc, relations)
	{
		PgrestRelation *junction = (PgrestRelation *) lfirst(lc);
		List	   *outgoing = list_copy(junction->relationships);
		ListCell   *l1;
		ListCell   *l2;

		foreach(l1, outgoing)
		{
			PgrestRelationship *r1 = (PgrestRelationship *) lfirst(l1);

			if (r1->cardinality != PGREST_MANY_TO_ONE)
				continue;
			foreach(l2, outgoing)
			{
				PgrestRelationship *r2 = (PgrestRelationship *) lfirst(l2);
				PgrestRelationship *m;

				if (r2->cardinality != PGREST_MANY_TO_ONE ||
					strcmp(r1->constraint, r2->constraint) == 0 ||
					!columns_in_a_key(junction, r1->from_columns, r1->ncolumns,
									  r2->from_columns, r2->ncolumns))
					continue;
				m = palloc0(sizeof(PgrestRelationship));
				m->cardinality = PGREST_MANY_TO_MANY;
				m->from = r1->to;
				m->to = r2->to;
				m->is_self = r1->to == r2->to;
				m->from_is_view = r1->to_is_view;
				m->to_is_view = r2->to_is_view;
				m->junction = junction;
				m->constraint = r1->constraint;
				m->ncolumns = r1->ncolumns;
				m->from_columns = r1->to_columns;
				m->to_columns = r1->from_columns;
				m->constraint2 = r2->constraint;
				m->ntarget = r2->ncolumns;
				m->junction_columns = r2->from_columns;
				m->target_columns = r2->to_columns;
				r1->to->relationships = lappend(r1->to->relationships, m);
			}
		}
	}
}

/* are columns a and b all in the primary key, or all in one unique key? */
static bool
columns_in_a_key(const PgrestRelation *rel, const int *a, int na,
				 const int *b, int nb)
{
	ListCell   *lc;

	foreach(lc, rel->unique_keys)
	{
		PgrestKey  *key = (PgrestKey *) lfirst(lc);
		bool		all = true;

		for (int i = 0; i < na + nb && all; i++)
		{
			int			column = i < na ? a[i] : b[i - na];
			bool		found = false;

			for (int k = 0; k < key->ncolumns && !found; k++)
				found = key->columns[k] == column;
			all = found;
		}
		if (all)
			return true;
	}
	return false;
}

/* f(a) returning b or SETOF b, for exposed relations a and b */
static void
add_computed(Derivation *d, List *routines)
{
	ListCell   *lc;

	foreach(lc, routines)
	{
		PgrestRoutine *routine = (PgrestRoutine *) lfirst(lc);
		PgrestRelation *from = NULL;
		PgrestRelationship *r;
		HASH_SEQ_STATUS seq;
		RelationEntry *entry;

		if (routine->nargs != 1 || routine->table == NULL)
			continue;
		hash_seq_init(&seq, d->relations);
		while ((entry = hash_seq_search(&seq)) != NULL)
		{
			if (entry->rel->rowtype == routine->args[0].type)
				from = entry->rel;
		}
		if (from == NULL)
			continue;
		r = palloc0(sizeof(PgrestRelationship));
		r->cardinality = PGREST_COMPUTED;
		r->from = from;
		r->to = routine->table;
		r->is_self = from == routine->table;
		r->to_one = !routine->returns_set || routine->rows == 1;
		r->function_schema = routine->schema;
		r->function = routine->name;
		from->relationships = lappend(from->relationships, r);
	}
}

/*
 * A computed relationship named like a relation of its schema replaces
 * the relationships to that relation.
 */
static void
drop_overridden(PgrestRelation *rel)
{
	List	   *kept = NIL;
	ListCell   *lc;
	ListCell   *lo;

	foreach(lc, rel->relationships)
	{
		PgrestRelationship *r = (PgrestRelationship *) lfirst(lc);
		bool		overridden = false;

		foreach(lo, rel->relationships)
		{
			PgrestRelationship *c = (PgrestRelationship *) lfirst(lo);

			if (c->cardinality == PGREST_COMPUTED && r->cardinality != PGREST_COMPUTED &&
				strcmp(c->function_schema, r->to->schema) == 0 &&
				strcmp(c->function, r->to->name) == 0)
				overridden = true;
		}
		if (!overridden)
			kept = lappend(kept, r);
	}
	rel->relationships = kept;
}

/*
 * PostgREST's order: by target, self-reference, kind (one-to-many,
 * many-to-one, one-to-one, many-to-many), key name and columns, views
 * last; computed relationships after all others, by function.
 */
static int
compare_relationships(const ListCell *a, const ListCell *b)
{
	const PgrestRelationship *x = lfirst(a);
	const PgrestRelationship *y = lfirst(b);
	bool		xc = x->cardinality == PGREST_COMPUTED;
	bool		yc = y->cardinality == PGREST_COMPUTED;
	int			c;

	if (xc != yc)
		return xc ? 1 : -1;
	if (xc)
	{
		if ((c = strcmp(x->function_schema, y->function_schema)) != 0 ||
			(c = strcmp(x->function, y->function)) != 0 ||
			(c = compare_names(x->from, y->from)) != 0 ||
			(c = compare_names(x->to, y->to)) != 0)
			return c;
		if (x->to_one != y->to_one)
			return x->to_one ? 1 : -1;
		return (int) x->is_self - (int) y->is_self;
	}
	if ((c = compare_names(x->from, y->from)) != 0 ||
		(c = compare_names(x->to, y->to)) != 0)
		return c;
	if (x->is_self != y->is_self)
		return x->is_self ? 1 : -1;
	if (x->cardinality != y->cardinality)
		return x->cardinality < y->cardinality ? -1 : 1;
	if (x->cardinality == PGREST_MANY_TO_MANY)
	{
		if ((c = compare_names(x->junction, y->junction)) != 0 ||
			(c = strcmp(x->constraint, y->constraint)) != 0 ||
			(c = strcmp(x->constraint2, y->constraint2)) != 0 ||
			(c = compare_pairs(x->from, x->from_columns, x->junction, x->to_columns, x->ncolumns,
							   y->from, y->from_columns, y->junction, y->to_columns, y->ncolumns)) != 0 ||
			(c = compare_pairs(x->to, x->target_columns, x->junction, x->junction_columns, x->ntarget,
							   y->to, y->target_columns, y->junction, y->junction_columns, y->ntarget)) != 0)
			return c;
	}
	else
	{
		if ((c = strcmp(x->constraint, y->constraint)) != 0 ||
			(c = compare_pairs(x->from, x->from_columns, x->to, x->to_columns, x->ncolumns,
							   y->from, y->from_columns, y->to, y->to_columns, y->ncolumns)) != 0)
			return c;
		if (x->parent != y->parent)
			return x->parent ? 1 : -1;
	}
	if (x->from_is_view != y->from_is_view)
		return x->from_is_view ? 1 : -1;
	if (x->to_is_view != y->to_is_view)
		return x->to_is_view ? 1 : -1;
	return 0;
}

/* lists of (r.a[i], s.b[i]) column-name pairs, compared as lists */
static int
compare_pairs(const PgrestRelation *r1, const int *a1, const PgrestRelation *s1,
			  const int *b1, int n1,
			  const PgrestRelation *r2, const int *a2, const PgrestRelation *s2,
			  const int *b2, int n2)
{
	for (int i = 0; i < Min(n1, n2); i++)
	{
		int			c;

		if ((c = strcmp(r1->columns[a1[i]].name, r2->columns[a2[i]].name)) != 0 ||
			(c = strcmp(s1->columns[b1[i]].name, s2->columns[b2[i]].name)) != 0)
			return c;
	}
	return (n1 > n2) - (n1 < n2);
}

/* schema, then name */
static int
compare_names(const PgrestRelation *a, const PgrestRelation *b)
{
	int			c = strcmp(a->schema, b->schema);

	return c != 0 ? c : strcmp(a->name, b->name);
}
