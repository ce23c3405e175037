/*-------------------------------------------------------------------------
 *
 * realtime.h
 *	  Realtime's place in the server: shared memory, the decoder worker,
 *	  the commit callback that wakes it
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/realtime.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_H
#define PGREST_REALTIME_H

#include "nodes/parsenodes.h"

extern void pgrest_realtime_install(void);
extern void pgrest_realtime_before_utility(const Node *parsetree);
extern void pgrest_realtime_after_utility(const Node *parsetree);

#endif							/* PGREST_REALTIME_H */
