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

#include "request.h"
#include "response.h"

extern PgrestResponse *pgrest_handler_handle(const PgrestHttpRequest *http,
											 bool nested);
extern long pgrest_handler_warm_up(void);

#endif							/* PGREST_HANDLER_H */
