/*-------------------------------------------------------------------------
 *
 * login.h
 *	  Whether the HTTP workers can log in, and a worker's answer when not
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/login.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_LOGIN_H
#define PGREST_LOGIN_H

#include "response/response.h"

extern Size pgrest_login_shmem_size(void);
extern void pgrest_login_shmem_startup(void);
extern void pgrest_login_wake(void);
extern bool pgrest_login_check(int worker);
extern long pgrest_login_recheck(void);
extern bool pgrest_login_failed(void);
extern PgrestResponse *pgrest_login_response(void);
extern char *pgrest_login_problem(void);

extern PGDLLEXPORT void pgrest_login_probe_main(Datum main_arg);

#endif							/* PGREST_LOGIN_H */
