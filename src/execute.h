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

#include "access/htup.h"
#include "access/tupdesc.h"

#include "auth.h"
#include "query.h"
#include "request.h"

/* the row a statement returned, copied out of SPI */
typedef struct PgrestResult
{
	int64		total;			/* rows the request matched; -1: not counted */
	int64		rows;
	char	   *body;
	size_t		body_len;
	int64		inserted;		/* upserts: rows that were new; -1: unknown */
	char	   *guc_status;		/* response.status as the statement left it */
	char	   *guc_headers;	/* response.headers; NULL if unset or empty */
} PgrestResult;

/* the work done inside a request's transaction */
typedef void (*PgrestTransactionBody) (void *arg);

extern ErrorData *pgrest_execute_transaction(PgrestTransactionBody body,
											 void *arg, bool nested);
extern void pgrest_execute_set_context(const PgrestRequest *req,
									   const PgrestAuth *auth,
									   const char *schema, bool read_only,
									   List *role_settings);
extern void pgrest_execute_pre_request(void);
extern PgrestResult *pgrest_execute_query(const PgrestQuery *query);
extern PgrestResult *pgrest_execute_sql(const char *sql);
extern void pgrest_execute_end_with_rollback(void);
extern void pgrest_execute_install_hooks(void);

#endif							/* PGREST_EXECUTE_H */
