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

#include "api/types.h"

extern PgrestRoute pgrest_router_route(const char *method, const char *path,
										bool admin);

#endif							/* PGREST_ROUTER_H */
