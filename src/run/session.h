/*-------------------------------------------------------------------------
 *
 * session.h
 *	  What a request could leave in its worker's session
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/session.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SESSION_H
#define PGREST_SESSION_H

extern void pgrest_session_install_hooks(void);
extern void pgrest_session_forget(void);

#endif							/* PGREST_SESSION_H */
