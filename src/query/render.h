/*-------------------------------------------------------------------------
 *
 * render.h
 *	  SQL text for a read-plan tree: select lists, embedded resources as
 *	  lateral joins, filters, order, ranges, and $n parameters
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/query/render.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RENDER_H
#define PGREST_RENDER_H

#include "lib/stringinfo.h"

#include "query/types.h"

extern int	pgrest_render_param(PgrestQuery *query, const char *value);
extern char *pgrest_render_text_array(List *values);
extern char *pgrest_render_alias(int id);
extern void pgrest_render_select(PgrestQuery *query, StringInfo sql,
								 const PgrestReadNode *node, const char *from);
extern void pgrest_render_counted(PgrestQuery *query, StringInfo sql,
								  const PgrestReadNode *node, const char *from);
extern List *pgrest_render_columns(const PgrestReadNode *node, bool *whole);
extern void pgrest_render_where(PgrestQuery *query, StringInfo sql,
								const PgrestReadNode *node, List *filters);
extern bool pgrest_render_each_row(PgrestQuery *query, StringInfo sql,
								   const PgrestReadNode *node,
								   const char *leading, const char *from);

#endif							/* PGREST_RENDER_H */
