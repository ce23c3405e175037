/*-------------------------------------------------------------------------
 *
 * grammar.c
 *	  Parse PostgREST's query-string grammar: select=, filters
 *	  (col=[not.]op[(modifier)].value), logic trees (or=(...), and=(...))
 *	  and order=.
 *
 * A small recursive-descent parser over the decoded parameter text.  It
 * follows PostgREST's grammar (ApiRequest/QueryParams.hs): field names are
 * either double-quoted (with backslash escapes) or runs of letters,
 * digits, '_', '$' and spaces joined by '-'; a field may carry a JSON path
 * (->key, ->>key, ->0); values in logic trees end at ',' or ')' unless
 * quoted or written as a {...} array.
 *
 * Errors are 400 PGRST100 whose message names the parameter and the
 * column where parsing stopped, as PostgREST's do, and whose details say
 * what was expected.  Logic trees nest at most PGREST_MAX_LOGIC_DEPTH
 * deep, so hostile input cannot exhaust the stack.
 *
 * This file is pure parsing: no SPI, no catalog, no transaction needed.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/grammar.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "error.h"
#include "grammar.h"

/* the state of one parse */
typedef struct Parser
{
	const char *input;			/* the whole parameter value */
	const char *p;				/* the next character */
	const char *what;			/* "filter", "select parameter", ... */
	int			skip;			/* leading characters not shown in errors */
} Parser;

typedef struct OperatorName
{
	const char *name;
	PgrestOperator op;
	bool		quantifiable;	/* accepts (any) / (all) */
} OperatorName;

static const OperatorName operators[] = {
	{"eq", PGREST_OP_EQ, true},
	{"neq", PGREST_OP_NEQ, false},
	{"gt", PGREST_OP_GT, true},
	{"gte", PGREST_OP_GTE, true},
	{"lt", PGREST_OP_LT, true},
	{"lte", PGREST_OP_LTE, true},
	{"like", PGREST_OP_LIKE, true},
	{"ilike", PGREST_OP_ILIKE, true},
	{"match", PGREST_OP_MATCH, true},
	{"imatch", PGREST_OP_IMATCH, true},
	{"in", PGREST_OP_IN, false},
	{"is", PGREST_OP_IS, false},
	{"isdistinct", PGREST_OP_ISDISTINCT, false},
	{"fts", PGREST_OP_FTS, false},
	{"plfts", PGREST_OP_PLFTS, false},
	{"phfts", PGREST_OP_PHFTS, false},
	{"wfts", PGREST_OP_WFTS, false},
	{"cs", PGREST_OP_CS, false},
	{"cd", PGREST_OP_CD, false},
	{"ov", PGREST_OP_OV, false},
	{"sl", PGREST_OP_SL, false},
	{"sr", PGREST_OP_SR, false},
	{"nxr", PGREST_OP_NXR, false},
	{"nxl", PGREST_OP_NXL, false},
	{"adj", PGREST_OP_ADJ, false},
};

static const char *const is_values[] = {"null", "not_null", "true", "false", "unknown"};

static void init_parser(Parser *ps, const char *input, const char *what);
static void fail(Parser *ps, const char *details) pg_attribute_noreturn();
static bool at_end(Parser *ps);
static bool accept_str(Parser *ps, const char *s);
static void expect_char(Parser *ps, char c, const char *details);
static void skip_ws(Parser *ps);
static bool is_identifier_char(unsigned char c);
static char *parse_quoted(Parser *ps);
static char *parse_name(Parser *ps, bool json_key);
static char *parse_identifier(Parser *ps);
static void parse_field(Parser *ps, PgrestField *field);
static List *parse_json_path(Parser *ps);
static bool at_json_index_end(Parser *ps);
static PgrestSelectItem *parse_select_item(Parser *ps);
static void parse_operation(Parser *ps, PgrestFilter *filter, bool in_logic);
static const OperatorName *parse_operator(Parser *ps);
static char *parse_value(Parser *ps, bool in_logic);
static List *parse_list(Parser *ps);
static PgrestFilter *parse_logic_tree(Parser *ps, int depth);
static PgrestOrderTerm *parse_order_term(Parser *ps);
static char *trim(char *s);

/*
 * select=: a comma-separated list of "*" and [alias:]field[::cast].
 * Embedding and aggregates are refused with their own errors.
 */
List *
pgrest_grammar_select(const char *text)
{
	Parser		ps;
	List	   *items = NIL;

	init_parser(&ps, text, "select parameter");
	skip_ws(&ps);
	if (at_end(&ps))
		return NIL;
	for (;;)
	{
		items = lappend(items, parse_select_item(&ps));
		skip_ws(&ps);
		if (at_end(&ps))
			break;
		expect_char(&ps, ',', "expecting \",\" or end of input");
		skip_ws(&ps);
	}
	return items;
}

/* name=value where value is [not.]op[(modifier)].value */
PgrestFilter *
pgrest_grammar_filter(const char *name, const char *value)
{
	Parser		ps;
	PgrestFilter *filter = palloc0(sizeof(PgrestFilter));

	init_parser(&ps, name, "tree path");
	parse_field(&ps, &filter->field);
	if (*ps.p == '.')
	{
		/* a dotted path names an embedded resource */
		pgrest_error_raise(400, "PGRST108",
						   psprintf("'%s' is not an embedded resource in this request",
									filter->field.name),
						   NULL,
						   psprintf("Verify that '%s' is included in the 'select' query parameter.",
									filter->field.name));
	}
	if (!at_end(&ps))
		fail(&ps, "expecting field name, JSON path or end of input");

	init_parser(&ps, value, "filter");
	parse_operation(&ps, filter, false);
	return filter;
}

/*
 * A logic tree: name is "or", "and", "not.or" or "not.and"; value is
 * "(" element {"," element} ")".
 */
PgrestFilter *
pgrest_grammar_logic(const char *name, const char *value)
{
	Parser		ps;
	PgrestFilter *tree;
	char	   *text;

	/* parse "or(...)" rather than "(...)", as PostgREST does */
	if (strncmp(name, "not.", 4) == 0)
		text = psprintf("not.%s%s", name + 4, value);
	else
		text = psprintf("%s%s", name, value);
	init_parser(&ps, text, "logic tree");
	ps.skip = strlen(text) - strlen(value);	/* errors show the value sent */
	tree = parse_logic_tree(&ps, 0);
	if (!at_end(&ps))
		fail(&ps, "expecting end of input after the closing \")\"");
	return tree;
}

/* order=term{,term}: field[.asc|.desc][.nullsfirst|.nullslast] */
List *
pgrest_grammar_order(const char *text)
{
	Parser		ps;
	List	   *terms = NIL;

	init_parser(&ps, text, "order");
	for (;;)
	{
		skip_ws(&ps);
		terms = lappend(terms, parse_order_term(&ps));
		skip_ws(&ps);
		if (at_end(&ps))
			break;
		expect_char(&ps, ',', "expecting \",\" or end of input");
	}
	return terms;
}

/*
 * Does value start like [not.]op[(...)].: a filter rather than an argument
 * of GET /rpc/<function>, as PostgREST tells them apart.
 */
bool
pgrest_grammar_is_operation(const char *value)
{
	const char *p = value;
	const char *start;

	if (strncmp(p, "not.", 4) == 0)
		p += 4;
	start = p;
	while (*p >= 'a' && *p <= 'z')
		p++;
	for (size_t i = 0; i < lengthof(operators); i++)
	{
		if (strlen(operators[i].name) == (size_t) (p - start) &&
			strncmp(start, operators[i].name, p - start) == 0)
		{
			if (*p == '(')
			{
				p = strchr(p, ')');
				if (p == NULL)
					return false;
				p++;
			}
			return *p == '.';
		}
	}
	return false;
}

/* columns= and on_conflict=: field names separated by commas */
List *
pgrest_grammar_columns(const char *text, const char *what)
{
	Parser		ps;
	List	   *names = NIL;

	init_parser(&ps, text, what);
	for (;;)
	{
		skip_ws(&ps);
		names = lappend(names, parse_name(&ps, false));
		skip_ws(&ps);
		if (at_end(&ps))
			return names;
		expect_char(&ps, ',', "expecting \",\" or end of input");
	}
}

static void
init_parser(Parser *ps, const char *input, const char *what)
{
	ps->input = input;
	ps->p = input;
	ps->what = what;
	ps->skip = 0;
}

/*
 * "failed to parse filter (noop.0)" (line 1, column 1), as PostgREST
 * words it.  Columns count characters, not bytes.
 */
static void
fail(Parser *ps, const char *details)
{
	const char *shown = ps->input + ps->skip;
	int			column = 1;

	if (ps->p > shown)
		column = pg_mbstrlen_with_len(shown, ps->p - shown) + 1;
	pgrest_error_raise(400, "PGRST100",
					   psprintf("\"failed to parse %s (%s)\" (line 1, column %d)",
								ps->what, shown, column),
					   details, NULL);
}

static bool
at_end(Parser *ps)
{
	return *ps->p == '\0';
}

static bool
accept_str(Parser *ps, const char *s)
{
	size_t		n = strlen(s);

	if (strncmp(ps->p, s, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static void
expect_char(Parser *ps, char c, const char *details)
{
	if (*ps->p != c)
		fail(ps, details);
	ps->p++;
}

static void
skip_ws(Parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* letters (any non-ASCII byte counts as part of a letter), digits, _ $ space */
static bool
is_identifier_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || c == ' ' ||
		c >= 0x80;
}

/* "..." with \" and \\ escapes; the opening quote is at ps->p */
static char *
parse_quoted(Parser *ps)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ps->p++;
	while (*ps->p != '"')
	{
		if (*ps->p == '\0')
			fail(ps, "expecting closing quote \"");
		if (*ps->p == '\\' && ps->p[1] != '\0')
			ps->p++;
		appendStringInfoChar(&buf, *ps->p++);
	}
	ps->p++;
	return buf.data;
}

/*
 * A field name (or, with json_key, a JSON key): quoted, or runs of
 * allowed characters joined by '-' where the dash does not start "->".
 */
static char *
parse_name(Parser *ps, bool json_key)
{
	StringInfoData buf;

	if (*ps->p == '"')
		return parse_quoted(ps);

	initStringInfo(&buf);
	for (;;)
	{
		const char *run = ps->p;

		if (json_key)
		{
			while (*ps->p && strchr("(-:.,>)", *ps->p) == NULL)
				ps->p++;
		}
		else
		{
			while (is_identifier_char((unsigned char) *ps->p))
				ps->p++;
		}
		if (ps->p == run)
			fail(ps, json_key ?
				 "expecting a JSON key (any character but .,>() or a quoted key)" :
				 "expecting field name (* or [a..z0..9_$])");
		appendBinaryStringInfo(&buf, run, ps->p - run);
		if (ps->p[0] == '-' && ps->p[1] != '>')
		{
			appendStringInfoChar(&buf, '-');
			ps->p++;
			continue;
		}
		break;
	}
	return trim(buf.data);
}

/* letters, digits, _ $ and spaces: casts and text search configurations */
static char *
parse_identifier(Parser *ps)
{
	const char *start = ps->p;

	while (is_identifier_char((unsigned char) *ps->p))
		ps->p++;
	if (ps->p == start)
		fail(ps, "expecting letter or digit");
	return trim(pnstrdup(start, ps->p - start));
}

/* name, then an optional JSON path, with spaces around */
static void
parse_field(Parser *ps, PgrestField *field)
{
	skip_ws(ps);
	field->name = parse_name(ps, false);
	field->path = parse_json_path(ps);
	skip_ws(ps);
}

static List *
parse_json_path(Parser *ps)
{
	List	   *path = NIL;

	for (;;)
	{
		PgrestJsonStep *step;
		const char *start;

		if (strncmp(ps->p, "->", 2) != 0)
			return path;
		step = palloc0(sizeof(PgrestJsonStep));
		step->as_text = accept_str(ps, "->>");
		if (!step->as_text)
			ps->p += 2;

		/* an integer followed by the end of the operand is an index */
		start = ps->p;
		if (*ps->p == '-')
			ps->p++;
		if (isdigit((unsigned char) *ps->p))
		{
			while (isdigit((unsigned char) *ps->p))
				ps->p++;
			if (at_json_index_end(ps))
			{
				step->is_index = true;
				step->key = pnstrdup(start, ps->p - start);
				path = lappend(path, step);
				continue;
			}
			if (*start == '-')
				fail(ps, "expecting digit, \"->\", \"::\", \".\", \",\" or end of input");
		}
		else if (*start == '-')
			fail(ps, "expecting digit");
		ps->p = start;
		step->key = parse_name(ps, true);
		path = lappend(path, step);
	}
}

static bool
at_json_index_end(Parser *ps)
{
	return *ps->p == '\0' || *ps->p == '.' || *ps->p == ',' ||
		*ps->p == ')' || strncmp(ps->p, "->", 2) == 0 ||
		strncmp(ps->p, "::", 2) == 0;
}

/* the end of a select item: ',' or end of input */
#define AT_ITEM_END(ps) (*(ps)->p == ',' || *(ps)->p == '\0')

static PgrestSelectItem *
parse_select_item(Parser *ps)
{
	PgrestSelectItem *item = palloc0(sizeof(PgrestSelectItem));
	const char *start = ps->p;

	if (*ps->p == '*')
	{
		ps->p++;
		skip_ws(ps);
		if (!AT_ITEM_END(ps))
			fail(ps, "expecting \",\" or end of input");
		item->star = true;
		return item;
	}
	if (strncmp(ps->p, "...", 3) == 0)
		pgrest_error_raise(400, "PGRST127", "Feature not implemented",
						   "Spreading embedded resources is not supported yet.", NULL);

	/* alias: (a single ':' after a name) */
	if (*ps->p == '"' || is_identifier_char((unsigned char) *ps->p))
	{
		char	   *name = parse_name(ps, false);

		if (ps->p[0] == ':' && ps->p[1] != ':')
		{
			ps->p++;
			item->alias = name;
		}
		else
			ps->p = start;
	}

	skip_ws(ps);
	if (strncmp(ps->p, "count()", 7) == 0)
		pgrest_error_raise(400, "PGRST123", "Use of aggregate functions is not allowed",
						   NULL, NULL);
	parse_field(ps, &item->field);
	if (*ps->p == '(' || *ps->p == '!')
		pgrest_error_raise(400, "PGRST127", "Feature not implemented",
						   psprintf("Embedding the resource '%s' is not supported yet.",
									item->field.name),
						   NULL);
	if (accept_str(ps, "::"))
		item->cast = parse_identifier(ps);
	if (*ps->p == '.')
	{
		const char *aggregates[] = {"sum()", "avg()", "count()", "max()", "min()"};

		for (size_t i = 0; i < lengthof(aggregates); i++)
		{
			if (strncmp(ps->p + 1, aggregates[i], strlen(aggregates[i])) == 0)
				pgrest_error_raise(400, "PGRST123",
								   "Use of aggregate functions is not allowed",
								   NULL, NULL);
		}
	}
	skip_ws(ps);
	if (!AT_ITEM_END(ps))
		fail(ps, "expecting \"->\", \"->>\", \"::\", \",\" or end of input");
	return item;
}

/*
 * [not.]op[(modifier)].value into filter.  In a logic tree (in_logic) the
 * value ends at ',' or ')'.
 */
static void
parse_operation(Parser *ps, PgrestFilter *filter, bool in_logic)
{
	const OperatorName *op;

	filter->kind = PGREST_FILTER_CONDITION;
	if (strncmp(ps->p, "not.", 4) == 0)
	{
		filter->negated = true;
		ps->p += 4;
	}

	op = parse_operator(ps);
	filter->op = op->op;

	if (op->op == PGREST_OP_FTS || op->op == PGREST_OP_PLFTS ||
		op->op == PGREST_OP_PHFTS || op->op == PGREST_OP_WFTS)
	{
		if (*ps->p == '(')
		{
			ps->p++;
			filter->language = parse_identifier(ps);
			expect_char(ps, ')', "expecting \")\" after the text search configuration");
		}
	}
	else if (op->quantifiable && *ps->p == '(')
	{
		if (accept_str(ps, "(any)"))
			filter->quantifier = PGREST_QUANT_ANY;
		else if (accept_str(ps, "(all)"))
			filter->quantifier = PGREST_QUANT_ALL;
		else
			fail(ps, "expecting \"(any)\" or \"(all)\"");
	}
	expect_char(ps, '.', "expecting delimiter (.) after the operator");

	switch (op->op)
	{
		case PGREST_OP_IN:
			filter->values = parse_list(ps);
			break;
		case PGREST_OP_IS:
			{
				bool		found = false;

				for (size_t i = 0; i < lengthof(is_values) && !found; i++)
				{
					size_t		n = strlen(is_values[i]);

					if (pg_strncasecmp(ps->p, is_values[i], n) == 0 &&
						(ps->p[n] == '\0' || (in_logic && (ps->p[n] == ',' || ps->p[n] == ')'))))
					{
						filter->is = (PgrestIsValue) i;
						ps->p += n;
						found = true;
					}
				}
				if (!found)
					fail(ps, "expecting null, not_null, true, false or unknown");
				break;
			}
		default:
			filter->value = parse_value(ps, in_logic);
			break;
	}
	if (!in_logic && !at_end(ps))
		fail(ps, "expecting end of input");
}

/* the operator name, up to '.' or '(' */
static const OperatorName *
parse_operator(Parser *ps)
{
	const char *start = ps->p;
	size_t		n;

	while ((*ps->p >= 'a' && *ps->p <= 'z'))
		ps->p++;
	n = ps->p - start;
	for (size_t i = 0; i < lengthof(operators); i++)
	{
		if (strlen(operators[i].name) == n && strncmp(start, operators[i].name, n) == 0)
			return &operators[i];
	}
	ps->p = start;
	fail(ps, "expecting \"not\" or operator (eq, neq, gt, gte, lt, lte, like, ilike, match, imatch, in, is, isdistinct, fts, plfts, phfts, wfts, cs, cd, ov, sl, sr, nxr, nxl, adj)");
}

/*
 * A single value: the rest of the input, or in a logic tree a quoted
 * value, a {...} array, or the text up to ',' or ')'.
 */
static char *
parse_value(Parser *ps, bool in_logic)
{
	const char *start = ps->p;

	if (!in_logic)
	{
		ps->p += strlen(ps->p);
		return pstrdup(start);
	}
	if (*ps->p == '"')
	{
		char	   *value = parse_quoted(ps);

		if (*ps->p == ',' || *ps->p == ')')
			return value;
		ps->p = start;			/* a quote inside a plain value */
	}
	else if (*ps->p == '{')
	{
		const char *close = strchr(ps->p, '}');
		const char *nested = strchr(ps->p + 1, '{');

		if (close && (nested == NULL || nested > close))
		{
			ps->p = close + 1;
			return pnstrdup(start, ps->p - start);
		}
	}
	while (*ps->p && *ps->p != ',' && *ps->p != ')')
		ps->p++;
	return pnstrdup(start, ps->p - start);
}

/* ( element {, element} ) where elements are quoted or end at , or ) */
static List *
parse_list(Parser *ps)
{
	List	   *values = NIL;

	skip_ws(ps);
	expect_char(ps, '(', "expecting \"(\"");
	skip_ws(ps);
	if (*ps->p == ')')
	{
		ps->p++;
		skip_ws(ps);
		return NIL;
	}
	for (;;)
	{
		const char *start = ps->p;
		char	   *value = NULL;

		if (*ps->p == '"')
		{
			value = parse_quoted(ps);
			if (*ps->p != ',' && *ps->p != ')')
			{
				ps->p = start;
				value = NULL;
			}
		}
		if (value == NULL)
		{
			while (*ps->p && *ps->p != ',' && *ps->p != ')')
				ps->p++;
			value = pnstrdup(start, ps->p - start);
		}
		values = lappend(values, value);
		if (*ps->p == ',')
		{
			ps->p++;
			continue;
		}
		expect_char(ps, ')', "expecting \",\" or \")\"");
		skip_ws(ps);
		return values;
	}
}

/* [not.](and|or)( element {, element} ) where an element is a filter or a tree */
static PgrestFilter *
parse_logic_tree(Parser *ps, int depth)
{
	PgrestFilter *tree = palloc0(sizeof(PgrestFilter));

	check_stack_depth();
	if (depth >= PGREST_MAX_LOGIC_DEPTH)
		pgrest_error_raise(400, "PGRST100",
						   psprintf("\"failed to parse logic tree (%s)\"", ps->input + ps->skip),
						   psprintf("Logic trees may nest at most %d levels deep.",
									PGREST_MAX_LOGIC_DEPTH),
						   NULL);

	skip_ws(ps);
	if (accept_str(ps, "not."))
		tree->negated = true;
	if (accept_str(ps, "and"))
		tree->kind = PGREST_FILTER_AND;
	else if (accept_str(ps, "or"))
		tree->kind = PGREST_FILTER_OR;
	else
		fail(ps, "expecting logic operator (and, or)");
	skip_ws(ps);
	expect_char(ps, '(', "expecting \"(\"");

	for (;;)
	{
		const char *start;
		PgrestFilter *child;

		skip_ws(ps);
		start = ps->p;
		if (strncmp(start, "not.", 4) == 0)
			start += 4;
		if (strncmp(start, "and(", 4) == 0 || strncmp(start, "or(", 3) == 0)
			child = parse_logic_tree(ps, depth + 1);
		else
		{
			child = palloc0(sizeof(PgrestFilter));
			parse_field(ps, &child->field);
			expect_char(ps, '.', "expecting delimiter (.) after the field");
			parse_operation(ps, child, true);
		}
		tree->children = lappend(tree->children, child);
		skip_ws(ps);
		if (*ps->p == ',')
		{
			ps->p++;
			continue;
		}
		expect_char(ps, ')', "expecting \",\" or \")\"");
		skip_ws(ps);
		return tree;
	}
}

static PgrestOrderTerm *
parse_order_term(Parser *ps)
{
	PgrestOrderTerm *term = palloc0(sizeof(PgrestOrderTerm));

	parse_field(ps, &term->field);
	if (*ps->p == '(')
		pgrest_error_raise(400, "PGRST127", "Feature not implemented",
						   "Ordering by an embedded resource is not supported yet.",
						   NULL);
	if (accept_str(ps, ".asc"))
		term->direction = PGREST_DIRECTION_ASC;
	else if (accept_str(ps, ".desc"))
		term->direction = PGREST_DIRECTION_DESC;
	if (accept_str(ps, ".nullsfirst"))
		term->nulls = PGREST_NULLS_FIRST;
	else if (accept_str(ps, ".nullslast"))
		term->nulls = PGREST_NULLS_LAST;
	skip_ws(ps);
	if (*ps->p == '.')
		fail(ps, term->direction == PGREST_DIRECTION_DEFAULT && term->nulls == PGREST_NULLS_DEFAULT ?
			 "expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\"" :
			 "expecting \"nullsfirst\" or \"nullslast\"");
	if (*ps->p != ',' && *ps->p != '\0')
		fail(ps, "expecting \",\" or end of input");
	return term;
}

/* strip leading and trailing spaces in place */
static char *
trim(char *s)
{
	size_t		n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}
