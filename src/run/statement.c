/*-------------------------------------------------------------------------
 *
 * statement.c
 *	  Prepare pgrest's statements, keep their plans, bind their parameters.
 *
 * Every value a request carries is a $n parameter sent as text, with a
 * type PostgreSQL deduces from the statement while parsing it, as it does
 * for libpq's untyped parameters: a value that does not fit its column
 * fails with the type's own error (22P02, ...), raised by the type's input
 * function when the parameters are bound.
 *
 * Parsing and planning cost more than running a small statement, so each
 * process keeps the plans of the statements it prepared (SPI_keepplan),
 * keyed by the statement's text: requests of the same shape differ only
 * in their parameters, and share one plan.  PostgreSQL's plan cache
 * replans a kept plan when what it depends on changes (tables, the role
 * for row-level security, search_path); pgrest also forgets every plan
 * whenever its schema cache is rebuilt.  The cache is bounded, as clients
 * choose the statements' text: at most PGREST_MAX_KEPT_PLANS plans and
 * about PGREST_MAX_KEPT_BYTES of memory (each plan counted as twice the
 * memory of its parsed statement, as the generic plan PostgreSQL may
 * build later roughly doubles it); past either the cache is emptied and
 * refilled.  Statements over PGREST_MAX_KEPT_SQL_LEN are run unkept: a
 * text that long is rarely seen twice.
 *
 * The deduced types live with the plan, in the cache's memory: PostgreSQL
 * calls the parser hook again whenever it replans.
 *
 * PostgreSQL's plan cache plans a statement anew for each run (a custom
 * plan) while that looks cheaper than one plan for any parameters (a
 * generic plan).  A statement whose custom plans differ only in an
 * estimate, such as the number of keys in an array, would then be planned
 * on every run; its caller asks for the generic plan (generic).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/statement.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "run/layer.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "nodes/params.h"
#include "parser/parse_param.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"

#include "cache/schema.h"
#include "run/statement.h"

/* the types of $1..$n, written by the parser */
typedef struct DeducedParams
{
	Oid		   *types;
	int			ntypes;
} DeducedParams;

/* a kept plan, keyed by its statement's text */
typedef struct KeptPlan
{
	const char *sql;			/* key: points at the entry's own copy */
	SPIPlanPtr	plan;
	DeducedParams *deduced;		/* the parser hook's argument, for replans */
} KeptPlan;

static MemoryContext cache_context = NULL;
static HTAB *kept_plans = NULL;
static Size kept_bytes = 0;		/* the kept plans' memory, as counted */
static uint64 kept_for_cache = 0;	/* pgrest_schema_loads() they were made with */

static DeducedParams *new_deduced(MemoryContext cxt, int nparams);
static SPIPlanPtr prepare(const char *sql, DeducedParams *deduced, bool generic);
static SPIPlanPtr prepare_kept(const char *sql, DeducedParams *volatile deduced,
							   bool generic);
static void setup_deduced_params(ParseState *pstate, void *arg);
static ParamListInfo bind_params(int nparams, const char **values,
								 const DeducedParams *deduced);
static uint32 hash_sql(const void *key, Size keysize);
static int	match_sql(const void *key1, const void *key2, Size keysize);
static void create_cache(void);
static void forget_all(void);
static Size plan_memory(SPIPlanPtr plan);

/*
 * Prepare sql (or find its kept plan, with keep) and bind the text values
 * of its parameters; with generic, its plan is made once for any values.
 * Call inside SPI; the result is valid until pgrest_statement_done.
 */
PgrestStatement
pgrest_statement_prepare(const char *sql, int nparams, const char **values,
						 bool keep, bool generic)
{
	MemoryContext cxt = CurrentMemoryContext;
	PgrestStatement statement = {NULL, NULL, false};
	DeducedParams *deduced;
	KeptPlan   *entry = NULL;

	if (strlen(sql) > PGREST_MAX_KEPT_SQL_LEN)
		keep = false;
	if (!keep)
	{
		deduced = new_deduced(cxt, nparams);
		statement.plan = prepare(sql, deduced, generic);
		MemoryContextSwitchTo(cxt);
		statement.params = bind_params(nparams, values, deduced);
		return statement;
	}

	/* plans made against an older schema cache's catalogs go with it */
	if (kept_plans != NULL && kept_for_cache != pgrest_schema_loads())
		forget_all();
	kept_for_cache = pgrest_schema_loads();
	if (kept_plans != NULL)
		entry = hash_search(kept_plans, &sql, HASH_FIND, NULL);
	if (entry == NULL)
	{
		SPIPlanPtr	plan;
		char	   *key;
		bool		found;

		if (kept_plans != NULL &&
			(hash_get_num_entries(kept_plans) >= PGREST_MAX_KEPT_PLANS ||
			 kept_bytes >= PGREST_MAX_KEPT_BYTES))
			forget_all();
		if (kept_plans == NULL)
			create_cache();

		/* the parser hook's argument lives as long as the plan */
		deduced = new_deduced(cache_context, nparams);
		plan = prepare_kept(sql, deduced, generic);
		SPI_keepplan(plan);
		MemoryContextSwitchTo(cxt);
		kept_bytes += 2 * plan_memory(plan) + strlen(sql);

		key = MemoryContextStrdup(cache_context, sql);
		entry = hash_search(kept_plans, &key, HASH_ENTER, &found);
		entry->sql = key;
		entry->plan = plan;
		entry->deduced = deduced;
	}

	statement.plan = entry->plan;
	statement.kept = true;
	statement.params = bind_params(nparams, values, entry->deduced);
	return statement;
}

/*
 * An array the parser writes the types into: ours, with room for every
 * parameter.  One the parser allocated itself would live in SPI's
 * execution memory, which is gone once preparing returns; growing ours
 * (repalloc) keeps it in our context.  ntypes starts at 0, so after
 * parsing it is the highest $n the statement refers to: a kept plan is
 * shared by requests whose statements have the same text, and some pass
 * parameters the text does not use (an empty PATCH's filters), so the
 * number passed may differ from one request to the next.
 */
static DeducedParams *
new_deduced(MemoryContext cxt, int nparams)
{
	DeducedParams *deduced = MemoryContextAlloc(cxt, sizeof(DeducedParams));

	deduced->ntypes = 0;
	deduced->types = MemoryContextAllocZero(cxt, sizeof(Oid) * Max(nparams, 1));
	return deduced;
}

/* Free what the statement does not share with the cache. */
void
pgrest_statement_done(PgrestStatement *statement)
{
	if (statement->plan != NULL && !statement->kept)
		SPI_freeplan(statement->plan);
	statement->plan = NULL;
}

/* Forget every kept plan (the schema cache was rebuilt, or the cache is full). */
static void
forget_all(void)
{
	HASH_SEQ_STATUS status;
	KeptPlan   *entry;

	if (kept_plans == NULL)
		return;
	hash_seq_init(&status, kept_plans);
	while ((entry = hash_seq_search(&status)) != NULL)
		SPI_freeplan(entry->plan);
	MemoryContextDelete(cache_context);
	cache_context = NULL;
	kept_plans = NULL;
	kept_bytes = 0;
}

/* The memory of a prepared statement's parsed and analyzed queries. */
static Size
plan_memory(SPIPlanPtr plan)
{
	ListCell   *lc;
	Size		bytes = 0;

	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *source = (CachedPlanSource *) lfirst(lc);

		bytes += MemoryContextMemAllocated(source->context, true);
	}
	return bytes;
}

/* prepare for the cache; a failure frees what the cache would have kept */
static SPIPlanPtr
prepare_kept(const char *sql, DeducedParams *volatile deduced, bool generic)
{
	SPIPlanPtr	plan = NULL;

	PG_TRY();
	{
		plan = prepare(sql, deduced, generic);
	}
	PG_CATCH();
	{
		pfree(deduced->types);
		pfree(deduced);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return plan;
}

/*
 * Prepare sql, letting the parser deduce the types of $n into deduced;
 * with generic, PostgreSQL's plan cache always uses its generic plan.
 */
static SPIPlanPtr
prepare(const char *sql, DeducedParams *deduced, bool generic)
{
	SPIPlanPtr	plan = SPI_prepare_params(sql, setup_deduced_params, deduced,
										  generic ? CURSOR_OPT_GENERIC_PLAN : 0);

	if (plan == NULL)
		elog(ERROR, "could not prepare pgrest statement: %s",
			 SPI_result_code_string(SPI_result));
	return plan;
}

/* ParserSetupHook: let the parser deduce the types of $n */
static void
setup_deduced_params(ParseState *pstate, void *arg)
{
	DeducedParams *deduced = (DeducedParams *) arg;

	setup_parse_variable_parameters(pstate, &deduced->types, &deduced->ntypes);
}

/*
 * Turn the text parameters into Datums of the deduced types with each
 * type's input function; unreferenced or still unknown ones are text.
 */
static ParamListInfo
bind_params(int nparams, const char **values, const DeducedParams *deduced)
{
	ParamListInfo params;

	if (deduced->ntypes > nparams)
		elog(ERROR, "pgrest statement refers to $%d but has %d parameters",
			 deduced->ntypes, nparams);
	if (nparams == 0)
		return NULL;

	params = makeParamList(nparams);
	for (int i = 0; i < nparams; i++)
	{
		ParamExternData *prm = &params->params[i];
		Oid			type = i < deduced->ntypes ? deduced->types[i] : InvalidOid;
		Oid			input;
		Oid			ioparam;

		if (type == InvalidOid || type == UNKNOWNOID)
			type = TEXTOID;
		prm->ptype = type;
		prm->pflags = PARAM_FLAG_CONST;
		prm->isnull = values[i] == NULL;
		prm->value = (Datum) 0;
		if (!prm->isnull)
		{
			getTypeInputInfo(type, &input, &ioparam);
			prm->value = OidInputFunctionCall(input, (char *) values[i],
											  ioparam, -1);
		}
	}
	return params;
}

/* the cache is keyed by the statement's text, through a pointer to it */
static uint32
hash_sql(const void *key, Size keysize)
{
	const char *sql = *(const char *const *) key;

	return hash_bytes((const unsigned char *) sql, strlen(sql));
}

static int
match_sql(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

static void
create_cache(void)
{
	HASHCTL		ctl;

	cache_context = AllocSetContextCreate(TopMemoryContext, "pgrest kept plans",
										  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(KeptPlan);
	ctl.hash = hash_sql;
	ctl.match = match_sql;
	ctl.hcxt = cache_context;
	kept_plans = hash_create("pgrest kept plans", 64, &ctl,
							 HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}
