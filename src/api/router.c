/*-------------------------------------------------------------------------
 *
 * router.c
 *	  Decide what a request is from its port, method and path alone,
 *	  before any transaction: an admin route, the root document, POST
 *	  /sql, a function, a relation, or one row of a relation.
 *
 * The admin port (pgrest.admin_port) serves only /live, /ready and
 * /metrics; on the API port those are ordinary relation names.
 *
 * The path is split on '/' before percent-decoding, so an encoded "/"
 * stays inside its segment.  Reserved words are compared with their
 * percent-encoded forms decoded ("%72pc" is "rpc"), as request.c decodes
 * names; the names themselves are decoded later, by request.c.
 *
 * Reserved names, and how a relation of that name stays reachable:
 *
 *	 /rpc/<f>	a function; a relation named "rpc" is /rpc (its rows by key,
 *				/rpc/<key>, are not reachable: that path is a call)
 *	 /sql		POST /sql is the raw SQL endpoint only while
 *				pgrest.sql_endpoint is on; otherwise, and for every other
 *				method, /sql is the relation "sql"
 *
 * This file reads no catalog, allocates nothing and never raises an
 * error: it runs outside any transaction.  Malformed input is routed to
 * the stage that reports it (request.c answers 404 for a path that names
 * nothing, 400 for bad encoding).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/router.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "api/layer.h"

#include "server/guc.h"
#include "api/percent.h"
#include "api/router.h"

static PgrestTarget target_of(const char *method, const char *path);
static bool segment_is(const char *raw, size_t len, const char *word);

/*
 * Route a request that came on the admin port or not.  method and path
 * are as received (path without the query string, still
 * percent-encoded); either may be NULL.
 */
PgrestRoute
pgrest_router_route(const char *method, const char *path, bool admin)
{
	PgrestRoute route;

	if (admin)
	{
		route.target = PGREST_TARGET_NONE;
		route.kind = path == NULL ? PGREST_ROUTE_ADMIN_OTHER :
			strcmp(path, "/live") == 0 ? PGREST_ROUTE_LIVE :
			strcmp(path, "/ready") == 0 ? PGREST_ROUTE_READY :
			strcmp(path, "/metrics") == 0 ? PGREST_ROUTE_METRICS :
			PGREST_ROUTE_ADMIN_OTHER;
		return route;
	}

	/* a path that names nothing is a 404 whatever the method */
	route.target = target_of(method ? method : "", path ? path : "");
	route.kind = PGREST_ROUTE_PIPELINE;
	return route;
}

/* what the path names: its number of segments, and reserved first words */
static PgrestTarget
target_of(const char *method, const char *path)
{
	const char *segment[2] = {NULL, NULL};
	size_t		length[2] = {0, 0};
	int			n = 0;
	const char *p;

	if (path[0] != '/')
		return PGREST_TARGET_NONE;
	if (path[1] == '\0')
		return PGREST_TARGET_ROOT;

	p = path + 1;
	for (;;)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		if (len == 0 || n == 2)
			return PGREST_TARGET_NONE;	/* "//", a trailing "/", or too deep */
		segment[n] = p;
		length[n] = len;
		n++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}

	if (n == 2)
		return segment_is(segment[0], length[0], "rpc") ?
			PGREST_TARGET_ROUTINE : PGREST_TARGET_ROW;
	if (pgrest_sql_endpoint && strcmp(method, "POST") == 0 &&
		segment_is(segment[0], length[0], "sql"))
		return PGREST_TARGET_SQL;
	return PGREST_TARGET_RELATION;
}

/* does the raw segment raw[0..len), percent-decoded, spell word? */
static bool
segment_is(const char *raw, size_t len, const char *word)
{
	size_t		i = 0;

	for (; *word; word++)
	{
		char		c;

		if (i >= len)
			return false;
		c = raw[i++];
		if (c == '%')
		{
			int			hi = i + 1 < len ? pgrest_percent_hex_digit(raw[i]) : -1;
			int			lo = i + 1 < len ? pgrest_percent_hex_digit(raw[i + 1]) : -1;

			if (hi < 0 || lo < 0)
				return false;
			c = (char) (hi * 16 + lo);
			i += 2;
		}
		if (c != *word)
			return false;
	}
	return i == len;
}
