/*-------------------------------------------------------------------------
 *
 * rolewatch.c
 *	  Follow ALTER ROLE: a role's settings reach the schema cache when the
 *	  command that changed them commits.
 *
 * The schema cache holds each role's ALTER ROLE ... SET settings
 * (schema.c), which a request of the role applies.  PostgreSQL sends no
 * invalidation when pg_db_role_setting changes, so a ProcessUtility hook,
 * in every process that loads pgrest, notes the commands that change
 * what the cache holds (ALTER ROLE ... SET and RESET, ALTER ROLE ...
 * RENAME, DROP ROLE), and at the commit of their transaction bumps the
 * schema generation in shared memory, as pgrest.reload() does: every
 * worker rebuilds its cache before its next request.  Bumping at commit,
 * not before, means a worker that rebuilds sees the new settings.
 *
 * A hot standby replays such commands without running them, so there
 * they take pgrest.reload() (README, "Role settings").
 *
 * The same hook notes the commands that may let workers that cannot log
 * in do so (login.c): roles, their LOGIN and membership, databases and
 * CONNECT on them; at commit, such workers are woken to check again.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/rolewatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"

#include "login.h"
#include "rolewatch.h"
#include "schema.h"
#include "shmem.h"

static ProcessUtility_hook_type prev_process_utility = NULL;
static bool roles_changed = false;	/* in the current transaction */
static bool login_changed = false;	/* the same, for login.c */

static void note_role_commands(PlannedStmt *pstmt, const char *queryString,
							   bool readOnlyTree, ProcessUtilityContext context,
							   ParamListInfo params, QueryEnvironment *queryEnv,
							   DestReceiver *dest, QueryCompletion *qc);
static bool changes_role_settings(const Node *stmt);
static bool may_change_login(const Node *stmt);
static void at_transaction_end(XactEvent event, void *arg);

/* Install the hook; call once per process, from _PG_init. */
void
pgrest_rolewatch_install_hooks(void)
{
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = note_role_commands;
	RegisterXactCallback(at_transaction_end, NULL);
}

static void
note_role_commands(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context,
							 params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);

	/* noted only once the command has done its work without error */
	if (changes_role_settings(pstmt->utilityStmt))
		roles_changed = true;
	if (may_change_login(pstmt->utilityStmt))
		login_changed = true;
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
