/*-------------------------------------------------------------------------
 *
 * jspath.h
 *	  The path to the role claim (pgrest.jwt_role_claim) in PostgREST's
 *	  syntaxes
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/jspath.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_JSPATH_H
#define PGREST_JSPATH_H

#include "nodes/pg_list.h"

typedef enum PgrestJsPathKind
{
	PGREST_JSPATH_KEY,			/* .name, ."quoted", ['name'] */
	PGREST_JSPATH_INDEX,		/* [0], [-1] */
	PGREST_JSPATH_FILTER		/* [?(@ == "value")]: the first string matching */
} PgrestJsPathKind;

typedef enum PgrestJsPathOp
{
	PGREST_JSPATH_EQ,			/* == */
	PGREST_JSPATH_NE,			/* != */
	PGREST_JSPATH_PREFIX,		/* ^== */
	PGREST_JSPATH_SUFFIX,		/* ==^ */
	PGREST_JSPATH_CONTAINS		/* *== */
} PgrestJsPathOp;

typedef struct PgrestJsPathStep
{
	PgrestJsPathKind kind;
	char	   *text;			/* KEY: the name; FILTER: the operand */
	int			index;			/* INDEX: from the end when negative */
	PgrestJsPathOp op;			/* FILTER */
} PgrestJsPathStep;

extern bool pgrest_jspath_is_path(const char *setting);
extern List *pgrest_jspath_parse(const char *setting, char **error);

#endif							/* PGREST_JSPATH_H */
