/*-------------------------------------------------------------------------
 *
 * accept.h
 *	  The Accept header's media ranges, in the order they are tried
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/accept.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_ACCEPT_H
#define PGREST_ACCEPT_H

#include "api/types.h"

extern List *pgrest_accept_parse(const char *header);
extern char *pgrest_accept_names(List *ranges);

#endif							/* PGREST_ACCEPT_H */
