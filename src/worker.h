/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The HTTP background worker's entry point
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/worker.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_WORKER_H
#define PGREST_WORKER_H

extern PGDLLEXPORT void pgrest_worker_main(Datum main_arg);

#endif							/* PGREST_WORKER_H */
