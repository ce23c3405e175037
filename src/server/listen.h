/*-------------------------------------------------------------------------
 *
 * listen.h
 *	  The HTTP listening sockets, opened once by the postmaster
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/listen.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_LISTEN_H
#define PGREST_LISTEN_H

#define PGREST_MAX_LISTEN_SOCKETS 16

extern void pgrest_listen_open(void);
extern const int *pgrest_listen_sockets(int *count);
extern const int *pgrest_listen_admin_sockets(int *count);
extern const char *pgrest_listen_names(void);
extern const char *pgrest_listen_admin_names(void);

#endif							/* PGREST_LISTEN_H */
