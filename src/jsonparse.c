/*-------------------------------------------------------------------------
 *
 * jsonparse.c
 *	  JSON text to jsonb, without raising an error: for text pgrest reads
 *	  where no error may be raised (an error being turned into its
 *	  response, a key being loaded).
 *
 * jsonb_in raises an error on text that is not JSON; PostgreSQL's JSON
 * parser (pg_parse_json) only says so.  So the text is first checked by
 * the parser, with escapes decoded as jsonb_in decodes them (a \u0000, or
 * an escape the database encoding cannot hold, fails there too), then
 * handed to jsonb_in, which cannot fail on it any more.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/jsonparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/fmgrprotos.h"

#include "jsonparse.h"

/*
 * The jsonb of text (len bytes, NUL-terminated), palloc'd, or NULL when
 * the text is not valid JSON in the database encoding.
 */
Jsonb *
pgrest_jsonb_parse(const char *text, size_t len)
{
	JsonLexContext *lex;

	if (len > PG_INT32_MAX || strlen(text) != len ||
		!pg_verifymbstr(text, (int) len, true))
		return NULL;
	lex = makeJsonLexContextCstringLen((char *) text, (int) len,
									   GetDatabaseEncoding(), true);
	if (pg_parse_json(lex, &nullSemAction) != JSON_SUCCESS)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
}
