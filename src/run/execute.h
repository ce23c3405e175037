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

#include "api/types.h"
#include "auth/types.h"
#include "query/types.h"
#include "run/types.h"

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
