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
 * This file is pure parsing: no SQL, no catalog (api/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/grammar.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "api/layer.h"

#include "mb/pg_wchar.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "base/error.h"
#include "api/grammar.h"

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
static char *unexpected(Parser *ps, const char *details);
static bool at_end(Parser *ps);
static bool accept_str(Parser *ps, const char *s);
static void expect_char(Parser *ps, char c, const char *details);
static void skip_ws(Parser *ps);
static char *scan_quoted(Parser *ps);
static bool at_logic_tree(const char *p);
static bool is_identifier_char(unsigned char c);
static char *parse_quoted(Parser *ps);
static char *parse_name(Parser *ps, bool json_key);
static char *parse_identifier(Parser *ps);
static void parse_field(Parser *ps, PgrestField *field);
static List *parse_json_path(Parser *ps);
static bool at_json_index_end(Parser *ps);
static List *parse_select_list(Parser *ps, int depth);
static PgrestSelectItem *parse_select_item(Parser *ps, int depth);
static void parse_embed_params(Parser *ps, PgrestSelectItem *item);
static void parse_embed_items(Parser *ps, PgrestSelectItem *item, int depth);
static void parse_operation(Parser *ps, PgrestFilter *filter, bool in_logic);
static const OperatorName *parse_operator(Parser *ps);
static char *parse_value(Parser *ps, bool in_logic);
static List *parse_list(Parser *ps);
static PgrestFilter *parse_logic_tree(Parser *ps, int depth);
static PgrestOrderTerm *parse_order_term(Parser *ps);
static char *trim(char *s);

/*
 * select=: a comma-separated list of "*", fields ([alias:]field[::cast],
 * with an aggregate .sum() ... and its cast), count(), and embedded
 * resources ([alias:]relation[!hint][!inner](...), ...relation(...))
 * that hold items of their own.
 */
List *
pgrest_grammar_select(const char *input)
{
	Parser		ps;
	List	   *items;

	init_parser(&ps, input, "select parameter");

	/*
	 * As PostgREST's parser, the list ends where no ',' follows an item:
	 * what comes after a ')' (of an embed, or after a field) is ignored.
	 */
	items = parse_select_list(&ps, 0);
	return items;
}

/*
 * A parameter's name: embedded resources separated by '.', then a field
 * with an optional JSON path ("tree path"); with logic, the last part is
 * or/and, and a "not" part negates it ("logic path").
 */
PgrestParamPath *
pgrest_grammar_param_path(const char *name, bool logic)
{
	Parser		ps;
	PgrestParamPath *path = palloc0(sizeof(PgrestParamPath));
	List	   *parts = NIL;

	init_parser(&ps, name, logic ? "logic path" : "tree path");
	for (;;)
	{
		skip_ws(&ps);
		parts = lappend(parts, parse_name(&ps, false));
		if (*ps.p != '.')
			break;
		ps.p++;
	}
	if (!logic)
	{
		path->field.name = llast(parts);
		path->field.path = parse_json_path(&ps);
		skip_ws(&ps);
		if (!at_end(&ps))
			fail(&ps, "expecting field name, JSON path or end of input");
		path->embeds = list_truncate(parts, list_length(parts) - 1);
		return path;
	}
	skip_ws(&ps);
	if (!at_end(&ps))
		fail(&ps, "expecting \".\" or end of input");
	path->field.name = llast(parts);
	parts = list_truncate(parts, list_length(parts) - 1);
	{
		ListCell   *lc;

		foreach(lc, parts)
		{
			if (strcmp((char *) lfirst(lc), "not") == 0)
				path->negated = true;
			else
				path->embeds = lappend(path->embeds, lfirst(lc));
		}
	}
	return path;
}

/* a filter's value: [not.]op[(modifier)].value, for the field path names */
PgrestFilter *
pgrest_grammar_filter(const PgrestParamPath *path, const char *value)
{
	Parser		ps;
	PgrestFilter *filter = palloc0(sizeof(PgrestFilter));

	filter->field = path->field;
	init_parser(&ps, value, "filter");
	parse_operation(&ps, filter, false);
	return filter;
}

/*
 * A logic tree: path names or/and (maybe negated); value is "(" element
 * {"," element} ")".
 */
PgrestFilter *
pgrest_grammar_logic(const PgrestParamPath *path, const char *value)
{
	Parser		ps;
	PgrestFilter *tree;
	char	   *input;

	/* parse "or(...)" rather than "(...)", as PostgREST does */
	input = psprintf("%s%s%s", path->negated ? "not." : "", path->field.name, value);
	init_parser(&ps, input, "logic tree");
	ps.skip = strlen(input) - strlen(value);	/* errors show the value sent, count columns from "or" */
	/* as PostgREST's parser, what follows the closing ')' is ignored */
	tree = parse_logic_tree(&ps, 0);
	return tree;
}

/* order=term{,term}: field[.asc|.desc][.nullsfirst|.nullslast] */
List *
pgrest_grammar_order(const char *input)
{
	Parser		ps;
	List	   *terms = NIL;

	init_parser(&ps, input, "order");
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
pgrest_grammar_columns(const char *input, const char *what)
{
	Parser		ps;
	List	   *names = NIL;

	init_parser(&ps, input, what);
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

	/* counted from the start of what was parsed: "or(...)" for a logic tree */
	if (ps->p > ps->input)
		column = pg_mbstrlen_with_len(ps->input, ps->p - ps->input) + 1;
	if (strncmp(details, "expecting ", 10) == 0)
		details = psprintf("unexpected %s %s", unexpected(ps, details), details);
	pgrest_error_raise(PGREST_ERR_PARSE,
					   psprintf("\"failed to parse %s (%s)\" (line 1, column %d)",
								ps->what, shown, column),
					   details, NULL);
}

/*
 * What the parser met instead, in PostgREST's (Parsec's) words: "end of
 * input", or the character as Haskell shows it, in single quotes where
 * the end of input was one of the things expected (Parsec's eof says
 * it so) and double quotes elsewhere; a character outside printable
 * ASCII by its decimal code point.
 */
static char *
unexpected(Parser *ps, const char *details)
{
	char		quote = strstr(details, "end of input") != NULL ? '\'' : '"';
	unsigned char c = (unsigned char) *ps->p;
	pg_wchar	code = c;

	if (c == '\0')
		return "end of input";
	if (c >= 0x80 && GetDatabaseEncoding() == PG_UTF8 &&
		pg_utf8_islegal((const unsigned char *) ps->p, pg_utf_mblen((const unsigned char *) ps->p)))
		code = utf8_to_unicode((const unsigned char *) ps->p);
	if (code >= 0x20 && code < 0x7f)
		return psprintf("%c%s%c%c", quote,
						code == (pg_wchar) quote || code == '\\' ? "\\" : "",
						(char) code, quote);
	return psprintf("%c\\%u%c", quote, (unsigned int) code, quote);
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
	char	   *value = scan_quoted(ps);

	if (value == NULL)
		fail(ps, "expecting closing quote \"");
	return value;
}

/*
 * The same, or NULL (ps->p at the end of the input) when the quote is
 * never closed: a value may then be taken as plain text, as PostgREST's
 * parser backtracks.
 */
static char *
scan_quoted(Parser *ps)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ps->p++;
	while (*ps->p != '"')
	{
		if (*ps->p == '\0')
			return NULL;
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
				 "expecting \"-\", digit or any non reserved character different from: .,>()" :
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

/* the end of a select item: ',', ')' or end of input (PostgREST's pEnd) */
#define AT_ITEM_END(ps) \
	(*(ps)->p == ',' || *(ps)->p == '\0' || *(ps)->p == ')')

/* items separated by ',' up to the end of input or, nested, the ')' */
static List *
parse_select_list(Parser *ps, int depth)
{
	List	   *items = NIL;

	check_stack_depth();
	if (depth > PGREST_MAX_EMBED_DEPTH)
		pgrest_error_raise(PGREST_ERR_PARSE,
						   psprintf("\"failed to parse select parameter (%s)\"", ps->input),
						   psprintf("Embedded resources may nest at most %d levels deep.",
									PGREST_MAX_EMBED_DEPTH),
						   NULL);
	skip_ws(ps);
	if (at_end(ps) || (depth > 0 && *ps->p == ')'))
		return NIL;
	for (;;)
	{
		items = lappend(items, parse_select_item(ps, depth));
		skip_ws(ps);
		if (*ps->p != ',')
			return items;
		ps->p++;
		skip_ws(ps);
	}
}

static PgrestSelectItem *
parse_select_item(Parser *ps, int depth)
{
	PgrestSelectItem *item = palloc0(sizeof(PgrestSelectItem));
	const char *start = ps->p;

	if (*ps->p == '*')
	{
		ps->p++;
		skip_ws(ps);
		if (!AT_ITEM_END(ps))
			fail(ps, "expecting \",\" or end of input");
		item->kind = PGREST_SELECT_STAR;
		return item;
	}
	if (accept_str(ps, "..."))
	{
		item->kind = PGREST_SELECT_SPREAD;
		item->relation = parse_name(ps, false);
		parse_embed_params(ps, item);
		if (*ps->p != '(')
			fail(ps, "expecting \"!\" or \"(\"");
		parse_embed_items(ps, item, depth);
		return item;
	}

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
	if (accept_str(ps, "count()"))
	{
		item->kind = PGREST_SELECT_COUNT;
		item->aggregate = PGREST_AGG_COUNT;
		if (accept_str(ps, "::"))
			item->aggregate_cast = parse_identifier(ps);
		skip_ws(ps);
		if (!AT_ITEM_END(ps))
			fail(ps, "expecting \"::\", \",\" or end of input");
		return item;
	}

	item->kind = PGREST_SELECT_FIELD;
	parse_field(ps, &item->field);
	if (*ps->p == '(' && strcmp(item->field.name, "count") == 0)
		fail(ps, "expecting \"count()\"");	/* count is the aggregate, as in PostgREST */
	if ((*ps->p == '(' || *ps->p == '!') && item->field.path == NIL)
	{
		/* an embedded resource: relation[!hint][!inner|!left](...) */
		item->kind = PGREST_SELECT_EMBED;
		item->relation = item->field.name;
		memset(&item->field, 0, sizeof(item->field));
		parse_embed_params(ps, item);
		if (*ps->p != '(')
			fail(ps, "expecting \"!\" or \"(\"");
		parse_embed_items(ps, item, depth);
		return item;
	}
	if (accept_str(ps, "::"))
		item->cast = parse_identifier(ps);
	if (*ps->p == '.')
	{
		static const struct
		{
			const char *name;
			PgrestAggregate aggregate;
		}			aggregates[] = {
			{"sum()", PGREST_AGG_SUM}, {"avg()", PGREST_AGG_AVG},
			{"count()", PGREST_AGG_COUNT}, {"max()", PGREST_AGG_MAX},
			{"min()", PGREST_AGG_MIN},
		};

		ps->p++;
		for (size_t i = 0; i < lengthof(aggregates) && item->aggregate == PGREST_AGG_NONE; i++)
		{
			if (accept_str(ps, aggregates[i].name))
				item->aggregate = aggregates[i].aggregate;
		}
		if (item->aggregate == PGREST_AGG_NONE)
			fail(ps, "expecting an aggregate: sum(), avg(), count(), max() or min()");
		if (accept_str(ps, "::"))
			item->aggregate_cast = parse_identifier(ps);
	}
	skip_ws(ps);
	if (!AT_ITEM_END(ps))
		fail(ps, "expecting \"->\", \"->>\", \"::\", \".\", \",\" or end of input");
	return item;
}

/* up to two of !hint, !inner, !left after an embedded resource's name */
static void
parse_embed_params(Parser *ps, PgrestSelectItem *item)
{
	bool		hint_given = false;

	for (int i = 0; i < 2 && *ps->p == '!'; i++)
	{
		char	   *name;

		ps->p++;
		name = parse_name(ps, false);
		if (item->join == PGREST_JOIN_DEFAULT && strcmp(name, "inner") == 0)
			item->join = PGREST_JOIN_INNER;
		else if (item->join == PGREST_JOIN_DEFAULT && strcmp(name, "left") == 0)
			item->join = PGREST_JOIN_LEFT;
		else if (!hint_given)
		{
			item->hint = name;
			hint_given = true;
		}
		else
			fail(ps, "expecting \"(\"");
	}
	skip_ws(ps);
}

/* ( items ) of an embedded resource; the '(' is at ps->p */
static void
parse_embed_items(Parser *ps, PgrestSelectItem *item, int depth)
{
	ps->p++;
	item->items = parse_select_list(ps, depth + 1);
	expect_char(ps, ')', "expecting \",\" or \")\"");
	skip_ws(ps);
	/* at the top, the list ends here unless a ',' follows */
	if (depth > 0 && !AT_ITEM_END(ps))
		fail(ps, "expecting \",\" or end of input");
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
	fail(ps, "expecting \"not\" or operator (eq, gt, ...)");
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
		char	   *value = scan_quoted(ps);

		if (value != NULL && (*ps->p == ',' || *ps->p == ')'))
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
			/* quoted, unless the quote is not closed before , or ) */
			value = scan_quoted(ps);
			if (value == NULL || (*ps->p != ',' && *ps->p != ')'))
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
		pgrest_error_raise(PGREST_ERR_PARSE,
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
		PgrestFilter *child;

		skip_ws(ps);
		if (at_logic_tree(ps->p))
			child = parse_logic_tree(ps, depth + 1);
		else
		{
			if (!is_identifier_char((unsigned char) *ps->p) && *ps->p != '"')
				fail(ps, "expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)");
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

/*
 * Does a nested tree start at p: [not.](and|or), white space, '('?  (A
 * filter on a column named "and" has a '.' there.)
 */
static bool
at_logic_tree(const char *p)
{
	if (strncmp(p, "not.", 4) == 0)
		p += 4;
	if (strncmp(p, "and", 3) == 0)
		p += 3;
	else if (strncmp(p, "or", 2) == 0)
		p += 2;
	else
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '(';
}

static PgrestOrderTerm *
parse_order_term(Parser *ps)
{
	PgrestOrderTerm *term = palloc0(sizeof(PgrestOrderTerm));

	parse_field(ps, &term->field);
	if (*ps->p == '(' && term->field.path == NIL)
	{
		/* rel(field): a field of an embedded resource */
		term->relation = term->field.name;
		ps->p++;
		parse_field(ps, &term->field);
		expect_char(ps, ')', "expecting field name, JSON path or \")\"");
	}
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
