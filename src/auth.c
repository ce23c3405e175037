/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  Decide the request's role from its Authorization header.
 *
 * A request without a token runs as pgrest.anon_role, or is refused with
 * 401 when none is configured.  Bearer tokens are not verified yet, so a
 * request that carries one is refused rather than served as anonymous:
 * a client that sends credentials must never silently get another
 * identity.
 *
 * This file never calls SPI and reads no catalog.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/json.h"

#include "auth.h"
#include "error.h"
#include "guc.h"

static char *role_claims(const char *role);

PgrestAuth *
pgrest_auth_authenticate(const PgrestRequest *req)
{
	PgrestAuth *auth = palloc0(sizeof(PgrestAuth));
	const char *authorization = pgrest_request_header(req, "authorization");

	if (authorization != NULL)
	{
		if (pgrest_jwt_secret[0] == '\0')
			pgrest_error_raise(500, "PGRST300", "Server lacks JWT secret",
							   NULL, NULL);
		pgrest_error_raise(401, "PGRST301",
						   "JWT authentication is not supported yet",
						   NULL, NULL);
	}

	if (pgrest_anon_role[0] == '\0')
		pgrest_error_raise(401, "PGRST302", "Anonymous access is disabled",
						   NULL, NULL);

	auth->role = pstrdup(pgrest_anon_role);
	auth->claims = role_claims(auth->role);
	auth->authenticated = false;
	return auth;
}

/* {"role": role}, the claims PostgREST sets for anonymous requests */
static char *
role_claims(const char *role)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"role\":");
	escape_json(&buf, role);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}
