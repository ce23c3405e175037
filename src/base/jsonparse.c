/*-------------------------------------------------------------------------
 *
 * jsonparse.c
 *	  pgrest's one JSON reader, which never raises an error: a scanner that
 *	  hands its caller each piece of a JSON text as it reads it, and a
 *	  tree built from those pieces.
 *
 * PostgreSQL's JSON input functions raise errors, and not only on text
 * that is not JSON: a number too large for numeric ("1e200000") fails in
 * numeric_in, deep nesting in check_stack_depth, and an escape the
 * database encoding cannot hold in the conversion.  Outside a transaction
 * such an error would end the worker.  So pgrest reads JSON itself,
 * iteratively (no recursion), in time linear in the text, nesting bounded
 * by the caller, and says what it does not accept instead of raising:
 * text that is not JSON (with the detail PostgreSQL's parser would give),
 * not valid in the database encoding, nested too deep, holding \u0000 or
 * an escape the database encoding cannot hold, or, when asked, a number
 * past the bounds that keep numeric_in from failing
 * (PGREST_JSON_MAX_NUMBER_DIGITS digits, and an exponent of at most as
 * many).
 *
 * pgrest_json_scan is for text read piece by piece, however large (a
 * request body's keys, payload.c); its callbacks may raise, the scanner
 * itself does not.  pgrest_json_read builds a small tree of PgrestJson
 * nodes, allocated in the current memory context (an error being turned
 * into its response, the headers a function set, a token's header); and
 * pgrest_jsonb_parse turns text the tree reader accepts into jsonb, which
 * jsonb_in then cannot fail on (a token's claims, a key).
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

/* the text being scanned */
typedef struct Scanner
{
	const char *p;
	const char *end;
	bool		bounded_numbers;
	const PgrestJsonEvents *events;
	void	   *arg;
	PgrestJsonProblem problem;
	char	   *detail;			/* what a syntax problem is, as PostgreSQL says it */
} Scanner;

/* a container being built into a tree: its node, room for its members */
typedef struct Level
{
	PgrestJson *node;
	int			room;
	char	   *key;			/* OBJECT: the key of the value being read */
} Level;

/* the tree being built from a scan's pieces */
typedef struct Builder
{
	Level	   *stack;
	int			depth;
	PgrestJson *root;
} Builder;

static bool scan_value_start(Scanner *s, bool *container, bool *object);
static bool scan_scalar(Scanner *s);
static bool scan_key(Scanner *s, bool after_comma);
static char *scan_string(Scanner *s, int *len);
static bool scan_escape(Scanner *s, StringInfo buf);
static int	scan_hex4(Scanner *s);
static bool append_code_point(Scanner *s, StringInfo buf, pg_wchar cp);
static bool scan_number(Scanner *s);
static bool scan_digits(Scanner *s, int *count);
static bool scan_literal(Scanner *s, const char *word);
static void skip_space(Scanner *s);
static bool fail(Scanner *s, PgrestJsonProblem problem, const char *fmt,...)
			pg_attribute_printf(3, 4);
static bool expected(Scanner *s, const char *what);
static char *token_here(const Scanner *s);
static void build_object_start(void *arg);
static void build_array_start(void *arg);
static void build_end(void *arg);
static void build_field(void *arg, char *key);
static void build_scalar(void *arg, PgrestJsonKind kind, char *value, int len);
static void build_add(Builder *b, PgrestJson *value);
static PgrestJson *new_node(PgrestJsonKind kind);

/*
 * Scan input (len bytes), handing events each piece in order; nesting
 * deeper than max_depth, and with bounded_numbers a number numeric_in
 * would refuse, are problems.  Returns PGREST_JSON_FINE, or the problem
 * (and for a syntax problem, *detail, the detail PostgreSQL's parser
 * gives; NULL detail is fine).  Never raises itself; the events may.
 * Events may be NULL.
 */
PgrestJsonProblem
pgrest_json_scan(const char *input, size_t len, int max_depth,
				 bool bounded_numbers, const PgrestJsonEvents *events,
				 void *arg, char **detail)
{
	Scanner		s;
	bool	   *is_object = NULL;	/* the open containers, outermost first */
	int			depth = 0;

	if (detail)
		*detail = NULL;
	if (input == NULL || len > MaxAllocSize || memchr(input, '\0', len) != NULL ||
		!pg_verifymbstr(input, (int) len, true))
		return PGREST_JSON_NOT_TEXT;
	memset(&s, 0, sizeof(s));
	s.p = input;
	s.end = input + len;
	s.bounded_numbers = bounded_numbers;
	s.events = events;
	s.arg = arg;
	s.problem = PGREST_JSON_FINE;
	skip_space(&s);

	for (;;)
	{
		bool		container;
		bool		object;

		/* a value: a container is entered, a scalar read whole */
		if (depth >= max_depth && s.p < s.end && (*s.p == '{' || *s.p == '['))
		{
			s.problem = PGREST_JSON_TOO_DEEP;
			break;
		}
		if (!scan_value_start(&s, &container, &object))
			break;
		if (container)
		{
			char		close = object ? '}' : ']';

			if (is_object == NULL)
				is_object = palloc(sizeof(bool) * Max(max_depth, 1));
			is_object[depth++] = object;
			skip_space(&s);
			if (s.p < s.end && *s.p == close)
			{
				s.p++;
				depth--;
				if (events && object && events->object_end)
					events->object_end(arg);
				else if (events && !object && events->array_end)
					events->array_end(arg);
			}
			else if (object ? !scan_key(&s, false) : false)
				break;
			else
			{
				if (!object && events && events->element)
					events->element(arg);
				continue;		/* the first member's value */
			}
		}

		/* the value is complete: it ends the text, or joins its container */
		for (;;)
		{
			bool		in_object;

			if (depth == 0)
			{
				skip_space(&s);
				if (s.p != s.end)
					expected(&s, "end of input");
				goto done;
			}
			in_object = is_object[depth - 1];
			skip_space(&s);
			if (s.p < s.end && *s.p == ',')
			{
				s.p++;
				skip_space(&s);
				if (in_object && !scan_key(&s, true))
					goto done;
				if (!in_object && events && events->element)
					events->element(arg);
				break;			/* the next member's value */
			}
			if (s.p >= s.end || *s.p != (in_object ? '}' : ']'))
			{
				expected(&s, in_object ? "\",\" or \"}\"" : "\",\" or \"]\"");
				goto done;
			}
			s.p++;
			depth--;
			if (events && in_object && events->object_end)
				events->object_end(arg);
			else if (events && !in_object && events->array_end)
				events->array_end(arg);
		}
	}
done:
	if (is_object)
		pfree(is_object);
	if (detail)
		*detail = s.detail;
	return s.problem;
}

/*
 * The JSON value of input (len bytes), or NULL when the reader does not
 * accept it: nested deeper than max_depth, a number numeric_in would
 * refuse, anything pgrest_json_scan refuses.  Never raises, but for
 * running out of memory.
 */
PgrestJson *
pgrest_json_read(const char *input, size_t len, int max_depth)
{
	static const PgrestJsonEvents build = {
		build_object_start, build_end, build_array_start, build_end,
		build_field, NULL, build_scalar
	};
	Builder		b;

	b.stack = palloc(sizeof(Level) * Max(max_depth, 1));
	b.depth = 0;
	b.root = NULL;
	if (pgrest_json_scan(input, len, max_depth, true, &build, &b, NULL) != PGREST_JSON_FINE)
		return NULL;
	pfree(b.stack);
	return b.root;
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

	if (number == NULL || number->kind != PGREST_JSON_NUMBER ||
		number->len > PGREST_JSON_MAX_NUMBER_DIGITS * 2 + 8)
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
		exponent += atoi(p + 1);	/* the scan bounded it */
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
 * JSON text to jsonb, or NULL when pgrest_json_read does not accept it
 * (at most max_depth deep).  What it accepts, jsonb_in cannot fail on.
 */
Jsonb *
pgrest_jsonb_parse(const char *input, size_t len, int max_depth)
{
	if (pgrest_json_read(input, len, Min(max_depth, PGREST_JSON_MAX_DEPTH)) == NULL)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(pnstrdup(input, len))));
}

/*
 * The start of a value at s: a container opened (its event sent, *object
 * saying which), or a scalar read whole (its event sent).  False, with
 * the problem noted, when there is no value.
 */
static bool
scan_value_start(Scanner *s, bool *container, bool *object)
{
	*container = false;
	if (s->p >= s->end)
		return fail(s, PGREST_JSON_SYNTAX, "The input string ended unexpectedly.");
	if (*s->p == '{' || *s->p == '[')
	{
		*container = true;
		*object = *s->p == '{';
		s->p++;
		if (s->events && *object && s->events->object_start)
			s->events->object_start(s->arg);
		else if (s->events && !*object && s->events->array_start)
			s->events->array_start(s->arg);
		return true;
	}
	return scan_scalar(s);
}

/* a string, number, true, false or null, handed to the scalar event */
static bool
scan_scalar(Scanner *s)
{
	const char *start = s->p;
	PgrestJsonKind kind;
	char	   *value;
	int			len;

	switch (*s->p)
	{
		case '"':
			kind = PGREST_JSON_STRING;
			value = scan_string(s, &len);
			if (value == NULL)
				return false;
			break;
		case 't':
			kind = PGREST_JSON_TRUE;
			if (!scan_literal(s, "true"))
				return false;
			break;
		case 'f':
			kind = PGREST_JSON_FALSE;
			if (!scan_literal(s, "false"))
				return false;
			break;
		case 'n':
			kind = PGREST_JSON_NULL;
			if (!scan_literal(s, "null"))
				return false;
			break;
		default:
			if ((*s->p < '0' || *s->p > '9') && *s->p != '-')
				return expected(s, "JSON value");
			kind = PGREST_JSON_NUMBER;
			if (!scan_number(s))
				return false;
			break;
	}
	if (s->events && s->events->scalar)
	{
		if (kind != PGREST_JSON_STRING)
		{
			len = (int) (s->p - start);
			value = pnstrdup(start, len);
		}
		s->events->scalar(s->arg, kind, value, len);
	}
	return true;
}

/* an object member's key and its colon, leaving s at the value */
static bool
scan_key(Scanner *s, bool after_comma)
{
	char	   *key;
	int			len;

	if (s->p >= s->end || *s->p != '"')
		return expected(s, after_comma ? "string" : "string or \"}\"");
	key = scan_string(s, &len);
	if (key == NULL)
		return false;
	skip_space(s);
	if (s->p >= s->end || *s->p != ':')
		return expected(s, "\":\"");
	s->p++;
	skip_space(s);
	if (s->events && s->events->field)
		s->events->field(s->arg, key);
	return true;
}

/*
 * A string at s (its opening quote), decoded and NUL-terminated, its
 * length in *len; NULL if it is not a valid JSON string that the
 * database encoding can hold without a NUL.
 */
static char *
scan_string(Scanner *s, int *len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	s->p++;
	while (s->p < s->end && *s->p != '"')
	{
		const char *run = s->p;

		/* a run of plain bytes, already checked as the database encoding */
		while (s->p < s->end && *s->p != '"' && *s->p != '\\' &&
			   (unsigned char) *s->p >= 0x20)
			s->p++;
		appendBinaryStringInfo(&buf, run, (int) (s->p - run));
		if (s->p >= s->end || *s->p == '"')
			break;
		if (*s->p != '\\')
		{
			fail(s, PGREST_JSON_SYNTAX, "Character with value 0x%02x must be escaped.",
				 (unsigned char) *s->p);
			return NULL;
		}
		if (!scan_escape(s, &buf))
			return NULL;
	}
	if (s->p >= s->end)
	{
		fail(s, PGREST_JSON_SYNTAX, "The input string ended unexpectedly.");
		return NULL;
	}
	s->p++;
	*len = buf.len;
	return buf.data;
}

/* an escape at s (its backslash), appended decoded */
static bool
scan_escape(Scanner *s, StringInfo buf)
{
	int			cp;

	if (s->end - s->p < 2)
		return fail(s, PGREST_JSON_SYNTAX, "The input string ended unexpectedly.");
	s->p++;
	switch (*s->p++)
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
			return fail(s, PGREST_JSON_SYNTAX, "Escape sequence \"\\%c\" is invalid.",
						s->p[-1]);
	}
	cp = scan_hex4(s);
	if (cp < 0)
		return fail(s, PGREST_JSON_SYNTAX,
					"\"\\u\" must be followed by four hexadecimal digits.");
	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		int			low;

		/* a high surrogate must be followed by its low one */
		if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
			return fail(s, PGREST_JSON_SYNTAX,
						"Unicode low surrogate must follow a high surrogate.");
		s->p += 2;
		low = scan_hex4(s);
		if (low >= 0xD800 && low <= 0xDBFF)
			return fail(s, PGREST_JSON_SYNTAX,
						"Unicode high surrogate must not follow a high surrogate.");
		if (low < 0xDC00 || low > 0xDFFF)
			return fail(s, PGREST_JSON_SYNTAX,
						"Unicode low surrogate must follow a high surrogate.");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
	}
	else if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(s, PGREST_JSON_SYNTAX,
					"Unicode low surrogate must follow a high surrogate.");
	if (cp == 0)
		return fail(s, PGREST_JSON_SYNTAX, "\\u0000 cannot be converted to text.");
	return append_code_point(s, buf, (pg_wchar) cp);
}

/* four hex digits at s, or -1 */
static int
scan_hex4(Scanner *s)
{
	int			cp = 0;

	if (s->end - s->p < 4)
		return -1;
	for (int i = 0; i < 4; i++)
	{
		char		c = *s->p++;

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
append_code_point(Scanner *s, StringInfo buf, pg_wchar cp)
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
	if (!ok)
		return fail(s, PGREST_JSON_NOT_TEXT,
					"Unicode escape value could not be translated to the server's encoding %s.",
					GetDatabaseEncodingName());
	appendStringInfoString(buf, (char *) out);
	return true;
}

/*
 * A JSON number at s: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?;
 * bounded, at most PGREST_JSON_MAX_NUMBER_DIGITS digits in its mantissa
 * and an exponent of at most that much, so that numeric_in takes it.
 */
static bool
scan_number(Scanner *s)
{
	const char *start = s->p;
	int			digits;
	int			more = 0;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
	{
		s->p++;
		digits = 1;
	}
	else if (!scan_digits(s, &digits))
		goto invalid;
	if (s->p < s->end && *s->p == '.')
	{
		s->p++;
		if (!scan_digits(s, &more))
			goto invalid;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
	{
		const char *exponent;
		int			n;

		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		exponent = s->p;
		if (!scan_digits(s, &n))
			goto invalid;
		/* leading zeros aside, an exponent of at most four digits */
		while (exponent < s->p - 1 && *exponent == '0')
			exponent++;
		if (s->bounded_numbers &&
			(s->p - exponent > 4 || atoi(exponent) > PGREST_JSON_MAX_NUMBER_DIGITS))
			return fail(s, PGREST_JSON_OUT_OF_RANGE, NULL);
	}
	if (s->bounded_numbers && digits + more > PGREST_JSON_MAX_NUMBER_DIGITS)
		return fail(s, PGREST_JSON_OUT_OF_RANGE, NULL);
	/* a number runs into no letter or digit ("1x", "01") */
	if (s->p < s->end && (isalnum((unsigned char) *s->p) || *s->p == '.' || *s->p == '_'))
		goto invalid;
	return true;

invalid:
	s->p = start;
	return fail(s, PGREST_JSON_SYNTAX, "Token \"%s\" is invalid.", token_here(s));
}

/* one or more decimal digits at s, counted */
static bool
scan_digits(Scanner *s, int *count)
{
	const char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	*count = (int) Min(s->p - start, PG_INT32_MAX);
	return s->p > start;
}

/* true, false or null, and nothing running on from it */
static bool
scan_literal(Scanner *s, const char *word)
{
	size_t		n = strlen(word);

	if ((size_t) (s->end - s->p) < n || memcmp(s->p, word, n) != 0 ||
		(s->p + n < s->end && (isalnum((unsigned char) s->p[n]) || s->p[n] == '_')))
		return fail(s, PGREST_JSON_SYNTAX, "Token \"%s\" is invalid.", token_here(s));
	s->p += n;
	return true;
}

/* JSON's white space: space, tab, newline, carriage return */
static void
skip_space(Scanner *s)
{
	while (s->p < s->end &&
		   (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Note the scan's problem and its detail (once); false, always. */
static bool
fail(Scanner *s, PgrestJsonProblem problem, const char *fmt,...)
{
	if (s->problem != PGREST_JSON_FINE)
		return false;
	s->problem = problem;
	if (fmt != NULL)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		for (;;)
		{
			va_list		args;
			int			needed;

			va_start(args, fmt);
			needed = appendStringInfoVA(&buf, fmt, args);
			va_end(args);
			if (needed == 0)
				break;
			enlargeStringInfo(&buf, needed);
		}
		s->detail = buf.data;
	}
	return false;
}

/* "Expected <what>, but found <the token here>." (or the end of the text) */
static bool
expected(Scanner *s, const char *what)
{
	if (s->p >= s->end)
		return fail(s, PGREST_JSON_SYNTAX, "The input string ended unexpectedly.");
	return fail(s, PGREST_JSON_SYNTAX, "Expected %s, but found \"%s\".", what,
				token_here(s));
}

/*
 * The token at s, as PostgreSQL's parser would quote it: one character
 * of punctuation, or a run of anything else up to punctuation or space
 * (a whole multibyte character at least).
 */
static char *
token_here(const Scanner *s)
{
	const char *q = s->p;

	if (q < s->end && strchr("{}[],:\"", *q) != NULL)
		return pnstrdup(q, 1);
	while (q < s->end && strchr("{}[],:\" \t\n\r", *q) == NULL && q - s->p < 64)
		q += pg_mblen(q);
	if (q == s->p && q < s->end)
		q += pg_mblen(q);
	return pnstrdup(s->p, Min(q, s->end) - s->p);
}

/* the tree reader's events */
static void
build_object_start(void *arg)
{
	Builder    *b = (Builder *) arg;
	PgrestJson *node = new_node(PGREST_JSON_OBJECT);

	build_add(b, node);
	b->stack[b->depth].node = node;
	b->stack[b->depth].room = 0;
	b->stack[b->depth].key = NULL;
	b->depth++;
}

static void
build_array_start(void *arg)
{
	Builder    *b = (Builder *) arg;
	PgrestJson *node = new_node(PGREST_JSON_ARRAY);

	build_add(b, node);
	b->stack[b->depth].node = node;
	b->stack[b->depth].room = 0;
	b->stack[b->depth].key = NULL;
	b->depth++;
}

static void
build_end(void *arg)
{
	((Builder *) arg)->depth--;
}

static void
build_field(void *arg, char *key)
{
	Builder    *b = (Builder *) arg;

	b->stack[b->depth - 1].key = key;
}

static void
build_scalar(void *arg, PgrestJsonKind kind, char *value, int len)
{
	PgrestJson *node = new_node(kind);

	node->text = value;
	node->len = len;
	build_add((Builder *) arg, node);
}

/* a value read: the root, or a member of the innermost open container */
static void
build_add(Builder *b, PgrestJson *value)
{
	Level	   *level;
	PgrestJson *node;

	if (b->depth == 0)
	{
		b->root = value;
		return;
	}
	level = &b->stack[b->depth - 1];
	node = level->node;
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

static PgrestJson *
new_node(PgrestJsonKind kind)
{
	PgrestJson *node = palloc0(sizeof(PgrestJson));

	node->kind = kind;
	return node;
}
