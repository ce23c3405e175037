/*-------------------------------------------------------------------------
 *
 * embed.h
 *	  The relationship an embedded resource names
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/embed.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_EMBED_H
#define PGREST_EMBED_H

#include "cache/schema.h"

extern const PgrestRelationship *pgrest_embed_find(const PgrestRelation *origin,
												   const char *origin_name,
												   const char *schema,
												   const char *target,
												   const char *hint);

#endif							/* PGREST_EMBED_H */
