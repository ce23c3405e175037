/*-------------------------------------------------------------------------
 *
 * statement.h
 *	  Prepared statements: parameter types deduced by PostgreSQL, plans
 *	  kept per process
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/statement.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_STATEMENT_H
#define PGREST_STATEMENT_H

#include "executor/spi.h"

#include "run/types.h"

/* a prepared statement with its parameters bound */
typedef struct PgrestStatement
{
	SPIPlanPtr	plan;
	ParamListInfo params;
	bool		kept;			/* the plan belongs to the cache */
} PgrestStatement;

/* the plans kept per process: how many, how much memory, how long a text */
#define PGREST_MAX_KEPT_PLANS 256
#define PGREST_MAX_KEPT_BYTES (64 * 1024 * 1024)
#define PGREST_MAX_KEPT_SQL_LEN (32 * 1024)

extern PgrestStatement pgrest_statement_prepare(const char *sql, int nparams,
												const char **values, bool keep,
												bool generic);
extern void pgrest_statement_done(PgrestStatement *statement);

#endif							/* PGREST_STATEMENT_H */
