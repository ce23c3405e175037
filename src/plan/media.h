/*-------------------------------------------------------------------------
 *
 * media.h
 *	  The representation of a response: Accept against pgrest's formats
 *	  and the database's media type handlers
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/media.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_MEDIA_H
#define PGREST_MEDIA_H

#include "plan/types.h"

extern void pgrest_media_choose(const PgrestRequest *req, PgrestPlan *plan,
								bool top_level);

#endif							/* PGREST_MEDIA_H */
