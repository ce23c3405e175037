/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  Shared state of the pgrest HTTP workers
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/shmem.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_SHMEM_H
#define PGREST_SHMEM_H

extern void pgrest_shmem_install_hooks(void);
extern bool pgrest_shmem_attached(void);
extern void pgrest_shmem_set_ready(int worker, bool ready);
extern bool pgrest_shmem_wait_ready(int timeout_ms);
extern void pgrest_shmem_set_busy(bool busy);
extern void pgrest_shmem_set_connections(int connections, bool has_room);
extern bool pgrest_shmem_should_accept(void);
extern uint64 pgrest_shmem_schema_generation(void);
extern void pgrest_shmem_bump_schema_generation(void);

#endif							/* PGREST_SHMEM_H */
