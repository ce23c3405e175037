/*-------------------------------------------------------------------------
 *
 * percent.h
 *	  Percent-decoding of URL parts and form bodies
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/percent.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_PERCENT_H
#define PGREST_PERCENT_H

extern char *pgrest_percent_decode(const char *s, size_t len,
								   bool plus_is_space, const char *where);
extern int	pgrest_percent_hex_digit(char c);

#endif							/* PGREST_PERCENT_H */
