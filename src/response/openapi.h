/*-------------------------------------------------------------------------
 *
 * openapi.h
 *	  The root document: OpenAPI 3.1, or a page for people
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/openapi.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_OPENAPI_H
#define PGREST_OPENAPI_H

#include "run/execute.h"
#include "query/query.h"
#include "api/request.h"
#include "response/response.h"

extern PgrestQuery *pgrest_openapi_query(const PgrestRequest *req,
										 const char *schema);
extern PgrestResponse *pgrest_openapi_serve(const PgrestRequest *req,
											const PgrestQuery *query,
											bool with_body);

#endif							/* PGREST_OPENAPI_H */
