/*-------------------------------------------------------------------------
 *
 * error.h
 *	  pgrest's own errors, and every error turned into an HTTP response
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/error.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ERROR_H
#define PGREST_ERROR_H

#include "response.h"

/*
 * SQLSTATE of pgrest's own errors.  PostgREST lets functions raise it with
 * a JSON message to choose the whole response; pgrest raises it too, with
 * the HTTP status and PGRST code kept beside the error (see error.c).
 */
#define ERRCODE_PGREST	MAKE_SQLSTATE('P','G','R','S','T')

extern void pgrest_error_raise(int status, const char *code,
							   const char *message, const char *details,
							   const char *hint) pg_attribute_noreturn();
extern void pgrest_error_raise_json(int status, const char *code,
									const char *message, const char *details_json,
									const char *hint) pg_attribute_noreturn();
extern int	pgrest_error_status(const ErrorData *edata, bool authenticated);
extern PgrestResponse *pgrest_error_response(const ErrorData *edata,
											 bool authenticated);
extern PgrestResponse *pgrest_error_build(int status, const char *code,
										  const char *message,
										  const char *details,
										  const char *hint);

#endif							/* PGREST_ERROR_H */
