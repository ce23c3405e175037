/*-------------------------------------------------------------------------
 *
 * grammar.h
 *	  PostgREST's query-string grammar: select, filters, logic trees,
 *	  order
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/grammar.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_GRAMMAR_H
#define PGREST_GRAMMAR_H

#include "api/types.h"

extern List *pgrest_grammar_select(const char *text);
extern PgrestParamPath *pgrest_grammar_param_path(const char *name, bool logic);
extern PgrestFilter *pgrest_grammar_filter(const PgrestParamPath *path, const char *value);
extern PgrestFilter *pgrest_grammar_logic(const PgrestParamPath *path, const char *value);
extern List *pgrest_grammar_order(const char *text);
extern List *pgrest_grammar_columns(const char *text, const char *what);
extern bool pgrest_grammar_is_operation(const char *value);

#endif							/* PGREST_GRAMMAR_H */
