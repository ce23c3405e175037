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

#include "auth/types.h"

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
