/*-------------------------------------------------------------------------
 *
 * jsonparse.h
 *	  JSON text to jsonb, without raising an error
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/jsonparse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_JSONPARSE_H
#define PGREST_JSONPARSE_H

#include "utils/jsonb.h"

extern Jsonb *pgrest_jsonb_parse(const char *text, size_t len);

#endif							/* PGREST_JSONPARSE_H */
