/*-------------------------------------------------------------------------
 *
 * payload.h
 *	  Request bodies (JSON, CSV, form) turned into a JSON array of objects
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/payload.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PAYLOAD_H
#define PGREST_PAYLOAD_H

#include "nodes/pg_list.h"

typedef struct PgrestPayload
{
	char	   *json;			/* a JSON array of objects, server encoding */
	char	   *text;			/* the body itself as JSON, server encoding */
	List	   *keys;			/* the objects' keys (char *), first seen first */
	int			nrows;
	bool		single;			/* the body was one object, not an array */
} PgrestPayload;

extern PgrestPayload *pgrest_payload_parse(const char *content_type,
										   const char *body, size_t len,
										   bool check_keys);

#endif							/* PGREST_PAYLOAD_H */
