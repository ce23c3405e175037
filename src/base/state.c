/*-------------------------------------------------------------------------
 *
 * state.c
 *	  The one request a process runs, and what it keeps of it.
 *
 * A process runs at most one pgrest request at a time: a worker serves
 * its requests in turn, and pgrest.handle() refuses to run inside one.
 * What the stages keep of that request beyond their own call (its
 * transaction's settings, the pgrest error being raised, the rows still to
 * send) lives in one PgrestState, so that a request can outlive the turn
 * of the worker's loop that started it (a streamed read), and so that a
 * new request starts from nothing with one assignment.
 *
 * This file holds the struct and nothing else: no stage's logic, no
 * memory beyond the struct itself.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/base/state.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/layer.h"

#include "base/state.h"

static PgrestState current;

/* The request this process runs, or ran last. */
PgrestState *
pgrest_state_get(void)
{
	return &current;
}

/* Forget the last request: a new one begins. */
PgrestState *
pgrest_state_reset(void)
{
	current = (PgrestState) {0};
	return &current;
}
