/*-------------------------------------------------------------------------
 *
 * payload.c
 *	  Turn a request body into a JSON array of objects and its keys.
 *
 * application/json bodies are checked by pgrest's JSON reader
 * (jsonparse.c, which says what is wrong as PostgreSQL's parser says it)
 * in one pass that also collects the keys of the objects:
 * a single object, or an array of objects that all have the same keys, as
 * PostgREST requires ("All object keys must match"); any other JSON value
 * counts as no rows.  text/csv bodies (a header line, RFC 4180 quoting,
 * NULL for null) and application/x-www-form-urlencoded bodies become the
 * same JSON, built with PostgreSQL's escape_json.  The statement then
 * reads the JSON with json_to_recordset, so PostgreSQL converts every
 * value to its column's type.  For a body that is one object the same
 * pass also keeps each key's value (PgrestBodyValue), so that a write can
 * bind each column's value as a parameter of its own (query.c).
 *
 * Bodies must be UTF-8 without NUL bytes; nesting is bounded, so hostile
 * input cannot exhaust the stack.  The work is linear in the body: keys
 * are checked against a hash table, never a list, and every loop over
 * the input checks for interrupts, so the request's timeout and
 * pg_terminate_backend stop it.  Malformed bodies are 400 PGRST102,
 * unsupported Content-Types 415.
 *
 * This file is pure parsing: no SQL, no catalog (api/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/payload.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "api/layer.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/json.h"

#include "base/error.h"
#include "base/jsonparse.h"
#include "api/payload.h"
#include "api/percent.h"

/* JSON bodies nest at most this deep */
#define PGREST_MAX_BODY_DEPTH 512

/* one distinct key of a row, in a KeySet */
typedef struct KeyEntry
{
	const char *key;			/* hash key: points at the key's text */
	int			index;			/* order of first appearance */
	int			seen_in_row;	/* the last row that had it */
} KeyEntry;

/* the state of the key-collecting JSON parse */
typedef struct KeyScan
{
	int			depth;
	bool		top_is_array;
	bool		top_is_object;
	int			nobjects;		/* rows seen */
	int			nelements;		/* elements of a top-level array */
	List	   *first_keys;		/* keys of the first row, first seen first */
	HTAB	   *first_set;		/* the same keys, hashed */
	int			matched;		/* distinct first-row keys in this row */
	bool		check_keys;
	bool		uniform;		/* every row an object with the same keys */
	List	   *first_values;	/* a top-level object's values (PgrestBodyValue *),
								 * in the order of first_keys */
	PgrestBodyValue *value;		/* the value of the key just read, or NULL */
	StringInfoData array;		/* the array literal of value, being written */
} KeyScan;

static char *media_type(const char *content_type);
static char *checked_text(const char *body, size_t len);
static PgrestPayload *parse_json(char *text, bool check_keys);
static PgrestPayload *parse_csv(char *text);
static PgrestPayload *parse_form(char *text);
static void scan_object_start(void *state);
static void scan_object_end(void *state);
static void scan_array_start(void *state);
static void scan_array_end(void *state);
static void scan_field(void *state, char *fname);
static void scan_element(void *state);
static void scan_scalar(void *state, PgrestJsonKind kind, char *value, int len);
static PgrestBodyValue *value_slot(KeyScan *scan, int index);
static HTAB *create_key_set(void);
static KeyEntry *enter_key(HTAB *set, const char *key, bool *found);
static uint32 hash_key(const void *key, Size keysize);
static int	match_key(const void *key1, const void *key2, Size keysize);
static void enter_container(KeyScan *scan);
static bool at_row_level(const KeyScan *scan);
static char *csv_field(char **p, bool *quoted, bool *end_of_record);
static void invalid_body(const char *message, const char *details) pg_attribute_noreturn();

/* A Content-Type's media type: without parameters, lowercased, trimmed. */
static char *
media_type(const char *content_type)
{
	char	   *type = pstrdup(content_type);
	char	   *semicolon;

	if ((semicolon = strchr(type, ';')) != NULL)
		*semicolon = '\0';
	for (char *c = type; *c; c++)
		*c = pg_ascii_tolower((unsigned char) *c);
	while (*type == ' ')
		type++;
	for (size_t n = strlen(type); n > 0 && type[n - 1] == ' '; n--)
		type[n - 1] = '\0';
	return type;
}

/*
 * Parse a body of the given Content-Type (NULL means JSON).  With
 * check_keys, the rows of a JSON array must share their keys.
 */
PgrestPayload *
pgrest_payload_parse(const char *content_type, const char *body, size_t len,
					 bool check_keys)
{
	char	   *type = media_type(content_type ? content_type : "application/json");
	char	   *input;

	if (strcmp(type, "application/json") == 0 || strcmp(type, "") == 0 ||
		strcmp(type, "application/vnd.pgrst.object+json") == 0 ||
		strcmp(type, "application/vnd.pgrst.array+json") == 0)
	{
		input = checked_text(body, len);
		return parse_json(input, check_keys);
	}
	if (strcmp(type, "text/csv") == 0)
		return parse_csv(checked_text(body, len));
	if (strcmp(type, "application/x-www-form-urlencoded") == 0)
		return parse_form(checked_text(body, len));

	pgrest_error_raise(PGREST_ERR_CONTENT_TYPE,
					   psprintf("Content-Type not acceptable: %s", type),
					   NULL,
					   "Send application/json, text/csv or application/x-www-form-urlencoded.");
}

/*
 * The parameter type a call's body of this Content-Type goes to whole, as
 * PostgREST passes it: text/plain to text, text/xml to xml,
 * application/octet-stream to bytea; InvalidOid for any other type.
 */
Oid
pgrest_payload_raw_type(const char *content_type)
{
	char	   *type;

	if (content_type == NULL)
		return InvalidOid;
	type = media_type(content_type);
	if (strcmp(type, "text/plain") == 0)
		return TEXTOID;
	if (strcmp(type, "text/xml") == 0)
		return XMLOID;
	if (strcmp(type, "application/octet-stream") == 0)
		return BYTEAOID;
	return InvalidOid;
}

/*
 * A call's raw body, for the parameter of that type: text and xml as the
 * text they are (UTF-8, no NUL byte), bytea in hex, so every byte passes.
 */
PgrestPayload *
pgrest_payload_raw(Oid type, const char *body, size_t len)
{
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));

	payload->raw_type = type;
	payload->single = true;
	if (type != BYTEAOID)
		payload->text = checked_text(body, len);
	else
	{
		static const char digits[] = "0123456789abcdef";
		char	   *hex = palloc(len * 2 + 3);

		hex[0] = '\\';
		hex[1] = 'x';
		for (size_t i = 0; i < len; i++)
		{
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			hex[2 + 2 * i] = digits[(unsigned char) body[i] >> 4];
			hex[3 + 2 * i] = digits[(unsigned char) body[i] & 0x0f];
		}
		hex[2 + 2 * len] = '\0';
		payload->text = hex;
	}
	return payload;
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
parse_json(char *input, bool check_keys)
{
	static const PgrestJsonEvents events = {
		scan_object_start, scan_object_end, scan_array_start, scan_array_end,
		scan_field, scan_element, NULL
	};
	/* one object: its values are kept too (a bulk body's are not copied) */
	static const PgrestJsonEvents object_events = {
		scan_object_start, scan_object_end, scan_array_start, scan_array_end,
		scan_field, scan_element, scan_scalar
	};
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));
	KeyScan		scan;
	char	   *detail;
	bool		object = input[strspn(input, " \t\n\r")] == '{';

	memset(&scan, 0, sizeof(scan));
	scan.check_keys = check_keys;
	scan.uniform = true;
	scan.first_set = create_key_set();

	switch (pgrest_json_scan(input, strlen(input), PGREST_MAX_BODY_DEPTH, false,
							 object ? &object_events : &events, &scan, &detail))
	{
		case PGREST_JSON_FINE:
			break;
		case PGREST_JSON_TOO_DEEP:
			invalid_body("Empty or invalid json",
						 psprintf("JSON bodies may nest at most %d levels deep.",
								  PGREST_MAX_BODY_DEPTH));
			break;
		case PGREST_JSON_NOT_TEXT:
			/* the body is valid UTF-8: an escape the database cannot hold */
			ereport(ERROR,
					(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
					 errmsg("Unicode escape value could not be translated to the server's encoding %s",
							GetDatabaseEncodingName())));
			break;
		default:
			invalid_body("Empty or invalid json", NULL);	/* no details, as PostgREST */
			break;
	}
	if (check_keys &&
		(!scan.uniform || (scan.top_is_array && scan.nelements != scan.nobjects)))
		invalid_body("All object keys must match", NULL);

	payload->text = input;
	payload->is_json = true;
	payload->keys = scan.first_keys;
	payload->nrows = scan.nobjects;
	if (scan.top_is_object)
	{
		ListCell   *lc;

		payload->single = true;
		payload->json = psprintf("[%s]", input);
		payload->values = palloc0(sizeof(PgrestBodyValue) *
								  Max(list_length(scan.first_values), 1));
		foreach(lc, scan.first_values)
			payload->values[foreach_current_index(lc)] = *(PgrestBodyValue *) lfirst(lc);
	}
	else if (scan.top_is_array)
		payload->json = input;
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
		scan->matched = 0;
	if (scan->value != NULL && scan->depth == 2)
		scan->value->kind = PGREST_JSON_OBJECT;
	else if (scan->value != NULL && scan->depth == 3)
		scan->value->flat = false;
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
	if (scan->nobjects++ > 0 && scan->check_keys &&
		scan->matched != list_length(scan->first_keys))
		scan->uniform = false;
}

static void
scan_array_start(void *state)
{
	KeyScan    *scan = (KeyScan *) state;

	enter_container(scan);
	if (scan->depth == 1)
		scan->top_is_array = true;
	if (scan->value != NULL && scan->depth == 2)
	{
		scan->value->kind = PGREST_JSON_ARRAY;
		scan->value->flat = true;
		initStringInfo(&scan->array);
		appendStringInfoChar(&scan->array, '{');
	}
	else if (scan->value != NULL && scan->depth == 3)
		scan->value->flat = false;
}

/* an element of the top-level array: it must be an object (a row) */
static void
scan_element(void *state)
{
	KeyScan    *scan = (KeyScan *) state;

	CHECK_FOR_INTERRUPTS();
	if (scan->depth == 1 && scan->top_is_array)
		scan->nelements++;
}

static void
scan_array_end(void *state)
{
	KeyScan    *scan = (KeyScan *) state;

	if (scan->value != NULL && scan->depth == 2 && scan->value->flat)
	{
		appendStringInfoChar(&scan->array, '}');
		scan->value->array = scan->array.data;
	}
	scan->depth--;
}

/*
 * A scalar: the value of a top-level object's key, or an element of such
 * a value's array, written into its literal quoted and escaped as
 * array_in reads it (null unquoted, as NULL).
 */
static void
scan_scalar(void *state, PgrestJsonKind kind, char *value, int len)
{
	KeyScan    *scan = (KeyScan *) state;

	if (scan->value == NULL)
		return;
	if (scan->depth == 1)
	{
		scan->value->kind = kind;
		scan->value->text = kind == PGREST_JSON_NULL ? NULL : value;
		return;
	}
	if (scan->depth != 2 || scan->value->kind != PGREST_JSON_ARRAY || !scan->value->flat)
		return;
	if (scan->array.len > 1)
		appendStringInfoChar(&scan->array, ',');
	if (kind == PGREST_JSON_NULL)
	{
		appendStringInfoString(&scan->array, "NULL");
		return;
	}
	appendStringInfoChar(&scan->array, '"');
	for (int i = 0; i < len; i++)
	{
		if (value[i] == '"' || value[i] == '\\')
			appendStringInfoChar(&scan->array, '\\');
		appendStringInfoChar(&scan->array, value[i]);
	}
	appendStringInfoChar(&scan->array, '"');
}

/*
 * A key: the first row's are collected (a repeated key counts once: its
 * last value wins); a later row's must be among them, and the row must
 * have as many distinct ones.  One hash lookup per key.
 */
static void
scan_field(void *state, char *fname)
{
	KeyScan    *scan = (KeyScan *) state;
	KeyEntry   *entry;
	bool		found;

	CHECK_FOR_INTERRUPTS();
	if (!at_row_level(scan))
		return;
	if (scan->nobjects == 0)
	{
		entry = enter_key(scan->first_set, fname, &found);
		if (!found)
			scan->first_keys = lappend(scan->first_keys, fname);
		if (scan->depth == 1)
			scan->value = value_slot(scan, entry->index);
		return;
	}
	if (!scan->check_keys || !scan->uniform)
		return;
	entry = hash_search(scan->first_set, &fname, HASH_FIND, NULL);
	if (entry == NULL)
		scan->uniform = false;
	else if (entry->seen_in_row != scan->nobjects)
	{
		entry->seen_in_row = scan->nobjects;
		scan->matched++;
	}
}

/* The value of the top-level object's key number index, emptied: the last one wins. */
static PgrestBodyValue *
value_slot(KeyScan *scan, int index)
{
	PgrestBodyValue *value;

	if (index < list_length(scan->first_values))
	{
		value = list_nth(scan->first_values, index);
		memset(value, 0, sizeof(PgrestBodyValue));
	}
	else
	{
		value = palloc0(sizeof(PgrestBodyValue));
		scan->first_values = lappend(scan->first_values, value);
	}
	return value;
}

/* One level deeper (the scan refuses more than PGREST_MAX_BODY_DEPTH). */
static void
enter_container(KeyScan *scan)
{
	scan->depth++;
}

/* inside a row: the top-level object, or an object of the top-level array */
static bool
at_row_level(const KeyScan *scan)
{
	return scan->depth == 1 || (scan->depth == 2 && scan->top_is_array);
}

/*
 * A set of keys (KeyEntry) in the current memory context, hashed on their
 * text: lookups cost the same whatever the number of keys.
 */
static HTAB *
create_key_set(void)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(KeyEntry);
	ctl.hash = hash_key;
	ctl.match = match_key;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create("pgrest body keys", 64, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/* The entry of key, added (numbered in order) if it is new. */
static KeyEntry *
enter_key(HTAB *set, const char *key, bool *found)
{
	KeyEntry   *entry = hash_search(set, &key, HASH_ENTER, found);

	if (!*found)
	{
		entry->key = key;
		entry->index = (int) hash_get_num_entries(set) - 1;
		entry->seen_in_row = 0;
	}
	return entry;
}

static uint32
hash_key(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
match_key(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

/*
 * text/csv: a header line naming the columns, then one row per line.
 * Quoted fields may hold commas, quotes ("") and line breaks; an unquoted
 * or quoted NULL is null.
 */
static PgrestPayload *
parse_csv(char *input)
{
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));
	StringInfoData json;
	char	   *p = input;
	bool		quoted;
	bool		end;
	int			ncolumns;

	if (*p == '\0')
		invalid_body("Empty or invalid CSV", "The body has no header line.");
	do
	{
		CHECK_FOR_INTERRUPTS();
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

			CHECK_FOR_INTERRUPTS();
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

/*
 * a=1&b=two: one object of strings, keys and values percent-decoded; a
 * repeated key keeps its first place and its last value.  The pairs are
 * kept too, repeated keys included: a call takes them as a GET takes its
 * query string (VARIADIC parameters take every value).
 */
static PgrestPayload *
parse_form(char *input)
{
	PgrestPayload *payload = palloc0(sizeof(PgrestPayload));
	StringInfoData json;
	HTAB	   *set = create_key_set();
	List	   *values = NIL;
	ListCell   *lk;
	ListCell   *lv;
	char	   *save;

	for (char *pair = strtok_r(input, "&", &save); pair; pair = strtok_r(NULL, "&", &save))
	{
		char	   *eq = strchr(pair, '=');
		char	   *key;
		char	   *value;
		KeyEntry   *entry;
		PgrestParam *param;
		bool		found;

		CHECK_FOR_INTERRUPTS();
		if (eq)
			*eq = '\0';
		key = pgrest_percent_decode(pair, strlen(pair), true, "form body");
		value = eq ? pgrest_percent_decode(eq + 1, strlen(eq + 1), true, "form body") : pstrdup("");
		param = palloc(sizeof(PgrestParam));
		param->name = key;
		param->value = value;
		payload->pairs = lappend(payload->pairs, param);
		entry = enter_key(set, key, &found);
		if (found)
			list_nth_cell(values, entry->index)->ptr_value = value;
		else
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
	pgrest_error_raise(PGREST_ERR_BODY, message, details, NULL);
}
