/*-------------------------------------------------------------------------
 *
 * schema.h
 *	  The schema cache: what the exposed schemas hold
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/schema.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SCHEMA_H
#define PGREST_SCHEMA_H

#include "cache/types.h"

extern void pgrest_schema_refresh(void);
extern void pgrest_schema_invalidate(void);
extern uint64 pgrest_schema_loads(void);
extern void pgrest_schema_document_version(uint64 *loads, uint64 *epoch);
extern bool pgrest_schema_extension_installed(void);
extern PgrestRelation *pgrest_schema_relation(const char *schema,
											  const char *name);
extern List *pgrest_schema_relations(void);
extern const char *pgrest_schema_geojson_function(void);
extern List *pgrest_schema_role_settings(const char *role);
extern List *pgrest_schema_media_handlers(void);
extern const PgrestRepresentation *pgrest_schema_representation(Oid source, Oid target);
extern int	pgrest_schema_column(const PgrestRelation *rel, const char *name);
extern int	pgrest_schema_writable(PgrestRelation *rel);
extern List *pgrest_schema_routines(const char *schema, const char *name);
extern List *pgrest_schema_routine_names(const char *schema);

#endif							/* PGREST_SCHEMA_H */
