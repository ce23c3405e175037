/*-------------------------------------------------------------------------
 *
 * router.h
 *	  What a request is, decided from its method and path alone
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/router.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ROUTER_H
#define PGREST_ROUTER_H

#include "api/request.h"

typedef enum PgrestRouteKind
{
	/* the admin port: no transaction */
	PGREST_ROUTE_LIVE,			/* /live */
	PGREST_ROUTE_READY,			/* /ready */
	PGREST_ROUTE_METRICS,		/* /metrics */
	PGREST_ROUTE_ADMIN_OTHER,	/* anything else: 404 */
	/* the API port */
	PGREST_ROUTE_OPTIONS,		/* OPTIONS: answered without a transaction */
	PGREST_ROUTE_PIPELINE		/* everything else: one transaction */
} PgrestRouteKind;

typedef struct PgrestRoute
{
	PgrestRouteKind kind;
	PgrestTarget target;		/* API port: what the path names */
} PgrestRoute;

extern PgrestRoute pgrest_router_route(const char *method, const char *path,
										bool admin);

#endif							/* PGREST_ROUTER_H */
