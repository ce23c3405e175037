/*-------------------------------------------------------------------------
 *
 * failure.h
 *	  Whatever ended a request, as its HTTP response
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/failure.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_FAILURE_H
#define PGREST_FAILURE_H

#include "base/error.h"
#include "base/message.h"

extern PgrestResponse *pgrest_failure_response(const ErrorData *edata,
											   bool authenticated);
extern PgrestResponse *pgrest_failure_build(PgrestError error, const char *message,
											const char *details, const char *hint);

#endif							/* PGREST_FAILURE_H */
