/*-------------------------------------------------------------------------
 *
 * percent.c
 *	  Percent-decode a part of a URL or of a form body into clean text.
 *
 * The input is untrusted bytes: "%XY" becomes one byte, '+' a space where
 * HTML forms (and PostgREST's query strings) say so; a '%' that two hex
 * digits do not follow stays itself, as PostgREST (http-types) decodes
 * it, so that like.%plan% works unencoded.  The result must be valid
 * UTF-8 without NUL bytes; it comes back in the database encoding.
 * Anything else raises 400 PGRST100 naming the part.
 *
 * request.c (path, query string) and payload.c (form bodies) both use
 * it; this file calls neither.  No SQL, no catalog (api/layer.h).
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/percent.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "api/layer.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "base/error.h"
#include "api/percent.h"

/*
 * Percent-decode s[0..len), check the result is UTF-8 without NUL bytes,
 * and return it in the database encoding.  plus_is_space for query
 * strings and forms; "where" names the part for error messages.  Linear
 * in len, and interruptible.
 */
char *
pgrest_percent_decode(const char *s, size_t len, bool plus_is_space,
					  const char *where)
{
	char	   *out = palloc(len + 1);
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (c == '%')
		{
			int			hi = i + 2 < len ? pgrest_percent_hex_digit(s[i + 1]) : -1;
			int			lo = i + 2 < len ? pgrest_percent_hex_digit(s[i + 2]) : -1;

			if (hi >= 0 && lo >= 0)
			{
				c = (char) (hi * 16 + lo);
				i += 2;
			}
		}
		else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == '\0')
			pgrest_error_raise(PGREST_ERR_PARSE,
							   psprintf("the %s contains a NUL byte", where),
							   NULL, NULL);
		out[n++] = c;
	}
	out[n] = '\0';

	if (!pg_verify_mbstr(PG_UTF8, out, n, true))
		pgrest_error_raise(PGREST_ERR_PARSE,
						   psprintf("the %s is not valid UTF-8", where),
						   NULL, NULL);
	return pg_any_to_server(out, n, PG_UTF8);
}

/* The value of a hexadecimal digit, or -1. */
int
pgrest_percent_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
