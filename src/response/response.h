/*-------------------------------------------------------------------------
 *
 * response.h
 *	  The HTTP response the pipeline produces
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/response.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RESPONSE_H
#define PGREST_RESPONSE_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "api/request.h"

struct PgrestJson;
struct PgrestPlan;
struct PgrestResult;
struct PgrestStream;

extern PgrestResponse *pgrest_response_build(const PgrestRequest *req,
											 const struct PgrestPlan *plan,
											 const struct PgrestResult *result);
extern void pgrest_response_check(const struct PgrestPlan *plan,
								  const struct PgrestResult *result);
extern PgrestResponse *pgrest_response_info(const struct PgrestPlan *plan,
											const PgrestHttpRequest *http);
extern PgrestResponse *pgrest_response_preflight(const PgrestHttpRequest *http);
extern void pgrest_response_vary(PgrestResponse *resp);
extern void pgrest_response_add_profile(PgrestResponse *resp,
										const struct PgrestPlan *plan);
extern void pgrest_response_cors(PgrestResponse *resp,
								 const PgrestHttpRequest *http);
extern void pgrest_response_append_url_encoded(StringInfo buf, const char *s);
extern bool pgrest_response_json_headers(const struct PgrestJson *object,
										 List **headers);
extern bool pgrest_response_override_headers(PgrestResponse *resp,
											 List *headers);

#endif							/* PGREST_RESPONSE_H */
