/*-------------------------------------------------------------------------
 *
 * accept.c
 *	  The Accept header as PostgREST reads it: media ranges in the order
 *	  they are tried.
 *
 * PostgREST (through WAI's parseHttpAccept) drops the spaces of each
 * comma-separated item, takes its q from ";q=" (1 when absent or not a
 * number), and orders the items by q, then by specificity (the item's
 * semicolons less its asterisks), keeping the header's order on ties:
 * "image/png, *\/\*" tries image/png first whatever their order.  Each
 * item is then a media type (its type and subtype lowercased, its
 * parameters read: nulls=stripped, and for= and options= of
 * application/vnd.pgrst.plan), or text that is none.  pgrest also drops
 * the items of q=0, which HTTP says are not acceptable.
 *
 * Which representation a request gets is decided later, against the
 * database's media type handlers (plan/media.c).  This file only parses:
 * no SQL, no catalog (api/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/accept.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "api/layer.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "api/accept.h"

/* the options of application/vnd.pgrst.plan, in PostgREST's order */
static const struct
{
	const char *name;
	int			flag;
}			plan_options[] =
{
	{"analyze", PGREST_EXPLAIN_ANALYZE},
	{"verbose", PGREST_EXPLAIN_VERBOSE},
	{"settings", PGREST_EXPLAIN_SETTINGS},
	{"buffers", PGREST_EXPLAIN_BUFFERS},
	{"wal", PGREST_EXPLAIN_WAL},
};

/* the media types PostgREST names by their own spelling in errors */
static const char *const known_types[] = {
	"application/json", "application/geo+json", "text/csv", "text/plain",
	"text/xml", "application/openapi+json", "application/x-www-form-urlencoded",
	"application/octet-stream", "*/*",
};

static PgrestMediaRange *parse_range(const char *item);
static bool valid_type(const char *type);
static char *next_parameter(const char **p, char **value);
static int	count_char(const char *s, char c);
static void set_mime(PgrestMediaRange *range, const char *item);
static int	compare_ranges(const ListCell *a, const ListCell *b);

/*
 * The media ranges of an Accept header (PgrestMediaRange *), in the order
 * PostgREST tries them; NIL for none or only q=0 ones.
 */
List *
pgrest_accept_parse(const char *header)
{
	List	   *ranges = NIL;
	char	   *copy;
	char	   *item;
	char	   *save;

	if (header == NULL)
		return NIL;
	copy = pstrdup(header);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
	{
		StringInfoData buf;
		char	   *qpos;
		double		q = 1.0;
		PgrestMediaRange *range;

		CHECK_FOR_INTERRUPTS();
		/* without its spaces, as WAI reads it */
		initStringInfo(&buf);
		for (const char *c = item; *c; c++)
		{
			if (*c != ' ')
				appendStringInfoChar(&buf, *c);
		}
		if (buf.len == 0)
			continue;
		/* ;q=<number>[;...]: the item is what comes before */
		if ((qpos = strstr(buf.data, ";q=")) != NULL)
		{
			char	   *end;
			char	   *qtext = pnstrdup(qpos + 3, strcspn(qpos + 3, ";"));
			double		value = strtod(qtext, &end);

			if (end != qtext && *end == '\0')
				q = value;
			*qpos = '\0';
		}
		if (q <= 0)
			continue;
		range = parse_range(buf.data);
		range->q = q;
		range->specificity = count_char(buf.data, ';') - count_char(buf.data, '*');
		range->position = list_length(ranges);
		ranges = lappend(ranges, range);
	}
	list_sort(ranges, compare_ranges);
	return ranges;
}

/*
 * The "None of these media types are available: ..." list of the ranges,
 * as PostgREST writes it.
 */
char *
pgrest_accept_names(List *ranges)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, ranges)
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
						 ((PgrestMediaRange *) lfirst(lc))->mime);
	return buf.data;
}

/* "type/subtype;key=value;..." (no spaces) as a media range */
static PgrestMediaRange *
parse_range(const char *item)
{
	PgrestMediaRange *range = palloc0(sizeof(PgrestMediaRange));
	const char *p = item + strcspn(item, ";");
	char	   *type = pnstrdup(item, p - item);
	char	   *value;
	char	   *key;
	char	   *plan_for = NULL;
	char	   *options = NULL;
	char	   *save = NULL;

	check_stack_depth();		/* for= holds a range too */
	for (char *c = type; *c; c++)
		*c = pg_ascii_tolower((unsigned char) *c);
	if (!valid_type(type))
	{
		/* no media type: it matches nothing and is named as sent */
		range->type = pstrdup(item);
		range->mime = range->type;
		return range;
	}
	range->type = type;
	while ((key = next_parameter(&p, &value)) != NULL)
	{
		if (pg_strcasecmp(key, "nulls") == 0)
			range->strip = strcmp(value, "stripped") == 0;
		else if (pg_strcasecmp(key, "for") == 0)
			plan_for = value;
		else if (pg_strcasecmp(key, "options") == 0)
			options = value;
	}

	if (strcmp(type, "application/vnd.pgrst.plan") == 0 ||
		strcmp(type, "application/vnd.pgrst.plan+text") == 0 ||
		strcmp(type, "application/vnd.pgrst.plan+json") == 0)
	{
		range->explain = strcmp(type, "application/vnd.pgrst.plan+json") == 0 ?
			PGREST_EXPLAIN_JSON : PGREST_EXPLAIN_TEXT;
		range->plan_for = parse_range(plan_for ? plan_for : "application/json");
		for (char *opt = options ? strtok_r(options, "|", &save) : NULL; opt;
			 opt = strtok_r(NULL, "|", &save))
		{
			for (size_t i = 0; i < lengthof(plan_options); i++)
			{
				if (strcmp(opt, plan_options[i].name) == 0)
					range->explain_options |= plan_options[i].flag;
			}
		}
	}
	set_mime(range, item);
	return range;
}

/* type/subtype of PostgREST's characters: [a-z0-9.*]+/[a-z0-9.*+-]+ */
static bool
valid_type(const char *type)
{
	const char *slash = strchr(type, '/');
	size_t		main = slash ? slash - type : 0;

	if (main == 0 || slash[1] == '\0' ||
		strspn(type, "abcdefghijklmnopqrstuvwxyz0123456789.*") != main ||
		strspn(slash + 1, "abcdefghijklmnopqrstuvwxyz0123456789.*+-") != strlen(slash + 1))
		return false;
	return true;
}

/*
 * The next ";key=value" at *p, its value unquoted into *value; NULL when
 * there is none (or what follows is no parameter).  A quoted value may
 * hold ';'.
 */
static char *
next_parameter(const char **p, char **value)
{
	const char *s = *p;
	const char *eq;
	StringInfoData buf;
	char	   *key;

	while (*s == ';' || *s == '\t')
		s++;
	eq = s + strcspn(s, "=;");
	if (*s == '\0' || *eq != '=')
		return NULL;
	key = pnstrdup(s, eq - s);
	s = eq + 1;
	initStringInfo(&buf);
	if (*s == '"')
	{
		for (s++; *s && *s != '"'; s++)
			appendStringInfoChar(&buf, *s);
		if (*s == '"')
			s++;
	}
	for (; *s && *s != ';'; s++)
		appendStringInfoChar(&buf, *s);
	*p = s;
	*value = buf.data;
	return key;
}

static int
count_char(const char *s, char c)
{
	int			n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/*
 * How PostgREST's toMime spells the range: its own types by their name,
 * others as sent (item).
 */
static void
set_mime(PgrestMediaRange *range, const char *item)
{
	const char *type = range->type;
	StringInfoData buf;

	if (range->explain != PGREST_EXPLAIN_NONE)
	{
		int			n = 0;

		initStringInfo(&buf);
		appendStringInfo(&buf, "application/vnd.pgrst.plan+%s; for=\"%s\"",
						 range->explain == PGREST_EXPLAIN_JSON ? "json" : "text",
						 range->plan_for->mime);
		for (size_t i = 0; i < lengthof(plan_options); i++)
		{
			if (range->explain_options & plan_options[i].flag)
				appendStringInfo(&buf, "%s%s", n++ == 0 ? "; options=" : "|",
								 plan_options[i].name);
		}
		range->mime = buf.data;
		return;
	}
	if (strcmp(type, "application/vnd.pgrst.object") == 0 ||
		strcmp(type, "application/vnd.pgrst.object+json") == 0)
	{
		range->mime = range->strip ?
			"application/vnd.pgrst.object+json;nulls=stripped" :
			"application/vnd.pgrst.object+json";
		return;
	}
	if (strcmp(type, "application/vnd.pgrst.array") == 0 ||
		strcmp(type, "application/vnd.pgrst.array+json") == 0)
	{
		range->mime = range->strip ?
			"application/vnd.pgrst.array+json;nulls=stripped" : "application/json";
		return;
	}
	range->strip = false;		/* only PostgREST's own types strip nulls */
	range->mime = pstrdup(item);
	for (size_t i = 0; i < lengthof(known_types); i++)
	{
		if (strcmp(type, known_types[i]) == 0)
			range->mime = range->type;
	}
}

/* higher q first, then more specific, then the header's order */
static int
compare_ranges(const ListCell *a, const ListCell *b)
{
	const PgrestMediaRange *x = lfirst(a);
	const PgrestMediaRange *y = lfirst(b);

	if (x->q != y->q)
		return x->q > y->q ? -1 : 1;
	if (x->specificity != y->specificity)
		return x->specificity > y->specificity ? -1 : 1;
	return x->position - y->position;
}
