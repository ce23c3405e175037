/*-------------------------------------------------------------------------
 *
 * jwk.h
 *	  The keys JWTs are verified with: pgrest.jwt_secret as an HMAC
 *	  secret, a JWK or a JWK Set, inline or read from a file
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/jwk.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_JWK_H
#define PGREST_JWK_H

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

extern const PgrestJwks *pgrest_jwk_keys(void);
extern void pgrest_jwk_load(void);
extern int	pgrest_jwk_alg(const char *name);
extern bool pgrest_jwk_may_verify(const PgrestJwk *key, int alg,
								  const char *kid);
extern bool pgrest_jwk_verify(const PgrestJwk *key, int alg,
							  const char *signed_part, int signed_len,
							  const char *signature, int signature_len);
extern char *pgrest_jwk_base64url_decode(const char *s, int len,
										 int *decoded_len);

#endif							/* PGREST_JWK_H */
