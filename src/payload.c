/*-------------------------------------------------------------------------
 *
 * payload.c
 *	  Turn a request body into a JSON array of objects and its keys.
 *
 * application/json bodies are checked by PostgreSQL's own JSON parser
 * (pg_parse_json) in one pass that also collects the keys of the objects:
 * a single object, or an array of objects that all have the same keys, as
 * PostgREST requires ("All object keys must match"); any other JSON value
 * counts as no rows.  text/csv bodies (a header line, RFC 4180 quoting,
 * NULL for null) and application/x-www-form-urlencoded bodies become the
 * same JSON, built with PostgreSQL's escape_json.  The statement then
 * reads the JSON with json_to_recordset, so PostgreSQL converts every
 * value to its column's type.
 *
 * Bodies must be UTF-8 without NUL bytes; nesting is bounded, so hostile
 * input cannot exhaust the stack.  Malformed bodies are 400 PGRST102,
 * unsupported Content-Types 415.
 *
 * This file is pure parsing: no SPI, no catalog, no transaction needed.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/payload.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/json.h"

#include "error.h"
#include "payload.h"
#include "request.h"

/* JSON bodies nest at most this deep */
#define PGREST_MAX_BODY_DEPTH 512

/* the state of the key-collecting JSON parse */
typedef struct KeyScan
{
	int			depth;
	bool		top_is_array;
	bool		top_is_object;
	int			nobjects;		/* rows seen */
	int			nelements;		/* elements of a top-level array */
	List	   *first_keys;		/* keys of the first row */
	List	   *keys;			/* keys of the row being read */
	bool		check_keys;
	bool		uniform;		/* every row an object with the same keys */
} KeyScan;

static char *checked_text(const char *body, size_t len);
static PgrestPayload *parse_json(char *text, bool check_keys);
static PgrestPayload *parse_csv(char *text);
static PgrestPayload *parse_form(char *text);
static void scan_object_start(void *state);
static void scan_object_end(void *state);
static void scan_array_start(void *state);
static void scan_array_end(void *state);
static void scan_field(void *state, char *fname, bool isnull);
static void scan_element(void *state, bool isnull);
static bool same_keys(List *a, List *b);
static void enter_container(KeyScan *scan);
static bool at_row_level(const KeyScan *scan);
static char *csv_field(char **p, bool *quoted, bool *end_of_record);
static void invalid_body(const char *message, const char *details) pg_attribute_noreturn();

/*
 * Parse a body of the given Content-Type (NULL means JSON).  With
 * check_keys, the rows of a JSON array must share their keys.
 */
PgrestPayload *
pgrest_payload_parse(const char *content_type, const char *body, size_t len,
					 bool check_keys)
{
	char	   *type;
	char	   *semicolon;
	char	   *text;

	type = pstrdup(content_type ? content_type : "application/json");
	if ((semicolon = strchr(type, ';')) != NULL)
		*semicolon = '\0';
	for (char *c = type; *c; c++)
		*c = pg_ascii_tolower((unsigned char) *c);
	while (*type == ' ')
		type++;
	for (size_t n = strlen(type); n > 0 && type[n - 1] == ' '; n--)
		type[n - 1] = '\0';

	if (strcmp(type, "application/json") == 0 || strcmp(type, "") == 0 ||
		strcmp(type, "application/vnd.pgrst.object+json") == 0 ||
		strcmp(type, "application/vnd.pgrst.array+json") == 0)
	{
		text = checked_text(body, len);
		return parse_json(text, check_keys);
	}
	if (strcmp(type, "text/csv") == 0)
		return parse_csv(checked_text(body, len));
	if (strcmp(type, "application/x-www-form-urlencoded") == 0)
		return parse_form(checked_text(body, len));

	pgrest_error_raise(415, "PGRST102",
					   psprintf("Content-Type not acceptable: %s", type),
					   NULL,
					   "Send application/json, text/csv or application/x-www-form-urlencoded.");
}

/* the body as a C string in the database encoding; must be UTF-8, no NUL */
static char *
checked_text(const char *body, size_t len)
{
	if (body == NULL)
		len = 0;
	if (len > 0 && memchr(body, '\0', len) != NULL)
		invalid_body("Empty or invalid json", "The body contains a NUL byte.");
	if (!pg_verify_mbstr(PG_UTF8, body ? body : "", len, true))
		invalid_body("Empty or invalid json", "The body is not valid UTF-8.");
	return pg_any_to_server(body ? pnstrdup(body, len) : pstrdup(""), len, PG_UTF8);
}

static PgrestPayload *
parse_json(char *text, bool check_keys)
{
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));
	JsonLexContext *lex;
	JsonSemAction sem;
	JsonParseErrorType rc;
	KeyScan		scan;

	memset(&scan, 0, sizeof(scan));
	scan.check_keys = check_keys;
	scan.uniform = true;
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &scan;
	sem.object_start = scan_object_start;
	sem.object_end = scan_object_end;
	sem.array_start = scan_array_start;
	sem.array_end = scan_array_end;
	sem.object_field_start = scan_field;
	sem.array_element_start = scan_element;

	lex = makeJsonLexContextCstringLen(text, strlen(text), GetDatabaseEncoding(), true);
	rc = pg_parse_json(lex, &sem);
	if (rc != JSON_SUCCESS)
		invalid_body("Empty or invalid json", json_errdetail(rc, lex));
	if (check_keys &&
		(!scan.uniform || (scan.top_is_array && scan.nelements != scan.nobjects)))
		invalid_body("All object keys must match", NULL);

	payload->text = text;
	payload->keys = scan.first_keys;
	payload->nrows = scan.nobjects;
	if (scan.top_is_object)
	{
		payload->single = true;
		payload->json = psprintf("[%s]", text);
	}
	else if (scan.top_is_array)
		payload->json = text;
	else
		payload->json = pstrdup("[]");	/* a scalar: no rows, as PostgREST */
	return payload;
}

static void
scan_object_start(void *state)
{
	KeyScan    *scan = (KeyScan *) state;

	enter_container(scan);
	if (scan->depth == 1)
		scan->top_is_object = true;
	if (at_row_level(scan))
		scan->keys = NIL;
}

/* a row ends: its keys must be the first row's */
static void
scan_object_end(void *state)
{
	KeyScan    *scan = (KeyScan *) state;
	bool		row = at_row_level(scan);

	scan->depth--;
	if (!row)
		return;
	if (scan->nobjects++ == 0)
		scan->first_keys = scan->keys;
	else if (scan->check_keys && !same_keys(scan->first_keys, scan->keys))
		scan->uniform = false;
}

static void
scan_array_start(void *state)
{
	KeyScan    *scan = (KeyScan *) state;

	enter_container(scan);
	if (scan->depth == 1)
		scan->top_is_array = true;
}

/* an element of the top-level array: it must be an object (a row) */
static void
scan_element(void *state, bool isnull)
{
	KeyScan    *scan = (KeyScan *) state;

	if (scan->depth == 1 && scan->top_is_array)
		scan->nelements++;
}

static void
scan_array_end(void *state)
{
	((KeyScan *) state)->depth--;
}

/* a key: collected when it belongs to a row (a top-level object) */
static void
scan_field(void *state, char *fname, bool isnull)
{
	KeyScan    *scan = (KeyScan *) state;
	ListCell   *lc;

	if (!at_row_level(scan))
		return;
	foreach(lc, scan->keys)
	{
		if (strcmp((char *) lfirst(lc), fname) == 0)
			return;				/* a repeated key: the last value wins */
	}
	scan->keys = lappend(scan->keys, fname);
}

/* the same set of keys, in any order */
/*
 * One level deeper; the parser calls this before it descends, so refusing
 * here bounds its recursion.
 */
static void
enter_container(KeyScan *scan)
{
	if (++scan->depth > PGREST_MAX_BODY_DEPTH)
		invalid_body("Empty or invalid json",
					 psprintf("JSON bodies may nest at most %d levels deep.",
							  PGREST_MAX_BODY_DEPTH));
}

/* inside a row: the top-level object, or an object of the top-level array */
static bool
at_row_level(const KeyScan *scan)
{
	return scan->depth == 1 || (scan->depth == 2 && scan->top_is_array);
}

static bool
same_keys(List *a, List *b)
{
	ListCell   *lc;

	if (list_length(a) != list_length(b))
		return false;
	foreach(lc, a)
	{
		ListCell   *lc2;
		bool		found = false;

		foreach(lc2, b)
		{
			if (strcmp((char *) lfirst(lc), (char *) lfirst(lc2)) == 0)
			{
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * text/csv: a header line naming the columns, then one row per line.
 * Quoted fields may hold commas, quotes ("") and line breaks; an unquoted
 * or quoted NULL is null.
 */
static PgrestPayload *
parse_csv(char *text)
{
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));
	StringInfoData json;
	char	   *p = text;
	bool		quoted;
	bool		end;
	int			ncolumns;

	if (*p == '\0')
		invalid_body("Empty or invalid CSV", "The body has no header line.");
	do
	{
		payload->keys = lappend(payload->keys, csv_field(&p, &quoted, &end));
	} while (!end);
	ncolumns = list_length(payload->keys);

	initStringInfo(&json);
	appendStringInfoChar(&json, '[');
	while (*p != '\0')
	{
		ListCell   *key = list_head(payload->keys);
		int			n = 0;

		appendStringInfoString(&json, payload->nrows++ ? ",{" : "{");
		do
		{
			char	   *value = csv_field(&p, &quoted, &end);

			if (++n > ncolumns)
				invalid_body("All lines must have same number of fields", NULL);
			if (n > 1)
				appendStringInfoChar(&json, ',');
			escape_json(&json, (char *) lfirst(key));
			appendStringInfoChar(&json, ':');
			if (strcmp(value, "NULL") == 0)
				appendStringInfoString(&json, "null");
			else
				escape_json(&json, value);
			key = lnext(payload->keys, key);
		} while (!end);
		if (n != ncolumns)
			invalid_body("All lines must have same number of fields", NULL);
		appendStringInfoChar(&json, '}');
	}
	appendStringInfoChar(&json, ']');
	payload->json = json.data;
	payload->text = json.data;
	return payload;
}

/*
 * One CSV field at *p; advances past its delimiter.  *end_of_record is set
 * after the last field of a line (or of the input).
 */
static char *
csv_field(char **p, bool *quoted, bool *end_of_record)
{
	StringInfoData buf;
	char	   *s = *p;

	initStringInfo(&buf);
	*quoted = *s == '"';
	if (*quoted)
	{
		s++;
		for (;;)
		{
			if (*s == '\0')
				invalid_body("Empty or invalid CSV", "A quoted field is not closed.");
			if (*s == '"' && s[1] == '"')
			{
				appendStringInfoChar(&buf, '"');
				s += 2;
			}
			else if (*s == '"')
			{
				s++;
				break;
			}
			else
				appendStringInfoChar(&buf, *s++);
		}
		if (*s != ',' && *s != '\n' && *s != '\r' && *s != '\0')
			invalid_body("Empty or invalid CSV",
						 "A closing quote must end its field.");
	}
	else
	{
		while (*s != ',' && *s != '\n' && *s != '\r' && *s != '\0')
		{
			if (*s == '"')
				invalid_body("Empty or invalid CSV",
							 "A field that contains a quote must be quoted.");
			appendStringInfoChar(&buf, *s++);
		}
	}

	*end_of_record = *s != ',';
	if (*s == ',')
		s++;
	else if (*s == '\r' && s[1] == '\n')
		s += 2;
	else if (*s == '\r' || *s == '\n')
		s++;
	*p = s;
	return buf.data;
}

/* a=1&b=two: one object of strings, keys and values percent-decoded */
static PgrestPayload *
parse_form(char *text)
{
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));
	StringInfoData json;
	List	   *values = NIL;
	ListCell   *lk;
	ListCell   *lv;
	char	   *save;

	for (char *pair = strtok_r(text, "&", &save); pair; pair = strtok_r(NULL, "&", &save))
	{
		char	   *eq = strchr(pair, '=');
		char	   *key;
		char	   *value;
		ListCell   *lc;
		int			i = 0;
		bool		found = false;

		if (eq)
			*eq = '\0';
		key = pgrest_request_decode(pair, strlen(pair), true, "form body");
		value = eq ? pgrest_request_decode(eq + 1, strlen(eq + 1), true, "form body") : pstrdup("");
		foreach(lc, payload->keys)
		{
			if (strcmp((char *) lfirst(lc), key) == 0)
			{
				list_nth_cell(values, i)->ptr_value = value;
				found = true;
			}
			i++;
		}
		if (!found)
		{
			payload->keys = lappend(payload->keys, key);
			values = lappend(values, value);
		}
	}

	initStringInfo(&json);
	appendStringInfoString(&json, "[{");
	forboth(lk, payload->keys, lv, values)
	{
		if (foreach_current_index(lk) > 0)
			appendStringInfoChar(&json, ',');
		escape_json(&json, (char *) lfirst(lk));
		appendStringInfoChar(&json, ':');
		escape_json(&json, (char *) lfirst(lv));
	}
	appendStringInfoString(&json, "}]");
	payload->json = json.data;
	payload->text = pnstrdup(json.data + 1, json.len - 2);
	payload->nrows = 1;
	payload->single = true;
	return payload;
}

static void
invalid_body(const char *message, const char *details)
{
	pgrest_error_raise(400, "PGRST102", message, details, NULL);
}
