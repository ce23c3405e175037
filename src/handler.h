/*-------------------------------------------------------------------------
 *
 * handler.h
 *	  One request through the whole pipeline
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/handler.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_HANDLER_H
#define PGREST_HANDLER_H

#include "api/request.h"
#include "http/http.h"
#include "response/response.h"

struct PgrestStream;

extern PgrestResponse *pgrest_handler_handle(const PgrestHttpRequest *http,
											 bool nested);
extern long pgrest_handler_warm_up(void);
extern bool pgrest_handler_streaming(void);
extern bool pgrest_handler_continue(void);
extern void pgrest_handler_abandon(const struct PgrestStream *stream);

extern const PgrestHttpHandlers pgrest_handler_http;

#endif							/* PGREST_HANDLER_H */
