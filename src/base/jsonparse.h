/*-------------------------------------------------------------------------
 *
 * jsonparse.h
 *	  pgrest's one JSON reader, which never raises an error
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

/* nesting deeper than this is never read into a tree (nor into jsonb_in's recursion) */
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

/* what a scan found wrong, if anything */
typedef enum PgrestJsonProblem
{
	PGREST_JSON_FINE,
	PGREST_JSON_SYNTAX,			/* not JSON (a detail says where) */
	PGREST_JSON_NOT_TEXT,		/* a NUL, bytes not in the database encoding */
	PGREST_JSON_TOO_DEEP,		/* nested deeper than asked */
	PGREST_JSON_OUT_OF_RANGE	/* a number numeric_in would refuse */
} PgrestJsonProblem;

/*
 * What a scan hands its caller, in the order of the text: a container's
 * start and end, each member's key (its value follows), each array
 * element's coming (its value follows), each scalar (a string decoded, a
 * number as written, true/false/null as written).  Any may be NULL.
 */
typedef struct PgrestJsonEvents
{
	void		(*object_start) (void *arg);
	void		(*object_end) (void *arg);
	void		(*array_start) (void *arg);
	void		(*array_end) (void *arg);
	void		(*field) (void *arg, char *key);
	void		(*element) (void *arg);
	void		(*scalar) (void *arg, PgrestJsonKind kind, char *value, int len);
} PgrestJsonEvents;

extern PgrestJsonProblem pgrest_json_scan(const char *input, size_t len,
										  int max_depth, bool bounded_numbers,
										  const PgrestJsonEvents *events,
										  void *arg, char **detail);
extern PgrestJson *pgrest_json_read(const char *input, size_t len, int max_depth);
extern const PgrestJson *pgrest_json_member(const PgrestJson *object,
											const char *key);
extern bool pgrest_json_integer(const PgrestJson *number, int min, int max,
								int *value);
extern Jsonb *pgrest_jsonb_parse(const char *input, size_t len, int max_depth);

#endif							/* PGREST_JSONPARSE_H */
