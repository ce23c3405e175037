/*-------------------------------------------------------------------------
 *
 * jsonparse.h
 *	  A JSON reader that never raises an error
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/jsonparse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_JSONPARSE_H
#define PGREST_JSONPARSE_H

#include "utils/jsonb.h"

/* deeper nesting is refused (and so never reaches jsonb_in's recursion) */
#define PGREST_JSON_MAX_DEPTH 256
/* digits of a number's mantissa, and its exponent, at most */
#define PGREST_JSON_MAX_NUMBER_DIGITS 1000

typedef enum PgrestJsonKind
{
	PGREST_JSON_NULL,
	PGREST_JSON_FALSE,
	PGREST_JSON_TRUE,
	PGREST_JSON_NUMBER,
	PGREST_JSON_STRING,
	PGREST_JSON_ARRAY,
	PGREST_JSON_OBJECT
} PgrestJsonKind;

/* a JSON value, read by pgrest_json_read */
typedef struct PgrestJson
{
	PgrestJsonKind kind;
	char	   *text;			/* STRING: decoded; NUMBER: as written */
	int			len;			/* STRING, NUMBER: bytes of text */
	int			count;			/* ARRAY, OBJECT: members */
	char	  **keys;			/* OBJECT: each member's key, decoded */
	struct PgrestJson **items;	/* ARRAY, OBJECT: each member's value */
} PgrestJson;

extern PgrestJson *pgrest_json_read(const char *text, size_t len);
extern const PgrestJson *pgrest_json_member(const PgrestJson *object,
											const char *key);
extern bool pgrest_json_integer(const PgrestJson *number, int min, int max,
								int *value);
extern Jsonb *pgrest_jsonb_parse(const char *text, size_t len);

#endif							/* PGREST_JSONPARSE_H */
