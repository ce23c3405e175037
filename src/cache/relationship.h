/*-------------------------------------------------------------------------
 *
 * relationship.h
 *	  Relationships between exposed relations, and finding the one an
 *	  embedded resource names
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/relationship.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RELATIONSHIP_H
#define PGREST_RELATIONSHIP_H

#include "cache/schema.h"

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

extern void pgrest_relationships_build(List *relations, List *keys,
									   List *views, List *routines);
extern const PgrestRelationship *pgrest_relationship_find(const PgrestRelation *origin,
														  const char *origin_name,
														  const char *schema,
														  const char *target,
														  const char *hint);
extern char *pgrest_relationship_columns(const PgrestRelation *rel,
										 const int *columns, int n);

#endif							/* PGREST_RELATIONSHIP_H */
