/*-------------------------------------------------------------------------
 *
 * request.c
 *	  Parse the raw HTTP request: method, path, query string, headers.
 *
 * The input is untrusted bytes.  Percent-encoding is decoded by percent.c
 * (in the query string '+' also means a space, as in HTML forms and in
 * PostgREST), which checks every decoded string is valid UTF-8 without
 * NUL bytes and converts it to the database encoding, so later stages
 * only ever see clean text.  Malformed input raises a 4xx pgrest error.
 *
 * The body is parsed separately (pgrest_request_parse_body), once the
 * request is authenticated: an anonymous client cannot make a worker
 * parse megabytes it would refuse anyway.  Every loop over the input
 * checks for interrupts, so the request's timeout bounds it.
 *
 * This file is pure parsing: no SQL, no catalog (api/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/request.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "api/layer.h"

#include <errno.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "base/error.h"
#include "api/accept.h"
#include "api/percent.h"
#include "api/request.h"
#include "api/payload.h"
#include "api/grammar.h"
#include "server/guc.h"

static const struct
{
	const char *name;
	PgrestMethod method;
}			methods[] =
{
	{"GET", PGREST_METHOD_GET},
	{"HEAD", PGREST_METHOD_HEAD},
	{"POST", PGREST_METHOD_POST},
	{"PATCH", PGREST_METHOD_PATCH},
	{"PUT", PGREST_METHOD_PUT},
	{"DELETE", PGREST_METHOD_DELETE},
	{"OPTIONS", PGREST_METHOD_OPTIONS},
};

static PgrestMethod parse_method(const char *name);
static void parse_path(PgrestRequest *req, const char *raw, PgrestTarget target);
static List *parse_query(const char *raw);
static void copy_headers(PgrestRequest *req, const PgrestHttpRequest *http);
static void parse_params(PgrestRequest *req);
static int64 parse_nonnegative(const char *name, const char *value);
static void parse_range(PgrestRequest *req, int64 param_offset, int64 param_limit);
static void parse_prefer(PgrestRequest *req);
static void parse_accept(PgrestRequest *req);
static int	event_bit(const char *word);
static void parse_last_event_id(PgrestRequest *req);
static bool parse_hex(const char **s, int digits, uint64 *value);
static bool root_media_from_type(const char *type, PgrestMedia *media);
static void range_not_satisfiable(const char *details) pg_attribute_noreturn();
static bool ends_with_word(const char *name, const char *word);
static PgrestEmbedParam *add_embed_param(PgrestRequest *req, PgrestParamPath *path,
										 PgrestEmbedParamKind kind);
static void invalid_path(void) pg_attribute_noreturn();

/*
 * Parse the raw request, whose path names target (see router.c).
 * Everything returned is palloc'd in the current memory context, except
 * the body, which still points at the caller's bytes.
 */
PgrestRequest *
pgrest_request_parse(const PgrestHttpRequest *http, PgrestTarget target)
{
	PgrestRequest *req = palloc0(sizeof(PgrestRequest));

	req->method_name = pstrdup(http->method ? http->method : "");
	if (!pgrest_request_is_token(req->method_name))
		pgrest_error_raise(PGREST_ERR_PARSE, "the request method is not an HTTP token",
						   NULL, NULL);
	req->method = parse_method(req->method_name);
	parse_path(req, http->path ? http->path : "", target);
	req->params = parse_query(http->query);
	copy_headers(req, http);
	req->body = http->body;
	req->body_len = http->body ? http->body_len : 0;

	parse_prefer(req);
	if (req->method != PGREST_METHOD_OPTIONS)
		parse_accept(req);		/* OPTIONS has no body to negotiate */
	parse_last_event_id(req);
	parse_params(req);
	req->profile = (char *) pgrest_request_header(req,
												  req->method == PGREST_METHOD_GET ||
												  req->method == PGREST_METHOD_HEAD ||
												  req->method == PGREST_METHOD_OPTIONS ?
												  "accept-profile" : "content-profile");
	return req;
}

/*
 * Parse the body of a POST, PATCH or PUT into req->payload.  Called once
 * the request is authenticated.
 */
void
pgrest_request_parse_body(PgrestRequest *req)
{
	Oid			raw;

	if (req->target == PGREST_TARGET_ROUTINE && req->method == PGREST_METHOD_POST &&
		(raw = pgrest_payload_raw_type(pgrest_request_header(req, "content-type"))) != InvalidOid)
		req->payload = pgrest_payload_raw(raw, req->body, req->body_len);
	else if (req->target == PGREST_TARGET_ROUTINE && req->method == PGREST_METHOD_POST &&
			 req->body_len == 0)
		req->payload = pgrest_payload_parse(NULL, "{}", 2, true);	/* no arguments */
	else if (req->target == PGREST_TARGET_ROUTINE && req->method == PGREST_METHOD_POST)
		req->payload = pgrest_payload_parse(pgrest_request_header(req, "content-type"),
											req->body, req->body_len, false);
	else if (req->target != PGREST_TARGET_ROUTINE &&
			 (req->method == PGREST_METHOD_POST || req->method == PGREST_METHOD_PATCH ||
			  req->method == PGREST_METHOD_PUT))
		req->payload = pgrest_payload_parse(pgrest_request_header(req, "content-type"),
											req->body, req->body_len,
											req->columns == NIL &&
											req->target != PGREST_TARGET_ROUTINE);
}

/* The value of the first header with this (lowercase) name, or NULL. */
const char *
pgrest_request_header(const PgrestRequest *req, const char *lowercase_name)
{
	for (int i = 0; i < req->nheaders; i++)
	{
		if (strcmp(req->headers[i].name, lowercase_name) == 0)
			return req->headers[i].value;
	}
	return NULL;
}

/* HTTP methods are case-sensitive; anything unlisted is OTHER */
static PgrestMethod
parse_method(const char *name)
{
	for (size_t i = 0; i < lengthof(methods); i++)
	{
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].method;
	}
	return PGREST_METHOD_OTHER;
}

/*
 * Decode the names in the path, whose shape router.c has already
 * classified as target: the split on '/' comes before decoding, so an
 * encoded "/" stays inside its name.
 */
static void
parse_path(PgrestRequest *req, const char *raw, PgrestTarget target)
{
	const char *slash;

	if (target == PGREST_TARGET_NONE || raw[0] != '/')
		invalid_path();
	req->target = target;
	req->path = pgrest_percent_decode(raw, strlen(raw), false, "path");
	if (target == PGREST_TARGET_ROOT)
		return;

	slash = strchr(raw + 1, '/');
	if (slash == NULL)
	{
		/* RELATION or SQL: one segment */
		req->name = pgrest_percent_decode(raw + 1, strlen(raw + 1), false, "path");
		return;
	}
	if (target == PGREST_TARGET_ROUTINE)
		req->name = pgrest_percent_decode(slash + 1, strlen(slash + 1), false, "path");
	else
	{
		req->name = pgrest_percent_decode(raw + 1, slash - raw - 1, false, "path");
		req->key = pgrest_percent_decode(slash + 1, strlen(slash + 1), false, "path");
	}
}

static void
invalid_path(void)
{
	pgrest_error_raise(PGREST_ERR_PATH,
					   "Invalid path specified in request URL", NULL, NULL);
}

/* "a=1&b&c=" → (a,"1") (b,NULL) (c,""); empty pieces are skipped */
static List *
parse_query(const char *raw)
{
	List	   *params = NIL;
	const char *p = raw;

	if (raw == NULL)
		return NIL;

	while (*p)
	{
		const char *amp = strchr(p, '&');
		size_t		len = amp ? (size_t) (amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);

		CHECK_FOR_INTERRUPTS();

		if (len > 0)
		{
			PgrestParam *param = palloc(sizeof(PgrestParam));

			if (eq)
			{
				param->name = pgrest_percent_decode(p, eq - p, true, "query string");
				param->value = pgrest_percent_decode(eq + 1, len - (eq - p) - 1,
												true, "query string");
			}
			else
			{
				param->name = pgrest_percent_decode(p, len, true, "query string");
				param->value = NULL;
			}
			params = lappend(params, param);
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return params;
}

/* header names are case-insensitive: keep them lowercased */
static void
copy_headers(PgrestRequest *req, const PgrestHttpRequest *http)
{
	req->nheaders = http->nheaders;
	req->headers = palloc0(sizeof(PgrestHeader) * Max(http->nheaders, 1));
	for (int i = 0; i < http->nheaders; i++)
	{
		char	   *name = pstrdup(http->headers[i].name);
		const char *value = http->headers[i].value ? http->headers[i].value : "";

		if (!pgrest_request_is_token(name))
			pgrest_error_raise(PGREST_ERR_PARSE, "a header name is not an HTTP token",
							   NULL, NULL);
		for (char *c = name; *c; c++)
			*c = pg_ascii_tolower((unsigned char) *c);
		if (!pg_verify_mbstr(PG_UTF8, value, strlen(value), true))
			pgrest_error_raise(PGREST_ERR_PARSE,
							   psprintf("the value of header \"%s\" is not valid UTF-8", name),
							   NULL, NULL);
		req->headers[i].name = name;
		req->headers[i].value = pg_any_to_server(value, strlen(value), PG_UTF8);
	}
}

/*
 * Sort the query-string parameters: reserved names (select, columns,
 * on_conflict), then names whose last part is order, limit, offset, or,
 * and (a.b.order addresses the embedded resource a.b), then filters.
 * Parameters for embedded resources are kept with their path, for plan.c
 * to attach to the resource they name.
 */
static void
parse_params(PgrestRequest *req)
{
	ListCell   *lc;
	int64		offset = 0;
	int64		limit = -1;

	req->limit = -1;
	foreach(lc, req->params)
	{
		PgrestParam *param = (PgrestParam *) lfirst(lc);
		const char *name = param->name;
		const char *value = param->value;
		PgrestParamPath *path;

		CHECK_FOR_INTERRUPTS();
		/* ?name without "=" carries nothing, as in PostgREST */
		if (value == NULL)
			continue;

		if (strcmp(name, "select") == 0)
		{
			req->select = pgrest_grammar_select(value);
			req->select_given = true;
		}
		else if (strcmp(name, "columns") == 0)
			req->columns = pgrest_grammar_columns(value, "columns parameter");
		else if (strcmp(name, "on_conflict") == 0)
			req->on_conflict = pgrest_grammar_columns(value, "on_conflict parameter");
		else if (strcmp(name, "order") == 0)
			req->order = pgrest_grammar_order(value);
		else if (strcmp(name, "limit") == 0)
			limit = parse_nonnegative("limit", value);
		else if (strcmp(name, "offset") == 0)
			offset = parse_nonnegative("offset", value);
		else if (strcmp(name, "or") == 0 || strcmp(name, "and") == 0 ||
				 strcmp(name, "not.or") == 0 || strcmp(name, "not.and") == 0)
			req->filters = lappend(req->filters,
								   pgrest_grammar_logic(pgrest_grammar_param_path(name, true),
														value));
		else if (ends_with_word(name, "or") || ends_with_word(name, "and"))
		{
			path = pgrest_grammar_param_path(name, true);
			add_embed_param(req, path, PGREST_EMBED_FILTER)->filter =
				pgrest_grammar_logic(path, value);
		}
		else if (ends_with_word(name, "order"))
			add_embed_param(req, pgrest_grammar_param_path(name, false),
							PGREST_EMBED_ORDER)->order = pgrest_grammar_order(value);
		else if (ends_with_word(name, "limit"))
			add_embed_param(req, pgrest_grammar_param_path(name, false),
							PGREST_EMBED_LIMIT)->number = parse_nonnegative("limit", value);
		else if (ends_with_word(name, "offset"))
			add_embed_param(req, pgrest_grammar_param_path(name, false),
							PGREST_EMBED_OFFSET)->number = parse_nonnegative("offset", value);
		else if (req->target == PGREST_TARGET_ROUTINE &&
				 (req->method == PGREST_METHOD_GET || req->method == PGREST_METHOD_HEAD) &&
				 !pgrest_grammar_is_operation(value))
			req->rpc_args = lappend(req->rpc_args, param);	/* GET f?a=1 */
		else
		{
			path = pgrest_grammar_param_path(name, false);
			if (path->embeds == NIL)
				req->filters = lappend(req->filters, pgrest_grammar_filter(path, value));
			else
				add_embed_param(req, path, PGREST_EMBED_FILTER)->filter =
					pgrest_grammar_filter(path, value);
		}
	}
	parse_range(req, offset, limit);
}

/* a new parameter for the embedded resource that path names */
static PgrestEmbedParam *
add_embed_param(PgrestRequest *req, PgrestParamPath *path, PgrestEmbedParamKind kind)
{
	PgrestEmbedParam *param = palloc0(sizeof(PgrestEmbedParam));

	param->embeds = path->embeds;
	param->kind = kind;
	req->embed_params = lappend(req->embed_params, param);
	return param;
}

/* "x.word": a dotted name whose last part is word */
static bool
ends_with_word(const char *name, const char *word)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && dot != name && strcmp(dot + 1, word) == 0;
}

/* limit and offset: decimal integers; negative ones cannot be satisfied */
static int64
parse_nonnegative(const char *name, const char *value)
{
	char	   *end;
	long long	n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0')
		pgrest_error_raise(PGREST_ERR_PARSE,
						   psprintf("\"failed to parse %s parameter (%s)\"", name, value),
						   "expecting an integer", NULL);
	/* a negative offset is none, as PostgREST has it; a negative limit 416 */
	if (n < 0 && strcmp(name, "offset") == 0)
		return 0;
	if (n < 0)
		range_not_satisfiable("Limit should be greater than or equal to zero.");
	return (int64) n;
}

/*
 * The rows to return: the intersection of limit/offset with the Range
 * header, as PostgREST computes it.  As RFC 9110 says and PostgREST does,
 * a Range header is ignored but on GET (HEAD, a call by POST, a write:
 * whatever it says), and so is one that does not parse.
 */
static void
parse_range(PgrestRequest *req, int64 param_offset, int64 param_limit)
{
	const char *range = NULL;
	int64		lower = param_offset;
	int64		upper = param_limit >= 0 ? param_offset + param_limit - 1 : -1;

	req->ranged = param_offset > 0 || param_limit >= 0;
	if (req->method == PGREST_METHOD_GET)
		range = pgrest_request_header(req, "range");
	if (range != NULL)
	{
		long long	hlower;
		long long	hupper = -1;
		char	   *end;

		if (strncmp(range, "items=", 6) == 0)
			range += 6;
		errno = 0;
		hlower = isdigit((unsigned char) *range) ? strtoll(range, &end, 10) : -1;
		if (hlower >= 0 && errno == 0 && *end == '-')
		{
			const char *up = end + 1;

			if (*up != '\0')
			{
				hupper = isdigit((unsigned char) *up) ? strtoll(up, &end, 10) : -1;
				if (hupper < 0 || errno != 0 || *end != '\0')
					hlower = -1;
			}
		}
		else
			hlower = -1;

		if (hlower >= 0)
		{
			if (hupper >= 0 && hlower > hupper)
				range_not_satisfiable("The lower boundary must be lower than or equal to the upper boundary in the Range header.");
			req->ranged = true;
			lower = Max(lower, hlower);
			if (hupper >= 0)
				upper = upper >= 0 ? Min(upper, hupper) : hupper;
		}
	}

	req->offset = lower;
	if (param_limit == 0)
		req->limit = 0;			/* limit=0 is allowed: no rows */
	else if (upper >= 0)
	{
		if (upper < lower)
			range_not_satisfiable("The lower boundary must be lower than or equal to the upper boundary in the Range header.");
		req->limit = upper - lower + 1;
	}
	else
		req->limit = -1;
}

static void
range_not_satisfiable(const char *details)
{
	pgrest_error_raise(PGREST_ERR_RANGE, "Requested range not satisfiable",
					   details, NULL);
}

/*
 * Every Prefer header, comma-separated values, first value of each
 * preference wins.  Unrecognized ones are ignored, or refused with
 * handling=strict.
 */
static void
parse_prefer(PgrestRequest *req)
{
	PgrestPreferences *prefer = &req->prefer;
	StringInfoData invalid;
	bool		realtime_given = false;
	bool		in_realtime = false;	/* the tokens after realtime= */

	prefer->max_affected = -1;
	initStringInfo(&invalid);
	for (int i = 0; i < req->nheaders; i++)
	{
		char	   *values;
		char	   *token;
		char	   *save;

		if (strcmp(req->headers[i].name, "prefer") != 0)
			continue;
		values = pstrdup(req->headers[i].value);
		for (token = strtok_r(values, ",", &save); token; token = strtok_r(NULL, ",", &save))
		{
			char	   *t = token;
			size_t		n;

			while (*t == ' ' || *t == '\t')
				t++;
			n = strlen(t);
			while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
				t[--n] = '\0';
			if (n == 0)
				continue;

			/*
			 * realtime=insert,update: the Prefer header's commas also
			 * separate the events (quoted or not), so the words that
			 * follow realtime= belong to it.  The first realtime= wins.
			 */
			if (strncmp(t, "realtime=", 9) == 0 && event_bit(t + 9) != 0)
			{
				in_realtime = !realtime_given;
				if (in_realtime)
					prefer->realtime |= event_bit(t + 9);
				realtime_given = true;
				continue;
			}
			if (realtime_given && event_bit(t) != 0 && strchr(t, '=') == NULL)
			{
				if (in_realtime)
					prefer->realtime |= event_bit(t);
				continue;
			}
			in_realtime = false;

#define PREF(text, field, value) \
			if (strcmp(t, text) == 0) { if (!prefer->field) prefer->field = value; continue; }
			PREF("return=minimal", return_, PGREST_RETURN_MINIMAL);
			PREF("return=headers-only", return_, PGREST_RETURN_HEADERS_ONLY);
			PREF("return=representation", return_, PGREST_RETURN_REPRESENTATION);
			PREF("count=exact", count, PGREST_COUNT_EXACT);
			PREF("count=planned", count, PGREST_COUNT_PLANNED);
			PREF("count=estimated", count, PGREST_COUNT_ESTIMATED);
			PREF("resolution=merge-duplicates", resolution, PGREST_RESOLUTION_MERGE);
			PREF("resolution=ignore-duplicates", resolution, PGREST_RESOLUTION_IGNORE);
			PREF("missing=default", missing, PGREST_MISSING_DEFAULT);
			PREF("missing=null", missing, PGREST_MISSING_NULL);
			PREF("tx=commit", tx, PGREST_TX_COMMIT_PREFERRED);
			PREF("tx=rollback", tx, PGREST_TX_ROLLBACK_PREFERRED);
			PREF("snapshot=include", snapshot, true);
#undef PREF
			if (strcmp(t, "handling=strict") == 0 || strcmp(t, "handling=lenient") == 0)
			{
				if (!prefer->handling_given)
					prefer->strict = strcmp(t, "handling=strict") == 0;
				prefer->handling_given = true;
				continue;
			}
			if (strncmp(t, "timezone=", 9) == 0)
			{
				if (prefer->timezone == NULL)
					prefer->timezone = pstrdup(t + 9);
				continue;
			}
			if (strncmp(t, "max-affected=", 13) == 0)
			{
				char	   *end;
				long long	n2;

				errno = 0;
				n2 = strtoll(t + 13, &end, 10);
				if (errno == 0 && end != t + 13 && *end == '\0' && n2 >= 0)
				{
					if (prefer->max_affected < 0)
						prefer->max_affected = n2;
					continue;
				}
			}
			if (invalid.len > 0)
				appendStringInfoString(&invalid, ", ");
			appendStringInfoString(&invalid, t);
		}
	}
	if (prefer->strict && invalid.len > 0)
		pgrest_error_raise(PGREST_ERR_PREFERENCE,
						   "Invalid preferences given with handling=strict",
						   psprintf("Invalid preferences: %s", invalid.data),
						   NULL);
}

/*
 * The event of a realtime=insert,update,delete,truncate word, quotes
 * around the list aside; 0 for any other word.
 */
static int
event_bit(const char *word)
{
	size_t		n;

	if (*word == '"')
		word++;
	n = strlen(word);
	if (n > 0 && word[n - 1] == '"')
		n--;
	if (n == 6 && strncmp(word, "insert", 6) == 0)
		return PGREST_EVENTS_INSERT;
	if (n == 6 && strncmp(word, "update", 6) == 0)
		return PGREST_EVENTS_UPDATE;
	if (n == 6 && strncmp(word, "delete", 6) == 0)
		return PGREST_EVENTS_DELETE;
	if (n == 8 && strncmp(word, "truncate", 8) == 0)
		return PGREST_EVENTS_TRUNCATE;
	return 0;
}

/*
 * Last-Event-ID, as EventSource sends back the last id it saw:
 * <epoch, 8 hex digits>-<commit LSN, 16 hex digits>-<seq, decimal>.  One
 * that does not read so is kept as given but not valid: the stream then
 * starts with a reset, as for an id too old to resume from.
 */
static void
parse_last_event_id(PgrestRequest *req)
{
	const char *id = pgrest_request_header(req, "last-event-id");
	const char *p = id;
	uint64		epoch;
	uint64		lsn;
	uint64		seq = 0;

	if (id == NULL)
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return;					/* EventSource sends none before an id */
	req->last_event_given = true;
	if (!parse_hex(&p, 8, &epoch) || *p++ != '-' ||
		!parse_hex(&p, 16, &lsn) || *p++ != '-' || !isdigit((unsigned char) *p))
		return;
	for (; isdigit((unsigned char) *p); p++)
	{
		seq = seq * 10 + (*p - '0');
		if (seq > PG_UINT32_MAX)
			return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return;
	req->last_event.epoch = (uint32) epoch;
	req->last_event.lsn = lsn;
	req->last_event.seq = (uint32) seq;
	req->last_event_valid = true;
}

/* exactly digits hex digits (either case) at *s, read into *value */
static bool
parse_hex(const char **s, int digits, uint64 *value)
{
	*value = 0;
	for (int i = 0; i < digits; i++)
	{
		char		c = (*s)[i];
		int			d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		*value = (*value << 4) | d;
	}
	*s += digits;
	return true;
}

/*
 * The media ranges of Accept, in the order they are tried: plan.c chooses
 * a request's representation from them, against the database's media
 * type handlers too (a missing Accept is any type).  The root's is chosen
 * here: the acceptable type with the highest q, the earliest on ties;
 * none acceptable is 406 PGRST107.
 */
static void
parse_accept(PgrestRequest *req)
{
	const char *accept = pgrest_request_header(req, "accept");
	char	   *copy;
	char	   *item;
	char	   *save;
	double		best_q = -1;

	/* pgrest.root_spec: the root is that function's call, negotiated as one */
	if (req->target != PGREST_TARGET_ROOT || pgrest_root_spec[0] != '\0')
	{
		req->media = PGREST_MEDIA_JSON;
		req->accepts = pgrest_accept_parse(accept && accept[0] ? accept : "*/*");
		/* a stream of changes, when it is the range tried first (plan.c) */
		if (req->accepts != NIL &&
			strcmp(((PgrestMediaRange *) linitial(req->accepts))->type,
				   "text/event-stream") == 0)
			req->media = PGREST_MEDIA_EVENT_STREAM;
		return;
	}
	req->media = PGREST_MEDIA_OPENAPI;
	if (accept == NULL || accept[0] == '\0')
		return;

	copy = pstrdup(accept);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
	{
		char	   *params = strchr(item, ';');
		char	   *type = item;
		double		q = 1.0;
		PgrestMedia media;

		if (params)
			*params++ = '\0';
		while (*type == ' ' || *type == '\t')
			type++;
		for (char *end = type + strlen(type); end > type && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';

		/* parameters: q= */
		while (params && *params)
		{
			char	   *next = strchr(params, ';');

			if (next)
				*next++ = '\0';
			while (*params == ' ' || *params == '\t')
				params++;
			if (strncmp(params, "q=", 2) == 0)
				q = strtod(params + 2, NULL);
			params = next;
		}
		if (q <= 0 || q <= best_q || !root_media_from_type(type, &media))
			continue;
		best_q = q;
		req->media = media;
	}
	if (best_q < 0)
		pgrest_error_raise(PGREST_ERR_MEDIA,
						   psprintf("None of these media types are available: %s", accept),
						   NULL, NULL);
}

/*
 * The root serves its description as OpenAPI (application/json and any
 * type included, as in PostgREST) or as a page for people (text/html,
 * what browsers ask for first).
 */
static bool
root_media_from_type(const char *type, PgrestMedia *media)
{
	if (pg_strcasecmp(type, "application/openapi+json") == 0 ||
		pg_strcasecmp(type, "*/*") == 0 ||
		pg_strcasecmp(type, "application/*") == 0)
		*media = PGREST_MEDIA_OPENAPI;
	else if (pg_strcasecmp(type, "application/json") == 0)
		*media = PGREST_MEDIA_JSON;
	else if (pg_strcasecmp(type, "text/html") == 0 ||
			 pg_strcasecmp(type, "text/*") == 0)
		*media = PGREST_MEDIA_HTML;
	else
		return false;
	return true;
}

/*
 * RFC 9110's token, what methods and header names are made of: ASCII
 * letters, digits and !#$%&'*+-.^_`|~.  Anything else would be echoed into
 * JSON and SQL settings as bytes that may not even be UTF-8.
 */
bool
pgrest_request_is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL))
			return false;
	}
	return true;
}
