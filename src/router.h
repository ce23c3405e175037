/*-------------------------------------------------------------------------
 *
 * router.h
 *	  What a request is, decided from its method and path alone
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/router.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ROUTER_H
#define PGREST_ROUTER_H

#include "request.h"

typedef enum PgrestRouteKind
{
	PGREST_ROUTE_OPTIONS,		/* OPTIONS: answered without a transaction */
	PGREST_ROUTE_PIPELINE		/* everything else: one transaction */
} PgrestRouteKind;

typedef struct PgrestRoute
{
	PgrestRouteKind kind;
	PgrestTarget target;		/* what the path names */
} PgrestRoute;

extern PgrestRoute pgrest_router_route(const char *method, const char *path);

#endif							/* PGREST_ROUTER_H */
