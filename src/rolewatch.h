/*-------------------------------------------------------------------------
 *
 * rolewatch.h
 *	  Follow ALTER ROLE: a role's settings reach the schema cache when the
 *	  command that changed them commits
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/rolewatch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ROLEWATCH_H
#define PGREST_ROLEWATCH_H

extern void pgrest_rolewatch_install_hooks(void);

#endif							/* PGREST_ROLEWATCH_H */
