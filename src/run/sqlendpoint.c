/*-------------------------------------------------------------------------
 *
 * sqlendpoint.c
 *	  POST /sql: read-only by construction, not by a transaction flag
 *	  alone.
 *
 * A READ ONLY transaction does not make arbitrary SQL harmless: a DO block
 * can RESET transaction_read_only (PostgreSQL does not check a reset
 * value) and then write; large objects, NOTIFY, sequences and
 * transaction ids are no table writes; set_config('request.jwt.claims',
 * ...) forges the identity that row-level security reads.  So the
 * statement is held to what a plain read needs:
 *
 *	 - exactly one statement (plan.c counts them), and that a query:
 *	   SELECT, VALUES, TABLE or WITH, without INTO, locking clauses or
 *	   data-modifying CTEs;
 *	 - while it runs, three hooks check everything PostgreSQL analyzes,
 *	   starts or executes on its behalf, in functions and views too:
 *	   every analyzed query must be such a query again, and call no
 *	   VOLATILE function outside a short list of harmless ones
 *	   (safe_volatile below) and no function whose SET clause changes
 *	   anything but search_path (post-parse analysis, views expanded
 *	   here); every executor run must be a read without row locks in a
 *	   still read-only transaction (executor start); and no utility
 *	   command runs at all (process utility);
 *	 - saved plans (a function's, compiled by an earlier request) are
 *	   invalidated when the statement starts, so PostgreSQL analyzes them
 *	   again and the hooks see them;
 *	 - what PostgreSQL keeps of a function as trees and never analyzes
 *	   again is checked from the catalog as if written in the statement:
 *	   a SQL-standard body (BEGIN ATOMIC ... END or RETURN ...,
 *	   pg_proc.prosqlbody) wherever the function is named, and its
 *	   argument defaults (proargdefaults) in calls that leave them out,
 *	   where the planner inserts them;
 *	 - afterwards no transaction id may have been assigned, and the
 *	   transaction is rolled back rather than committed, so nothing the
 *	   statement might have queued (a notification, a large object)
 *	   survives it.
 *
 * The rows become a JSON array as the executor produces them
 * (receivers.c), inside the timed statement, each row by row_to_json:
 * pgrest.max_rows caps the rows, pgrest.sql_max_response_size the bytes.
 * The statement is planned once and never kept.
 *
 * A refusal is 400 PGRST510 naming what was refused; a result over the
 * size limit 400 PGRST511.  The hooks do nothing outside /sql.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/sqlendpoint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "run/layer.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/readfuncs.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "base/error.h"
#include "base/state.h"
#include "server/guc.h"
#include "run/sqlendpoint.h"


static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;
static ExecutorStart_hook_type prev_executor_start = NULL;

/* VOLATILE functions a plain read may call: they change nothing */
static const Oid safe_volatile[] = {
	F_RANDOM,
	F_CLOCK_TIMESTAMP,
	F_TIMEOFDAY,
	F_GEN_RANDOM_UUID,
};

static void check_analyzed(ParseState *pstate, Query *query,
						   JumbleState *jstate);
static void check_executor_start(QueryDesc *queryDesc, int eflags);
static bool check_node(Node *node, void *context);
static void check_query(Query *query);
static void check_view(Oid relid);
static void check_sql_body(Oid funcid);
static void check_defaults(FuncExpr *call);
static bool first_check(List **checked, Oid funcid);
static void check_stored(Node *tree, bool queries);
static Node *stored_function_part(Oid funcid, AttrNumber attnum);
static bool refused_function(Oid funcid, void *context);
static bool changes_settings(Oid funcid);
static void refuse(const char *details) pg_attribute_noreturn();

/*
 * Install the hooks, in every process that loads pgrest (workers and
 * sessions calling pgrest.handle() alike).  They pass everything on
 * unless a /sql statement runs.
 */
void
pgrest_sqlendpoint_install_hooks(void)
{
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = check_analyzed;
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = check_executor_start;
}

/*
 * The statement's own shape, from the raw parse tree: one query, no INTO,
 * no locking clause.  (What it refers to is checked when it is analyzed.)
 */
void
pgrest_sqlendpoint_check_statement(const char *sql)
{
	List	   *statements = raw_parser(sql, RAW_PARSE_DEFAULT);
	Node	   *stmt;
	SelectStmt *select;

	if (list_length(statements) != 1)
		refuse("The SQL endpoint runs exactly one statement.");
	stmt = linitial_node(RawStmt, statements)->stmt;
	if (!IsA(stmt, SelectStmt))
		refuse(psprintf("%s is not a query.",
						GetCommandTagName(CreateCommandTag(stmt))));
	select = (SelectStmt *) stmt;
	if (select->intoClause != NULL)
		refuse("SELECT INTO creates a table.");
	if (select->lockingClause != NIL)
		refuse("A locking clause (FOR UPDATE, FOR SHARE) takes row locks.");
}

/*
 * Turn the checks on for the statement about to run, and make every
 * saved plan be analyzed again (and so checked) before it is used.
 */
void
pgrest_sqlendpoint_begin(void)
{
	PgrestState *st = pgrest_state_get();

	ResetPlanCache();
	st->sql.top_xid_before = GetTopTransactionIdIfAny();
	st->sql.xid_before = GetCurrentTransactionIdIfAny();
	st->sql.checking = true;
}

/* Turn the checks off; call on every path out of the statement. */
void
pgrest_sqlendpoint_end(void)
{
	PgrestState *st = pgrest_state_get();

	st->sql.checking = false;
	st->sql.views_in_check = NIL;
	st->sql.bodies_checked = NIL;
	st->sql.defaults_checked = NIL;
}

/*
 * After the statement: it may not have assigned a transaction id (any
 * write does) nor left the transaction read-write.
 */
void
pgrest_sqlendpoint_check_after(void)
{
	PgrestState *st = pgrest_state_get();

	if (GetTopTransactionIdIfAny() != st->sql.top_xid_before ||
		GetCurrentTransactionIdIfAny() != st->sql.xid_before)
		refuse("The statement assigned a transaction id, as only a write does.");
	if (!XactReadOnly)
		refuse("The statement made the transaction read-write.");
}

/* post_parse_analyze_hook */
static void
check_analyzed(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
	if (pgrest_state_get()->sql.checking)
		check_query(query);
}

/* ExecutorStart_hook: whatever reaches the executor only reads */
static void
check_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (pgrest_state_get()->sql.checking)
	{
		PlannedStmt *stmt = queryDesc->plannedstmt;

		if (queryDesc->operation != CMD_SELECT || stmt->hasModifyingCTE)
			refuse("The statement would write.");
		if (stmt->rowMarks != NIL)
			refuse("A locking clause (FOR UPDATE, FOR SHARE) takes row locks.");
		if (!XactReadOnly)
			refuse("The statement made the transaction read-write.");
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * Before a utility command runs (pgrest.c's ProcessUtility hook): while
 * a /sql statement runs, no utility command at all, in any function.
 */
void
pgrest_sqlendpoint_check_utility(const PlannedStmt *pstmt)
{
	if (pgrest_state_get()->sql.checking)
		refuse(psprintf("%s is a utility command.",
						GetCommandTagName(CreateCommandTag(pstmt->utilityStmt))));
}

/* An analyzed query, its subqueries, CTEs, views and expressions. */
static void
check_query(Query *query)
{
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (query->commandType != CMD_SELECT || query->utilityStmt != NULL)
		refuse(query->commandType == CMD_UTILITY && query->utilityStmt ?
			   psprintf("%s is not a query.",
						GetCommandTagName(CreateCommandTag(query->utilityStmt))) :
			   "Only queries may run.");
	if (query->hasModifyingCTE)
		refuse("A data-modifying WITH writes.");
	if (query->rowMarks != NIL || query->hasForUpdate)
		refuse("A locking clause (FOR UPDATE, FOR SHARE) takes row locks.");
	(void) query_tree_walker(query, check_node, NULL, QTW_EXAMINE_RTES_BEFORE);
}

/* expression_tree_walker callback for check_query */
static bool
check_node(Node *node, void *context)
{
	Oid			funcid = InvalidOid;

	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		check_query((Query *) node);
		return false;
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			!list_member_oid(pgrest_state_get()->sql.views_in_check, rte->relid))
			check_view(rte->relid);
		return false;			/* the walker goes on into the entry */
	}
	if (IsA(node, NextValueExpr))
		refuse("nextval() writes to a sequence.");
	if (IsA(node, FuncExpr))
		check_defaults((FuncExpr *) node);
	if (check_functions_in_node(node, refused_function, &funcid))
		refuse(psprintf("Function %s is volatile or changes settings; the SQL endpoint calls only stable and immutable functions (and random(), clock_timestamp(), timeofday(), gen_random_uuid()).",
						format_procedure(funcid)));
	return expression_tree_walker(node, check_node, context);
}

/* A view's query is checked as if it were written in the statement. */
static void
check_view(Oid relid)
{
	Relation	view = table_open(relid, AccessShareLock);
	PgrestState *st = pgrest_state_get();

	st->sql.views_in_check = lappend_oid(st->sql.views_in_check, relid);
	PG_TRY();
	{
		check_query(get_view_query(view));
	}
	PG_FINALLY();
	{
		st->sql.views_in_check = list_delete_last(st->sql.views_in_check);
		table_close(view, AccessShareLock);
	}
	PG_END_TRY();
}

/* check_function_callback: a function the statement may not call */
static bool
refused_function(Oid funcid, void *context)
{
	if (func_volatile(funcid) == PROVOLATILE_VOLATILE)
	{
		bool		safe = false;

		for (size_t i = 0; i < lengthof(safe_volatile); i++)
			safe = safe || safe_volatile[i] == funcid;
		if (!safe)
		{
			*(Oid *) context = funcid;
			return true;
		}
	}
	if (changes_settings(funcid))
	{
		*(Oid *) context = funcid;
		return true;
	}
	check_sql_body(funcid);
	return false;
}

/*
 * A SQL-standard body (BEGIN ATOMIC ... END, or RETURN expr) is kept as
 * query trees and run without being analyzed again, so no hook sees it:
 * its queries are checked here, as a view's are.
 */
static void
check_sql_body(Oid funcid)
{
	Node	   *body;

	if (!first_check(&pgrest_state_get()->sql.bodies_checked, funcid))
		return;
	/* only LANGUAGE sql functions have one */
	body = stored_function_part(funcid, Anum_pg_proc_prosqlbody);
	if (body == NULL)
		return;
	/* a list of lists of queries (BEGIN ATOMIC), or one query (RETURN) */
	if (IsA(body, List))
		body = (Node *) linitial_node(List, castNode(List, body));
	check_stored(body, true);
}

/*
 * A call that leaves arguments out gets their defaults from the planner,
 * after the statement was analyzed: they are checked here.
 */
static void
check_defaults(FuncExpr *call)
{
	Node	   *defaults;

	if (list_length(call->args) >= get_func_nargs(call->funcid) ||
		!first_check(&pgrest_state_get()->sql.defaults_checked, call->funcid) ||
		(defaults = stored_function_part(call->funcid, Anum_pg_proc_proargdefaults)) == NULL)
		return;
	check_stored(defaults, false);
}

/* Whether funcid is new to *checked, which then holds it. */
static bool
first_check(List **checked, Oid funcid)
{
	MemoryContext old;

	if (list_member_oid(*checked, funcid))
		return false;
	old = MemoryContextSwitchTo(TopTransactionContext);
	*checked = lappend_oid(*checked, funcid);
	MemoryContextSwitchTo(old);
	return true;
}

/* Check a function's stored queries (a Query or a List of them) or expressions. */
static void
check_stored(Node *tree, bool queries)
{
	if (!queries)
		(void) check_node(tree, NULL);
	else if (IsA(tree, Query))
		check_query((Query *) tree);
	else
	{
		ListCell   *lc;

		foreach(lc, castNode(List, tree))
			check_query(lfirst_node(Query, lc));
	}
}

/* A pg_proc column holding a node tree, read back; NULL if null. */
static Node *
stored_function_part(Oid funcid, AttrNumber attnum)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	bool		isnull = true;
	Datum		datum = (Datum) 0;
	Node	   *tree = NULL;

	if (!HeapTupleIsValid(tuple))
		return NULL;
	datum = SysCacheGetAttr(PROCOID, tuple, attnum, &isnull);
	if (!isnull)
		tree = stringToNode(TextDatumGetCString(datum));
	ReleaseSysCache(tuple);
	return tree;
}

/*
 * Whether the function's SET clause changes a setting other than
 * search_path while it runs (request.jwt.claims, say, which row-level
 * security reads).
 */
static bool
changes_settings(Oid funcid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	bool		isnull;
	Datum		config;
	bool		changes = false;

	if (!HeapTupleIsValid(tuple))
		return false;
	config = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_proconfig, &isnull);
	if (!isnull)
	{
		ArrayType  *array = DatumGetArrayTypeP(config);
		Datum	   *items;
		int			nitems;

		deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
						  &items, NULL, &nitems);
		for (int i = 0; i < nitems; i++)
		{
			char	   *item = TextDatumGetCString(items[i]);

			if (pg_strncasecmp(item, "search_path=", 12) != 0)
				changes = true;
		}
	}
	ReleaseSysCache(tuple);
	return changes;
}

static void
refuse(const char *details)
{
	pgrest_error_raise(PGREST_ERR_SQL_REFUSED,
					   "The SQL endpoint runs only plain queries",
					   details,
					   "Send one SELECT, VALUES, TABLE or WITH query that calls no volatile function.");
}

