/*-------------------------------------------------------------------------
 *
 * readplan.h
 *	  Plan the rows a request returns: a tree of read nodes
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/readplan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_READPLAN_H
#define PGREST_READPLAN_H

#include "plan/types.h"

extern PgrestReadNode *pgrest_readplan_build(PgrestPlan *plan,
											 const PgrestRequest *req,
											 PgrestRelation *rel,
											 const char *origin_name,
											 bool top_level);
extern char *pgrest_readplan_name_aliases(const PgrestReadNode *root,
										  const char *text);

#endif							/* PGREST_READPLAN_H */
