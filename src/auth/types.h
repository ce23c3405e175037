/*-------------------------------------------------------------------------
 *
 * types.h
 *	  The request's role, and the keys that vouch for it
 *
 * Who a request runs as (auth.c) and the keys of pgrest.jwt_secret that
 * tokens are verified with (jwk.c, jwt.c).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/types.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_AUTH_TYPES_H
#define PGREST_AUTH_TYPES_H

typedef struct PgrestAuth
{
	char	   *role;			/* role the request switches to */
	char	   *claims;			/* JSON object for request.jwt.claims */
	bool		authenticated;	/* a verified JWT named a role other than
								 * pgrest.anon_role: 42501 is 403, not 401 */
} PgrestAuth;

/* the signature algorithms pgrest verifies, as bits of a set */
#define PGREST_ALG_HS256	(1 << 0)
#define PGREST_ALG_HS384	(1 << 1)
#define PGREST_ALG_HS512	(1 << 2)
#define PGREST_ALG_RS256	(1 << 3)
#define PGREST_ALG_RS384	(1 << 4)
#define PGREST_ALG_RS512	(1 << 5)
#define PGREST_ALG_ES256	(1 << 6)
#define PGREST_ALG_ES384	(1 << 7)
#define PGREST_ALG_EDDSA	(1 << 8)

typedef struct PgrestJwk PgrestJwk;

/* the keys of the current pgrest.jwt_secret */
typedef struct PgrestJwks
{
	int			nkeys;
	PgrestJwk **keys;
	uint64		generation;		/* changes whenever the keys are loaded */
} PgrestJwks;

#endif							/* PGREST_AUTH_TYPES_H */
