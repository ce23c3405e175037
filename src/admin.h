/*-------------------------------------------------------------------------
 *
 * admin.h
 *	  The admin server: /live, /ready, /metrics
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/admin.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ADMIN_H
#define PGREST_ADMIN_H

#include "api/request.h"
#include "response/response.h"
#include "api/router.h"

extern PgrestResponse *pgrest_admin_handle(PgrestRouteKind kind,
										   const PgrestHttpRequest *http);

#endif							/* PGREST_ADMIN_H */
