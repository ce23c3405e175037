/*-------------------------------------------------------------------------
 *
 * jwt.h
 *	  Verifying JSON Web Tokens with the keys of pgrest.jwt_secret
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/jwt.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_JWT_H
#define PGREST_JWT_H

#include "utils/jsonb.h"

/* tokens longer than this (in bytes) are refused without being read */
#define PGREST_JWT_MAX_LEN 8192

extern Jsonb *pgrest_jwt_verify(const char *token);

#endif							/* PGREST_JWT_H */
