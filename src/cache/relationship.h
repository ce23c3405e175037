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

#include "cache/types.h"

extern void pgrest_relationships_build(List *relations, List *keys,
									   List *views, List *routines);

#endif							/* PGREST_RELATIONSHIP_H */
