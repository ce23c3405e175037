/*-------------------------------------------------------------------------
 *
 * fuzzy.h
 *	  The closest names to a name that was not found, as PostgREST
 *	  suggests them
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/fuzzy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_FUZZY_H
#define PGREST_FUZZY_H

#include "nodes/pg_list.h"

extern List *pgrest_fuzzy_matches(List *candidates, const char *name);
extern const char *pgrest_fuzzy_best(List *candidates, const char *name);
extern const char *pgrest_fuzzy_best_scored(List *candidates, const char *name,
											double min_score);

#endif							/* PGREST_FUZZY_H */
