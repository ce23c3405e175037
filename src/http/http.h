/*-------------------------------------------------------------------------
 *
 * http.h
 *	  The HTTP server of one worker (libmicrohttpd, external event loop)
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/http/http.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_HTTP_H
#define PGREST_HTTP_H

#include "base/message.h"

struct PgrestStream;

/*
 * What the server asks of the layers above it (the worker passes
 * handler.c's functions): answer a request; write the next batch of a
 * response still streaming, saying whether it streams on; let go of a
 * stream whose client left.
 */
typedef struct PgrestHttpHandlers
{
	PgrestResponse *(*answer) (const PgrestHttpRequest *http);
	bool		(*next_batch) (void);
	void		(*abandon) (const struct PgrestStream *stream);
} PgrestHttpHandlers;

extern void pgrest_http_start(const PgrestHttpHandlers *handlers);
extern int	pgrest_http_event_fd(void);
extern long pgrest_http_timeout_ms(void);
extern bool pgrest_http_has_room(void);
extern bool pgrest_http_could_take(void);
extern bool pgrest_http_make_room(void);
extern bool pgrest_http_admin_has_room(void);
extern bool pgrest_http_admin_could_take(void);
extern bool pgrest_http_admin_make_room(void);
extern int	pgrest_http_connections(void);
extern bool pgrest_http_accept(int listen_fd, bool admin);
extern void pgrest_http_run(void);
extern void pgrest_http_resume_events(void);

#endif							/* PGREST_HTTP_H */
