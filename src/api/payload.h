/*-------------------------------------------------------------------------
 *
 * payload.h
 *	  Request bodies (JSON, CSV, form) turned into a JSON array of objects
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/payload.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PAYLOAD_H
#define PGREST_PAYLOAD_H

#include "api/types.h"

extern PgrestPayload *pgrest_payload_parse(const char *content_type,
										   const char *body, size_t len,
										   bool check_keys);
extern Oid	pgrest_payload_raw_type(const char *content_type);
extern PgrestPayload *pgrest_payload_raw(Oid type, const char *body, size_t len);

#endif							/* PGREST_PAYLOAD_H */
