/*-------------------------------------------------------------------------
 *
 * auth.h
 *	  Who a request runs as
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/auth.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_AUTH_H
#define PGREST_AUTH_H

#include "api/types.h"
#include "auth/types.h"

extern PgrestAuth *pgrest_auth_authenticate(const PgrestRequest *req);

#endif							/* PGREST_AUTH_H */
