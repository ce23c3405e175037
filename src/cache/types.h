/*-------------------------------------------------------------------------
 *
 * types.h
 *	  What the schema cache holds
 *
 * The relations of the exposed schemas with their columns, keys and
 * relationships, their functions, the roles' settings; and the catalog
 * rows relationships are derived from.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_CACHE_TYPES_H
#define PGREST_CACHE_TYPES_H

#include "access/attnum.h"
#include "nodes/pg_list.h"

typedef struct PgrestColumn
{
	char	   *name;
	AttrNumber	attnum;
	Oid			type;			/* as declared (may be a domain) */
	int32		typmod;
	Oid			basetype;		/* the domain's base type, else type */
	bool		nullable;
	char	   *default_expr;	/* SQL of its DEFAULT (identity: nextval), or NULL */
	bool		generated;
} PgrestColumn;

typedef struct PgrestForeignKey
{
	char	   *name;
	struct PgrestRelation *from;
	struct PgrestRelation *to;
	int			ncolumns;
	int		   *from_columns;	/* column indexes in "from" */
	int		   *to_columns;		/* column indexes in "to" */
} PgrestForeignKey;

/*
 * How two relations relate, as PostgREST's schema cache has it.  The
 * order of the kinds is PostgREST's: candidates for an ambiguous embed
 * are listed in it.
 */
typedef enum PgrestCardinality
{
	PGREST_ONE_TO_MANY,
	PGREST_MANY_TO_ONE,
	PGREST_ONE_TO_ONE,
	PGREST_MANY_TO_MANY,
	PGREST_COMPUTED				/* a function of "from"'s row type */
} PgrestCardinality;

/*
 * A way to embed "to" in rows of "from".  A foreign key gives one in
 * each direction (many-to-one and one-to-many, or two one-to-one); views
 * whose columns are plain references to a key's columns inherit it; a
 * table with keys to two others is a junction between them.
 */
typedef struct PgrestRelationship
{
	PgrestCardinality cardinality;
	struct PgrestRelation *from;
	struct PgrestRelation *to;
	bool		is_self;		/* from and to are one relation */
	bool		from_is_view;
	bool		to_is_view;
	bool		to_one;			/* at most one row of "to" per row of "from" */

	/* the foreign key (many-to-many: the junction's key to "from") */
	char	   *constraint;
	bool		parent;			/* one-to-one: "from" holds the referenced key */
	int			ncolumns;
	int		   *from_columns;	/* column indexes in "from" */
	int		   *to_columns;		/* column indexes in "to" (many-to-many: in junction) */

	/* many-to-many */
	struct PgrestRelation *junction;
	char	   *constraint2;	/* the junction's key to "to" */
	int			ntarget;
	int		   *junction_columns;	/* the junction's columns of constraint2 */
	int		   *target_columns; /* the columns of "to" they reference */

	/* computed: function(from) returns [SETOF] to */
	char	   *function_schema;
	char	   *function;
} PgrestRelationship;

typedef struct PgrestRelation
{
	Oid			oid;
	Oid			rowtype;		/* the relation's composite type */
	char	   *schema;
	char	   *name;
	char		kind;			/* a RELKIND_* letter */
	int			ncolumns;
	PgrestColumn *columns;		/* in attnum order */
	int			npkey;
	int		   *pkey;			/* column indexes of the primary key */
	List	   *unique_keys;	/* of PgrestKey *: primary key first */
	List	   *foreign_keys;	/* PgrestForeignKey * whose "from" is this */
	List	   *referenced_by;	/* PgrestForeignKey * whose "to" is this */
	List	   *relationships;	/* PgrestRelationship * whose "from" is this */
	bool		hidden_junction;	/* a table outside the exposed schemas joins
									 * it to a relation of its schema */
	bool		events_known;	/* events below was asked (views, foreign tables) */
	int			events;			/* pg_relation_is_updatable's mask, once asked */
} PgrestRelation;

/* a set of columns that identifies a row */
typedef struct PgrestKey
{
	char	   *name;
	int			ncolumns;
	int		   *columns;
} PgrestKey;

/* one parameter a caller passes (IN, INOUT or VARIADIC) */
typedef struct PgrestRoutineArg
{
	char	   *name;			/* "" when unnamed */
	Oid			type;
	bool		has_default;
	bool		variadic;
} PgrestRoutineArg;

/* a function of an exposed schema */
typedef struct PgrestRoutine
{
	Oid			oid;
	char	   *schema;
	char	   *name;
	char	   *description;	/* COMMENT ON FUNCTION, or NULL */
	char		volatility;		/* PROVOLATILE_* */
	bool		returns_set;
	float4		rows;			/* prorows: the ROWS estimate of a set */
	bool		returns_void;
	Oid			rettype;
	int			nargs;
	PgrestRoutineArg *args;
	/*
	 * The columns of a composite or TABLE result, as a relation named after
	 * the function, so the read grammar applies to it; NULL for scalars.
	 */
	PgrestRelation *result;
	/* the exposed relation whose row type it returns, or NULL */
	PgrestRelation *table;
} PgrestRoutine;

/*
 * A data representation, as PostgREST reads them: an implicit cast of a
 * function between a domain and json or text.  domain -> json formats a
 * column in responses; json -> domain parses a body's value, text ->
 * domain a filter's.  function is its SQL name, quoted and qualified;
 * argtype the type of its parameter.
 */
typedef struct PgrestRepresentation
{
	Oid			source;
	Oid			target;
	char	   *function;
	Oid			argtype;
} PgrestRepresentation;

/*
 * A media type handler, as PostgREST defines them: a domain named after a
 * media type ("text/plain", "image/png", or the wildcard that takes any),
 * which an aggregate of the exposed schemas returns (it turns the rows of
 * one relation's row type, or of any with anyelement, into the body), or
 * which a function of the exposed schemas returns (its value, cast to the
 * domain, is the body).
 */
typedef struct PgrestMediaHandler
{
	char	   *media;			/* the domain's name, lowercased */
	bool		aggregate;		/* else a function's value */
	bool		any;			/* an aggregate of anyelement: any relation */
	char	   *target_schema;	/* the relation's row type, or the function */
	char	   *target_name;
	char	   *function;		/* the aggregate, quoted and qualified */
	Oid			domain;			/* the domain (what the aggregate returns) */
	Oid			rowtype;		/* an aggregate's argument type */
} PgrestMediaHandler;

/* a setting's name and value */
typedef struct PgrestSetting
{
	char	   *name;
	char	   *value;
} PgrestSetting;

/*
 * A primary key, unique constraint or foreign key of any user table, by
 * attribute numbers (the table need not be exposed: views may read it).
 */
typedef struct PgrestCatalogKey
{
	Oid			relid;
	char		type;			/* 'p', 'u' or 'f' */
	char	   *name;
	int			ncolumns;
	AttrNumber *attnums;
	Oid			frelid;			/* 'f': the referenced table */
	AttrNumber *fattnums;
} PgrestCatalogKey;

/* a view's stored query (pg_rewrite.ev_action of its _RETURN rule) */
typedef struct PgrestCatalogView
{
	Oid			oid;
	char	   *action;
} PgrestCatalogView;

#endif							/* PGREST_CACHE_TYPES_H */
