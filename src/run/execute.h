/*-------------------------------------------------------------------------
 *
 * execute.h
 *	  The transaction of a request, and the SQL it runs
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/execute.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_EXECUTE_H
#define PGREST_EXECUTE_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "tcop/dest.h"

#include "auth/auth.h"
#include "query/query.h"
#include "api/request.h"

struct PgrestStream;

/* the row a statement returned, copied out of SPI */
typedef struct PgrestResult
{
	int64		total;			/* rows the request matched; -1: not counted */
	int64		rows;			/* -1: not known yet (a stream) */
	char	   *body;
	size_t		body_len;
	int64		inserted;		/* upserts: rows that were new; -1: unknown */
	char	   *guc_status;		/* response.status as the statement left it */
	char	   *guc_headers;	/* response.headers; NULL if unset or empty */
	struct PgrestStream *stream;	/* the body, still being written */
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
extern ErrorData *pgrest_execute_continue(PgrestTransactionBody step,
										  void *arg);
extern void pgrest_execute_recover(void);
extern void pgrest_execute_abandon(void);
extern PgrestResult *pgrest_execute_query(const PgrestQuery *query);
extern int64 pgrest_execute_total(const PgrestQuery *query, int64 counted);
extern void pgrest_execute_response_settings(PgrestResult *result);
extern void pgrest_execute_open_rows(const PgrestQuery *query);
extern uint64 pgrest_execute_fetch_rows(long count, DestReceiver *dest);
extern void pgrest_execute_close_rows(void);
extern bool pgrest_execute_wrote(void);
extern PgrestResult *pgrest_execute_sql(const char *sql);
extern void pgrest_execute_end_with_rollback(void);
extern void pgrest_execute_install_hooks(void);

#endif							/* PGREST_EXECUTE_H */
