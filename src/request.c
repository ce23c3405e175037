/*-------------------------------------------------------------------------
 *
 * request.c
 *	  Parse the raw HTTP request: method, path, query string, headers.
 *
 * The input is untrusted bytes.  Percent-encoding is decoded here (in the
 * query string '+' also means a space, as in HTML forms and in PostgREST),
 * and every decoded string is checked to be valid UTF-8 without NUL bytes,
 * then converted to the database encoding, so later stages only ever see
 * clean text.  Malformed input raises a 4xx pgrest error.
 *
 * This file is pure parsing: it never calls SPI, reads no catalog and
 * needs no transaction.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/request.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "error.h"
#include "request.h"

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
static void parse_path(PgrestRequest *req, const char *raw);
static List *parse_query(const char *raw);
static void copy_headers(PgrestRequest *req, const PgrestHttpRequest *http);
static char *decode_component(const char *s, size_t len, bool plus_is_space,
							  const char *where);
static int	hex_value(char c);
static void invalid_path(void) pg_attribute_noreturn();

/*
 * Parse the raw request.  Everything returned is palloc'd in the current
 * memory context, except the body, which still points at the caller's
 * bytes.
 */
PgrestRequest *
pgrest_request_parse(const PgrestHttpRequest *http)
{
	PgrestRequest *req = palloc0(sizeof(PgrestRequest));

	req->method_name = pstrdup(http->method ? http->method : "");
	req->method = parse_method(req->method_name);
	parse_path(req, http->path ? http->path : "");
	req->params = parse_query(http->query);
	copy_headers(req, http);
	req->body = http->body;
	req->body_len = http->body ? http->body_len : 0;
	return req;
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
 * Split the path into segments (before decoding, so an encoded "/" stays
 * inside its segment) and decide what it names.
 */
static void
parse_path(PgrestRequest *req, const char *raw)
{
	List	   *segments = NIL;
	const char *p;
	int			n;

	if (raw[0] != '/')
		invalid_path();

	req->path = decode_component(raw, strlen(raw), false, "path");
	if (raw[1] == '\0')
	{
		req->target = PGREST_TARGET_ROOT;
		return;
	}

	p = raw + 1;
	for (;;)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		if (len == 0)
			invalid_path();
		segments = lappend(segments, decode_component(p, len, false, "path"));
		if (slash == NULL)
			break;
		p = slash + 1;
	}

	n = list_length(segments);
	if (n == 1)
	{
		req->target = PGREST_TARGET_RELATION;
		req->name = linitial(segments);
	}
	else if (n == 2 && strcmp(linitial(segments), "rpc") == 0)
	{
		req->target = PGREST_TARGET_ROUTINE;
		req->name = lsecond(segments);
	}
	else if (n == 2)
	{
		req->target = PGREST_TARGET_ROW;
		req->name = linitial(segments);
		req->key = lsecond(segments);
	}
	else
		invalid_path();
}

static void
invalid_path(void)
{
	pgrest_error_raise(404, "PGRST125",
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

		if (len > 0)
		{
			PgrestParam *param = palloc(sizeof(PgrestParam));

			if (eq)
			{
				param->name = decode_component(p, eq - p, true, "query string");
				param->value = decode_component(eq + 1, len - (eq - p) - 1,
												true, "query string");
			}
			else
			{
				param->name = decode_component(p, len, true, "query string");
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

		for (char *c = name; *c; c++)
			*c = pg_ascii_tolower((unsigned char) *c);
		req->headers[i].name = name;
		req->headers[i].value = pstrdup(http->headers[i].value ? http->headers[i].value : "");
	}
}

/*
 * Percent-decode s[0..len), check the result is UTF-8 without NUL bytes,
 * and return it in the database encoding.
 */
static char *
decode_component(const char *s, size_t len, bool plus_is_space,
				 const char *where)
{
	char	   *out = palloc(len + 1);
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '%')
		{
			int			hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
			int			lo = i + 2 < len ? hex_value(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				pgrest_error_raise(400, "PGRST100",
								   psprintf("invalid percent-encoding in the %s", where),
								   NULL,
								   "Encode \"%\" as \"%25\".");
			c = (char) (hi * 16 + lo);
			i += 2;
		}
		else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == '\0')
			pgrest_error_raise(400, "PGRST100",
							   psprintf("the %s contains a NUL byte", where),
							   NULL, NULL);
		out[n++] = c;
	}
	out[n] = '\0';

	if (!pg_verify_mbstr(PG_UTF8, out, n, true))
		pgrest_error_raise(400, "PGRST100",
						   psprintf("the %s is not valid UTF-8", where),
						   NULL, NULL);
	return pg_any_to_server(out, n, PG_UTF8);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
