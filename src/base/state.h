/*-------------------------------------------------------------------------
 *
 * state.h
 *	  What a process keeps of the request it runs, in one struct
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/state.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_STATE_H
#define PGREST_STATE_H

#include "utils/portal.h"
#include "utils/resowner.h"

#include "base/types.h"

struct PgrestStream;

/* the pgrest error being raised: its entry in error.c's table */
typedef struct PgrestPendingError
{
	bool		set;
	PgrestError error;
	bool		details_json;	/* details is JSON text, not a string */
	int64		range_total;	/* PGRST103 past a counted total: it; else -1 */
} PgrestPendingError;

/*
 * One request, from its first stage to its last byte.  A request that
 * streams its rows outlives the turn of the worker's loop that started it,
 * so nothing of it may live in a stage's local variables; a new request
 * starts from nothing (pgrest_state_reset).  Each part belongs to
 * the file named above it, which alone reads and writes it.
 */
typedef struct PgrestState
{
	/* handler.c: the request as a whole */
	bool		running;		/* pgrest.handle() cannot run inside it */
	char	   *line;			/* "GET /path?query", for the log */
	struct PgrestStream *stream;	/* rows still to send, in later turns */

	/* execute.c: its transaction */
	bool		nested;			/* inside pgrest.handle(): a subtransaction */
	bool		rollback;		/* end with ROLLBACK (tx_end, Prefer: tx) */
	MemoryContext context;		/* the request's memory */
	ResourceOwner caller_owner; /* CurrentResourceOwner when it began */
	const char *caller_query;	/* debug_query_string when it began */
	int			guc_level;		/* the nesting level of its settings */
	bool		role_locked;	/* SET ROLE is refused (lock_role) */
	Oid			locked_userid;
	int			locked_sec_context;
	bool		timeout_armed;
	bool		objects_created;	/* it created some object (temporary?) */
	Portal		rows;			/* a read's rows being fetched, or NULL */

	/* error.c */
	PgrestPendingError error;

	/* sqlendpoint.c: a /sql statement being checked */
	struct
	{
		bool		checking;	/* the checks are on: the statement runs */
		TransactionId top_xid_before;	/* the transaction ids as it began */
		TransactionId xid_before;	/* (pgrest.handle()'s caller's) */
		List	   *views_in_check; /* views whose query is being checked:
									 * its OLD and NEW name the view itself */
		/*
		 * The functions whose SQL-standard bodies, and whose defaults, the
		 * check has seen (each once: a function that calls itself, or is
		 * called from many places, is checked once); in
		 * TopTransactionContext, as analyses come and go in contexts of
		 * their own.
		 */
		List	   *bodies_checked;
		List	   *defaults_checked;
	}			sql;
} PgrestState;

extern PgrestState *pgrest_state_get(void);
extern PgrestState *pgrest_state_reset(void);

#endif							/* PGREST_STATE_H */
