/*-------------------------------------------------------------------------
 *
 * execute.h
 *	  The transaction of a request, and the SQL it runs
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/execute.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_EXECUTE_H
#define PGREST_EXECUTE_H

#include "auth.h"
#include "query.h"
#include "request.h"

/* the row a statement returned, copied out of SPI */
typedef struct PgrestResult
{
	int64		rows;
	char	   *body;
	size_t		body_len;
} PgrestResult;

/* the work done inside a request's transaction */
typedef void (*PgrestTransactionBody) (void *arg);

extern ErrorData *pgrest_execute_transaction(PgrestTransactionBody body,
											 void *arg, bool nested);
extern void pgrest_execute_set_context(const PgrestRequest *req,
									   const PgrestAuth *auth,
									   const char *schema, bool read_only);
extern PgrestResult *pgrest_execute_query(const PgrestQuery *query);

#endif							/* PGREST_EXECUTE_H */
