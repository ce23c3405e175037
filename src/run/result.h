/*-------------------------------------------------------------------------
 *
 * result.h
 *	  Take a statement's one result row straight from the executor
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/result.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RESULT_H
#define PGREST_RESULT_H

#include "tcop/dest.h"

#include "run/execute.h"

extern DestReceiver *pgrest_result_receiver(PgrestResult *result);

#endif							/* PGREST_RESULT_H */
