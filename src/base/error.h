/*-------------------------------------------------------------------------
 *
 * error.h
 *	  pgrest's own errors: the one table of their codes and statuses, and
 *	  raising them
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/error.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ERROR_H
#define PGREST_ERROR_H

#include "lib/stringinfo.h"

#include "base/types.h"

extern void pgrest_error_raise(PgrestError error, const char *message,
							   const char *details, const char *hint)
			pg_attribute_noreturn();
extern void pgrest_error_raise_json(PgrestError error, const char *message,
									const char *details_json, const char *hint)
			pg_attribute_noreturn();
extern void pgrest_error_raise_range(int64 total, const char *details)
			pg_attribute_noreturn();
extern const char *pgrest_error_code(PgrestError error);
extern int	pgrest_error_http_status(PgrestError error);
extern const char *pgrest_error_message(PgrestError error);
extern char *pgrest_error_json(PgrestError error);
extern void pgrest_error_append_body(StringInfo buf, const char *code,
									 const char *message, const char *details,
									 bool details_json, const char *hint);
extern bool pgrest_error_pending(const ErrorData *edata, PgrestError *error,
								 bool *details_json, int64 *range_total);

#endif							/* PGREST_ERROR_H */
