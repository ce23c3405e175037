/*-------------------------------------------------------------------------
 *
 * request.h
 *	  The raw HTTP request, and the request pgrest parsed from it
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/request.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REQUEST_H
#define PGREST_REQUEST_H

#include "nodes/pg_list.h"

#include "api/types.h"

extern PgrestRequest *pgrest_request_parse(const PgrestHttpRequest *http,
										   PgrestTarget target);
extern const char *pgrest_request_header(const PgrestRequest *req,
										 const char *lowercase_name);
extern void pgrest_request_parse_body(PgrestRequest *req);
extern bool pgrest_request_is_token(const char *s);

#endif							/* PGREST_REQUEST_H */
