/*-------------------------------------------------------------------------
 *
 * login.h
 *	  Whether the HTTP workers can log in, and why not
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/login.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_LOGIN_H
#define PGREST_LOGIN_H

extern Size pgrest_login_shmem_size(void);
extern void pgrest_login_shmem_startup(void);
extern void pgrest_login_wake(void);
extern bool pgrest_login_check(int worker);
extern long pgrest_login_recheck(void);
extern bool pgrest_login_failed(void);
extern void pgrest_login_failure(char **message, char **detail, char **hint);
extern char *pgrest_login_problem(void);
extern bool pgrest_login_probed(void);
extern bool pgrest_login_database_problem(void);

extern PGDLLEXPORT void pgrest_login_probe_main(Datum main_arg);

#endif							/* PGREST_LOGIN_H */
