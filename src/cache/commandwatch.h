/*-------------------------------------------------------------------------
 *
 * commandwatch.h
 *	  Follow the commands PostgreSQL sends the schema cache no
 *	  invalidation for: ALTER ROLE and COMMENT
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/commandwatch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_COMMANDWATCH_H
#define PGREST_COMMANDWATCH_H

#include "nodes/plannodes.h"

extern void pgrest_commandwatch_install_hooks(void);
extern void pgrest_commandwatch_note(const PlannedStmt *pstmt);

#endif							/* PGREST_COMMANDWATCH_H */
