/*-------------------------------------------------------------------------
 *
 * encoding.c
 *	  Text between HTTP, which speaks UTF-8, and a database whose encoding
 *	  is another (LATIN1, WIN1252, EUC_JP, ...).
 *
 * On the wire everything is UTF-8.  What a request brings (its target,
 * header values, body, a token's claims) is checked to be UTF-8 and
 * converted to the database encoding where it is parsed (percent.c,
 * request.c, payload.c, jwt.c), inside the request's transaction: a
 * character the database cannot hold fails there with PostgreSQL's
 * 22P05, a 400.  What goes out is converted to UTF-8 where it is made:
 * bodies of successes (response.c, stream.c, openapi.c) inside the
 * transaction, with PostgreSQL's conversion, which may fail as psql's
 * would; error bodies and header values with pgrest_encoding_to_utf8
 * below, which never fails, because an error is answered after its
 * transaction, where nothing may be raised.
 *
 * pgrest.handle() speaks the database encoding instead, as every SQL
 * function does: its arguments are converted to UTF-8 before the
 * pipeline and its results back after it.
 *
 * In a UTF-8 database every function here returns its input untouched.
 * In a SQL_ASCII database bytes are not characters: nothing is
 * converted, the pipeline's checks refuse input that is not UTF-8, and
 * error bodies are made valid UTF-8.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/encoding.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/layer.h"

#include "catalog/namespace.h"
#include "common/string.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "base/encoding.h"

/* U+FFFD, for what cannot be said in UTF-8 */
#define REPLACEMENT_CHARACTER "\xEF\xBF\xBD"

/* the conversion from the database encoding to UTF-8, once looked up */
static FmgrInfo to_utf8;
static bool to_utf8_ready = false;

static bool converts(void);
static char *valid_utf8(const char *s, size_t len);
static char *to_server(const char *s, size_t len);
static char *from_server(const char *s, size_t len);

/*
 * Look up the conversion pgrest_encoding_to_utf8 uses, once per process.
 * Needs a transaction (the catalogs); call at the start of every
 * request's, before anything can fail.
 */
void
pgrest_encoding_prepare(void)
{
	Oid			proc;

	if (to_utf8_ready || !converts())
		return;
	proc = FindDefaultConversionProc(GetDatabaseEncoding(), PG_UTF8);
	if (!OidIsValid(proc))
		return;
	fmgr_info_cxt(proc, &to_utf8, TopMemoryContext);
	to_utf8_ready = true;
}

/*
 * s, in the database encoding, as UTF-8 (s itself if nothing changes),
 * palloc'd in the current memory context.  Never raises: a character
 * with no UTF-8 equivalent, or a byte that is not one, becomes U+FFFD.
 * Needs no transaction once pgrest_encoding_prepare has run.
 */
char *
pgrest_encoding_to_utf8(const char *s)
{
	int			encoding = GetDatabaseEncoding();
	size_t		len;
	StringInfoData out;

	if (s == NULL || encoding == PG_UTF8 || pg_is_ascii(s))
		return (char *) s;
	len = strlen(s);
	if (encoding == PG_SQL_ASCII)
		return valid_utf8(s, len);

	initStringInfo(&out);
	while (len > 0)
	{
		int			skip;

		if (to_utf8_ready)
		{
			char	   *dest = MemoryContextAllocHuge(CurrentMemoryContext,
													  len * MAX_CONVERSION_GROWTH + 1);
			int			done;

			done = DatumGetInt32(FunctionCall6(&to_utf8,
											   Int32GetDatum(encoding),
											   Int32GetDatum(PG_UTF8),
											   CStringGetDatum(s),
											   CStringGetDatum(dest),
											   Int32GetDatum((int) len),
											   BoolGetDatum(true)));
			appendStringInfoString(&out, dest);
			pfree(dest);
			s += done;
			len -= done;
			if (len == 0)
				break;
		}
		/* a character that does not convert (ASCII always does) */
		if (!IS_HIGHBIT_SET(*s))
		{
			appendStringInfoChar(&out, *s++);
			len--;
			continue;
		}
		skip = Min((size_t) Max(pg_encoding_mblen_bounded(encoding, s), 1), len);
		appendStringInfoString(&out, REPLACEMENT_CHARACTER);
		s += skip;
		len -= skip;
	}
	return out.data;
}

/*
 * For pgrest.handle(): its arguments, text in the database encoding, as
 * the UTF-8 the pipeline reads from the wire.  Raises if they do not
 * convert.
 */
void
pgrest_encoding_request_to_utf8(PgrestHttpRequest *http)
{
	PgrestHeader *headers;

	if (!converts())
		return;
	http->method = from_server(http->method, strlen(http->method));
	http->path = from_server(http->path, strlen(http->path));
	if (http->query != NULL)
		http->query = from_server(http->query, strlen(http->query));
	headers = palloc0(sizeof(PgrestHeader) * Max(http->nheaders, 1));
	for (int i = 0; i < http->nheaders; i++)
	{
		headers[i].name = from_server(http->headers[i].name,
									  strlen(http->headers[i].name));
		headers[i].value = from_server(http->headers[i].value,
									   strlen(http->headers[i].value));
	}
	http->headers = headers;
	if (http->body != NULL)
	{
		http->body = from_server(http->body, http->body_len);
		http->body_len = strlen(http->body);
	}
}

/*
 * For pgrest.handle(): the response, UTF-8 as it would go on the wire,
 * in the database encoding.  Raises if it does not convert.
 */
void
pgrest_encoding_response_to_server(PgrestResponse *resp)
{
	ListCell   *lc;

	if (!converts())
		return;
	if (resp->body != NULL)
	{
		resp->body = to_server(resp->body, resp->body_len);
		resp->body_len = strlen(resp->body);
	}
	foreach(lc, resp->headers)
	{
		PgrestHeader *header = (PgrestHeader *) lfirst(lc);

		header->value = to_server(header->value, strlen(header->value));
	}
}

/* whether the database's text differs from UTF-8 and can be converted */
static bool
converts(void)
{
	int			encoding = GetDatabaseEncoding();

	return encoding != PG_UTF8 && encoding != PG_SQL_ASCII;
}

/* s, with each sequence that is not UTF-8 replaced by U+FFFD */
static char *
valid_utf8(const char *s, size_t len)
{
	StringInfoData out;

	initStringInfo(&out);
	while (len > 0)
	{
		int			n = pg_utf_mblen((const unsigned char *) s);

		if ((size_t) n <= len && pg_utf8_islegal((const unsigned char *) s, n))
			appendBinaryStringInfo(&out, s, n);
		else
		{
			appendStringInfoString(&out, REPLACEMENT_CHARACTER);
			n = 1;
		}
		s += n;
		len -= n;
	}
	return out.data;
}

/* UTF-8 to the database encoding, NUL-terminated */
static char *
to_server(const char *s, size_t len)
{
	char	   *converted = pg_any_to_server(s, (int) len, PG_UTF8);

	return converted == s ? pnstrdup(s, len) : converted;
}

/* the database encoding to UTF-8, NUL-terminated */
static char *
from_server(const char *s, size_t len)
{
	char	   *converted = pg_server_to_any(s, (int) len, PG_UTF8);

	return converted == s ? pnstrdup(s, len) : converted;
}
