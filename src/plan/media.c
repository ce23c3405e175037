/*-------------------------------------------------------------------------
 *
 * media.c
 *	  Choose the representation of a response: Accept against pgrest's
 *	  own formats and the database's media type handlers.
 *
 * As PostgREST negotiates: the media ranges of Accept are tried in their
 * order (accept.c); the first one something can produce wins.
 *
 *	 - PostgREST's own types are never overridden: a single object
 *	   (application/vnd.pgrst.object), an array without nulls
 *	   (application/vnd.pgrst.array;nulls=stripped), and the plan of
 *	   another type (application/vnd.pgrst.plan; for=..., tried only when
 *	   pgrest.plan_enabled is on).
 *	 - Any other type is looked up among the handlers (cache/schema.c):
 *	   with the default select (none, or *), the handler of the relation
 *	   read (or the function called) for the wildcard type (it takes
 *	   every Accept), then its handler for that type; then an anyelement
 *	   aggregate for that type; then pgrest's built-in formats: JSON
 *	   (application/json, any type, any application type), CSV
 *	   (text/csv, any text type), GeoJSON (application/geo+json, with
 *	   PostGIS), NDJSON (application/x-ndjson, for reads and calls).  A
 *	   handler of the relation thus overrides JSON, CSV and GeoJSON for
 *	   it, and an anyelement one for every relation.
 *
 * Nothing matched is 406 PGRST107, naming the ranges as PostgREST does.
 *
 * This file reads the schema cache and the catalog (type names), and
 * runs no SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/media.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan/layer.h"

#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"

#include "base/error.h"
#include "api/accept.h"
#include "api/request.h"
#include "cache/schema.h"
#include "plan/media.h"
#include "server/guc.h"

/* what a request's representation is chosen for */
typedef struct Target
{
	const char *schema;			/* the relation, or the function */
	const char *name;
	bool		default_select; /* select= is absent or "*" */
	bool		top_level;		/* a read or a call, not a write */
} Target;

/* the media types PostgREST's Content-Type gives "; charset=utf-8" */
static const char *const charset_types[] = {
	"application/json", "application/geo+json", "text/csv", "text/plain",
	"text/xml", "application/openapi+json", "application/x-www-form-urlencoded",
};

static bool choose(PgrestPlan *plan, const Target *target, const PgrestMediaRange *range);
static const PgrestMediaHandler *find_handler(const Target *target, const char *type,
											  bool any);
static void use_handler(PgrestPlan *plan, const PgrestMediaHandler *handler,
						const PgrestMediaRange *range);
static bool builtin(PgrestPlan *plan, const Target *target, const char *type);
static const char *returned_type_name(const PgrestRoutine *routine);
static bool is_type(const char *type, const char *a, const char *b);

/*
 * Choose plan's media (and strip_nulls, explain, handler) from req's
 * Accept.  Call once the plan knows what it reads or calls; top_level
 * for reads and calls.
 */
void
pgrest_media_choose(const PgrestRequest *req, PgrestPlan *plan, bool top_level)
{
	Target		target;
	ListCell   *lc;

	target.top_level = top_level;
	target.default_select = !req->select_given ||
		(list_length(req->select) == 1 &&
		 ((PgrestSelectItem *) linitial(req->select))->kind == PGREST_SELECT_STAR);
	if (plan->kind == PGREST_PLAN_CALL)
	{
		/* a function returning rows of a type is that type's (PostgREST) */
		target.schema = plan->call.routine->schema;
		target.name = returned_type_name(plan->call.routine);
	}
	else
	{
		target.schema = plan->rel->schema;
		target.name = plan->rel->name;
	}

	foreach(lc, req->accepts)
	{
		const PgrestMediaRange *range = (const PgrestMediaRange *) lfirst(lc);

		if (range->explain == PGREST_EXPLAIN_NONE)
		{
			if (choose(plan, &target, range))
				return;
			continue;
		}
		/* application/vnd.pgrst.plan: the plan of what for= would get */
		if (!pgrest_plan_enabled || !choose(plan, &target, range->plan_for))
			continue;
		plan->explain = range->explain;
		plan->explain_options = range->explain_options;
		return;
	}
	pgrest_error_raise(PGREST_ERR_MEDIA,
					   psprintf("None of these media types are available: %s",
								req->accepts != NIL ? pgrest_accept_names(req->accepts) :
								pgrest_request_header(req, "accept")),
					   NULL, NULL);
}

/* Whether range can be produced; if so the plan takes it. */
static bool
choose(PgrestPlan *plan, const Target *target, const PgrestMediaRange *range)
{
	const char *type = range->type;
	const PgrestMediaHandler *handler;

	plan->strip_nulls = false;
	if (is_type(type, "application/vnd.pgrst.object", "application/vnd.pgrst.object+json"))
	{
		plan->media = PGREST_MEDIA_OBJECT;
		plan->strip_nulls = range->strip;
		return true;
	}
	if (is_type(type, "application/vnd.pgrst.array", "application/vnd.pgrst.array+json"))
	{
		if (range->strip)
		{
			plan->media = PGREST_MEDIA_JSON;
			plan->strip_nulls = true;
			return true;
		}
		type = "application/json";
	}
	if (range->explain != PGREST_EXPLAIN_NONE)
		return false;			/* a plan of a plan */

	if (target->default_select &&
		((handler = find_handler(target, "*/*", false)) != NULL ||
		 (handler = find_handler(target, type, false)) != NULL))
	{
		use_handler(plan, handler, range);
		return true;
	}
	if ((handler = find_handler(target, type, true)) != NULL)
	{
		use_handler(plan, handler, range);
		return true;
	}
	return builtin(plan, target, type);
}

/*
 * The handler of type for the target (any: an anyelement aggregate's),
 * or NULL.
 */
static const PgrestMediaHandler *
find_handler(const Target *target, const char *type, bool any)
{
	ListCell   *lc;

	foreach(lc, pgrest_schema_media_handlers())
	{
		const PgrestMediaHandler *h = (const PgrestMediaHandler *) lfirst(lc);

		if (pg_strcasecmp(h->media, type) != 0 || h->any != any)
			continue;
		if (any || (strcmp(h->target_schema, target->schema) == 0 &&
					strcmp(h->target_name, target->name) == 0))
			return h;
	}
	return NULL;
}

/*
 * The plan's body is what handler makes, sent as PostgREST sends it: its
 * media type (application/octet-stream for the wildcard), with a charset
 * for the types PostgREST gives one; a domain of a type other than text,
 * xml or json is sent in that type's binary form.
 */
static void
use_handler(PgrestPlan *plan, const PgrestMediaHandler *handler,
			const PgrestMediaRange *range)
{
	const char *type = strcmp(handler->media, "*/*") == 0 ?
		"application/octet-stream" : handler->media;
	Oid			base = getBaseType(handler->domain);

	plan->media = PGREST_MEDIA_HANDLER;
	plan->handler = handler;
	plan->media_name = range->mime;
	plan->media_type = pstrdup(type);
	for (size_t i = 0; i < lengthof(charset_types); i++)
	{
		if (strcmp(type, charset_types[i]) == 0)
			plan->media_type = psprintf("%s; charset=utf-8", type);
	}
	plan->raw_body = !(base == TEXTOID || base == VARCHAROID || base == BPCHAROID ||
					   base == XMLOID || base == JSONOID);
}

/* pgrest's own formats */
static bool
builtin(PgrestPlan *plan, const Target *target, const char *type)
{
	if (is_type(type, "application/json", "*/*") || strcmp(type, "application/*") == 0)
		plan->media = PGREST_MEDIA_JSON;
	else if (is_type(type, "text/csv", "text/*"))
		plan->media = PGREST_MEDIA_CSV;
	else if (strcmp(type, "application/geo+json") == 0 &&
			 pgrest_schema_geojson_function() != NULL)
		plan->media = PGREST_MEDIA_GEOJSON;
	else if (strcmp(type, "application/x-ndjson") == 0 && target->top_level)
		plan->media = PGREST_MEDIA_NDJSON;
	else
		return false;
	return true;
}

/*
 * What a function's handlers are looked up by, as PostgREST does: the
 * name of the composite type it returns (a table's row type), else its
 * own name.
 */
static const char *
returned_type_name(const PgrestRoutine *routine)
{
	Oid			relid;

	if (routine->table != NULL)
		return routine->table->name;
	if (get_typtype(routine->rettype) == TYPTYPE_COMPOSITE &&
		OidIsValid(relid = typeidTypeRelid(routine->rettype)))
		return get_rel_name(relid);
	return routine->name;
}

static bool
is_type(const char *type, const char *a, const char *b)
{
	return strcmp(type, a) == 0 || strcmp(type, b) == 0;
}
