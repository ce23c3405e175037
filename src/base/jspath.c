/*-------------------------------------------------------------------------
 *
 * jspath.c
 *	  The path to the role claim (pgrest.jwt_role_claim) in PostgREST's
 *	  syntaxes
 *
 * PostgREST names the role claim with a JSON path, in one of two
 * syntaxes, and so does pgrest:
 *
 *	 $.role, $.app_metadata.role, $['a-b'], $.roles[0], $.roles[?@ == "x"]
 *		RFC 9535's JSONPath, the subset that names one value: member names
 *		(shorthand or quoted in brackets), array indexes (negative from the
 *		end) and, last, a filter comparing an array's strings.
 *	 .role, .app_metadata.role, ."a-b", .roles[0], .roles[?(@ ^== "x")]
 *		PostgREST's older syntax: keys, quoted keys, indexes and, last, a
 *		filter with ==, !=, ^== (starts with), ==^ (ends with) or *==
 *		(contains).
 *
 * A value that is neither ("role", "app_metadata.role") is pgrest's plain
 * form: a key, else a dotted path (auth.c).  A path that does not parse
 * is refused when the setting is made, so that a typo never turns every
 * token into an anonymous request.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/jspath.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include "base/layer.h"

#include "base/jspath.h"
#include "lib/stringinfo.h"

typedef struct Cursor
{
	const char *start;
	const char *p;
	bool		rfc;			/* $-rooted: RFC 9535 */
	char	   *error;
} Cursor;

static bool parse_step(Cursor *c, List **steps);
static bool parse_filter(Cursor *c, PgrestJsPathStep *step);
static char *parse_string(Cursor *c);
static bool parse_int(Cursor *c, int *value);
static void skip_blanks(Cursor *c, bool always);
static bool fail(Cursor *c, const char *expecting);
static bool name_char(unsigned char ch, bool first, bool rfc);

/* Whether the setting is a path (else pgrest's plain key or dotted path). */
bool
pgrest_jspath_is_path(const char *setting)
{
	return setting[0] == '$' || setting[0] == '.' || setting[0] == '[';
}

/*
 * The steps of a path, or NIL with *error saying what is wrong.  Allocated
 * in the current memory context.
 */
List *
pgrest_jspath_parse(const char *setting, char **error)
{
	Cursor		c = {setting, setting, setting[0] == '$', NULL};
	List	   *steps = NIL;

	if (c.rfc)
		c.p++;
	while (*c.p != '\0')
	{
		PgrestJsPathStep *last;

		if (!parse_step(&c, &steps))
		{
			*error = c.error;
			return NIL;
		}
		last = (PgrestJsPathStep *) llast(steps);
		if (last->kind == PGREST_JSPATH_FILTER && *c.p != '\0')
		{
			*error = psprintf("a filter must end the path, at character %d",
							  (int) (c.p - c.start) + 1);
			return NIL;
		}
	}
	if (steps == NIL)
	{
		*error = pstrdup("the path names no claim");
		return NIL;
	}
	*error = NULL;
	return steps;
}

/* one step: .name, ."name", [n], ['name'], [?...] */
static bool
parse_step(Cursor *c, List **steps)
{
	PgrestJsPathStep *step = palloc0(sizeof(PgrestJsPathStep));

	if (*c->p == '.')
	{
		const char *from = ++c->p;

		step->kind = PGREST_JSPATH_KEY;
		if (!c->rfc && *c->p == '"')
		{
			const char *close = strchr(c->p + 1, '"');

			if (close == NULL)
			{
				c->p += strlen(c->p);
				return fail(c, "a closing \"");
			}
			step->text = pnstrdup(c->p + 1, close - c->p - 1);
			c->p = close + 1;
		}
		else
		{
			if (c->rfc && (*c->p == '.' || *c->p == '*'))
				return fail(c, "a member name (descendants and wildcards name more than one value)");
			while (*c->p != '\0' &&
				   name_char((unsigned char) *c->p, c->p == from, c->rfc))
				c->p++;
			if (c->p == from)
				return fail(c, "a member name");
			step->text = pnstrdup(from, c->p - from);
		}
	}
	else if (*c->p == '[')
	{
		c->p++;
		skip_blanks(c, false);
		if (*c->p == '?')
		{
			if (!parse_filter(c, step))
				return false;
		}
		else if (c->rfc && (*c->p == '\'' || *c->p == '"'))
		{
			step->kind = PGREST_JSPATH_KEY;
			if ((step->text = parse_string(c)) == NULL)
				return false;
		}
		else
		{
			step->kind = PGREST_JSPATH_INDEX;
			if (!parse_int(c, &step->index))
				return false;
		}
		skip_blanks(c, false);
		if (*c->p != ']')
			return fail(c, "]");
		c->p++;
	}
	else
		return fail(c, c->rfc ? "\".\" or \"[\"" : "\".\", \"[\" or end of input");
	*steps = lappend(*steps, step);
	return true;
}

/* ?(@ op "value") or, in RFC 9535's spelling, ?@ op "value" */
static bool
parse_filter(Cursor *c, PgrestJsPathStep *step)
{
	static const struct
	{
		const char *text;
		PgrestJsPathOp op;
	}			ops[] = {
		{"==^", PGREST_JSPATH_SUFFIX},
		{"==", PGREST_JSPATH_EQ},
		{"!=", PGREST_JSPATH_NE},
		{"^==", PGREST_JSPATH_PREFIX},
		{"*==", PGREST_JSPATH_CONTAINS},
	};
	bool		paren;
	bool		found = false;

	step->kind = PGREST_JSPATH_FILTER;
	c->p++;
	skip_blanks(c, true);
	paren = *c->p == '(';
	if (paren)
		c->p++;
	else if (!c->rfc)
		return fail(c, "(");
	skip_blanks(c, true);
	if (*c->p != '@')
		return fail(c, "@");
	c->p++;
	skip_blanks(c, true);
	for (size_t i = 0; i < lengthof(ops) && !found; i++)
	{
		size_t		len = strlen(ops[i].text);

		if (strncmp(c->p, ops[i].text, len) == 0)
		{
			step->op = ops[i].op;
			c->p += len;
			found = true;
		}
	}
	if (!found)
		return fail(c, "an operator (==, !=, ^==, ==^ or *==)");
	skip_blanks(c, true);
	if ((step->text = parse_string(c)) == NULL)
		return false;
	skip_blanks(c, true);
	if (paren)
	{
		if (*c->p != ')')
			return fail(c, ")");
		c->p++;
	}
	return true;
}

/*
 * A quoted string: in the older syntax "any but a quote"; in RFC 9535 in
 * single or double quotes, with JSON's escapes.
 */
static char *
parse_string(Cursor *c)
{
	char		quote = *c->p;
	StringInfoData buf;

	if (quote != '"' && !(c->rfc && quote == '\''))
	{
		fail(c, "a quoted string");
		return NULL;
	}
	initStringInfo(&buf);
	for (c->p++; *c->p != quote; c->p++)
	{
		if (*c->p == '\0')
		{
			fail(c, quote == '"' ? "a closing \"" : "a closing '");
			return NULL;
		}
		if (c->rfc && *c->p == '\\')
		{
			c->p++;
			switch (*c->p)
			{
				case 'b':
					appendStringInfoChar(&buf, '\b');
					break;
				case 'f':
					appendStringInfoChar(&buf, '\f');
					break;
				case 'n':
					appendStringInfoChar(&buf, '\n');
					break;
				case 'r':
					appendStringInfoChar(&buf, '\r');
					break;
				case 't':
					appendStringInfoChar(&buf, '\t');
					break;
				case '\\':
				case '/':
				case '"':
				case '\'':
					appendStringInfoChar(&buf, *c->p);
					break;
				default:
					fail(c, "an escape (\\b, \\f, \\n, \\r, \\t, \\\\, \\/, \\\" or \\')");
					return NULL;
			}
			continue;
		}
		appendStringInfoChar(&buf, *c->p);
	}
	c->p++;
	return buf.data;
}

/* digits; in RFC 9535 a minus sign may count from the end */
static bool
parse_int(Cursor *c, int *value)
{
	bool		negative = false;
	int64		n = 0;
	const char *digits;

	if (c->rfc && *c->p == '-')
	{
		negative = true;
		c->p++;
	}
	digits = c->p;
	while (*c->p >= '0' && *c->p <= '9')
	{
		n = n * 10 + (*c->p - '0');
		if (n > PG_INT32_MAX)
			return fail(c, "a smaller index");
		c->p++;
	}
	if (c->p == digits)
		return fail(c, c->rfc ? "an index, a quoted name or a filter (?)" : "an index or a filter (?)");
	*value = negative ? (int) -n : (int) n;
	return true;
}

/* blanks, which RFC 9535 allows in brackets, the older syntax in filters */
static void
skip_blanks(Cursor *c, bool always)
{
	if (!c->rfc && !always)
		return;
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

/* "unexpected "x" at character N, expecting ...", x one UTF-8 character */
static bool
fail(Cursor *c, const char *expecting)
{
	int			at = (int) (c->p - c->start) + 1;
	unsigned char lead = (unsigned char) *c->p;
	int			len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;

	if (*c->p == '\0')
		c->error = psprintf("unexpected end of input, expecting %s", expecting);
	else
		c->error = psprintf("unexpected \"%.*s\" at character %d, expecting %s",
							len, c->p, at, expecting);
	return false;
}

/*
 * A character of a member name: in RFC 9535 a letter, "_" or any
 * non-ASCII character, digits after the first; in the older syntax
 * letters, digits, "_", "$" and "@".
 */
static bool
name_char(unsigned char ch, bool first, bool rfc)
{
	if (ch >= 0x80 || ch == '_' ||
		(ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	if (ch >= '0' && ch <= '9')
		return !rfc || !first;
	return !rfc && (ch == '$' || ch == '@');
}
