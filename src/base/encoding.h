/*-------------------------------------------------------------------------
 *
 * encoding.h
 *	  Text between HTTP (UTF-8) and the database encoding
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/encoding.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ENCODING_H
#define PGREST_ENCODING_H

#include "base/message.h"

extern void pgrest_encoding_prepare(void);
extern char *pgrest_encoding_to_utf8(const char *s);
extern void pgrest_encoding_request_to_utf8(PgrestHttpRequest *http);
extern void pgrest_encoding_response_to_server(PgrestResponse *resp);

#endif							/* PGREST_ENCODING_H */
