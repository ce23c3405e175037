/*-------------------------------------------------------------------------
 *
 * schemadeps.h
 *	  What the schema cache depends on, and whether the invalidations a
 *	  process received since it was built touch any of it
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/schemadeps.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SCHEMADEPS_H
#define PGREST_SCHEMADEPS_H

#include "nodes/pg_list.h"

typedef struct PgrestSchemaDeps PgrestSchemaDeps;
typedef struct PgrestInvalidations PgrestInvalidations;

extern void pgrest_schemadeps_register(void);
extern PgrestInvalidations *pgrest_schemadeps_take(void);
extern PgrestSchemaDeps *pgrest_schemadeps_begin(void);
extern void pgrest_schemadeps_name_relation(PgrestSchemaDeps *deps, Oid relid);
extern void pgrest_schemadeps_name_type(PgrestSchemaDeps *deps, Oid type);
extern void pgrest_schemadeps_name_function(PgrestSchemaDeps *deps, Oid fn);
extern void pgrest_schemadeps_finish(PgrestSchemaDeps *deps, List *schemas);
extern bool pgrest_schemadeps_changed(const PgrestSchemaDeps *deps,
									  const PgrestInvalidations *taken,
									  List *schemas);
extern uint64 pgrest_schemadeps_document_epoch(void);

#endif							/* PGREST_SCHEMADEPS_H */
