/*-------------------------------------------------------------------------
 *
 * schema.h
 *	  The schema cache: what the exposed schemas hold
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/schema.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SCHEMA_H
#define PGREST_SCHEMA_H

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

typedef struct PgrestRelation
{
	Oid			oid;
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
	char		volatility;		/* PROVOLATILE_* */
	bool		returns_set;
	bool		returns_void;
	Oid			rettype;
	int			nargs;
	PgrestRoutineArg *args;
	/*
	 * The columns of a composite or TABLE result, as a relation named after
	 * the function, so the read grammar applies to it; NULL for scalars.
	 */
	PgrestRelation *result;
} PgrestRoutine;

extern void pgrest_schema_refresh(void);
extern void pgrest_schema_invalidate(void);
extern bool pgrest_schema_extension_installed(void);
extern PgrestRelation *pgrest_schema_relation(const char *schema,
											  const char *name);
extern int	pgrest_schema_column(const PgrestRelation *rel, const char *name);
extern List *pgrest_schema_routines(const char *schema, const char *name);

#endif							/* PGREST_SCHEMA_H */
