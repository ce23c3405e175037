/*-------------------------------------------------------------------------
 *
 * session.c
 *	  What a request could leave in its worker's session for the next one,
 *	  beyond what execute.c's transaction bracket undoes: random()'s seed
 *	  and dblink's named connections.
 *
 * A worker is one long-lived backend, and its requests (different users,
 * different roles) follow each other in its one session.  The bracket
 * undoes what is transactional or has a reset of its own (settings,
 * temporary objects, cursors WITH HOLD, prepared statements, advisory
 * locks, sequence state; LISTEN is refused by PostgreSQL in a background
 * worker).  Two more things live in static memory that no transaction
 * touches:
 *
 *	 - random()'s generator.  PostgreSQL seeds it once per process from a
 *	   strong source; setseed() in one request would make every random()
 *	   of the requests after it, other users' among them, predictable.
 *	   After every request the generator is seeded again from
 *	   pg_strong_random (with setseed() itself, the only way in: the
 *	   state is float.c's own).  gen_random_uuid() and pgcrypto draw from
 *	   pg_strong_random directly and need nothing.
 *	 - dblink_connect() and dblink_connect_u(): the connection they open
 *	   stays in dblink's static memory, under a name (or as the unnamed
 *	   one) that any later request could use, with the credentials and
 *	   remote session of the request that opened it.  dblink cannot close
 *	   connections it is not told about, so workers refuse these two
 *	   functions (0A000); dblink(connstr, sql) and dblink_exec(connstr,
 *	   sql), which connect for one call, still work.  They are recognized
 *	   by their C symbol in dblink's library, whatever their SQL name.
 *
 * Only HTTP workers install this; pgrest.handle() runs in its caller's
 * session, whose state is the caller's.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/session.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "run/layer.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "common/pg_prng.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "run/session.h"

/*
 * Seeds drawn from pg_strong_random ahead, a batch at a time: each draw
 * costs a call into OpenSSL (and a getpid() of its own), about 3% of a
 * worker's time for a one-row read when made per request.  The seeds are
 * as unpredictable either way; a worker's memory is its own.
 */
#define PGREST_SEED_BATCH 32
static uint64 seeds[PGREST_SEED_BATCH];
static int	seeds_left = 0;

static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;
static fmgr_hook_type prev_fmgr_hook = NULL;

static bool needs_check(Oid fn_oid);
static void check_call(FmgrHookEventType event, FmgrInfo *flinfo,
					   Datum *private);
static bool keeps_connection(Oid fn_oid);

/*
 * In an HTTP worker: refuse the functions whose effect would outlive the
 * request (see above).
 */
void
pgrest_session_install_hooks(void)
{
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = needs_check;
	prev_fmgr_hook = fmgr_hook;
	fmgr_hook = check_call;
}

/*
 * After each request of a worker, committed or not: random() starts from
 * a seed nobody chose.  setseed() takes a value in [-1, 1] and keeps
 * about 52 bits of it, drawn here from pg_strong_random, PGREST_SEED_BATCH
 * seeds at a time (PostgreSQL's own generator, seeded from it when the
 * process started, if that fails).
 */
void
pgrest_session_forget(void)
{
	uint64		bits;

	if (seeds_left == 0)
	{
		if (pg_strong_random(seeds, sizeof(seeds)))
			seeds_left = PGREST_SEED_BATCH;
	}
	if (seeds_left > 0)
		bits = seeds[--seeds_left];
	else
		bits = pg_prng_uint64(&pg_global_prng_state);
	/* 53 bits as a double in [0, 1) */
	DirectFunctionCall1(setseed,
						Float8GetDatum((double) (bits >> 11) /
									   (double) (UINT64CONST(1) << 53)));
}

/*
 * needs_fmgr_hook: whether fmgr must call check_call around the function
 * (PostgreSQL asks once per lookup of a function that is not built in).
 */
static bool
needs_check(Oid fn_oid)
{
	if (prev_needs_fmgr_hook && prev_needs_fmgr_hook(fn_oid))
		return true;
	return keeps_connection(fn_oid);
}

/* fmgr_hook: refuse a call that would keep a connection */
static void
check_call(FmgrHookEventType event, FmgrInfo *flinfo, Datum *private)
{
	if (event == FHET_START && keeps_connection(flinfo->fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pgrest refuses %s() in a request",
						get_func_name(flinfo->fn_oid)),
				 errdetail("The connection would outlive the request, and a later request, of another user perhaps, could use it."),
				 errhint("Use dblink(connstr, sql) or dblink_exec(connstr, sql), which connect for one call.")));
	if (prev_fmgr_hook)
		prev_fmgr_hook(event, flinfo, private);
}

/* Whether fn_oid is dblink's dblink_connect or dblink_connect_u. */
static bool
keeps_connection(Oid fn_oid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	bool		keeps = false;

	if (!HeapTupleIsValid(tuple))
		return false;
	if (((Form_pg_proc) GETSTRUCT(tuple))->prolang == ClanguageId)
	{
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);
		Datum		bin;
		char	   *symbol;

		symbol = isnull ? NULL : TextDatumGetCString(src);
		if (symbol != NULL &&
			(strcmp(symbol, "dblink_connect") == 0 ||
			 strcmp(symbol, "dblink_connect_u") == 0))
		{
			bin = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_probin, &isnull);
			if (!isnull)
			{
				char	   *library = TextDatumGetCString(bin);
				const char *base = strrchr(library, '/');

				base = base ? base + 1 : library;
				keeps = strcmp(base, "dblink") == 0 ||
					strncmp(base, "dblink.", 7) == 0;
				pfree(library);
			}
		}
		if (symbol != NULL)
			pfree(symbol);
	}
	ReleaseSysCache(tuple);
	return keeps;
}
