/*-------------------------------------------------------------------------
 *
 * subscription.c
 *	  Refuse what a stream of a table's changes cannot be, before any SQL
 *	  runs and before the first byte of the stream.
 *
 * A GET with Accept: text/event-stream is planned as the same GET's read
 * tree (plan.c), then checked here, in this order:
 *
 *	 the server		pgrest.realtime is off: 406, as for any media type
 *					pgrest does not serve; a standby: 503 (PostgreSQL 15
 *					decodes on the primary only); wal_level below
 *					logical: 503, with a hint naming it
 *	 the query		order, limit, offset, Range, aggregates, an EXPLAIN:
 *					400 PGRST520 (a stream has no page and no order of
 *					its own: changes come in commit order)
 *	 the relation	a table (or a partitioned table), not a view or a
 *					partition (partitions stream as their root), with a
 *					primary key (the changes name their rows by it), in
 *					the publication pgrest.realtime_publication: 400
 *					PGRST521
 *
 * Unknown columns, bad filter values and missing privileges are found by
 * the subscription's dry run (realtime/), as PostgreSQL reports them for
 * the same GET.
 *
 * This file reads the catalogs (publications) and runs no SQL.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/subscription.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan/layer.h"

#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "catalog/pg_publication.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "base/error.h"
#include "plan/subscription.h"
#include "server/guc.h"
#include "api/request.h"

static void refuse_query(const char *message, const char *details) pg_attribute_noreturn();
static void refuse_relation(const PgrestRelation *rel, const char *message,
							const char *hint) pg_attribute_noreturn();
static bool aggregates_in(const PgrestReadNode *node);

/*
 * Whether this server streams changes at all: pgrest.realtime on, a
 * primary, wal_level = logical.
 */
void
pgrest_plan_stream_server(const PgrestRequest *req)
{
	if (!pgrest_realtime)
		pgrest_error_raise(PGREST_ERR_MEDIA,
						   psprintf("None of these media types are available: %s",
									pgrest_request_header(req, "accept")),
						   "This server does not stream changes.",
						   "Set pgrest.realtime = on and restart the server.");
	if (RecoveryInProgress())
		pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
						   "Changes are streamed by the primary server",
						   "This server is a standby: PostgreSQL 15 decodes changes on the primary only.",
						   "Send requests with Accept: text/event-stream to the primary.");
	if (wal_level < WAL_LEVEL_LOGICAL)
		pgrest_error_raise(PGREST_ERR_STREAM_UNAVAILABLE,
						   "Changes cannot be streamed: wal_level is not logical",
						   psprintf("wal_level is \"%s\".",
									GetConfigOption("wal_level", false, false)),
						   "Set wal_level = logical in postgresql.conf and restart the server.");
}

/*
 * The query and the relation of a stream, once its read tree is planned.
 */
void
pgrest_plan_stream_check(const PgrestRequest *req, const PgrestPlan *plan)
{
	const PgrestRelation *rel = plan->rel;

	if (req->order != NIL)
		refuse_query("A stream cannot be ordered",
					 "Changes are streamed in the order they commit.");
	if (req->ranged)
		refuse_query("A stream cannot be limited",
					 "limit, offset and Range select a page of rows; a stream has none.");
	if (aggregates_in(plan->read))
		refuse_query("A stream cannot aggregate",
					 "Aggregates summarize many rows; a stream sends each row that changes.");
	if (plan->explain != PGREST_EXPLAIN_NONE)
		refuse_query("A stream has no plan to explain", NULL);

	if (rel->kind != RELKIND_RELATION && rel->kind != RELKIND_PARTITIONED_TABLE)
		refuse_relation(rel, "Only the changes of tables are streamed",
						"A view's rows come from its tables: stream those.");
	if (get_rel_relispartition(rel->oid))
		refuse_relation(rel, "Changes of a partition are streamed as its root table's",
						"Stream the partitioned table.");
	if (rel->npkey == 0)
		refuse_relation(rel, "Changes are streamed of tables with a primary key only",
						"Add a primary key to the table.");
	if (!pgrest_plan_in_publication(rel->oid))
		refuse_relation(rel,
						psprintf("The table is not in the publication \"%s\"",
								 pgrest_realtime_publication),
						psprintf("Run ALTER PUBLICATION %s ADD TABLE %s;",
								 quote_identifier(pgrest_realtime_publication),
								 quote_qualified_identifier(rel->schema, rel->name)));
}

/*
 * Whether the table's changes are published by pgrest.realtime_publication:
 * FOR ALL TABLES, FOR TABLE it, or FOR TABLES IN SCHEMA its schema.  A
 * publication that does not exist publishes nothing.
 */
bool
pgrest_plan_in_publication(Oid relid)
{
	Oid			pubid = get_publication_oid(pgrest_realtime_publication, true);
	Publication *pub;

	if (!OidIsValid(pubid))
		return false;
	pub = GetPublication(pubid);
	if (pub->alltables)
		return true;
	return list_member_oid(GetRelationPublications(relid), pubid) ||
		list_member_oid(GetSchemaPublications(get_rel_namespace(relid)), pubid);
}

static void
refuse_query(const char *message, const char *details)
{
	pgrest_error_raise(PGREST_ERR_STREAM_QUERY, message, details, NULL);
}

static void
refuse_relation(const PgrestRelation *rel, const char *message, const char *hint)
{
	pgrest_error_raise(PGREST_ERR_STREAM_TABLE, message,
					   psprintf("'%s.%s' does not stream its changes.",
								rel->schema, rel->name),
					   hint);
}

/* whether any node of the tree aggregates, or counts */
static bool
aggregates_in(const PgrestReadNode *node)
{
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, node->outputs)
	{
		const PgrestOutput *out = (const PgrestOutput *) lfirst(lc);

		if (out->aggregate != PGREST_AGG_NONE || out->kind == PGREST_OUTPUT_COUNT)
			return true;
	}
	foreach(lc, node->children)
	{
		if (aggregates_in((const PgrestReadNode *) lfirst(lc)))
			return true;
	}
	return false;
}
