/*-------------------------------------------------------------------------
 *
 * schemadeps.c
 *	  What the schema cache depends on, and whether the invalidations a
 *	  process received since it was built touch any of it.
 *
 * PostgreSQL tells every backend about catalog changes through
 * invalidation messages, but it sends them for much more than DDL: VACUUM
 * and ANALYZE update pg_class in place (relpages, reltuples, ...) and so
 * invalidate each relation they visit, autovacuum does the same all day,
 * and temporary tables invalidate their relation, their types and their
 * schema.  Rebuilding the schema cache (and dropping every kept plan) for
 * each of them would stall every worker again and again.  So the
 * callbacks here only note what was invalidated, and the next refresh
 * (inside a request's transaction, before its role is set) decides
 * whether it matters, cheaply:
 *
 *	 - A relation the cache depends on (an exposed one; what an exposed
 *	   view reads, through views of views; the tables the exposed ones'
 *	   foreign keys reference; the sequences their defaults and identity
 *	   columns name; the composite types exposed functions return) has
 *	   changed if its fingerprint, taken with the cache, differs: what the
 *	   cache and the OpenAPI document read of its pg_class row (not the
 *	   statistics and storage that VACUUM, ANALYZE, TRUNCATE and REFRESH
 *	   write), constraints, comments, triggers and rules; or if one of its
 *	   rows in pg_attribute or pg_attrdef (names, types, nullability,
 *	   column privileges, defaults) is one the cache's snapshot did not
 *	   see.  Those rows are never updated in place, and a default dropped
 *	   updates its column's row too, so such a row is a change; reading
 *	   every column's fingerprint with the cache is not needed.
 *	 - An index stands for its table.
 *	 - Any other relation matters only if it is now one the cache would
 *	   list (new in, or moved into, an exposed schema): temporary and
 *	   TOAST tables, and the relations of other schemas, are ignored.
 *	 - A type, schema or function invalidation arrives as a hash value of
 *	   its oid.  One of the hash values of what the cache names (the types
 *	   of its columns and parameters, with their domains and elements, and
 *	   those of the exposed schemas; its functions and those its defaults
 *	   call; the schemas of all of these and of its relations) means a
 *	   rebuild.  Another schema or function is checked by a census of the
 *	   exposed schemas (their oids by name, their functions, the comments
 *	   on both, PostGIS's ST_AsGeoJSON, whether pgrest is installed, the
 *	   implicit casts of a function).  A cast's invalidation (data
 *	   representations are casts) always means a rebuild.
 *	   Another type cannot change what the cache holds before something
 *	   it holds changes too.
 *	 - A relation invalidation for every relation, or more pending ones
 *	   than fit the pending set (a database-wide VACUUM), checks every
 *	   relation the cache depends on, and the census.  Invalidations lost
 *	   (a process that fell too far behind the queue is reset: hash value
 *	   0) or too many of the others also check every type, function and
 *	   schema it names, by their rows' transaction ids.
 *
 * When unsure, the answer is "changed": a change that can alter what the
 * API serves always rebuilds.  COMMENT sends no invalidation at all;
 * commandwatch.c sends one for the commented object.  Privileges that the
 * OpenAPI document shows but the cache does not hold (role membership,
 * role attributes, enum labels) only move the document epoch, which
 * openapi.c keys its documents by.
 *
 * This file reads the catalogs through catalog.c and the syscache; it
 * runs no user SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/schemadeps.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "cache/layer.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "cache/catalog.h"
#include "cache/schemadeps.h"

/*
 * Invalidations noted between two refreshes: past this many relations
 * every relation is checked; past this many other objects, the cache is
 * read again.
 */
#define PGREST_MAX_PENDING 1024

/* xids after the cache's snapshot past which it is read again */
#define PGREST_MAX_XID_AGE (1U << 30)

/* a relation the cache depends on, and its fingerprint */
typedef struct RelationPrint
{
	Oid			oid;
	uint64		print;
} RelationPrint;

/* a sorted set of syscache hash values */
typedef struct HashSet
{
	uint32	   *values;
	int			n;
} HashSet;

/* oids, each once */
typedef struct OidArray
{
	Oid		   *oids;
	int			n;
} OidArray;

struct PgrestSchemaDeps
{
	HTAB	   *relations;		/* RelationPrint by oid */
	int			nrelations;
	List	   *types;			/* Oids the cache names, until finished */
	List	   *functions;
	List	   *namespaces;
	OidArray	type_oids;		/* what the cache names, with ... */
	OidArray	function_oids;
	OidArray	namespace_oids;
	HashSet		type_hashes;	/* ... their TYPEOID hash values */
	HashSet		namespace_hashes;	/* NAMESPACEOID hash values */
	HashSet		function_hashes;	/* PROCOID hash values */
	Oid		   *exposed;		/* the exposed schemas' oids, sorted */
	int			nexposed;
	char		census[33];

	/* the snapshot the cache was read with: which rows it saw */
	TransactionId own_xid;		/* its transaction's, if it had one */
	TransactionId snap_xmin;
	TransactionId snap_xmax;
	TransactionId *xip;
	int			xcnt;
	TransactionId *subxip;
	int			subxcnt;
	bool		suboverflowed;
};

/* comparing fingerprints with those the cache was built with */
typedef struct Comparison
{
	const PgrestSchemaDeps *deps;
	int			rows;
	bool		changed;
} Comparison;

/* a pending syscache invalidation */
typedef struct PendingHash
{
	int			cacheid;
	uint32		hashvalue;
} PendingHash;

/* what the callbacks noted, as a refresh takes it */
struct PgrestInvalidations
{
	Oid		   *relids;
	int			nrelids;
	PendingHash *hashes;
	int			nhashes;
	bool		all;
	bool		reset;
};

/* noted by the callbacks, taken by the next refresh */
static Oid	pending_relids[PGREST_MAX_PENDING];
static int	npending_relids = 0;
static PendingHash pending_hashes[PGREST_MAX_PENDING];
static int	npending_hashes = 0;
static bool pending_all = false;	/* check every relation */
static bool pending_reset = false;	/* read the cache again */
static uint64 doc_epoch = 0;
static bool callbacks_registered = false;

/* the exposed schemas ($1) and their relations, as the cache lists them */
#define EXPOSED_CTES \
"nsp AS (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1)), " \
"exposed AS MATERIALIZED (SELECT c.oid FROM pg_catalog.pg_class c " \
"WHERE c.relnamespace IN (SELECT oid FROM nsp) " \
"AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition), "

/*
 * What the cache depends on, as (kind, oid): relations ('r'): the
 * exposed ones and the composite types the exposed functions return,
 * with what views among them read (through views of views); the tables
 * the exposed relations' foreign keys reference; the relations
 * (sequences), types ('t') and functions ('f') their defaults name.  Also
 * the types of the exposed schemas that are not a relation's row type,
 * and PostGIS's ST_AsGeoJSON.  The types of columns and parameters, the
 * exposed functions and identity columns' sequences come from the
 * cache's own rows (pgrest_schemadeps_name_*).
 */
static const char *const closure_sql =
"WITH RECURSIVE " EXPOSED_CTES
"viewdep(parent, child) AS MATERIALIZED ("
"SELECT rw.ev_class, dp.refobjid FROM pg_catalog.pg_rewrite rw "
"JOIN pg_catalog.pg_depend dp ON dp.classid = " CppAsString2(RewriteRelationId)
" AND dp.objid = rw.oid AND dp.refclassid = " CppAsString2(RelationRelationId)
" AND dp.refobjid <> rw.ev_class), "
"dep(oid) AS ("
"SELECT oid FROM exposed "
"UNION SELECT t.typrelid FROM pg_catalog.pg_proc p "
"JOIN pg_catalog.pg_type t ON t.oid = p.prorettype "
"WHERE p.pronamespace IN (SELECT oid FROM nsp) AND t.typrelid <> 0 "
"UNION SELECT v.child FROM dep d JOIN viewdep v ON v.parent = d.oid), "
"defdep AS (SELECT dp.refclassid, dp.refobjid FROM pg_catalog.pg_attrdef ad "
"JOIN pg_catalog.pg_depend dp ON dp.classid = " CppAsString2(AttrDefaultRelationId)
" AND dp.objid = ad.oid AND dp.refobjid <> ad.adrelid "
"WHERE ad.adrelid IN (SELECT oid FROM exposed)) "
"SELECT 'r'::pg_catalog.char, oid FROM dep "
"UNION SELECT 'r', con.confrelid FROM pg_catalog.pg_constraint con "
"WHERE con.contype = 'f' AND con.conrelid IN (SELECT oid FROM exposed) "

"UNION SELECT CASE dd.refclassid WHEN " CppAsString2(RelationRelationId) " THEN 'r' "
"WHEN " CppAsString2(TypeRelationId) " THEN 't' ELSE 'f' END::pg_catalog.char, "
"dd.refobjid FROM defdep dd "
"WHERE dd.refclassid IN (" CppAsString2(RelationRelationId) ", "
CppAsString2(TypeRelationId) ", " CppAsString2(ProcedureRelationId) ") "
"UNION SELECT 't', t.oid FROM pg_catalog.pg_type t "
"WHERE t.typnamespace IN (SELECT oid FROM nsp) AND t.typrelid = 0 AND t.typcategory <> 'A' "
"UNION SELECT 'f', p.oid FROM pg_catalog.pg_proc p WHERE p.proname = 'st_asgeojson'";

/*
 * The fingerprints of the relations whose oids are $1, with their
 * schemas: what the schema cache and the OpenAPI document read of the
 * pg_class row (not relpages, reltuples, relallvisible, relfrozenxid,
 * relminmxid, relhasindex, relhasrules, relhastriggers or relfilenode,
 * which VACUUM, ANALYZE, TRUNCATE and REFRESH change) and of a foreign
 * table's options (whether it takes writes), of its constraints and the
 * foreign keys that reference it (from anywhere: a junction outside the
 * exposed schemas counts for PGRST200's hint),
 * comments, triggers (not those of foreign keys, which the constraints
 * stand for) and rules.  The columns and defaults are not
 * read here: rows of pg_attribute and pg_attrdef are never changed in
 * place, so a column changed since the cache was read is one whose row
 * the cache's snapshot did not see (columns_sql).
 */
static const char *const fingerprints_sql =
"SELECT c.oid, c.relnamespace, "
"pg_catalog.hash_record_extended((c.relname, c.relnamespace, c.relkind, c.reltype, "
"c.reloftype, c.relowner, c.relacl, c.relispartition, c.relpersistence, c.reloptions, "
"ft.ftserver, ft.ftoptions), 0), "
"k.h, s.h, t.h, r.h "
"FROM pg_catalog.unnest($1) AS d(oid) JOIN pg_catalog.pg_class c ON c.oid = d.oid "
"LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid "
"LEFT JOIN (SELECT x.oid, pg_catalog.bit_xor(x.h) AS h FROM ("
"SELECT con.conrelid AS oid, pg_catalog.hash_record_extended(("
"con.conname, con.contype, con.conkey, con.confrelid, con.confkey, con.conparentid), 0) AS h "
"FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_constraint con ON con.conrelid = d.oid "
"UNION ALL SELECT con.confrelid, pg_catalog.hash_record_extended(("
"con.conrelid, con.conname, con.conkey, con.confkey), 0) "
"FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_constraint con ON con.confrelid = d.oid AND con.contype = 'f' "
") AS x GROUP BY x.oid) AS k "
"ON k.oid = c.oid "
"LEFT JOIN (SELECT de.objoid AS oid, pg_catalog.bit_xor(pg_catalog.hash_record_extended(("
"de.objsubid, de.description), 0)) AS h "
"FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_description de ON de.objoid = d.oid "
"AND de.classoid = " CppAsString2(RelationRelationId) " GROUP BY de.objoid) AS s "
"ON s.oid = c.oid "
"LEFT JOIN (SELECT tg.tgrelid AS oid, pg_catalog.bit_xor(pg_catalog.hash_record_extended(("
"tg.tgname, tg.tgtype, tg.tgenabled, tg.tgfoid), 0)) AS h "
"FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = d.oid AND NOT tg.tgisinternal "
"GROUP BY tg.tgrelid) AS t ON t.oid = c.oid "
"LEFT JOIN (SELECT rw.ev_class AS oid, pg_catalog.bit_xor(pg_catalog.hash_record_extended(("
"rw.rulename, rw.ev_type, rw.ev_enabled, rw.is_instead, "
"pg_catalog.hashtextextended(rw.ev_qual::pg_catalog.text, 0), "
"pg_catalog.hashtextextended(rw.ev_action::pg_catalog.text, 0)), 0)) AS h "
"FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = d.oid GROUP BY rw.ev_class) AS r "
"ON r.oid = c.oid";

/* the rows of the columns and defaults of the relations $1, by xmin */
static const char *const columns_sql =
"SELECT a.xmin FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_attribute a ON a.attrelid = d.oid AND a.attnum > 0 "
"UNION ALL SELECT ad.xmin FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = d.oid";

/* the rows of the types, functions and schemas $1, by xmin */
static const char *const types_sql =
"SELECT t.xmin FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_type t ON t.oid = d.oid";
static const char *const functions_sql =
"SELECT p.xmin FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_proc p ON p.oid = d.oid";
static const char *const namespaces_sql =
"SELECT n.xmin FROM pg_catalog.unnest($1) AS d(oid) "
"JOIN pg_catalog.pg_namespace n ON n.oid = d.oid";

/*
 * The census of the exposed schemas ($1): which schemas have those names,
 * which functions they hold, where PostGIS's ST_AsGeoJSON is, whether
 * pgrest is installed, the comments on the schemas and functions, the
 * implicit casts of a function (data representations).  (A new function,
 * or a schema created or renamed to an exposed name, sends a hash value
 * the cache cannot know.)  Then the exposed schemas' oids.
 */
static const char *const census_sql =
"WITH nsp AS (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1)) "
"SELECT pg_catalog.md5(("
"(SELECT pg_catalog.array_agg(oid ORDER BY oid) FROM nsp), "
"(SELECT pg_catalog.array_agg(p.oid ORDER BY p.oid) FROM pg_catalog.pg_proc p "
"WHERE p.pronamespace IN (SELECT oid FROM nsp)), "
"(SELECT pg_catalog.array_agg(p.oid ORDER BY p.oid) FROM pg_catalog.pg_proc p "
"WHERE p.proname = 'st_asgeojson'), "
"EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'pgrest'), "
"(SELECT pg_catalog.array_agg((de.objoid, de.description) ORDER BY de.objoid) "
"FROM pg_catalog.pg_description de WHERE de.classoid = " CppAsString2(NamespaceRelationId)
" AND de.objoid IN (SELECT oid FROM nsp)), "
"(SELECT pg_catalog.array_agg((de.objoid, de.description) ORDER BY de.objoid) "
"FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_description de ON de.objoid = p.oid "
"AND de.classoid = " CppAsString2(ProcedureRelationId)
" WHERE p.pronamespace IN (SELECT oid FROM nsp)), "
"(SELECT pg_catalog.array_agg(c.oid ORDER BY c.oid) FROM pg_catalog.pg_cast c "
"WHERE c.castcontext = 'i' AND c.castmethod = 'f')"
")::pg_catalog.text), "
"(SELECT pg_catalog.array_agg(oid ORDER BY oid) FROM nsp)";

static void note_relation(Datum arg, Oid relid);
static void note_syscache(Datum arg, int cacheid, uint32 hashvalue);
static void note_document(Datum arg, int cacheid, uint32 hashvalue);
static void add_closure_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_relation_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void add_census_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void compare_relation_row(HeapTuple tuple, TupleDesc desc, void *arg);
static void check_column_row(HeapTuple tuple, TupleDesc desc, void *arg);
static uint64 fingerprint_of(HeapTuple tuple, TupleDesc desc);
static void keep_snapshot(PgrestSchemaDeps *deps);
static void read_relations(PgrestSchemaDeps *deps, List *schemas);
static bool seen_by_cache(const PgrestSchemaDeps *deps, TransactionId xid);
static Oid *relation_oids(const PgrestSchemaDeps *deps, int *n);
static HTAB *oid_set(const char *name);
static OidArray oid_array(HTAB *set);
static HashSet hash_set(int cacheid, const OidArray *oids);
static bool names_changed(const PgrestSchemaDeps *deps);
static bool hash_set_has(const HashSet *set, uint32 value);
static int	compare_uint32(const void *a, const void *b);
static bool is_exposed_namespace(const PgrestSchemaDeps *deps, Oid nsp);
static bool relation_matters(const PgrestSchemaDeps *deps, Oid relid,
							 Oid *check);
static bool relations_changed(const PgrestSchemaDeps *deps, Oid *oids, int n);
static bool census_changed(const PgrestSchemaDeps *deps, List *schemas);
static bool same_deps(const PgrestSchemaDeps *a, const PgrestSchemaDeps *b);

/*
 * Register the invalidation callbacks, once per process: PostgreSQL
 * allows few per process, and never unregisters them.
 */
void
pgrest_schemadeps_register(void)
{
	if (callbacks_registered)
		return;
	CacheRegisterRelcacheCallback(note_relation, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, note_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, note_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, note_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(CASTSOURCETARGET, note_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, note_document, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, note_document, (Datum) 0);
	CacheRegisterSyscacheCallback(ENUMOID, note_document, (Datum) 0);
	callbacks_registered = true;
}

/*
 * Take what the callbacks noted since the last call, palloc'd, or NULL if
 * nothing: what arrives later is noted for the next one.  Call at the
 * start of a refresh, before any catalog access (which may accept
 * invalidations of changes the request's snapshot does not see).
 */
PgrestInvalidations *
pgrest_schemadeps_take(void)
{
	PgrestInvalidations *taken;

	if (npending_relids == 0 && npending_hashes == 0 && !pending_all && !pending_reset)
		return NULL;
	taken = palloc(sizeof(PgrestInvalidations));
	taken->nrelids = npending_relids;
	taken->relids = palloc(sizeof(Oid) * Max(npending_relids, 1));
	memcpy(taken->relids, pending_relids, sizeof(Oid) * npending_relids);
	taken->nhashes = npending_hashes;
	taken->hashes = palloc(sizeof(PendingHash) * Max(npending_hashes, 1));
	memcpy(taken->hashes, pending_hashes, sizeof(PendingHash) * npending_hashes);
	taken->all = pending_all;
	taken->reset = pending_reset;
	npending_relids = 0;
	npending_hashes = 0;
	pending_all = false;
	pending_reset = false;
	return taken;
}

/*
 * Begin noting what a cache being read depends on, allocated in the
 * current memory context (the new cache's): the cache names the
 * relations, types and functions it holds while it reads them, then
 * pgrest_schemadeps_finish reads the rest.  Call in the transaction (and
 * snapshot) the cache is read in.
 */
PgrestSchemaDeps *
pgrest_schemadeps_begin(void)
{
	PgrestSchemaDeps *deps = palloc0(sizeof(PgrestSchemaDeps));
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(RelationPrint);
	ctl.hcxt = CurrentMemoryContext;
	deps->relations = hash_create("pgrest schema dependencies", 256, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	keep_snapshot(deps);
	return deps;
}

/* The cache depends on relation relid (an identity column's sequence). */
void
pgrest_schemadeps_name_relation(PgrestSchemaDeps *deps, Oid relid)
{
	RelationPrint *print = hash_search(deps->relations, &relid, HASH_ENTER, NULL);

	print->print = 0;
}

/* The cache holds something of type type. */
void
pgrest_schemadeps_name_type(PgrestSchemaDeps *deps, Oid type)
{
	deps->types = lappend_oid(deps->types, type);
}

/* The cache holds the function fn. */
void
pgrest_schemadeps_name_function(PgrestSchemaDeps *deps, Oid fn)
{
	deps->functions = lappend_oid(deps->functions, fn);
}

/*
 * Read the rest of what the cache of the exposed schemas depends on: the
 * relations and their fingerprints, the census; and what it names: its
 * types, with their domains' base types and arrays' elements, its
 * functions, the schemas of all of these and of its relations, and their
 * hash values.  Call with SPI connected.
 */
void
pgrest_schemadeps_finish(PgrestSchemaDeps *deps, List *schemas)
{
	HTAB	   *types = oid_set("pgrest types named");
	HTAB	   *functions = oid_set("pgrest functions named");
	HTAB	   *namespaces = oid_set("pgrest schemas named");
	List	   *todo;
	ListCell   *lc;

	read_relations(deps, schemas);

	/* each type once, then what it is made of */
	todo = list_copy(deps->types);
	while (todo != NIL)
	{
		Oid			type = llast_oid(todo);
		bool		found;
		HeapTuple	tuple;

		todo = list_delete_last(todo);
		if (!OidIsValid(type))
			continue;
		(void) hash_search(types, &type, HASH_ENTER, &found);
		if (found)
			continue;
		tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
		if (HeapTupleIsValid(tuple))
		{
			Form_pg_type form = (Form_pg_type) GETSTRUCT(tuple);

			(void) hash_search(namespaces, &form->typnamespace, HASH_ENTER, NULL);
			if (OidIsValid(form->typbasetype))
				todo = lappend_oid(todo, form->typbasetype);
			if (OidIsValid(form->typelem))
				todo = lappend_oid(todo, form->typelem);
			ReleaseSysCache(tuple);
		}
	}
	foreach(lc, deps->functions)
	{
		Oid			fn = lfirst_oid(lc);
		Oid			nsp = get_func_namespace(fn);

		(void) hash_search(functions, &fn, HASH_ENTER, NULL);
		if (OidIsValid(nsp))
			(void) hash_search(namespaces, &nsp, HASH_ENTER, NULL);
	}
	foreach(lc, deps->namespaces)
	{
		Oid			nsp = lfirst_oid(lc);

		(void) hash_search(namespaces, &nsp, HASH_ENTER, NULL);
	}
	for (int i = 0; i < deps->nexposed; i++)
		(void) hash_search(namespaces, &deps->exposed[i], HASH_ENTER, NULL);

	deps->type_oids = oid_array(types);
	deps->function_oids = oid_array(functions);
	deps->namespace_oids = oid_array(namespaces);
	deps->type_hashes = hash_set(TYPEOID, &deps->type_oids);
	deps->function_hashes = hash_set(PROCOID, &deps->function_oids);
	deps->namespace_hashes = hash_set(NAMESPACEOID, &deps->namespace_oids);
	hash_destroy(types);
	hash_destroy(functions);
	hash_destroy(namespaces);
	list_free(deps->types);
	list_free(deps->functions);
	list_free(deps->namespaces);
	deps->types = deps->functions = deps->namespaces = NIL;
}

/*
 * Whether the invalidations taken touch what deps (read when the cache in
 * use was built) describes.  Call with SPI connected, inside the
 * request's transaction; allocates in the current memory context.  On an
 * error the caller must rebuild the cache, as what was taken is gone.
 */
bool
pgrest_schemadeps_changed(const PgrestSchemaDeps *deps,
						  const PgrestInvalidations *taken, List *schemas)
{
	const Oid  *relids = taken->relids;
	const PendingHash *hashes = taken->hashes;
	int			nrelids = taken->nrelids;
	int			nhashes = taken->nhashes;
	bool		all = taken->all;
	bool		reset = taken->reset;
	Oid		   *check;
	int			ncheck = 0;
	bool		census = false;

	/* a cache so old that it would compare transaction ids wrongly */
	if (ReadNextTransactionId() - deps->snap_xmax > PGREST_MAX_XID_AGE)
		return true;

	/*
	 * Invalidations were lost (a queue that overflowed while this process
	 * was idle: a database-wide VACUUM does that), or too many arrived:
	 * check everything.
	 */
	if (reset && names_changed(deps))
		return true;
	if (all || reset)
	{
		PgrestSchemaDeps *now = palloc0(sizeof(PgrestSchemaDeps));
		HASHCTL		ctl;
		HASH_SEQ_STATUS seq;
		RelationPrint *print;
		Oid		   *oids;
		int			n;
		bool		changed;

		/* the relations now, with those the cache named itself */
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RelationPrint);
		ctl.hcxt = CurrentMemoryContext;
		now->relations = hash_create("pgrest schema dependencies now", 256, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		hash_seq_init(&seq, deps->relations);
		while ((print = hash_seq_search(&seq)) != NULL)
			pgrest_schemadeps_name_relation(now, print->oid);
		read_relations(now, schemas);
		if (!same_deps(deps, now))
			return true;
		/* the same relations: have any of their columns changed? */
		oids = relation_oids(deps, &n);
		changed = relations_changed(deps, oids, n);
		pfree(oids);
		return changed;
	}

	for (int i = 0; i < nhashes; i++)
	{
		const HashSet *known = NULL;

		switch (hashes[i].cacheid)
		{
			case TYPEOID:
				known = &deps->type_hashes;
				break;
			case NAMESPACEOID:
				known = &deps->namespace_hashes;
				census = true;
				break;
			case PROCOID:
				known = &deps->function_hashes;
				census = true;
				break;
			case CASTSOURCETARGET:
				/* a cast: data representations are casts (rare DDL) */
				return true;
		}
		if (known != NULL && hash_set_has(known, hashes[i].hashvalue))
			return true;
	}

	check = palloc(sizeof(Oid) * Max(nrelids, 1));
	for (int i = 0; i < nrelids; i++)
	{
		Oid			relid;
		bool		listed = false;

		if (relation_matters(deps, relids[i], &relid))
			return true;
		for (int j = 0; j < ncheck && !listed; j++)
			listed = check[j] == relid;
		if (OidIsValid(relid) && !listed)
			check[ncheck++] = relid;
	}
	if (ncheck > 0 && relations_changed(deps, check, ncheck))
		return true;
	return census && census_changed(deps, schemas);
}

/* Moves whenever what only the OpenAPI document shows may have changed. */
uint64
pgrest_schemadeps_document_epoch(void)
{
	return doc_epoch;
}

/* a relation's definition changed (InvalidOid: every relation's) */
static void
note_relation(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || npending_relids >= PGREST_MAX_PENDING)
	{
		pending_all = true;
		return;
	}
	for (int i = 0; i < npending_relids; i++)
	{
		if (pending_relids[i] == relid)
			return;
	}
	pending_relids[npending_relids++] = relid;
}

/* a type, schema or function changed (hash value 0: every one) */
static void
note_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	if (hashvalue == 0 || npending_hashes >= PGREST_MAX_PENDING)
	{
		pending_reset = true;
		return;
	}
	for (int i = 0; i < npending_hashes; i++)
	{
		if (pending_hashes[i].cacheid == cacheid &&
			pending_hashes[i].hashvalue == hashvalue)
			return;
	}
	pending_hashes[npending_hashes].cacheid = cacheid;
	pending_hashes[npending_hashes].hashvalue = hashvalue;
	npending_hashes++;
}

/* a role, a role's membership or an enum's labels changed */
static void
note_document(Datum arg, int cacheid, uint32 hashvalue)
{
	doc_epoch++;
}

/* one row of closure_sql */
static void
add_closure_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	PgrestSchemaDeps *deps = (PgrestSchemaDeps *) arg;
	bool		isnull;
	char		kind = DatumGetChar(SPI_getbinval(tuple, desc, 1, &isnull));
	Oid			oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));

	if (isnull)
		return;
	if (kind == 'r')
	{
		RelationPrint *print = hash_search(deps->relations, &oid, HASH_ENTER, NULL);

		print->print = 0;
	}
	else if (kind == 't')
		deps->types = lappend_oid(deps->types, oid);
	else
		deps->functions = lappend_oid(deps->functions, oid);
}

/* one row of fingerprints_sql, read with the cache */
static void
add_relation_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	PgrestSchemaDeps *deps = (PgrestSchemaDeps *) arg;
	bool		isnull;
	Oid			oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	Oid			nsp = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));
	RelationPrint *print = hash_search(deps->relations, &oid, HASH_FIND, NULL);

	if (print == NULL)
		return;
	print->print = fingerprint_of(tuple, desc);
	deps->nrelations++;
	deps->namespaces = lappend_oid(deps->namespaces, nsp);
}

/* the one row of census_sql */
static void
add_census_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	PgrestSchemaDeps *deps = (PgrestSchemaDeps *) arg;
	char	   *md5 = SPI_getvalue(tuple, desc, 1);
	bool		isnull;
	Datum		oids = SPI_getbinval(tuple, desc, 2, &isnull);

	strlcpy(deps->census, md5, sizeof(deps->census));
	if (!isnull)
	{
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(DatumGetArrayTypeP(oids), OIDOID, sizeof(Oid), true,
						  TYPALIGN_INT, &elems, &nulls, &deps->nexposed);
		deps->exposed = palloc(sizeof(Oid) * Max(deps->nexposed, 1));
		for (int i = 0; i < deps->nexposed; i++)
			deps->exposed[i] = DatumGetObjectId(elems[i]);
	}
}

/* one row of fingerprints_sql, compared with the cache's */
static void
compare_relation_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Comparison *c = (Comparison *) arg;
	bool		isnull;
	Oid			oid = DatumGetObjectId(SPI_getbinval(tuple, desc, 1, &isnull));
	RelationPrint *print = hash_search(c->deps->relations, &oid, HASH_FIND, NULL);

	c->rows++;
	if (print == NULL || print->print != fingerprint_of(tuple, desc))
		c->changed = true;
}

/* the hashes of a row of fingerprints_sql, combined (NULL: none) */
static uint64
fingerprint_of(HeapTuple tuple, TupleDesc desc)
{
	uint64		print = 0;

	for (int i = 3; i <= desc->natts; i++)
	{
		bool		isnull;
		Datum		h = SPI_getbinval(tuple, desc, i, &isnull);

		print = hash_combine64(print, isnull ? 0 : (uint64) DatumGetInt64(h));
	}
	return print;
}

/* a row's xmin: changed if the cache's snapshot did not see it */
static void
check_column_row(HeapTuple tuple, TupleDesc desc, void *arg)
{
	Comparison *c = (Comparison *) arg;
	bool		isnull;
	TransactionId xmin = DatumGetTransactionId(SPI_getbinval(tuple, desc, 1, &isnull));

	c->rows++;
	if (!seen_by_cache(c->deps, xmin))
		c->changed = true;
}

/* what the snapshot the cache is read with sees */
static void
keep_snapshot(PgrestSchemaDeps *deps)
{
	Snapshot	snapshot = GetActiveSnapshot();

	deps->own_xid = GetTopTransactionIdIfAny();
	deps->snap_xmin = snapshot->xmin;
	deps->snap_xmax = snapshot->xmax;
	deps->xcnt = snapshot->xcnt;
	deps->xip = palloc(sizeof(TransactionId) * Max(snapshot->xcnt, 1));
	memcpy(deps->xip, snapshot->xip, sizeof(TransactionId) * snapshot->xcnt);
	deps->subxcnt = Max(snapshot->subxcnt, 0);
	deps->subxip = palloc(sizeof(TransactionId) * Max(deps->subxcnt, 1));
	memcpy(deps->subxip, snapshot->subxip, sizeof(TransactionId) * deps->subxcnt);
	deps->suboverflowed = snapshot->suboverflowed;
}

/*
 * The relations the cache depends on (those of closure_sql, and those
 * already named) with their fingerprints and schemas, and the census.
 */
static void
read_relations(PgrestSchemaDeps *deps, List *schemas)
{
	Oid		   *oids;
	int			n;

	pgrest_catalog_rows(closure_sql, schemas, add_closure_row, deps);
	oids = relation_oids(deps, &n);
	pgrest_catalog_rows_by_oid(fingerprints_sql, oids, n, add_relation_row, deps);
	pfree(oids);
	pgrest_catalog_rows(census_sql, schemas, add_census_row, deps);
}

/*
 * Whether a type, function or schema the cache names has changed since
 * it was read (its row is one the cache's snapshot did not see), or is
 * gone.  (Comments on the functions and schemas are in the census.)
 */
static bool
names_changed(const PgrestSchemaDeps *deps)
{
	const char *const sqls[] = {types_sql, functions_sql, namespaces_sql};
	const OidArray *arrays[] = {&deps->type_oids, &deps->function_oids,
	&deps->namespace_oids};

	for (int i = 0; i < (int) lengthof(sqls); i++)
	{
		Comparison	c = {deps, 0, false};

		if (arrays[i]->n == 0)
			continue;
		pgrest_catalog_rows_by_oid(sqls[i], arrays[i]->oids, arrays[i]->n,
								   check_column_row, &c);
		if (c.changed || c.rows != arrays[i]->n)
			return true;
	}
	return false;
}

/*
 * Whether the cache's snapshot saw what transaction xid committed.  When
 * it cannot tell (the transaction that read the cache, or the current
 * one, which may have written after it; a subtransaction of a transaction
 * that was running then, with too many to list), the answer is no: the
 * relation is read again.
 */
static bool
seen_by_cache(const PgrestSchemaDeps *deps, TransactionId xid)
{
	if (!TransactionIdIsNormal(xid))
		return true;
	/* a transaction that wrote before and after the cache was read: unsure */
	if (TransactionIdEquals(xid, deps->own_xid) || TransactionIdIsCurrentTransactionId(xid))
		return false;
	if (TransactionIdPrecedes(xid, deps->snap_xmin))
		return true;
	if (TransactionIdFollowsOrEquals(xid, deps->snap_xmax) || deps->suboverflowed)
		return false;
	for (int i = 0; i < deps->xcnt; i++)
	{
		if (TransactionIdEquals(xid, deps->xip[i]))
			return false;
	}
	for (int i = 0; i < deps->subxcnt; i++)
	{
		if (TransactionIdEquals(xid, deps->subxip[i]))
			return false;
	}
	return true;
}

/* the oids of the relations the cache depends on, palloc'd */
static Oid *
relation_oids(const PgrestSchemaDeps *deps, int *n)
{
	Oid		   *oids = palloc(sizeof(Oid) * Max(hash_get_num_entries(deps->relations), 1));
	HASH_SEQ_STATUS seq;
	RelationPrint *print;

	*n = 0;
	hash_seq_init(&seq, deps->relations);
	while ((print = hash_seq_search(&seq)) != NULL)
		oids[(*n)++] = print->oid;
	return oids;
}

/*
 * Whether any of the n relations the cache depends on has changed: its
 * fingerprint, or a column or default the cache's snapshot did not see
 * (or it is gone).
 */
static bool
relations_changed(const PgrestSchemaDeps *deps, Oid *oids, int n)
{
	Comparison	c = {deps, 0, false};

	pgrest_catalog_rows_by_oid(fingerprints_sql, oids, n, compare_relation_row, &c);
	if (c.changed || c.rows != n)
		return true;
	pgrest_catalog_rows_by_oid(columns_sql, oids, n, check_column_row, &c);
	return c.changed;
}

/* an empty set of oids, in the current memory context */
static HTAB *
oid_set(const char *name)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Oid);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* the oids of a set, palloc'd */
static OidArray
oid_array(HTAB *set)
{
	OidArray	array;
	HASH_SEQ_STATUS seq;
	Oid		   *oid;

	array.oids = palloc(sizeof(Oid) * Max(hash_get_num_entries(set), 1));
	array.n = 0;
	hash_seq_init(&seq, set);
	while ((oid = hash_seq_search(&seq)) != NULL)
		array.oids[array.n++] = *oid;
	return array;
}

/* the sorted hash values of the oids in syscache cacheid */
static HashSet
hash_set(int cacheid, const OidArray *oids)
{
	HashSet		set;
	int			n = 0;

	set.values = palloc(sizeof(uint32) * Max(oids->n, 1));
	for (int i = 0; i < oids->n; i++)
		set.values[n++] = GetSysCacheHashValue1(cacheid, ObjectIdGetDatum(oids->oids[i]));
	if (n > 1)
		qsort(set.values, n, sizeof(uint32), compare_uint32);
	set.n = n;
	return set;
}

static bool
hash_set_has(const HashSet *set, uint32 value)
{
	return set->n > 0 &&
		bsearch(&value, set->values, set->n, sizeof(uint32), compare_uint32) != NULL;
}

static int
compare_uint32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a;
	uint32		y = *(const uint32 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static bool
is_exposed_namespace(const PgrestSchemaDeps *deps, Oid nsp)
{
	for (int i = 0; i < deps->nexposed; i++)
	{
		if (deps->exposed[i] == nsp)
			return true;
	}
	return false;
}

/*
 * An invalidated relation, as the syscache has it now: true if it is one
 * the cache would list and does not (new, moved into an exposed schema,
 * no longer a partition).  Otherwise *check is the relation whose
 * fingerprint must be compared (itself, or an index's table) if the cache
 * depends on it, else InvalidOid: a relation dropped, temporary, TOAST,
 * of another schema, an index of such, or a partition.
 */
static bool
relation_matters(const PgrestSchemaDeps *deps, Oid relid, Oid *check)
{
	HeapTuple	tuple;
	Form_pg_class form;
	bool		matters = false;

	*check = InvalidOid;
	if (hash_search(deps->relations, &relid, HASH_FIND, NULL) != NULL)
	{
		*check = relid;
		return false;
	}
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		return false;
	form = (Form_pg_class) GETSTRUCT(tuple);
	if (form->relkind == RELKIND_INDEX || form->relkind == RELKIND_PARTITIONED_INDEX)
	{
		HeapTuple	index = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(relid));

		if (HeapTupleIsValid(index))
		{
			Oid			table = ((Form_pg_index) GETSTRUCT(index))->indrelid;

			if (hash_search(deps->relations, &table, HASH_FIND, NULL) != NULL)
				*check = table;
			ReleaseSysCache(index);
		}
	}
	else if ((form->relkind == RELKIND_RELATION ||
			  form->relkind == RELKIND_PARTITIONED_TABLE ||
			  form->relkind == RELKIND_VIEW ||
			  form->relkind == RELKIND_MATVIEW ||
			  form->relkind == RELKIND_FOREIGN_TABLE) &&
			 !form->relispartition &&
			 is_exposed_namespace(deps, form->relnamespace))
		matters = true;
	ReleaseSysCache(tuple);
	return matters;
}

/* whether the census of the exposed schemas differs from the cache's */
static bool
census_changed(const PgrestSchemaDeps *deps, List *schemas)
{
	PgrestSchemaDeps now;

	memset(&now, 0, sizeof(now));
	pgrest_catalog_rows(census_sql, schemas, add_census_row, &now);
	return strcmp(now.census, deps->census) != 0;
}

/*
 * Whether two readings of the relations the cache depends on, and of the
 * census, are the same.
 */
static bool
same_deps(const PgrestSchemaDeps *a, const PgrestSchemaDeps *b)
{
	HASH_SEQ_STATUS seq;
	RelationPrint *print;

	if (a->nrelations != b->nrelations || a->nexposed != b->nexposed ||
		strcmp(a->census, b->census) != 0)
		return false;
	for (int i = 0; i < a->nexposed; i++)
	{
		if (a->exposed[i] != b->exposed[i])
			return false;
	}
	hash_seq_init(&seq, a->relations);
	while ((print = hash_seq_search(&seq)) != NULL)
	{
		RelationPrint *other = hash_search(b->relations, &print->oid, HASH_FIND, NULL);

		if (other == NULL || other->print != print->print)
		{
			hash_seq_term(&seq);
			return false;
		}
	}
	return true;
}
