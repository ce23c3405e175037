/*-------------------------------------------------------------------------
 *
 * sqlendpoint.h
 *	  What POST /sql may run, checked by construction, and its result
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/sqlendpoint.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SQLENDPOINT_H
#define PGREST_SQLENDPOINT_H

#include "nodes/plannodes.h"
#include "tcop/dest.h"

#include "run/types.h"

extern void pgrest_sqlendpoint_install_hooks(void);
extern void pgrest_sqlendpoint_check_statement(const char *sql);
extern void pgrest_sqlendpoint_check_utility(const PlannedStmt *pstmt);
extern void pgrest_sqlendpoint_begin(void);
extern void pgrest_sqlendpoint_end(void);
extern void pgrest_sqlendpoint_check_after(void);

#endif							/* PGREST_SQLENDPOINT_H */
