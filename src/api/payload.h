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

#include "nodes/pg_list.h"

typedef struct PgrestPayload
{
	char	   *json;			/* a JSON array of objects, server encoding */
	char	   *text;			/* the body itself as JSON, server encoding */
	List	   *keys;			/* the objects' keys (char *), first seen first */
	int			nrows;
	bool		single;			/* the body was one object, not an array */

	/*
	 * A call's body that is not JSON (text/plain, text/xml,
	 * application/octet-stream): the type of the one unnamed parameter
	 * that takes it, and text its value as that type's input (bytea in
	 * hex); InvalidOid for JSON bodies.
	 */
	Oid			raw_type;
} PgrestPayload;

extern PgrestPayload *pgrest_payload_parse(const char *content_type,
										   const char *body, size_t len,
										   bool check_keys);
extern Oid	pgrest_payload_raw_type(const char *content_type);
extern PgrestPayload *pgrest_payload_raw(Oid type, const char *body, size_t len);

#endif							/* PGREST_PAYLOAD_H */
