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

typedef enum PgrestAggregate
{
	PGREST_AGG_NONE,
	PGREST_AGG_COUNT,
	PGREST_AGG_SUM,
	PGREST_AGG_AVG,
	PGREST_AGG_MAX,
	PGREST_AGG_MIN
} PgrestAggregate;

typedef enum PgrestSelectKind
{
	PGREST_SELECT_STAR,			/* * */
	PGREST_SELECT_FIELD,		/* [alias:]field[::cast][.agg()][::cast] */
	PGREST_SELECT_COUNT,		/* [alias:]count()[::cast] */
	PGREST_SELECT_EMBED,		/* [alias:]relation[!hint][!inner|!left](items) */
	PGREST_SELECT_SPREAD		/* ...relation[!hint][!inner|!left](items) */
} PgrestSelectKind;

typedef enum PgrestJoin
{
	PGREST_JOIN_DEFAULT,
	PGREST_JOIN_LEFT,
	PGREST_JOIN_INNER
} PgrestJoin;

/* one item of select=; embeds and spreads hold the items inside them */
typedef struct PgrestSelectItem
{
	PgrestSelectKind kind;
	PgrestField field;			/* FIELD */
	char	   *alias;			/* NULL: the column or last JSON key */
	char	   *cast;			/* NULL, or a type name to CAST to */
	PgrestAggregate aggregate;	/* FIELD: .sum() ...; COUNT: count */
	char	   *aggregate_cast; /* the cast after the aggregate, or NULL */
	char	   *relation;		/* EMBED, SPREAD: the name of what to embed */
	char	   *hint;			/* !hint: a constraint, column or table */
	PgrestJoin join;			/* !inner, !left */
	List	   *items;			/* EMBED, SPREAD: PgrestSelectItem * */
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

struct PgrestReadNode;

/*
 * A condition on a field, or an AND/OR of filters; either may be negated.
 * plan.c turns "rel=is.null" on an embedded resource into a test of that
 * resource (embed set).
 */
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
	struct PgrestReadNode *embed;	/* IS [NOT] NULL on this embedded resource */
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

/* a field, or with relation set a field of an embedded resource: rel(field) */
typedef struct PgrestOrderTerm
{
	char	   *relation;		/* rel(field): the embedded resource's name */
	struct PgrestReadNode *embed;	/* set by plan.c for relation */
	PgrestField field;
	PgrestDirection direction;
	PgrestNulls nulls;
} PgrestOrderTerm;

/* logic trees and embedded resources nest at most this deep */
#define PGREST_MAX_LOGIC_DEPTH 64
#define PGREST_MAX_EMBED_DEPTH 32

/*
 * A query parameter's name split as PostgREST reads it: the embedded
 * resources it addresses (a.b.), then the last part (a field, or or/and,
 * order, limit, offset).
 */
typedef struct PgrestParamPath
{
	List	   *embeds;			/* char *, outermost first; NIL: the top level */
	PgrestField field;
	bool		negated;		/* logic: "not." before or/and */
} PgrestParamPath;

extern List *pgrest_grammar_select(const char *text);
extern PgrestParamPath *pgrest_grammar_param_path(const char *name, bool logic);
extern PgrestFilter *pgrest_grammar_filter(const PgrestParamPath *path, const char *value);
extern PgrestFilter *pgrest_grammar_logic(const PgrestParamPath *path, const char *value);
extern List *pgrest_grammar_order(const char *text);
extern List *pgrest_grammar_columns(const char *text, const char *what);
extern bool pgrest_grammar_is_operation(const char *value);

#endif							/* PGREST_GRAMMAR_H */
