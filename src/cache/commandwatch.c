/*-------------------------------------------------------------------------
 *
 * commandwatch.c
 *	  Follow the commands PostgreSQL sends the schema cache no
 *	  invalidation for: ALTER ROLE and COMMENT.
 *
 * pgrest's ProcessUtility hook (pgrest.c), in every process that loads
 * pgrest, hands them here once they have done their work without error:
 *
 *	 - The schema cache holds each role's ALTER ROLE ... SET settings
 *	   (schema.c), which a request of the role applies.  PostgreSQL sends
 *	   no invalidation when pg_db_role_setting changes, so the commands
 *	   that change what the cache holds (ALTER ROLE ... SET and RESET,
 *	   ALTER ROLE ... RENAME, DROP ROLE) bump the schema generation in
 *	   shared memory at the commit of their transaction, as pgrest.reload()
 *	   does: every worker rebuilds its cache before its next request.
 *	   Bumping at commit, not before, means a worker that rebuilds sees
 *	   the new settings.  A hot standby replays such commands without
 *	   running them, so there they take pgrest.reload() (README, "Role
 *	   settings").
 *	 - COMMENT changes only pg_description, which sends no invalidation,
 *	   yet the API serves the comments of schemas, relations, columns and
 *	   functions (the OpenAPI document, the order of overloads).  So
 *	   COMMENT registers the invalidation PostgreSQL would send if it had
 *	   changed the commented object itself: a relation's (for a relation
 *	   or a column), or the syscache row's of a function, schema or type.
 *	   It is sent at commit like any other (and replayed by a hot
 *	   standby), and schemadeps.c decides, as for any invalidation,
 *	   whether the object is one the cache depends on: a comment on a
 *	   table the API does not serve rebuilds nothing.  Comments on other
 *	   objects (constraints, indexes, roles, ...) are served nowhere.
 *	 - Roles, their LOGIN and membership, databases and CONNECT on them
 *	   may let workers that cannot log in do so (login.c): at commit,
 *	   such workers are woken to check again.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/cache/commandwatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "cache/layer.h"

#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "cache/commandwatch.h"
#include "server/login.h"
#include "cache/schema.h"
#include "server/shmem.h"

static bool roles_changed = false;	/* in the current transaction */
static bool login_changed = false;	/* the same, for login.c */

static bool changes_role_settings(const Node *stmt);
static bool may_change_login(const Node *stmt);
static void invalidate_commented(const CommentStmt *stmt);
static void invalidate_catalog_row(Oid catalog, int cacheid, Oid oid);
static void at_transaction_end(XactEvent event, void *arg);

/* Install the transaction callback; call once per process, from _PG_init. */
void
pgrest_commandwatch_install_hooks(void)
{
	RegisterXactCallback(at_transaction_end, NULL);
}

/*
 * After a utility command has done its work without error (pgrest.c's
 * ProcessUtility hook): note what it changed.
 */
void
pgrest_commandwatch_note(const PlannedStmt *pstmt)
{
	if (changes_role_settings(pstmt->utilityStmt))
		roles_changed = true;
	if (may_change_login(pstmt->utilityStmt))
		login_changed = true;
	if (IsA(pstmt->utilityStmt, CommentStmt))
		invalidate_commented((const CommentStmt *) pstmt->utilityStmt);
}

static bool
changes_role_settings(const Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_AlterRoleSetStmt:
		case T_DropRoleStmt:
			return true;
		case T_RenameStmt:
			return ((const RenameStmt *) stmt)->renameType == OBJECT_ROLE;
		default:
			return false;
	}
}

/* roles, their LOGIN and membership; databases and CONNECT on them */
static bool
may_change_login(const Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateRoleStmt:
		case T_AlterRoleStmt:
		case T_GrantRoleStmt:
		case T_CreatedbStmt:
		case T_AlterDatabaseStmt:
			return true;
		case T_RenameStmt:
			return ((const RenameStmt *) stmt)->renameType == OBJECT_ROLE ||
				((const RenameStmt *) stmt)->renameType == OBJECT_DATABASE;
		case T_GrantStmt:
			return ((const GrantStmt *) stmt)->objtype == OBJECT_DATABASE;
		default:
			return false;
	}
}

/*
 * The invalidation of the object a COMMENT that just ran commented, if it
 * is one whose comments the API serves.  The object is found again as
 * COMMENT found it (it holds its lock until commit).
 */
static void
invalidate_commented(const CommentStmt *stmt)
{
	ObjectAddress address;
	Relation	relation = NULL;

	switch (stmt->objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_COLUMN:
		case OBJECT_FUNCTION:
		case OBJECT_ROUTINE:
		case OBJECT_SCHEMA:
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			break;
		default:
			return;
	}
	address = get_object_address(stmt->objtype, stmt->object, &relation,
								 AccessShareLock, true);
	if (relation != NULL)
		relation_close(relation, NoLock);
	if (!OidIsValid(address.objectId))
		return;
	switch (address.classId)
	{
		case RelationRelationId:
			CacheInvalidateRelcacheByRelid(address.objectId);
			break;
		case ProcedureRelationId:
			invalidate_catalog_row(ProcedureRelationId, PROCOID, address.objectId);
			break;
		case NamespaceRelationId:
			invalidate_catalog_row(NamespaceRelationId, NAMESPACEOID, address.objectId);
			break;
		case TypeRelationId:
			invalidate_catalog_row(TypeRelationId, TYPEOID, address.objectId);
			break;
		default:
			break;
	}
}

/* the invalidation an update of the catalog's row oid would send */
static void
invalidate_catalog_row(Oid catalog, int cacheid, Oid oid)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	HeapTuple	tuple = SearchSysCache1(cacheid, ObjectIdGetDatum(oid));

	if (HeapTupleIsValid(tuple))
	{
		CacheInvalidateHeapTuple(rel, tuple, NULL);
		ReleaseSysCache(tuple);
	}
	table_close(rel, AccessShareLock);
}

static void
at_transaction_end(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (roles_changed)
			{
				pgrest_shmem_bump_schema_generation();
				pgrest_schema_invalidate();
			}
			if (login_changed)
				pgrest_login_wake();
			roles_changed = false;
			login_changed = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			roles_changed = false;
			login_changed = false;
			break;
		default:
			break;
	}
}
