/*-------------------------------------------------------------------------
 *
 * jsonparse.c
 *	  A JSON reader that never raises an error: for text pgrest reads where
 *	  no error may be raised (an error being turned into its response, the
 *	  headers a function set, a key being loaded).
 *
 * PostgreSQL's JSON input functions raise errors, and not only on text
 * that is not JSON: a number too large for numeric ("1e200000") fails in
 * numeric_in, deep nesting in check_stack_depth, and an escape the
 * database encoding cannot hold in the conversion.  Outside a transaction
 * such an error would end the worker.  So this reader does the whole job
 * itself, iteratively (no recursion, nesting bounded by
 * PGREST_JSON_MAX_DEPTH), in time linear in the text, and answers NULL for
 * anything it does not accept: text that is not JSON, not valid in the
 * database encoding, nested too deep, holding \u0000 or an escape the
 * database encoding cannot hold, or a number past the bounds that keep
 * numeric_in from failing (PGREST_JSON_MAX_NUMBER_DIGITS digits and an
 * exponent of at most as many).
 *
 * Values come back as a small tree of PgrestJson nodes, allocated in the
 * current memory context; strings decoded, numbers as they were written.
 * pgrest_jsonb_parse turns text this reader accepts into jsonb, which
 * jsonb_in then cannot fail on.
 *
 * The only error left is running out of memory, which no code avoids.
 * This file runs no SQL and needs no transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/jsonparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/layer.h"

#include "common/unicode_norm.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "base/jsonparse.h"

/* a container being read: its node, room for its members, the key read */
typedef struct Level
{
	PgrestJson *node;
	int			room;
	char	   *key;			/* OBJECT: the key of the value being read */
} Level;

/* the text being read */
typedef struct Reader
{
	const char *p;
	const char *end;
} Reader;

static PgrestJson *read_scalar(Reader *r);
static PgrestJson *new_node(PgrestJsonKind kind);
static void add_member(Level *level, PgrestJson *value);
static bool read_key(Reader *r, Level *level);
static char *read_string(Reader *r, int *len);
static bool read_escape(Reader *r, StringInfo buf);
static int	read_hex4(Reader *r);
static bool append_code_point(StringInfo buf, pg_wchar cp);
static bool read_number(Reader *r);
static bool read_digits(Reader *r, int *count);
static bool read_literal(Reader *r, const char *word);
static void skip_space(Reader *r);

/*
 * The JSON value of text (len bytes), or NULL when this reader does not
 * accept it (see the file's header).  Never raises, but for running out
 * of memory.
 */
PgrestJson *
pgrest_json_read(const char *input, size_t len)
{
	Reader		r;
	Level		stack[PGREST_JSON_MAX_DEPTH];
	int			depth = 0;
	PgrestJson *value;

	if (input == NULL || len > MaxAllocSize || memchr(input, '\0', len) != NULL ||
		!pg_verifymbstr(input, (int) len, true))
		return NULL;
	r.p = input;
	r.end = input + len;
	skip_space(&r);

	for (;;)
	{
		/* a value: a container is entered, a scalar read whole */
		if (r.p < r.end && (*r.p == '{' || *r.p == '['))
		{
			bool		object = *r.p == '{';

			if (depth == PGREST_JSON_MAX_DEPTH)
				return NULL;
			r.p++;
			stack[depth].node = new_node(object ? PGREST_JSON_OBJECT : PGREST_JSON_ARRAY);
			stack[depth].room = 0;
			stack[depth].key = NULL;
			depth++;
			skip_space(&r);
			if (r.p < r.end && *r.p == (object ? '}' : ']'))
			{
				r.p++;
				value = stack[--depth].node;
			}
			else
			{
				if (object && !read_key(&r, &stack[depth - 1]))
					return NULL;
				continue;
			}
		}
		else if ((value = read_scalar(&r)) == NULL)
			return NULL;

		/* the value is complete: it ends the text, or joins its container */
		for (;;)
		{
			Level	   *top;
			char		close;

			if (depth == 0)
			{
				skip_space(&r);
				return r.p == r.end ? value : NULL;
			}
			top = &stack[depth - 1];
			add_member(top, value);
			close = top->node->kind == PGREST_JSON_OBJECT ? '}' : ']';
			skip_space(&r);
			if (r.p < r.end && *r.p == ',')
			{
				r.p++;
				skip_space(&r);
				if (top->node->kind == PGREST_JSON_OBJECT && !read_key(&r, top))
					return NULL;
				break;			/* the next member's value */
			}
			if (r.p >= r.end || *r.p != close)
				return NULL;
			r.p++;
			value = top->node;
			depth--;
		}
	}
}

/*
 * The member key of an object (the last of that name, as in jsonb), or
 * NULL when there is none or object is not an object.
 */
const PgrestJson *
pgrest_json_member(const PgrestJson *object, const char *key)
{
	if (object == NULL || object->kind != PGREST_JSON_OBJECT)
		return NULL;
	for (int i = object->count - 1; i >= 0; i--)
	{
		if (strcmp(object->keys[i], key) == 0)
			return object->items[i];
	}
	return NULL;
}

/*
 * Whether number is an integer from min to max (written as 200, 200.0 or
 * 2e2 alike), and which; false for anything else.
 */
bool
pgrest_json_integer(const PgrestJson *number, int min, int max, int *value)
{
	const char *p;
	const char *point;
	char		digits[PGREST_JSON_MAX_NUMBER_DIGITS + 1];
	int			ndigits = 0;
	int			exponent = 0;
	bool		negative;
	int64		n = 0;

	if (number == NULL || number->kind != PGREST_JSON_NUMBER)
		return false;
	p = number->text;
	negative = *p == '-';
	if (negative)
		p++;
	point = strchr(p, '.');

	/* the mantissa's digits without leading zeros, and where its point is */
	for (; *p != '\0' && *p != 'e' && *p != 'E'; p++)
	{
		if (*p == '.')
			continue;
		if (point != NULL && p > point)
			exponent--;
		if (ndigits > 0 || *p != '0')
			digits[ndigits++] = *p;
	}
	if (*p != '\0')
		exponent += atoi(p + 1);	/* read_number bounded it */
	/* trailing zeros move into the exponent */
	while (ndigits > 0 && digits[ndigits - 1] == '0')
	{
		ndigits--;
		exponent++;
	}
	if (ndigits > 0)
	{
		if (exponent < 0 || ndigits + exponent > 10)
			return false;		/* not an integer, or far out of range */
		for (int i = 0; i < ndigits; i++)
			n = n * 10 + (digits[i] - '0');
		for (int i = 0; i < exponent; i++)
			n *= 10;
	}
	if (negative)
		n = -n;
	if (n < min || n > max)
		return false;
	*value = (int) n;
	return true;
}

/*
 * JSON text to jsonb, or NULL when pgrest_json_read does not accept it.
 * What it accepts, jsonb_in cannot fail on.
 */
Jsonb *
pgrest_jsonb_parse(const char *input, size_t len)
{
	if (pgrest_json_read(input, len) == NULL)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(pnstrdup(input, len))));
}

/* a string, number, true, false or null */
static PgrestJson *
read_scalar(Reader *r)
{
	PgrestJson *node;
	const char *start = r->p;

	if (r->p >= r->end)
		return NULL;
	switch (*r->p)
	{
		case '"':
			node = new_node(PGREST_JSON_STRING);
			node->text = read_string(r, &node->len);
			return node->text ? node : NULL;
		case 't':
			return read_literal(r, "true") ? new_node(PGREST_JSON_TRUE) : NULL;
		case 'f':
			return read_literal(r, "false") ? new_node(PGREST_JSON_FALSE) : NULL;
		case 'n':
			return read_literal(r, "null") ? new_node(PGREST_JSON_NULL) : NULL;
		default:
			if (!read_number(r))
				return NULL;
			node = new_node(PGREST_JSON_NUMBER);
			node->len = (int) (r->p - start);
			node->text = pnstrdup(start, node->len);
			return node;
	}
}

static PgrestJson *
new_node(PgrestJsonKind kind)
{
	PgrestJson *node = palloc0(sizeof(PgrestJson));

	node->kind = kind;
	return node;
}

/* append value to the container of level (with the key read, for an object) */
static void
add_member(Level *level, PgrestJson *value)
{
	PgrestJson *node = level->node;

	if (node->count == level->room)
	{
		level->room = level->room == 0 ? 4 : level->room * 2;
		if (node->items == NULL)
		{
			node->items = palloc(sizeof(PgrestJson *) * level->room);
			if (node->kind == PGREST_JSON_OBJECT)
				node->keys = palloc(sizeof(char *) * level->room);
		}
		else
		{
			node->items = repalloc(node->items, sizeof(PgrestJson *) * level->room);
			if (node->kind == PGREST_JSON_OBJECT)
				node->keys = repalloc(node->keys, sizeof(char *) * level->room);
		}
	}
	if (node->kind == PGREST_JSON_OBJECT)
		node->keys[node->count] = level->key;
	node->items[node->count++] = value;
}

/* an object member's key and its colon, leaving r at the value */
static bool
read_key(Reader *r, Level *level)
{
	int			len;

	if (r->p >= r->end || *r->p != '"')
		return false;
	level->key = read_string(r, &len);
	if (level->key == NULL)
		return false;
	skip_space(r);
	if (r->p >= r->end || *r->p != ':')
		return false;
	r->p++;
	skip_space(r);
	return true;
}

/*
 * A string at r (its opening quote), decoded and NUL-terminated, its
 * length in *len; NULL if it is not a valid JSON string that the
 * database encoding can hold without a NUL.
 */
static char *
read_string(Reader *r, int *len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	r->p++;
	while (r->p < r->end && *r->p != '"')
	{
		const char *run = r->p;

		/* a run of plain bytes, already checked as the database encoding */
		while (r->p < r->end && *r->p != '"' && *r->p != '\\' &&
			   (unsigned char) *r->p >= 0x20)
			r->p++;
		appendBinaryStringInfo(&buf, run, (int) (r->p - run));
		if (r->p >= r->end || *r->p == '"')
			break;
		if (*r->p != '\\' || !read_escape(r, &buf))
			return NULL;		/* a control character, or a bad escape */
	}
	if (r->p >= r->end)
		return NULL;
	r->p++;
	*len = buf.len;
	return buf.data;
}

/* an escape at r (its backslash), appended decoded */
static bool
read_escape(Reader *r, StringInfo buf)
{
	int			cp;

	if (r->end - r->p < 2)
		return false;
	r->p++;
	switch (*r->p++)
	{
		case '"':
			appendStringInfoChar(buf, '"');
			return true;
		case '\\':
			appendStringInfoChar(buf, '\\');
			return true;
		case '/':
			appendStringInfoChar(buf, '/');
			return true;
		case 'b':
			appendStringInfoChar(buf, '\b');
			return true;
		case 'f':
			appendStringInfoChar(buf, '\f');
			return true;
		case 'n':
			appendStringInfoChar(buf, '\n');
			return true;
		case 'r':
			appendStringInfoChar(buf, '\r');
			return true;
		case 't':
			appendStringInfoChar(buf, '\t');
			return true;
		case 'u':
			break;
		default:
			return false;
	}
	cp = read_hex4(r);
	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		int			low;

		/* a high surrogate must be followed by its low one */
		if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
			return false;
		r->p += 2;
		low = read_hex4(r);
		if (low < 0xDC00 || low > 0xDFFF)
			return false;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
	}
	else if (cp >= 0xDC00 && cp <= 0xDFFF)
		return false;
	return cp > 0 && append_code_point(buf, (pg_wchar) cp);
}

/* four hex digits at r, or -1 */
static int
read_hex4(Reader *r)
{
	int			cp = 0;

	if (r->end - r->p < 4)
		return -1;
	for (int i = 0; i < 4; i++)
	{
		char		c = *r->p++;

		cp <<= 4;
		if (c >= '0' && c <= '9')
			cp += c - '0';
		else if (c >= 'a' && c <= 'f')
			cp += c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			cp += c - 'A' + 10;
		else
			return -1;
	}
	return cp;
}

/*
 * A code point, in the database encoding; false when that encoding cannot
 * hold it.  PostgreSQL's conversion raises an error for such a character,
 * so it runs here inside its own PG_TRY: it takes no lock and holds no
 * resource, and only allocates memory.
 */
static bool
append_code_point(StringInfo buf, pg_wchar cp)
{
	unsigned char out[MAX_UNICODE_EQUIVALENT_STRING * MAX_MULTIBYTE_CHAR_LEN + 1];
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	if (GetDatabaseEncoding() == PG_UTF8)
	{
		unicode_to_utf8(cp, out);
		appendBinaryStringInfo(buf, (char *) out, pg_utf_mblen(out));
		return true;
	}
	if (cp < 0x80)
	{
		appendStringInfoChar(buf, (char) cp);
		return true;
	}
	PG_TRY();
	{
		memset(out, 0, sizeof(out));
		pg_unicode_to_server(cp, out);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		ok = false;
	}
	PG_END_TRY();
	if (ok)
		appendStringInfoString(buf, (char *) out);
	return ok;
}

/*
 * A JSON number at r: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?,
 * with at most PGREST_JSON_MAX_NUMBER_DIGITS digits in its mantissa and
 * an exponent of at most that much, so that numeric_in takes it.
 */
static bool
read_number(Reader *r)
{
	int			digits;
	int			more = 0;

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
	{
		r->p++;
		digits = 1;
	}
	else if (!read_digits(r, &digits))
		return false;
	if (r->p < r->end && *r->p == '.')
	{
		r->p++;
		if (!read_digits(r, &more))
			return false;
	}
	if (digits + more > PGREST_JSON_MAX_NUMBER_DIGITS)
		return false;
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
	{
		const char *start;

		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		start = r->p;
		if (!read_digits(r, &digits))
			return false;
		/* leading zeros aside, an exponent of at most four digits */
		while (start < r->p - 1 && *start == '0')
			start++;
		if (r->p - start > 4 || atoi(start) > PGREST_JSON_MAX_NUMBER_DIGITS)
			return false;
	}
	return true;
}

/* one or more decimal digits at r, counted */
static bool
read_digits(Reader *r, int *count)
{
	const char *start = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	*count = (int) Min(r->p - start, PG_INT32_MAX);
	return r->p > start;
}

static bool
read_literal(Reader *r, const char *word)
{
	size_t		n = strlen(word);

	if ((size_t) (r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

/* JSON's white space: space, tab, newline, carriage return */
static void
skip_space(Reader *r)
{
	while (r->p < r->end &&
		   (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}
