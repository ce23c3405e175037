/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  The schema cache: the relations of the exposed schemas, their
 *	  columns, keys and foreign keys, kept between requests.
 *
 * The cache is read from pg_catalog inside a request's transaction (before
 * the request switches role, so nothing here needs a privilege of the
 * login role: objects are found by oid, never by name) and kept in its
 * own memory context under TopMemoryContext.  PostgreSQL's invalidations
 * are noted by schemadeps.c, which tells the next request whether they
 * touch what the cache was read from (DDL, grants, comments, ...) or not
 * (VACUUM, ANALYZE, temporary tables, other schemas); only the former
 * rebuild it, so DDL is seen by the next request without any reload, and
 * maintenance costs the workers nothing.  pgrest.reload() bumps a
 * generation counter in shared memory for what sends no invalidation, and
 * a change of pgrest.schemas also forces a rebuild.  A rebuild is built
 * aside and swapped in only when complete: a failure leaves the cache
 * stale, never half-built.
 *
 * Privileges are not cached: PostgreSQL checks them when the request's
 * statement runs as the request's role.
 *
 * Relationships between the relations (foreign keys, views of them,
 * junctions, computed ones) are derived by relationship.c from the rows
 * read here.
 *
 * This file reads the catalogs through catalog.c; it runs no user SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/schema.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "cache/layer.h"

#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "rewrite/rewriteHandler.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "cache/catalog.h"
#include "server/guc.h"
#include "cache/relationship.h"
#include "cache/schema.h"
#include "cache/schemadeps.h"
#include "server/shmem.h"

typedef struct RelationKey
{
	NameData	schema;
	NameData	name;
} RelationKey;

typedef struct RelationEntry
{
	RelationKey key;
	PgrestRelation *rel;
} RelationEntry;

typedef struct OidEntry
{
	Oid			oid;
	PgrestRelation *rel;
} OidEntry;

/* functions of one name (overloads), by schema and name */
typedef struct RoutineEntry
{
	RelationKey key;
	List	   *routines;		/* PgrestRoutine * */
} RoutineEntry;

/* the settings of one role, as name=value pairs in the order to apply them */
typedef struct RoleSettingsEntry
{
	NameData	role;
	List	   *settings;		/* PgrestSetting * */
} RoleSettingsEntry;

/* the cache in use */
static MemoryContext cache_context = NULL;
static HTAB *by_name = NULL;
static HTAB *by_oid = NULL;
static HTAB *routines = NULL;
static List *all_relations = NIL;
static char *geojson_function = NULL;	/* PostGIS's ST_AsGeoJSON(record), qualified */
static List *media_handlers = NIL;	/* PgrestMediaHandler * */
static List *representations = NIL;	/* PgrestRepresentation * */
static HTAB *role_settings = NULL;	/* RoleSettingsEntry by role name */
static char *cache_schemas = NULL;
static uint64 cache_generation = 0;
static bool extension_installed = false;
static PgrestSchemaDeps *cache_deps = NULL;	/* what it was read from */
static uint64 cache_loads = 0;	/* caches built in this process */
static uint64 refresh_epoch = 0;	/* the document epoch as this request began */

/* cleared by pgrest_schema_invalidate and by failed rebuilds */
static bool cache_valid = false;

/* a rebuild in progress */
typedef struct Build
{
	MemoryContext context;
	HTAB	   *by_name;
	HTAB	   *by_oid;
	HTAB	   *routines;
	PgrestRelation *current;	/* relation whose columns are being read */
	List	   *columns;		/* its PgrestColumn * so far */
	List	   *relations;		/* PgrestRelation *, in oid order */
	List	   *keys;			/* PgrestCatalogKey *: every user table's */
	List	   *views;			/* PgrestCatalogView *: every view's query */
	MemoryContext scratch;		/* what only the build needs (the views' queries) */
	List	   *routine_list;	/* PgrestRoutine * */
	char	   *geojson;		/* geojson_sql's answer, or NULL */
	List	   *handlers;		/* PgrestMediaHandler * */
	List	   *representations;	/* PgrestRepresentation * */
	HTAB	   *role_settings;
	PgrestSchemaDeps *deps;
} Build;

/*
 * Relations and their columns, in attnum order; partitions are hidden.
 * A column's default is its own, or its domain's (as PostgREST has it).
 * Nothing here may lock a user table (a long-held lock would stall every
 * request): defaults are deparsed without their relation, which they never
 * reference.  An identity column's sequence is found in pg_depend, by oid:
 * the login role needs no privilege on the schema.
 */
static const char *const relations_sql =
"SELECT c.oid, n.nspname, c.relname, c.relkind, "
"a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, "
"CASE WHEN a.attgenerated <> '' THEN NULL "
"WHEN a.attidentity <> '' THEN pg_catalog.format("
"'pg_catalog.nextval(%L::pg_catalog.regclass)', "
"pg_catalog.format('%I.%I', sn.nspname, s.relname)) "
"ELSE coalesce(pg_catalog.pg_get_expr(d.adbin, 0), "
"(SELECT pg_catalog.pg_get_expr(t.typdefaultbin, 0) FROM pg_catalog.pg_type t "
"WHERE t.oid = a.atttypid AND t.typtype = 'd')) END, "
"a.attgenerated <> '', c.reltype, s.oid "
"FROM pg_catalog.pg_class c "
"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
"LEFT JOIN pg_catalog.pg_attribute a "
"ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
"LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
"LEFT JOIN LATERAL (SELECT s.oid, s.relname, s.relnamespace "
"FROM pg_catalog.pg_depend dp "
"JOIN pg_catalog.pg_class s ON s.oid = dp.objid AND s.relkind = 'S' "
"WHERE a.attidentity <> '' AND dp.classid = " CppAsString2(RelationRelationId)
" AND dp.refclassid = " CppAsString2(RelationRelationId)
" AND dp.refobjid = c.oid AND dp.refobjsubid = a.attnum AND dp.deptype = 'i' "
"LIMIT 1) AS s ON true "
"LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace "
"WHERE n.nspname = ANY ($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
"AND NOT c.relispartition "
"ORDER BY c.oid, a.attnum";

/*
 * Primary keys, unique constraints and foreign keys of every user table,
 * exposed or not: views of the exposed schemas may show any table's.
 * Foreign keys that partitions inherit from their parent are left out.
 */
static const char *const constraints_sql =
"SELECT con.conrelid, con.contype, con.conname, con.conkey, "
"con.confrelid, con.confkey "
"FROM pg_catalog.pg_constraint con "
"JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace "
"WHERE con.contype IN ('p', 'u', 'f') AND con.conrelid <> 0 "
"AND (con.contype <> 'f' OR con.conparentid = 0) "
"AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
"ORDER BY con.conrelid, con.contype, con.conname";

/*
 * The settings of ALTER ROLE ... SET (for every database, then for this
 * one) that any role may set: applied at the start of each request of
 * the role, as PostgREST applies them.  The transaction's isolation level
 * is left out (a request's snapshot is taken before its role is known).
 */
static const char *const role_settings_sql =
"SELECT r.rolname, pg_catalog.split_part(kv, '=', 1), "
"pg_catalog.substr(kv, pg_catalog.strpos(kv, '=') + 1) "
"FROM pg_catalog.pg_db_role_setting s "
"JOIN pg_catalog.pg_roles r ON r.oid = s.setrole "
"CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS c(kv, n) "
"JOIN pg_catalog.pg_settings ps ON ps.name = pg_catalog.split_part(kv, '=', 1) "
"WHERE ps.context = 'user' AND ps.name <> 'default_transaction_isolation' "
"AND s.setdatabase IN (0, (SELECT d.oid FROM pg_catalog.pg_database d "
"WHERE d.datname = pg_catalog.current_database())) "
"ORDER BY r.rolname, s.setdatabase, c.n";

/* PostGIS's ST_AsGeoJSON(record, ...), which turns rows into features */
static const char *const geojson_sql =
"SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) "
"FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
"WHERE p.proname = 'st_asgeojson' AND p.pronargs >= 1 "
"AND p.proargtypes[0] = " CppAsString2(RECORDOID) " "
"ORDER BY n.nspname LIMIT 1";

/*
 * Media type handlers, as PostgREST finds them: domains named like a
 * media type (type/subtype, or the wildcard); aggregates of the exposed schemas
 * that return one from one argument, the row type of a relation or
 * anyelement; and functions of the exposed schemas that return one (not
 * a set).
 */
static const char *const handlers_sql =
"WITH media AS (SELECT t.oid, t.typname, t.typnamespace "
"FROM pg_catalog.pg_type t WHERE t.typtype = 'd' "
"AND (t.typname OPERATOR(pg_catalog.~) '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' "
"OR t.typname = '*/*')) "
"SELECT true, pg_catalog.lower(m.typname), arg.oid = " CppAsString2(ANYELEMENTOID) ", "
"an.nspname, arg.typname, "
"pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname), "
"m.oid, arg.oid, p.oid "
"FROM media m "
"JOIN pg_catalog.pg_proc p ON p.prorettype = m.oid AND p.prokind = 'a' "
"JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace "
"JOIN pg_catalog.pg_type arg ON arg.oid = p.proargtypes[0] "
"JOIN pg_catalog.pg_namespace an ON an.oid = arg.typnamespace "
"WHERE pn.nspname = ANY ($1) AND p.pronargs = 1 "
"AND (arg.oid = " CppAsString2(ANYELEMENTOID) " OR EXISTS (SELECT FROM pg_catalog.pg_class c "
"WHERE c.reltype = arg.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))) "
"UNION ALL "
"SELECT false, pg_catalog.lower(m.typname), false, pn.nspname, p.proname, NULL, "
"m.oid, 0, p.oid "
"FROM media m "
"JOIN pg_catalog.pg_proc p ON p.prorettype = m.oid AND p.prokind = 'f' AND NOT p.proretset "
"JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace "
"WHERE pn.nspname = ANY ($1) "
"ORDER BY 9";

/*
 * Data representations, as PostgREST finds them: implicit casts of a
 * function from a domain to json or text, or from json or text to a
 * domain.
 */
static const char *const representations_sql =
"SELECT c.castsource, c.casttarget, "
"pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname), "
"p.proargtypes[0], p.oid "
"FROM pg_catalog.pg_cast c "
"JOIN pg_catalog.pg_type s ON s.oid = c.castsource "
"JOIN pg_catalog.pg_type t ON t.oid = c.casttarget "
"JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc "
"JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
"WHERE c.castcontext = 'i' AND c.castmethod = 'f' "
"AND ((s.typtype = 'd' AND c.casttarget IN (" CppAsString2(JSONOID) ", " CppAsString2(TEXTOID) ")) "
"OR (t.typtype = 'd' AND c.castsource IN (" CppAsString2(JSONOID) ", " CppAsString2(TEXTOID) "))) "
"ORDER BY c.oid";

/* the stored query of every user view (views of views are followed) */
static const char *const views_sql =
"SELECT r.ev_class, r.ev_action "
"FROM pg_catalog.pg_rewrite r "
"JOIN pg_catalog.pg_class c ON c.oid = r.ev_class "
"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
"WHERE r.rulename = '_RETURN' AND c.relkind IN ('v', 'm') "
"AND n.nspname NOT IN ('pg_catalog', 'information_schema')";

/* functions (not procedures or aggregates) and their parameters */
static const char *const routines_sql =
"SELECT p.oid, n.nspname, p.proname, p.provolatile, p.proretset, p.prorettype, "
"p.pronargdefaults, p.proargtypes::pg_catalog.oid[], p.proallargtypes, "
"p.proargmodes::pg_catalog.text[], p.proargnames, p.prorows, "
"pg_catalog.obj_description(p.oid, 'pg_proc') "
"FROM pg_catalog.pg_proc p "
"JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
"WHERE n.nspname = ANY ($1) AND p.prokind = 'f' "
"ORDER BY n.nspname, p.proname, p.oid";

static bool stale(const PgrestInvalidations *taken);
static void build(Build *b);
static void add_column_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void finish_relation(Build *b);
static void add_constraint_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_view_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_geojson_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_role_setting_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_handler_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_representation_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void find_returned_tables(Build *b);
static bool takes_whole_body(Oid type);
static int	compare_overloads(const ListCell *a, const ListCell *b);
static int *column_indexes(const PgrestRelation *rel, const AttrNumber *attnums, int n);
static AttrNumber *attnums_of(Datum array, int *n);
static PgrestRelation *lookup_oid(HTAB *table, Oid oid);
static void mark_hidden_junctions(Build *b);
static void add_routine_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void result_columns(PgrestRoutine *routine, List *out_names, List *out_types);
static Datum *array_elements(HeapTuple tuple, TupleDesc desc, int column,
							 Oid elemtype, int *n);
static void set_key(RelationKey *key, const char *schema, const char *name);
static char *text_of(HeapTuple tuple, TupleDesc desc, int column);

/*
 * Make the cache current.  Call inside the request's transaction, before
 * the request's role is set.
 */
void
pgrest_schema_refresh(void)
{
	uint64		generation = pgrest_shmem_schema_generation();
	PgrestInvalidations *taken;
	Build		b;

	/*
	 * Before any catalog access, which may accept invalidations of changes
	 * this request's snapshot does not see: those wait for the next one.
	 */
	pgrest_schemadeps_register();
	taken = pgrest_schemadeps_take();
	refresh_epoch = pgrest_schemadeps_document_epoch();

	if (cache_valid && generation == cache_generation &&
		cache_schemas != NULL && strcmp(cache_schemas, pgrest_schemas) == 0 &&
		(taken == NULL || !stale(taken)))
		return;

	cache_valid = true;
	cache_generation = generation;

	/* build in the transaction's memory: an error frees it all */
	memset(&b, 0, sizeof(b));
	b.context = AllocSetContextCreate(CurTransactionContext,
									  "pgrest schema cache",
									  ALLOCSET_DEFAULT_SIZES);
	PG_TRY();
	{
		build(&b);
	}
	PG_CATCH();
	{
		cache_valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* swap: the new cache lives on, the old one goes */
	MemoryContextSetParent(b.context, TopMemoryContext);
	if (cache_context)
		MemoryContextDelete(cache_context);
	cache_context = b.context;
	by_name = b.by_name;
	by_oid = b.by_oid;
	routines = b.routines;
	all_relations = b.relations;
	geojson_function = b.geojson;
	media_handlers = b.handlers;
	representations = b.representations;
	role_settings = b.role_settings;
	cache_deps = b.deps;
	extension_installed = OidIsValid(get_extension_oid("pgrest", true));
	cache_schemas = MemoryContextStrdup(cache_context, pgrest_schemas);
	cache_loads++;
	pgrest_shmem_count_schema_load();	/* for /metrics */
}

/*
 * How many caches this process has built: what is kept against the
 * cache in use (statement.c's plans) goes when this changes.
 */
uint64
pgrest_schema_loads(void)
{
	return cache_loads;
}

/*
 * What the OpenAPI document of this request depends on besides the
 * request: the cache in use (it changes with every rebuild), and the
 * document epoch as the request's refresh began (role memberships, role
 * attributes, enum labels).  A document built in this request is never
 * older than either.
 */
void
pgrest_schema_document_version(uint64 *loads, uint64 *epoch)
{
	*loads = cache_loads;
	*epoch = refresh_epoch;
}

/* Is the pgrest extension installed here?  (CREATE and DROP EXTENSION
 * create and drop functions, whose invalidations rebuild the cache.) */
bool
pgrest_schema_extension_installed(void)
{
	return extension_installed;
}

/* Mark the cache stale: the next request rebuilds it. */
void
pgrest_schema_invalidate(void)
{
	cache_valid = false;
}

/* The relation schema.name, or NULL if the cache has none. */
PgrestRelation *
pgrest_schema_relation(const char *schema, const char *name)
{
	RelationKey key;
	RelationEntry *entry;

	if (by_name == NULL ||
		strlen(schema) >= NAMEDATALEN || strlen(name) >= NAMEDATALEN)
		return NULL;
	set_key(&key, schema, name);
	entry = hash_search(by_name, &key, HASH_FIND, NULL);
	return entry ? entry->rel : NULL;
}

/*
 * The writes a relation takes, as pg_relation_is_updatable's mask of
 * (1 << CMD_INSERT), (1 << CMD_UPDATE) and (1 << CMD_DELETE), as
 * PostgREST's schema cache has them: tables take every write,
 * materialized views none; a view or foreign table takes those its
 * rules, INSTEAD OF triggers or automatic updatability allow.  Asked
 * of PostgreSQL the first time a request needs it (OPTIONS), because it
 * opens the relation, and a cache rebuild locks no user relation; the
 * answer lasts as long as the cache, which any DDL on the relation
 * (a trigger, a rule, its query) rebuilds.
 */
int
pgrest_schema_writable(PgrestRelation *rel)
{
	const int	all = (1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE);

	if (rel->kind == RELKIND_RELATION || rel->kind == RELKIND_PARTITIONED_TABLE)
		return all;
	if (rel->kind != RELKIND_VIEW && rel->kind != RELKIND_FOREIGN_TABLE)
		return 0;
	if (!rel->events_known)
	{
		rel->events = relation_is_updatable(rel->oid, NIL, true, NULL) & all;
		rel->events_known = true;
	}
	return rel->events;
}

/*
 * PostGIS's ST_AsGeoJSON(record), schema-qualified, or NULL when PostGIS
 * is not installed.
 */
const char *
pgrest_schema_geojson_function(void)
{
	return geojson_function;
}

/* The media type handlers of the exposed schemas (PgrestMediaHandler *). */
List *
pgrest_schema_media_handlers(void)
{
	return media_handlers;
}

/*
 * The data representation from type source to type target (one of them
 * a domain, the other json or text), or NULL.
 */
const PgrestRepresentation *
pgrest_schema_representation(Oid source, Oid target)
{
	ListCell   *lc;

	foreach(lc, representations)
	{
		const PgrestRepresentation *rep = lfirst(lc);

		if (rep->source == source && rep->target == target)
			return rep;
	}
	return NULL;
}

/*
 * The settings ALTER ROLE ... SET gives role (PgrestSetting *), in the
 * order to apply them, or NIL.
 */
List *
pgrest_schema_role_settings(const char *role)
{
	NameData	key;
	RoleSettingsEntry *entry;

	if (role_settings == NULL || strlen(role) >= NAMEDATALEN)
		return NIL;
	namestrcpy(&key, role);
	entry = hash_search(role_settings, &key, HASH_FIND, NULL);
	return entry ? entry->settings : NIL;
}

/* Every relation of the exposed schemas. */
List *
pgrest_schema_relations(void)
{
	return all_relations;
}

/* The names of the functions of a schema, each once. */
List *
pgrest_schema_routine_names(const char *schema)
{
	List	   *names = NIL;
	HASH_SEQ_STATUS seq;
	RoutineEntry *entry;

	if (routines == NULL)
		return NIL;
	hash_seq_init(&seq, routines);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (strcmp(NameStr(entry->key.schema), schema) == 0)
			names = lappend(names, NameStr(entry->key.name));
	}
	return names;
}

/* The functions schema.name (overloads), or NIL. */
List *
pgrest_schema_routines(const char *schema, const char *name)
{
	RelationKey key;
	RoutineEntry *entry;

	if (routines == NULL ||
		strlen(schema) >= NAMEDATALEN || strlen(name) >= NAMEDATALEN)
		return NIL;
	set_key(&key, schema, name);
	entry = hash_search(routines, &key, HASH_FIND, NULL);
	return entry ? entry->routines : NIL;
}

/* The index of the column called name, or -1. */
int
pgrest_schema_column(const PgrestRelation *rel, const char *name)
{
	for (int i = 0; i < rel->ncolumns; i++)
	{
		if (strcmp(rel->columns[i].name, name) == 0)
			return i;
	}
	return -1;
}

/*
 * Whether the invalidations taken touch the cache.  When the check fails
 * (a cancel, say), what was taken is gone: rebuild next time.
 */
static bool
stale(const PgrestInvalidations *taken)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool changed = false;

	PG_TRY();
	{
		changed = pgrest_schemadeps_changed(cache_deps, taken, pgrest_guc_schema_list());
	}
	PG_CATCH();
	{
		cache_valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	return changed;
}

static void
build(Build *b)
{
	HASHCTL		ctl;
	List	   *schemas;
	MemoryContext old = MemoryContextSwitchTo(b->context);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(RelationKey);
	ctl.entrysize = sizeof(RelationEntry);
	ctl.hcxt = b->context;
	b->by_name = hash_create("pgrest relations by name", 64, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(OidEntry);
	b->by_oid = hash_create("pgrest relations by oid", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(RelationKey);
	ctl.entrysize = sizeof(RoutineEntry);
	b->routines = hash_create("pgrest functions by name", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(NameData);
	ctl.entrysize = sizeof(RoleSettingsEntry);
	b->role_settings = hash_create("pgrest role settings", 16, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	b->scratch = AllocSetContextCreate(b->context, "pgrest schema cache build",
									   ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(old);

	schemas = pgrest_guc_schema_list();
	old = MemoryContextSwitchTo(b->context);
	b->deps = pgrest_schemadeps_begin();
	MemoryContextSwitchTo(old);
	pgrest_catalog_rows(relations_sql, schemas, add_column_row, b);
	finish_relation(b);
	pgrest_catalog_rows(constraints_sql, schemas, add_constraint_row, b);
	mark_hidden_junctions(b);
	pgrest_catalog_rows(views_sql, schemas, add_view_row, b);
	pgrest_catalog_rows(routines_sql, schemas, add_routine_row, b);
	pgrest_catalog_rows(geojson_sql, schemas, add_geojson_row, b);
	pgrest_catalog_rows(role_settings_sql, schemas, add_role_setting_row, b);
	pgrest_catalog_rows(handlers_sql, schemas, add_handler_row, b);
	pgrest_catalog_rows(representations_sql, schemas, add_representation_row, b);

	old = MemoryContextSwitchTo(b->context);
	pgrest_schemadeps_finish(b->deps, schemas);
	find_returned_tables(b);
	pgrest_relationships_build(b->relations, b->keys, b->views, b->routine_list);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(b->scratch);
	b->views = NIL;
}

/* one row of relations_sql: a new relation, or one more of its columns */
static void
add_column_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);
	bool		isnull;
	Oid			oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	Oid			sequence;

	if (b->current == NULL || b->current->oid != oid)
	{
		PgrestRelation *rel = palloc0(sizeof(PgrestRelation));
		RelationEntry *by_name_entry;
		OidEntry   *by_oid_entry;
		RelationKey key;

		finish_relation(b);
		rel->oid = oid;
		rel->schema = text_of(tuple, desc, 2);
		rel->name = text_of(tuple, desc, 3);
		rel->kind = DatumGetChar(SPI_getbinval(tuple, desc, 4, &isnull));
		rel->rowtype = DatumGetObjectId(SPI_getbinval(tuple, desc, 12, &isnull));
		b->relations = lappend(b->relations, rel);

		set_key(&key, rel->schema, rel->name);
		by_name_entry = hash_search(b->by_name, &key, HASH_ENTER, NULL);
		by_name_entry->rel = rel;
		by_oid_entry = hash_search(b->by_oid, &oid, HASH_ENTER, NULL);
		by_oid_entry->rel = rel;
		b->current = rel;
	}

	(void) SPI_getbinval(tuple, desc, 5, &isnull);
	if (!isnull)
	{
		PgrestColumn *col = palloc0(sizeof(PgrestColumn));

		col->attnum = DatumGetInt16(SPI_getbinval(tuple, desc, 5, &isnull));
		col->name = text_of(tuple, desc, 6);
		col->type = DatumGetObjectId(SPI_getbinval(tuple, desc, 7, &isnull));
		col->typmod = DatumGetInt32(SPI_getbinval(tuple, desc, 8, &isnull));
		col->basetype = getBaseType(col->type);
		col->nullable = !DatumGetBool(SPI_getbinval(tuple, desc, 9, &isnull));
		col->default_expr = SPI_getvalue(tuple, desc, 10);
		col->generated = DatumGetBool(SPI_getbinval(tuple, desc, 11, &isnull));
		b->columns = lappend(b->columns, col);
		pgrest_schemadeps_name_type(b->deps, col->type);
		/* an identity column's sequence, whose name its default holds */
		sequence = DatumGetObjectId(SPI_getbinval(tuple, desc, 13, &isnull));
		if (!isnull)
			pgrest_schemadeps_name_relation(b->deps, sequence);
	}
	MemoryContextSwitchTo(old);
}

/* turn the current relation's column list into its array */
static void
finish_relation(Build *b)
{
	PgrestRelation *rel = b->current;
	ListCell   *lc;
	int			i = 0;

	if (rel == NULL)
		return;
	rel->ncolumns = list_length(b->columns);
	rel->columns = MemoryContextAllocZero(b->context,
										  sizeof(PgrestColumn) * Max(rel->ncolumns, 1));
	foreach(lc, b->columns)
		rel->columns[i++] = *(PgrestColumn *) lfirst(lc);
	list_free_deep(b->columns);
	b->columns = NIL;
	b->current = NULL;
}

/*
 * A table outside the exposed schemas whose foreign keys reference two
 * exposed relations of one schema (or one twice) is a junction no embed
 * goes through; PostgREST's cache still counts it as a relationship of
 * those relations, so that its PGRST200 hint then suggests no other table
 * (embed.c).  The keys come ordered by table: each table's foreign keys
 * are one run.
 */
static void
mark_hidden_junctions(Build *b)
{
	ListCell   *lc;
	List	   *run = NIL;		/* exposed relations one hidden table references */
	Oid			relid = InvalidOid;

	foreach(lc, b->keys)
	{
		PgrestCatalogKey *key = (PgrestCatalogKey *) lfirst(lc);
		PgrestRelation *to;

		if (key->relid != relid)
		{
			list_free(run);
			run = NIL;
			relid = key->relid;
		}
		if (key->type != 'f' || lookup_oid(b->by_oid, key->relid) != NULL ||
			(to = lookup_oid(b->by_oid, key->frelid)) == NULL)
			continue;
		for (ListCell *lr = list_head(run); lr != NULL; lr = lnext(run, lr))
		{
			PgrestRelation *other = (PgrestRelation *) lfirst(lr);

			if (strcmp(other->schema, to->schema) == 0)
				other->hidden_junction = to->hidden_junction = true;
		}
		run = lappend(run, to);
	}
	list_free(run);
}

/*
 * One row of constraints_sql: every key is kept for relationship.c; those
 * of exposed relations also become their primary key, unique keys and
 * foreign keys.
 */
static void
add_constraint_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);
	PgrestCatalogKey *ckey = palloc0(sizeof(PgrestCatalogKey));
	bool		isnull;
	PgrestRelation *rel;
	int			n;
	int		   *columns;

	ckey->relid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	ckey->type = DatumGetChar(SPI_getbinval(tuple, desc, 2, &isnull));
	ckey->name = text_of(tuple, desc, 3);
	ckey->attnums = attnums_of(SPI_getbinval(tuple, desc, 4, &isnull), &ckey->ncolumns);
	if (ckey->type == 'f')
	{
		int			nf;

		ckey->frelid = DatumGetObjectId(SPI_getbinval(tuple, desc, 5, &isnull));
		ckey->fattnums = attnums_of(SPI_getbinval(tuple, desc, 6, &isnull), &nf);
		if (nf != ckey->ncolumns)
		{
			MemoryContextSwitchTo(old);
			return;
		}
	}
	b->keys = lappend(b->keys, ckey);

	rel = lookup_oid(b->by_oid, ckey->relid);
	columns = rel ? column_indexes(rel, ckey->attnums, ckey->ncolumns) : NULL;
	n = ckey->ncolumns;
	if (columns && (ckey->type == 'p' || ckey->type == 'u'))
	{
		PgrestKey  *key = palloc(sizeof(PgrestKey));

		key->name = ckey->name;
		key->ncolumns = n;
		key->columns = columns;
		if (ckey->type == 'p')
		{
			rel->npkey = n;
			rel->pkey = columns;
			rel->unique_keys = lcons(key, rel->unique_keys);
		}
		else
			rel->unique_keys = lappend(rel->unique_keys, key);
	}
	else if (columns && ckey->type == 'f')
	{
		PgrestRelation *to = lookup_oid(b->by_oid, ckey->frelid);
		int		   *to_columns = to ? column_indexes(to, ckey->fattnums, n) : NULL;

		/* foreign keys to relations outside the exposed schemas are not listed */
		if (to_columns)
		{
			PgrestForeignKey *fk = palloc(sizeof(PgrestForeignKey));

			fk->name = ckey->name;
			fk->from = rel;
			fk->to = to;
			fk->ncolumns = n;
			fk->from_columns = columns;
			fk->to_columns = to_columns;
			rel->foreign_keys = lappend(rel->foreign_keys, fk);
			to->referenced_by = lappend(to->referenced_by, fk);
		}
	}
	MemoryContextSwitchTo(old);
}

/* one row of views_sql */
static void
add_view_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->scratch);
	PgrestCatalogView *view = palloc(sizeof(PgrestCatalogView));
	bool		isnull;

	view->oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	view->action = text_of(tuple, desc, 2);
	b->views = lappend(b->views, view);
	MemoryContextSwitchTo(old);
}

/* the answer of geojson_sql */
static void
add_geojson_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);

	b->geojson = text_of(tuple, desc, 1);
	MemoryContextSwitchTo(old);
}

/* one row of role_settings_sql */
static void
add_role_setting_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);
	char	   *role = text_of(tuple, desc, 1);
	PgrestSetting *setting = palloc(sizeof(PgrestSetting));
	RoleSettingsEntry *entry;
	NameData	key;
	bool		found;

	setting->name = text_of(tuple, desc, 2);
	setting->value = text_of(tuple, desc, 3);
	namestrcpy(&key, role);
	entry = hash_search(b->role_settings, &key, HASH_ENTER, &found);
	if (!found)
		entry->settings = NIL;
	entry->settings = lappend(entry->settings, setting);
	MemoryContextSwitchTo(old);
}

/* one row of handlers_sql */
static void
add_handler_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);
	PgrestMediaHandler *handler = palloc0(sizeof(PgrestMediaHandler));
	bool		isnull;

	handler->aggregate = DatumGetBool(SPI_getbinval(tuple, desc, 1, &isnull));
	handler->media = text_of(tuple, desc, 2);
	handler->any = DatumGetBool(SPI_getbinval(tuple, desc, 3, &isnull));
	handler->target_schema = text_of(tuple, desc, 4);
	handler->target_name = text_of(tuple, desc, 5);
	handler->function = text_of(tuple, desc, 6);
	handler->domain = DatumGetObjectId(SPI_getbinval(tuple, desc, 7, &isnull));
	handler->rowtype = DatumGetObjectId(SPI_getbinval(tuple, desc, 8, &isnull));
	b->handlers = lappend(b->handlers, handler);
	pgrest_schemadeps_name_type(b->deps, handler->domain);
	pgrest_schemadeps_name_function(b->deps,
									DatumGetObjectId(SPI_getbinval(tuple, desc, 9, &isnull)));
	MemoryContextSwitchTo(old);
}

/* one row of representations_sql */
static void
add_representation_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);
	PgrestRepresentation *rep = palloc0(sizeof(PgrestRepresentation));
	bool		isnull;

	rep->source = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	rep->target = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));
	rep->function = text_of(tuple, desc, 3);
	rep->argtype = DatumGetObjectId(SPI_getbinval(tuple, desc, 4, &isnull));
	b->representations = lappend(b->representations, rep);
	pgrest_schemadeps_name_type(b->deps, rep->source);
	pgrest_schemadeps_name_type(b->deps, rep->target);
	pgrest_schemadeps_name_function(b->deps,
									DatumGetObjectId(SPI_getbinval(tuple, desc, 5, &isnull)));
	MemoryContextSwitchTo(old);
}

/* an int2[] of attribute numbers, palloc'd */
static AttrNumber *
attnums_of(Datum array, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	AttrNumber *attnums;

	deconstruct_array(DatumGetArrayTypeP(array), INT2OID, sizeof(int16), true,
					  TYPALIGN_SHORT, &elems, &nulls, n);
	attnums = palloc(sizeof(AttrNumber) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
		attnums[i] = nulls[i] ? InvalidAttrNumber : DatumGetInt16(elems[i]);
	return attnums;
}

/* attribute numbers -> palloc'd column indexes, or NULL if one is unknown */
static int *
column_indexes(const PgrestRelation *rel, const AttrNumber *attnums, int n)
{
	int		   *columns = palloc(sizeof(int) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		int			found = -1;

		for (int c = 0; c < rel->ncolumns && found < 0; c++)
		{
			if (rel->columns[c].attnum == attnums[i])
				found = c;
		}
		if (found < 0)
			return NULL;
		columns[i] = found;
	}
	return columns;
}

/*
 * Each function's table: the exposed relation whose row type it returns
 * (or a domain over it).
 */
static void
find_returned_tables(Build *b)
{
	ListCell   *lr;
	ListCell   *lc;

	foreach(lr, b->routine_list)
	{
		PgrestRoutine *routine = (PgrestRoutine *) lfirst(lr);

		foreach(lc, b->relations)
		{
			PgrestRelation *rel = (PgrestRelation *) lfirst(lc);

			if (rel->rowtype == getBaseType(routine->rettype))
				routine->table = rel;
		}
	}
}

static PgrestRelation *
lookup_oid(HTAB *table, Oid oid)
{
	OidEntry   *entry = hash_search(table, &oid, HASH_FIND, NULL);

	return entry ? entry->rel : NULL;
}

/* a name/text column as a palloc'd C string */
static char *
text_of(HeapTuple tuple, TupleDesc desc, int column)
{
	return SPI_getvalue(tuple, desc, column);
}

/*
 * One row of routines_sql: a function, its parameters (IN, INOUT and
 * VARIADIC ones are passed; OUT, INOUT and TABLE ones are its result
 * columns) and what it returns.
 */
static void
add_routine_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Build	   *b = (Build *) arg;
	MemoryContext old = MemoryContextSwitchTo(b->context);
	PgrestRoutine *routine = palloc0(sizeof(PgrestRoutine));
	RoutineEntry *entry;
	RelationKey key;
	bool		isnull;
	int			ndefaults;
	int			ntypes;
	int			nmodes = 0;
	int			nnames = 0;
	Datum	   *types;
	Datum	   *modes;
	Datum	   *names;
	List	   *out_names = NIL;
	List	   *out_types = NIL;
	int			first_default;
	bool		found;

	routine->oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	routine->schema = text_of(tuple, desc, 2);
	routine->name = text_of(tuple, desc, 3);
	routine->volatility = DatumGetChar(SPI_getbinval(tuple, desc, 4, &isnull));
	routine->returns_set = DatumGetBool(SPI_getbinval(tuple, desc, 5, &isnull));
	routine->rettype = DatumGetObjectId(SPI_getbinval(tuple, desc, 6, &isnull));
	routine->returns_void = routine->rettype == VOIDOID;
	routine->rows = DatumGetFloat4(SPI_getbinval(tuple, desc, 12, &isnull));
	ndefaults = DatumGetInt16(SPI_getbinval(tuple, desc, 7, &isnull));

	/* all parameters when some are OUT, else the IN ones */
	types = array_elements(tuple, desc, 9, OIDOID, &ntypes);
	if (types == NULL)
		types = array_elements(tuple, desc, 8, OIDOID, &ntypes);
	modes = array_elements(tuple, desc, 10, TEXTOID, &nmodes);
	names = array_elements(tuple, desc, 11, TEXTOID, &nnames);

	routine->args = palloc0(sizeof(PgrestRoutineArg) * Max(ntypes, 1));
	for (int i = 0; i < ntypes; i++)
	{
		char		mode = modes ? *TextDatumGetCString(modes[i]) : 'i';
		char	   *name = names && i < nnames ? TextDatumGetCString(names[i]) : "";

		if (mode == 'o' || mode == 'b' || mode == 't')
		{
			out_names = lappend(out_names, name);
			out_types = lappend_oid(out_types, DatumGetObjectId(types[i]));
		}
		if (mode == 'i' || mode == 'b' || mode == 'v')
		{
			PgrestRoutineArg *a = &routine->args[routine->nargs++];

			a->name = name;
			a->type = DatumGetObjectId(types[i]);
			a->variadic = mode == 'v';
		}
	}
	/* the last pronargdefaults passed parameters have defaults */
	first_default = routine->nargs - ndefaults;
	for (int i = Max(first_default, 0); i < routine->nargs; i++)
		routine->args[i].has_default = true;

	routine->description = text_of(tuple, desc, 13);
	result_columns(routine, out_names, out_types);

	/* its types, named or not, and itself */
	pgrest_schemadeps_name_function(b->deps, routine->oid);
	pgrest_schemadeps_name_type(b->deps, routine->rettype);
	for (int i = 0; i < ntypes; i++)
		pgrest_schemadeps_name_type(b->deps, DatumGetObjectId(types[i]));

	/* every function may be a computed relationship (relationship.c) */
	b->routine_list = lappend(b->routine_list, routine);

	/*
	 * As PostgREST: a function whose parameters have no names at all is
	 * callable only with one parameter that takes a whole body (bytea,
	 * json, jsonb, text or xml); with some names, an unnamed one is
	 * called "".
	 */
	if (names == NULL && routine->nargs > 0 &&
		!(routine->nargs == 1 && takes_whole_body(routine->args[0].type)))
	{
		MemoryContextSwitchTo(old);
		return;
	}
	set_key(&key, routine->schema, routine->name);
	entry = hash_search(b->routines, &key, HASH_ENTER, &found);
	if (!found)
		entry->routines = NIL;
	entry->routines = lappend(entry->routines, routine);
	list_sort(entry->routines, compare_overloads);
	MemoryContextSwitchTo(old);
}

/* the types of a single unnamed parameter that takes a whole body */
static bool
takes_whole_body(Oid type)
{
	return type == BYTEAOID || type == JSONOID || type == JSONBOID ||
		type == TEXTOID || type == XMLOID;
}

/*
 * PostgREST's order of overloads: fewer parameters first, then by
 * description (none first) and by the parameters' names and types.
 */
static int
compare_overloads(const ListCell *a, const ListCell *b)
{
	const PgrestRoutine *x = lfirst(a);
	const PgrestRoutine *y = lfirst(b);
	int			c;

	if (x->nargs != y->nargs)
		return x->nargs < y->nargs ? -1 : 1;
	if ((x->description == NULL) != (y->description == NULL))
		return x->description == NULL ? -1 : 1;
	if (x->description && (c = strcmp(x->description, y->description)) != 0)
		return c;
	for (int i = 0; i < x->nargs; i++)
	{
		if ((c = strcmp(x->args[i].name, y->args[i].name)) != 0 ||
			(c = strcmp(format_type_be(x->args[i].type), format_type_be(y->args[i].type))) != 0)
			return c;
		if (x->args[i].has_default != y->args[i].has_default)
			return x->args[i].has_default ? -1 : 1;	/* required sorts after */
		if (x->args[i].variadic != y->args[i].variadic)
			return x->args[i].variadic ? 1 : -1;
	}
	return 0;
}

/*
 * The result's columns: OUT, INOUT or TABLE parameters (one of them
 * too), or a composite return type (or a domain over one), as PostgREST
 * has them.
 */
static void
result_columns(PgrestRoutine *routine, List *out_names, List *out_types)
{
	PgrestRelation *rel;
	TupleDesc	tupdesc = NULL;
	Oid			base = getBaseType(routine->rettype);
	int			n;

	if (list_length(out_names) > 0)
		n = list_length(out_names);
	else if (get_typtype(base) == TYPTYPE_COMPOSITE)
	{
		tupdesc = lookup_rowtype_tupdesc_copy(base, -1);
		n = 0;
		for (int i = 0; i < tupdesc->natts; i++)
			n += TupleDescAttr(tupdesc, i)->attisdropped ? 0 : 1;
	}
	else
		return;

	rel = palloc0(sizeof(PgrestRelation));
	rel->schema = routine->schema;
	rel->name = routine->name;
	rel->kind = 'F';
	rel->columns = palloc0(sizeof(PgrestColumn) * Max(n, 1));
	if (tupdesc == NULL)
	{
		ListCell   *ln;
		ListCell   *lt;

		forboth(ln, out_names, lt, out_types)
		{
			PgrestColumn *col = &rel->columns[rel->ncolumns++];

			col->name = (char *) lfirst(ln);
			col->type = lfirst_oid(lt);
			col->typmod = -1;
			col->basetype = getBaseType(col->type);
			col->nullable = true;
		}
	}
	else
	{
		for (int i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);
			PgrestColumn *col;

			if (att->attisdropped)
				continue;
			col = &rel->columns[rel->ncolumns++];
			col->name = pstrdup(NameStr(att->attname));
			col->attnum = att->attnum;
			col->type = att->atttypid;
			col->typmod = att->atttypmod;
			col->basetype = getBaseType(col->type);
			col->nullable = !att->attnotnull;
		}
	}
	routine->result = rel;
}

/* the elements of an array column, or NULL if it is NULL */
static Datum *
array_elements(HeapTuple tuple, TupleDesc desc, int column, Oid elemtype, int *n)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tuple, desc, column, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	*n = 0;
	if (isnull)
		return NULL;
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(DatumGetArrayTypeP(value), elemtype, typlen, typbyval,
					  typalign, &elems, &nulls, n);
	return elems;
}

static void
set_key(RelationKey *key, const char *schema, const char *name)
{
	memset(key, 0, sizeof(*key));
	namestrcpy(&key->schema, schema);
	namestrcpy(&key->name, name);
}
