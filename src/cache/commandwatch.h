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

extern void pgrest_commandwatch_install_hooks(void);

#endif							/* PGREST_COMMANDWATCH_H */
