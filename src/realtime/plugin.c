/*-------------------------------------------------------------------------
 *
 * plugin.c
 *	  pgrest's logical decoding output plugin: committed changes of the
 *	  tables of pgrest.realtime_publication, as records of the ring.
 *
 * pgrest.so is the output plugin "pgrest" (_PG_output_plugin_init).  Only
 * the decoder (decoder.c) uses it, in its own process; its callbacks write
 * nothing through OutputPluginWrite: they build the records of a
 * transaction in local memory and, at its commit, append them to the ring
 * and publish them at once (ring.c).  In any other process (a slot of
 * someone's own with plugin "pgrest") it refuses to start: the ring has
 * one writer.
 *
 * What a change becomes:
 *
 *	- A table streams if it, or a partitioned table it is a partition of,
 *	  is in the publication (FOR TABLE, FOR TABLES IN SCHEMA, FOR ALL
 *	  TABLES), for the publication's actions (publish = 'insert, ...').  A
 *	  partition's change is recorded as a change of the topmost ancestor in
 *	  the publication (the root, under FOR ALL TABLES), its tuple converted
 *	  to the root's columns.  Row filters and column lists of the
 *	  publication are not applied: subscribers read rows through their own
 *	  statement.
 *	- A record carries the values of the root's primary key: of the new
 *	  tuple (INSERT, UPDATE), of the old key (DELETE; and also for an UPDATE
 *	  that changed the key), and the values of the columns the HTTP workers
 *	  prefilter on (ring.c's listeners): of the new tuple, or for a DELETE
 *	  of the old one when the table's replica identity is FULL.  Values are
 *	  their type's output text; NULL is marked as such; an unchanged TOAST
 *	  value, or a prefilter value longer than PREFILTER_MAX_LEN, is
 *	  "unknown".
 *	- TRUNCATE: one record per root table.
 *	- The cap: a table that gets more than pgrest.realtime_max_tx_changes
 *	  changes in one transaction, or any change when the transaction's
 *	  records grow past a quarter of the ring, has its records replaced by
 *	  one TOO_MANY record, after the transaction's other records.
 *
 * seq numbers the records of a transaction from 0 as they are appended,
 * so decoding the same WAL again gives the same ids.  A transaction the
 * ring already has (the decoder restarted alone) is passed over.
 *
 * Which tables stream is read from the catalogs under the historic
 * snapshot of the change, cached per relation and dropped on the
 * relation's invalidation and on any change of publications: decoding
 * replays a transaction's invalidations at their place, so ALTER
 * PUBLICATION ... ADD TABLE takes effect for the changes committed after
 * it.  The callbacks run no SQL and call no user code but types' output
 * functions.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/plugin.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/tupconvert.h"
#include "catalog/partition.h"
#include "catalog/pg_publication.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "replication/reorderbuffer.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "realtime/plugin.h"
#include "realtime/ring.h"
#include "server/guc.h"

/* prefilter values longer than this are "unknown": nobody compares them */
#define PREFILTER_MAX_LEN 256
/* prefilter columns written per record */
#define PREFILTER_MAX 16

/* what a decoded relation becomes */
typedef struct RelEntry
{
	Oid			relid;			/* hash key: the relation decoded */
	bool		valid;
	bool		published;
	PublicationActions actions;
	Oid			root;			/* the table recorded */
	TupleDesc	root_desc;		/* its columns (a copy) */
	TupleConversionMap *map;	/* relation -> root, NULL when the same */
	bool		identity_full;	/* REPLICA IDENTITY FULL: old tuples whole */
	int			nkeys;
	AttrNumber	keys[INDEX_MAX_KEYS];	/* the root's primary key */
} RelEntry;

/* a table the current transaction changed */
typedef struct TxTable
{
	Oid			root;
	uint32		changes;
	bool		too_many;
} TxTable;

/* the plugin's state, in the decoding context */
typedef struct PluginState
{
	MemoryContext cache_cxt;	/* the relation cache's entries */
	MemoryContext tx_cxt;		/* the transaction's records */
	MemoryContext change_cxt;	/* one change's scratch */
	bool		skip;			/* the ring has this transaction already */
	bool		overflow;		/* records past the ring's quarter */
	StringInfoData records;		/* the transaction's records, seq unset */
	TxTable    *tables;
	int			ntables;
	int			maxtables;
	uint64		changes;		/* changes seen in this transaction */
} PluginState;

static HTAB *rel_cache = NULL;
/* this process is the decoder: the ring's only writer */
static bool in_decoder = false;
static const char zeros[MAXIMUM_ALIGNOF + 1] = {0};
static bool callbacks_registered = false;

static void plugin_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
						   bool is_init);
static void plugin_shutdown(LogicalDecodingContext *ctx);
static void plugin_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void plugin_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						  Relation relation, ReorderBufferChange *change);
static void plugin_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							int nrelations, Relation relations[],
							ReorderBufferChange *change);
static void plugin_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						  XLogRecPtr commit_lsn);
static RelEntry *get_entry(Relation relation);
static void fill_entry(RelEntry *entry, Relation relation);
static TxTable *tx_table(PluginState *state, Oid root);
static void add_record(PluginState *state, ReorderBufferTXN *txn, char op,
					   Oid root, StringInfo values, int nvalues);
static int	add_values(StringInfo buf, RelEntry *entry, HeapTuple tuple,
					   const AttrNumber *attnums, int n, uint8 from, bool prefilter);
static char *value_text(TupleDesc desc, HeapTuple tuple, AttrNumber attnum,
						uint8 *kind);
static bool keys_differ(RelEntry *entry, HeapTuple oldtuple, HeapTuple newtuple);
static void reset_tx(PluginState *state);
static void invalidate_relation(Datum arg, Oid relid);
static void invalidate_all(Datum arg, int cacheid, uint32 hashvalue);

/* The plugin's callbacks: pgrest.so is the output plugin "pgrest". */
void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = plugin_startup;
	cb->begin_cb = plugin_begin;
	cb->change_cb = plugin_change;
	cb->truncate_cb = plugin_truncate;
	cb->commit_cb = plugin_commit;
	cb->shutdown_cb = plugin_shutdown;
}

/*
 * Binary output (nothing is written through the context anyway); the
 * caches and their invalidation callbacks, once per process.
 */
static void
plugin_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	PluginState *state;

	if (!in_decoder)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the pgrest output plugin serves the pgrest realtime decoder only"),
				 errhint("Use pgoutput or test_decoding for replication slots of your own.")));
	if (ctx->output_plugin_options != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the pgrest output plugin takes no options")));
	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
	opt->receive_rewrites = false;

	state = MemoryContextAllocZero(ctx->context, sizeof(PluginState));
	state->cache_cxt = AllocSetContextCreate(ctx->context, "pgrest realtime relations",
											 ALLOCSET_SMALL_SIZES);
	state->tx_cxt = AllocSetContextCreate(ctx->context, "pgrest realtime transaction",
										  ALLOCSET_DEFAULT_SIZES);
	state->change_cxt = AllocSetContextCreate(ctx->context, "pgrest realtime change",
											  ALLOCSET_DEFAULT_SIZES);
	ctx->output_plugin_private = state;
	reset_tx(state);

	if (is_init)
		return;

	if (rel_cache == NULL)
	{
		HASHCTL		hctl;

		memset(&hctl, 0, sizeof(hctl));
		hctl.keysize = sizeof(Oid);
		hctl.entrysize = sizeof(RelEntry);
		hctl.hcxt = TopMemoryContext;
		rel_cache = hash_create("pgrest realtime relations", 128, &hctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(invalidate_relation, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONOID, invalidate_all, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, invalidate_all, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONNAMESPACEMAP, invalidate_all, (Datum) 0);
		callbacks_registered = true;
	}
}

static void
plugin_shutdown(LogicalDecodingContext *ctx)
{
	/* the contexts go with the decoding context */
}

/* A transaction begins: its records start empty. */
static void
plugin_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	PluginState *state = ctx->output_plugin_private;

	reset_tx(state);
	state->skip = pgrest_ring_has_commit(txn->final_lsn);
}

/* One row changed: a record in the transaction's records, or a count. */
static void
plugin_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			  Relation relation, ReorderBufferChange *change)
{
	PluginState *state = ctx->output_plugin_private;
	RelEntry   *entry;
	MemoryContext old;
	HeapTuple	newtuple = NULL;
	HeapTuple	oldtuple = NULL;
	TxTable    *table;
	StringInfoData values;
	AttrNumber	wanted[PREFILTER_MAX];
	int			nwanted;
	int			nvalues = 0;
	char		op;

	if (state->skip)
		return;
	if (++state->changes % 1000 == 0)
		CHECK_FOR_INTERRUPTS();

	entry = get_entry(relation);
	if (!entry->published)
		return;
	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			if (!entry->actions.pubinsert)
				return;
			op = PGREST_CHANGE_INSERT;
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			if (!entry->actions.pubupdate)
				return;
			op = PGREST_CHANGE_UPDATE;
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			if (!entry->actions.pubdelete)
				return;
			op = PGREST_CHANGE_DELETE;
			break;
		default:
			return;
	}

	table = tx_table(state, entry->root);
	table->changes++;
	if (table->too_many || state->overflow)
		return;
	if (table->changes > (uint32) pgrest_realtime_max_tx_changes)
	{
		table->too_many = true;
		return;
	}

	old = MemoryContextSwitchTo(state->change_cxt);
	if (change->data.tp.newtuple != NULL)
		newtuple = &change->data.tp.newtuple->tuple;
	if (change->data.tp.oldtuple != NULL)
		oldtuple = &change->data.tp.oldtuple->tuple;
	if (entry->map != NULL)
	{
		if (newtuple != NULL)
			newtuple = execute_attr_map_tuple(newtuple, entry->map);
		if (oldtuple != NULL)
			oldtuple = execute_attr_map_tuple(oldtuple, entry->map);
	}

	nwanted = pgrest_ring_wanted_columns(entry->root, wanted, PREFILTER_MAX);
	initStringInfo(&values);
	if (op == PGREST_CHANGE_DELETE)
	{
		if (oldtuple != NULL)
		{
			nvalues += add_values(&values, entry, oldtuple, entry->keys, entry->nkeys,
								  PGREST_VALUE_OLD, false);
			if (entry->identity_full)
				nvalues += add_values(&values, entry, oldtuple, wanted, nwanted,
									  PGREST_VALUE_OLD, true);
		}
	}
	else if (newtuple != NULL)
	{
		nvalues += add_values(&values, entry, newtuple, entry->keys, entry->nkeys,
							  PGREST_VALUE_NEW, false);
		if (op == PGREST_CHANGE_UPDATE && oldtuple != NULL &&
			keys_differ(entry, oldtuple, newtuple))
			nvalues += add_values(&values, entry, oldtuple, entry->keys, entry->nkeys,
								  PGREST_VALUE_OLD, false);
		nvalues += add_values(&values, entry, newtuple, wanted, nwanted,
							  PGREST_VALUE_NEW, true);
	}

	MemoryContextSwitchTo(state->tx_cxt);
	if (PGREST_CHANGE_HEADER_SIZE + values.len > PGREST_RING_MAX_RECORD)
		table->too_many = true; /* a key too long to carry */
	else
		add_record(state, txn, op, entry->root, &values, nvalues);
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->change_cxt);
}

/* TRUNCATE: one record per root table truncated. */
static void
plugin_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				int nrelations, Relation relations[], ReorderBufferChange *change)
{
	PluginState *state = ctx->output_plugin_private;
	Oid		   *done = palloc(sizeof(Oid) * nrelations);
	int			ndone = 0;

	if (state->skip)
		return;
	for (int i = 0; i < nrelations; i++)
	{
		RelEntry   *entry = get_entry(relations[i]);
		bool		seen = false;
		TxTable    *table;
		MemoryContext old;
		StringInfoData none;

		if (!entry->published || !entry->actions.pubtruncate)
			continue;
		for (int j = 0; j < ndone; j++)
			seen = seen || done[j] == entry->root;
		if (seen)
			continue;
		done[ndone++] = entry->root;
		table = tx_table(state, entry->root);
		table->changes++;
		if (table->too_many || state->overflow)
			continue;
		old = MemoryContextSwitchTo(state->tx_cxt);
		initStringInfo(&none);
		add_record(state, txn, PGREST_CHANGE_TRUNCATE, entry->root, &none, 0);
		MemoryContextSwitchTo(old);
	}
	pfree(done);
}

/*
 * The transaction committed: its records go to the ring, numbered, with
 * one TOO_MANY record per capped table after them, and are published at
 * once; the workers listening to its tables are woken.
 */
static void
plugin_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			  XLogRecPtr commit_lsn)
{
	PluginState *state = ctx->output_plugin_private;
	uint32		seq = 0;
	bool		fits = true;

	if (state->skip || state->ntables == 0)
	{
		reset_tx(state);
		return;
	}

	for (int pass = 0; pass < 2; pass++)
	{
		int			offset = 0;

		seq = 0;
		while (fits && !state->overflow && offset < state->records.len)
		{
			PgrestChange *change = (PgrestChange *) (state->records.data + offset);
			TxTable    *table = tx_table(state, change->relid);

			offset += change->length;
			if (table->too_many)
				continue;
			change->seq = seq;
			if (!pgrest_ring_append(change, (char *) change + PGREST_CHANGE_HEADER_SIZE,
									change->length - PGREST_CHANGE_HEADER_SIZE))
				fits = false;
			else
				seq++;
		}
		if (fits)
			break;
		/* more than the ring takes at once: every table gets TOO_MANY */
		pgrest_ring_discard();
		state->overflow = true;
	}

	for (int i = 0; i < state->ntables; i++)
	{
		TxTable    *table = &state->tables[i];
		PgrestChange change;

		if (!table->too_many && !state->overflow)
			continue;
		memset(&change, 0, sizeof(change));
		change.op = PGREST_CHANGE_TOO_MANY;
		change.relid = table->root;
		change.xid = txn->xid;
		change.seq = seq++;
		change.commit_lsn = txn->final_lsn;
		change.commit_time = txn->xact_time.commit_time;
		(void) pgrest_ring_append(&change, NULL, 0);
	}
	pgrest_ring_publish();
	pgrest_ring_wake_readers();
	reset_tx(state);
}

/*
 * The cache entry of a relation, filled when missing or invalidated.
 */
static RelEntry *
get_entry(Relation relation)
{
	Oid			relid = RelationGetRelid(relation);
	RelEntry   *entry;
	bool		found;

	entry = hash_search(rel_cache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->map = NULL;
		entry->root_desc = NULL;
		entry->root = InvalidOid;
	}
	if (!entry->valid)
		fill_entry(entry, relation);
	return entry;
}

/*
 * Whether relation streams, as which table, with which key.  Runs under
 * the historic snapshot of the change being decoded.
 */
static void
fill_entry(RelEntry *entry, Relation relation)
{
	Publication *pub;
	List	   *ancestors = NIL;
	Oid			root = InvalidOid;
	MemoryContext old;

	if (entry->map != NULL)
		free_conversion_map(entry->map);
	if (entry->root_desc != NULL)
		FreeTupleDesc(entry->root_desc);
	entry->map = NULL;
	entry->root_desc = NULL;
	entry->published = false;
	entry->nkeys = 0;
	entry->root = InvalidOid;
	memset(&entry->actions, 0, sizeof(entry->actions));

	pub = GetPublicationByName(pgrest_realtime_publication, true);
	if (pub != NULL && is_publishable_relation(relation))
	{
		Oid			relid = RelationGetRelid(relation);

		if (relation->rd_rel->relispartition)
			ancestors = get_partition_ancestors(relid);
		if (pub->alltables)
			root = ancestors != NIL ? llast_oid(ancestors) : relid;
		else
		{
			if (ancestors != NIL)
				root = GetTopMostAncestorInPublication(pub->oid, ancestors, NULL);
			if (!OidIsValid(root) &&
				(list_member_oid(GetRelationPublications(relid), pub->oid) ||
				 list_member_oid(GetSchemaPublications(RelationGetNamespace(relation)),
								 pub->oid)))
				root = relid;
		}
	}

	if (OidIsValid(root))
	{
		Relation	rootrel = root == RelationGetRelid(relation) ?
			relation : RelationIdGetRelation(root);

		if (!RelationIsValid(rootrel))
			elog(ERROR, "could not open relation with OID %u", root);
		old = MemoryContextSwitchTo(TopMemoryContext);
		entry->root_desc = CreateTupleDescCopy(RelationGetDescr(rootrel));
		if (rootrel != relation)
			entry->map = convert_tuples_by_name(RelationGetDescr(relation),
												entry->root_desc);
		MemoryContextSwitchTo(old);
		{
			Bitmapset  *pk = RelationGetIndexAttrBitmap(rootrel,
													   INDEX_ATTR_BITMAP_PRIMARY_KEY);
			int			member = -1;

			while ((member = bms_next_member(pk, member)) >= 0 &&
				   entry->nkeys < INDEX_MAX_KEYS)
				entry->keys[entry->nkeys++] = member + FirstLowInvalidHeapAttributeNumber;
			bms_free(pk);
		}
		if (rootrel != relation)
			RelationClose(rootrel);
		entry->root = root;
		entry->actions = pub->pubactions;
		entry->identity_full =
			relation->rd_rel->relreplident == REPLICA_IDENTITY_FULL;
		entry->published = true;
	}
	list_free(ancestors);
	entry->valid = true;
}

/* the current transaction's entry for a table */
static TxTable *
tx_table(PluginState *state, Oid root)
{
	for (int i = state->ntables - 1; i >= 0; i--)
		if (state->tables[i].root == root)
			return &state->tables[i];
	if (state->ntables == state->maxtables)
	{
		state->maxtables *= 2;
		state->tables = repalloc(state->tables, sizeof(TxTable) * state->maxtables);
	}
	state->tables[state->ntables].root = root;
	state->tables[state->ntables].changes = 0;
	state->tables[state->ntables].too_many = false;
	return &state->tables[state->ntables++];
}

/*
 * Add a record to the transaction's records (in tx_cxt).  Past a quarter
 * of the ring, the transaction overflows: every table gets TOO_MANY.
 */
static void
add_record(PluginState *state, ReorderBufferTXN *txn, char op, Oid root,
		   StringInfo values, int nvalues)
{
	PgrestChange change;

	if ((uint64) state->records.len + PGREST_CHANGE_HEADER_SIZE + values->len >
		(uint64) pgrest_realtime_buffer * 1024 / 4)
	{
		state->overflow = true;
		return;
	}
	memset(&change, 0, sizeof(change));
	change.length = PGREST_CHANGE_HEADER_SIZE + values->len;
	change.op = op;
	change.nvalues = (uint16) nvalues;
	change.relid = root;
	change.xid = txn->xid;
	change.commit_lsn = txn->final_lsn;
	change.commit_time = txn->xact_time.commit_time;
	appendBinaryStringInfo(&state->records, (char *) &change, sizeof(change));
	appendStringInfoSpaces(&state->records,
						   PGREST_CHANGE_HEADER_SIZE - sizeof(PgrestChange));
	appendBinaryStringInfo(&state->records, values->data, values->len);
}

/*
 * Append the values of attnums of tuple (in the root's columns) to buf,
 * as PgrestChangeValues; prefilter columns that are keys are left out
 * (the key is there already), and long ones are "unknown".  Returns how
 * many were added.
 */
static int
add_values(StringInfo buf, RelEntry *entry, HeapTuple tuple,
		   const AttrNumber *attnums, int n, uint8 from, bool prefilter)
{
	int			added = 0;

	for (int i = 0; i < n; i++)
	{
		PgrestChangeValue value;
		char	   *out;
		uint8		kind;
		Size		len;
		bool		key = false;

		if (attnums[i] <= 0 || attnums[i] > entry->root_desc->natts ||
			TupleDescAttr(entry->root_desc, attnums[i] - 1)->attisdropped)
			continue;
		if (prefilter)
		{
			for (int k = 0; k < entry->nkeys; k++)
				key = key || entry->keys[k] == attnums[i];
			if (key)
				continue;
		}
		out = value_text(entry->root_desc, tuple, attnums[i], &kind);
		len = out ? strlen(out) : 0;
		if (prefilter && len > PREFILTER_MAX_LEN)
		{
			kind = PGREST_VALUE_UNKNOWN;
			len = 0;
		}
		value.attnum = attnums[i];
		value.from = from;
		value.kind = kind;
		value.len = (uint32) len;
		appendBinaryStringInfo(buf, (char *) &value, sizeof(value));
		if (len > 0)
			appendBinaryStringInfo(buf, out, len);
		/* the NUL and the padding */
		appendBinaryStringInfo(buf, zeros,
							   PGREST_CHANGE_VALUE_SIZE(len) - sizeof(value) - len);
		added++;
	}
	return added;
}

/*
 * The output text of a column of tuple, or NULL with kind NULL or
 * UNKNOWN (a TOAST value the WAL does not carry).
 */
static char *
value_text(TupleDesc desc, HeapTuple tuple, AttrNumber attnum, uint8 *kind)
{
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
	bool		isnull;
	Datum		datum = heap_getattr(tuple, attnum, desc, &isnull);
	Oid			typoutput;
	bool		varlena;

	if (isnull)
	{
		*kind = PGREST_VALUE_NULL;
		return NULL;
	}
	if (att->attlen == -1 && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(datum)))
	{
		*kind = PGREST_VALUE_UNKNOWN;
		return NULL;
	}
	*kind = PGREST_VALUE_TEXT;
	getTypeOutputInfo(att->atttypid, &typoutput, &varlena);
	return OidOutputFunctionCall(typoutput, datum);
}

/* whether an UPDATE's old key differs from its new one */
static bool
keys_differ(RelEntry *entry, HeapTuple oldtuple, HeapTuple newtuple)
{
	for (int i = 0; i < entry->nkeys; i++)
	{
		uint8		oldkind;
		uint8		newkind;
		char	   *oldtext = value_text(entry->root_desc, oldtuple, entry->keys[i], &oldkind);
		char	   *newtext = value_text(entry->root_desc, newtuple, entry->keys[i], &newkind);

		if (oldkind != newkind ||
			(oldtext != NULL && newtext != NULL && strcmp(oldtext, newtext) != 0))
			return true;
	}
	return false;
}

/* forget the transaction's records */
static void
reset_tx(PluginState *state)
{
	MemoryContext old;

	MemoryContextReset(state->tx_cxt);
	old = MemoryContextSwitchTo(state->tx_cxt);
	initStringInfo(&state->records);
	state->maxtables = 8;
	state->tables = palloc(sizeof(TxTable) * state->maxtables);
	MemoryContextSwitchTo(old);
	state->ntables = 0;
	state->skip = false;
	state->overflow = false;
	state->changes = 0;
}

/* a relation changed: its entry (or all, for InvalidOid) is stale */
static void
invalidate_relation(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	RelEntry   *entry;

	if (rel_cache == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(rel_cache, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			entry->valid = false;
		/* a partition's entry names its root: that may be the one changed */
	}
	hash_seq_init(&status, rel_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || entry->root == relid)
			entry->valid = false;
}

/* This process is the decoder: the plugin may write to the ring. */
void
pgrest_plugin_enable(void)
{
	in_decoder = true;
}

/* pgrest.realtime_publication names another: every entry is stale */
void
pgrest_plugin_forget_relations(void)
{
	invalidate_all((Datum) 0, 0, 0);
}

/* a publication changed: every entry is stale */
static void
invalidate_all(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	RelEntry   *entry;

	if (rel_cache == NULL)
		return;
	hash_seq_init(&status, rel_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}
