/*-------------------------------------------------------------------------
 *
 * grammar.h
 *	  PostgREST's query-string grammar: select, filters, logic trees,
 *	  order
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/grammar.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_GRAMMAR_H
#define PGREST_GRAMMAR_H

#include "nodes/pg_list.h"

/* one step of a JSON path: ->key, ->>key, ->0, ->>-1 */
typedef struct PgrestJsonStep
{
	bool		as_text;		/* ->> rather than -> */
	bool		is_index;		/* an array index: key holds the integer */
	char	   *key;
} PgrestJsonStep;

/* a column, possibly followed by a JSON path */
typedef struct PgrestField
{
	char	   *name;
	List	   *path;			/* PgrestJsonStep * */
} PgrestField;

typedef struct PgrestSelectItem
{
	bool		star;
	PgrestField field;
	char	   *alias;			/* NULL: the column or last JSON key */
	char	   *cast;			/* NULL, or a type name to CAST to */
} PgrestSelectItem;

typedef enum PgrestOperator
{
	PGREST_OP_EQ,
	PGREST_OP_NEQ,
	PGREST_OP_GT,
	PGREST_OP_GTE,
	PGREST_OP_LT,
	PGREST_OP_LTE,
	PGREST_OP_LIKE,
	PGREST_OP_ILIKE,
	PGREST_OP_MATCH,
	PGREST_OP_IMATCH,
	PGREST_OP_IN,
	PGREST_OP_IS,
	PGREST_OP_ISDISTINCT,
	PGREST_OP_FTS,
	PGREST_OP_PLFTS,
	PGREST_OP_PHFTS,
	PGREST_OP_WFTS,
	PGREST_OP_CS,
	PGREST_OP_CD,
	PGREST_OP_OV,
	PGREST_OP_SL,
	PGREST_OP_SR,
	PGREST_OP_NXR,
	PGREST_OP_NXL,
	PGREST_OP_ADJ
} PgrestOperator;

typedef enum PgrestQuantifier
{
	PGREST_QUANT_NONE,
	PGREST_QUANT_ANY,
	PGREST_QUANT_ALL
} PgrestQuantifier;

typedef enum PgrestIsValue
{
	PGREST_IS_NULL,
	PGREST_IS_NOT_NULL,
	PGREST_IS_TRUE,
	PGREST_IS_FALSE,
	PGREST_IS_UNKNOWN
} PgrestIsValue;

typedef enum PgrestFilterKind
{
	PGREST_FILTER_CONDITION,
	PGREST_FILTER_AND,
	PGREST_FILTER_OR
} PgrestFilterKind;

/* a condition on a field, or an AND/OR of filters; either may be negated */
typedef struct PgrestFilter
{
	PgrestFilterKind kind;
	bool		negated;
	List	   *children;		/* AND/OR: PgrestFilter * */
	PgrestField field;			/* CONDITION: */
	PgrestOperator op;
	PgrestQuantifier quantifier;
	char	   *language;		/* fts: text search configuration or NULL */
	char	   *value;			/* the single value */
	List	   *values;			/* in: char * */
	PgrestIsValue is;
} PgrestFilter;

typedef enum PgrestDirection
{
	PGREST_DIRECTION_DEFAULT,
	PGREST_DIRECTION_ASC,
	PGREST_DIRECTION_DESC
} PgrestDirection;

typedef enum PgrestNulls
{
	PGREST_NULLS_DEFAULT,
	PGREST_NULLS_FIRST,
	PGREST_NULLS_LAST
} PgrestNulls;

typedef struct PgrestOrderTerm
{
	PgrestField field;
	PgrestDirection direction;
	PgrestNulls nulls;
} PgrestOrderTerm;

/* logic trees nest at most this deep */
#define PGREST_MAX_LOGIC_DEPTH 64

extern List *pgrest_grammar_select(const char *text);
extern PgrestFilter *pgrest_grammar_filter(const char *name, const char *value);
extern PgrestFilter *pgrest_grammar_logic(const char *name, const char *value);
extern List *pgrest_grammar_order(const char *text);
extern List *pgrest_grammar_columns(const char *text, const char *what);
extern bool pgrest_grammar_is_operation(const char *value);

#endif							/* PGREST_GRAMMAR_H */
