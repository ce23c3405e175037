/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  Decide the request's role from its Authorization header.
 *
 * A request without an Authorization header runs as pgrest.anon_role, or
 * is refused with 401 PGRST302 when none is configured.  A request with
 * one must carry "Bearer <token>" (the scheme in any case); jwt.c
 * verifies the token, and this file checks its claims as PostgREST does:
 *
 *	 exp, nbf, iat	numbers of seconds, allowed PGREST_JWT_CLOCK_SKEW
 *					seconds of clock skew; iat may not lie in the future
 *	 aud			a string or an array of strings that must contain
 *					pgrest.jwt_aud when that is set; no aud passes
 *	 role			the claim pgrest.jwt_role_claim names: a key of the
 *					payload, or else a dotted path into nested objects
 *					(app_metadata.role); without it, pgrest.anon_role
 *
 * Anything else in the Authorization header is refused rather than served
 * as anonymous: a client that sends credentials must never silently get
 * another identity.  Whether the role may be used at all is PostgreSQL's
 * decision when execute.c switches to it (SET LOCAL role): a role the
 * authenticator is not a member of is an error, never a fallback.
 *
 * In a worker, a request that runs as pgrest.anon_role first looks the
 * role up (the syscache, and the membership cache of acl.c): a role that
 * does not exist, or that the authenticator is not a member of, makes
 * every anonymous request fail with 401 when execute.c switches to it.
 * The first worker to see that (or to see it fixed) says so in the
 * server log, and /ready reports it (shmem.c), so that a misspelled
 * pgrest.anon_role is not only a stream of 401s.
 *
 * "Now" is the start of the statement that runs the request: the
 * request's arrival in an HTTP worker, statement_timestamp() under
 * pgrest.handle().
 *
 * This file never calls SPI; it reads the catalog through the syscache
 * only, for pgrest.anon_role.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/auth.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth/layer.h"

#include <math.h>

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "auth/auth.h"
#include "base/error.h"
#include "base/jspath.h"
#include "server/guc.h"
#include "auth/jwt.h"
#include "server/shmem.h"
#include "api/request.h"

/* seconds by which exp, nbf and iat may miss, as in PostgREST */
#define PGREST_JWT_CLOCK_SKEW 30

/* claim times are clamped to this many seconds around the epoch */
#define PGREST_JWT_MAX_SECONDS 1e15

#define AUD_TYPE_MESSAGE \
	"The JWT 'aud' claim must be a string or an array of strings"

static const char *bearer_token(const char *authorization);
static void raise_claims_error(const char *message) pg_attribute_noreturn();
static void check_claims(Jsonb *payload);
static bool time_claim(Jsonb *payload, const char *name, int64 *seconds);
static void check_audience(Jsonb *payload);
static bool audience_matches(const JsonbValue *aud);
static JsonbValue *find_claim(Jsonb *payload, const char *name);
static char *role_claim(Jsonb *payload);
static JsonbValue *follow_jspath(Jsonb *payload, const char *path);
static bool filter_matches(const PgrestJsPathStep *step, const char *s, int len);
static char *role_claims(const char *role);
static char *claims_with_role(Jsonb *payload, const char *role);
static void check_anon_role(const char *role);

/*
 * Who the request runs as.  Raises the 401 (or 500 PGRST300, when a token
 * arrives but no secret is configured) that PostgREST answers for a
 * missing, malformed, badly signed or no longer valid token.
 */
PgrestAuth *
pgrest_auth_authenticate(const PgrestRequest *req)
{
	PgrestAuth *auth = palloc0(sizeof(PgrestAuth));
	const char *authorization = pgrest_request_header(req, "authorization");
	Jsonb	   *payload = NULL;
	char	   *role = NULL;

	if (authorization != NULL)
	{
		const char *token = bearer_token(authorization);

		if (pgrest_jwt_secret[0] == '\0')
			pgrest_error_raise(PGREST_ERR_JWT_SECRET, "Server lacks JWT secret",
							   NULL, NULL);
		if (token[0] == '\0')
			pgrest_error_raise(PGREST_ERR_JWT,
							   "Empty JWT is sent in Authorization header",
							   NULL, NULL);
		payload = pgrest_jwt_verify(token);
		check_claims(payload);
		role = role_claim(payload);
	}

	if (role == NULL)
	{
		if (pgrest_anon_role[0] == '\0')
			pgrest_error_raise(PGREST_ERR_ANONYMOUS, "Anonymous access is disabled",
							   NULL, NULL);
		role = pstrdup(pgrest_anon_role);
		if (IsBackgroundWorker)
			check_anon_role(role);
	}

	auth->role = role;
	auth->claims = payload ?
		claims_with_role(payload, role) : role_claims(role);
	/* as PostgREST: a token that names a role other than the anonymous one */
	auth->authenticated = payload != NULL &&
		strcmp(role, pgrest_anon_role) != 0;
	return auth;
}

/*
 * Can the authenticator switch to pgrest.anon_role?  Publish the answer;
 * the worker that changes it logs why (see the file header).  The
 * request goes on either way: the role switch fails it as PostgreSQL
 * decides.
 */
static void
check_anon_role(const char *role)
{
	Oid			roleid = get_role_oid(role, true);
	PgrestAnonRoleProblem problem = PGREST_ANON_ROLE_OK;
	const char *authenticator;

	if (!OidIsValid(roleid))
		problem = PGREST_ANON_ROLE_MISSING;
	else if (!is_member_of_role(GetSessionUserId(), roleid))
		problem = PGREST_ANON_ROLE_NOT_GRANTED;
	if (!pgrest_shmem_set_anon_role_problem(problem))
		return;

	authenticator = GetUserNameFromId(GetSessionUserId(), false);
	switch (problem)
	{
		case PGREST_ANON_ROLE_MISSING:
			ereport(WARNING,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("role \"%s\" does not exist", role),
					 errdetail("\"pgrest.anon_role\" names it: requests without a JWT get 401 until it exists."),
					 errhint("Create the role (and GRANT it to %s), or correct \"pgrest.anon_role\" and reload the configuration.",
							 quote_identifier(authenticator))));
			break;
		case PGREST_ANON_ROLE_NOT_GRANTED:
			ereport(WARNING,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("role \"%s\" is not a member of role \"%s\"",
							authenticator, role),
					 errdetail("\"pgrest.anon_role\" names \"%s\": requests without a JWT get 401 until \"pgrest.role\" may switch to it.",
							   role),
					 errhint("GRANT %s TO %s;",
							 quote_identifier(role), quote_identifier(authenticator))));
			break;
		case PGREST_ANON_ROLE_OK:
			ereport(LOG,
					(errmsg("pgrest serves requests without a JWT as role \"%s\" again",
							role)));
			break;
	}
}

/*
 * The token of "Bearer <token>", the scheme in any case, or a 401 for any
 * other scheme.  The token may be empty.
 */
static const char *
bearer_token(const char *authorization)
{
	size_t		scheme_len = strcspn(authorization, " \t");
	const char *token = authorization + scheme_len;

	if (scheme_len != 6 || pg_strncasecmp(authorization, "bearer", 6) != 0)
		pgrest_error_raise(PGREST_ERR_JWT,
						   "Expected a Bearer token in Authorization header",
						   NULL, NULL);
	while (*token == ' ' || *token == '\t')
		token++;
	return token;
}

/* 401 PGRST303, as PostgREST words it (no details) */
static void
raise_claims_error(const char *message)
{
	pgrest_error_raise(PGREST_ERR_JWT_CLAIMS, message, NULL, NULL);
}

/* exp, nbf, iat, then aud; the first failure wins, as in PostgREST */
static void
check_claims(Jsonb *payload)
{
	TimestampTz start = GetCurrentStatementStartTimestamp();
	int64		now = (int64) timestamptz_to_time_t(start);
	int64		value;

	if (time_claim(payload, "exp", &value) &&
		now - PGREST_JWT_CLOCK_SKEW > value)
		raise_claims_error("JWT expired");
	if (time_claim(payload, "nbf", &value) &&
		now + PGREST_JWT_CLOCK_SKEW < value)
		raise_claims_error("JWT not yet valid");
	if (time_claim(payload, "iat", &value) &&
		now + PGREST_JWT_CLOCK_SKEW < value)
		raise_claims_error("JWT issued at future");
	check_audience(payload);
}

/*
 * Whether the payload carries claim name (null counts as absent), and its
 * value in whole seconds.  Fractions are dropped, far-off times clamped.
 */
static bool
time_claim(Jsonb *payload, const char *name, int64 *seconds)
{
	JsonbValue *v = find_claim(payload, name);
	double		d;

	if (v == NULL || v->type == jbvNull)
		return false;
	if (v->type != jbvNumeric)
		raise_claims_error(psprintf("The JWT '%s' claim must be a number", name));
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
										   NumericGetDatum(v->val.numeric)));
	d = floor(d);
	if (d > PGREST_JWT_MAX_SECONDS)
		d = PGREST_JWT_MAX_SECONDS;
	if (d < -PGREST_JWT_MAX_SECONDS)
		d = -PGREST_JWT_MAX_SECONDS;
	*seconds = (int64) d;
	return true;
}

/*
 * aud must be a string or an array of strings whatever pgrest.jwt_aud
 * says; with pgrest.jwt_aud set, it must name it.  A token without aud
 * (or with an empty array) passes, as in PostgREST.
 */
static void
check_audience(Jsonb *payload)
{
	JsonbValue *aud = find_claim(payload, "aud");
	bool		matches = false;

	if (aud == NULL || aud->type == jbvNull)
		return;
	if (aud->type == jbvString)
		matches = audience_matches(aud);
	else if (aud->type == jbvBinary &&
			 JsonContainerIsArray(aud->val.binary.data))
	{
		JsonbIterator *it = JsonbIteratorInit(aud->val.binary.data);
		JsonbIteratorToken tok;
		JsonbValue	elem;
		int			n = 0;

		while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			if (elem.type != jbvString)
				raise_claims_error(AUD_TYPE_MESSAGE);
			matches = matches || audience_matches(&elem);
			n++;
		}
		if (n == 0)
			matches = true;
	}
	else
		raise_claims_error(AUD_TYPE_MESSAGE);

	if (!matches)
		raise_claims_error("JWT not in audience");
}

/* whether a string aud is pgrest.jwt_aud; anything is, when that is empty */
static bool
audience_matches(const JsonbValue *aud)
{
	int			len = (int) strlen(pgrest_jwt_aud);

	if (len == 0)
		return true;
	return aud->val.string.len == len &&
		memcmp(aud->val.string.val, pgrest_jwt_aud, len) == 0;
}

/* the top-level claim name, or NULL */
static JsonbValue *
find_claim(Jsonb *payload, const char *name)
{
	return getKeyJsonValueFromContainer(&payload->root, name, strlen(name),
										NULL);
}

/*
 * The value a JSON path (base/jspath.c, checked when set) names in the
 * payload, or NULL: keys step into objects, indexes into arrays, a filter
 * picks the first string of an array that matches.
 */
static JsonbValue *
follow_jspath(Jsonb *payload, const char *path)
{
	char	   *error;
	List	   *steps = pgrest_jspath_parse(path, &error);
	JsonbContainer *container = &payload->root;
	JsonbValue *v = NULL;
	ListCell   *lc;

	foreach(lc, steps)
	{
		PgrestJsPathStep *step = (PgrestJsPathStep *) lfirst(lc);

		if (v != NULL)
		{
			if (v->type != jbvBinary)
				return NULL;
			container = v->val.binary.data;
		}
		if (step->kind == PGREST_JSPATH_KEY)
		{
			if (!JsonContainerIsObject(container))
				return NULL;
			v = getKeyJsonValueFromContainer(container, step->text,
											 strlen(step->text), NULL);
		}
		else if (step->kind == PGREST_JSPATH_INDEX)
		{
			int			n = JsonContainerSize(container);
			int			i = step->index < 0 ? n + step->index : step->index;

			if (!JsonContainerIsArray(container) || i < 0 || i >= n)
				return NULL;
			v = getIthJsonbValueFromContainer(container, i);
		}
		else
		{
			if (!JsonContainerIsArray(container))
				return NULL;
			v = NULL;
			for (int i = 0; i < (int) JsonContainerSize(container) && v == NULL; i++)
			{
				JsonbValue *elem = getIthJsonbValueFromContainer(container, i);

				if (elem->type == jbvString &&
					filter_matches(step, elem->val.string.val, elem->val.string.len))
					v = elem;
			}
		}
		if (v == NULL)
			return NULL;
	}
	return v;
}

/* whether a string passes a filter step's comparison */
static bool
filter_matches(const PgrestJsPathStep *step, const char *s, int len)
{
	int			plen = strlen(step->text);

	switch (step->op)
	{
		case PGREST_JSPATH_EQ:
			return len == plen && memcmp(s, step->text, len) == 0;
		case PGREST_JSPATH_NE:
			return !(len == plen && memcmp(s, step->text, len) == 0);
		case PGREST_JSPATH_PREFIX:
			return len >= plen && memcmp(s, step->text, plen) == 0;
		case PGREST_JSPATH_SUFFIX:
			return len >= plen && memcmp(s + len - plen, step->text, plen) == 0;
		case PGREST_JSPATH_CONTAINS:
			for (int i = 0; i + plen <= len; i++)
			{
				if (memcmp(s + i, step->text, plen) == 0)
					return true;
			}
			return false;
	}
	return false;
}

/*
 * The role the token names, or NULL.  pgrest.jwt_role_claim is a JSON
 * path in one of PostgREST's syntaxes ($.role, .role), or else first
 * looked up as a key; failing that, a dotted path walks nested objects,
 * one lookup per step.  A value that is not a string gives its JSON text
 * as the role name, as in PostgREST (such roles rarely exist).
 */
static char *
role_claim(Jsonb *payload)
{
	const char *path = pgrest_jwt_role_claim;
	JsonbValue *v;
	Jsonb	   *value;

	if (pgrest_jspath_is_path(path))
		v = follow_jspath(payload, path);
	else
		v = find_claim(payload, path);
	if (v == NULL && !pgrest_jspath_is_path(path) && strchr(path, '.') != NULL)
	{
		JsonbContainer *container = &payload->root;
		const char *step = path;

		for (;;)
		{
			const char *dot = strchr(step, '.');
			int			len = dot ? (int) (dot - step) : (int) strlen(step);

			v = getKeyJsonValueFromContainer(container, step, len, NULL);
			if (v == NULL || dot == NULL)
				break;
			if (v->type != jbvBinary ||
				!JsonContainerIsObject(v->val.binary.data))
			{
				v = NULL;
				break;
			}
			container = v->val.binary.data;
			step = dot + 1;
		}
	}

	if (v == NULL)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	value = JsonbValueToJsonb(v);
	return JsonbToCString(NULL, &value->root, VARSIZE(value));
}

/* {"role": role}, the claims PostgREST sets for anonymous requests */
static char *
role_claims(const char *role)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"role\":");
	escape_json(&buf, role);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * request.jwt.claims for a verified token: its payload with "role" set to
 * the role the request runs as, as PostgREST does.
 */
static char *
claims_with_role(Jsonb *payload, const char *role)
{
	Datum		role_object;
	Jsonb	   *claims;

	role_object = DirectFunctionCall1(jsonb_in,
									  CStringGetDatum(role_claims(role)));
	claims = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat,
												JsonbPGetDatum(payload),
												role_object));
	return JsonbToCString(NULL, &claims->root, VARSIZE(claims));
}
