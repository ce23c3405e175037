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

#include "api/request.h"

typedef struct PgrestAuth
{
	char	   *role;			/* role the request switches to */
	char	   *claims;			/* JSON object for request.jwt.claims */
	bool		authenticated;	/* a verified JWT named a role other than
								 * pgrest.anon_role: 42501 is 403, not 401 */
} PgrestAuth;

extern PgrestAuth *pgrest_auth_authenticate(const PgrestRequest *req);

#endif							/* PGREST_AUTH_H */
