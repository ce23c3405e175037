/*-------------------------------------------------------------------------
 *
 * conn.h
 *	  The connections a worker holds: deadlines, and which to shed
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/http/conn.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_CONN_H
#define PGREST_CONN_H

#include "datatype/timestamp.h"

typedef struct PgrestConn PgrestConn;

extern void pgrest_conn_prepare(void);
extern PgrestConn *pgrest_conn_open(int fd);
extern void pgrest_conn_close(PgrestConn *conn);
extern void pgrest_conn_headers_received(PgrestConn *conn);
extern void pgrest_conn_body_received(PgrestConn *conn, size_t bytes);
extern void pgrest_conn_queued(PgrestConn *conn);
extern void pgrest_conn_answering(PgrestConn *conn, size_t response_bytes);
extern void pgrest_conn_events(PgrestConn *conn);
extern void pgrest_conn_produced(PgrestConn *conn, size_t bytes, int64 usecs);
extern void pgrest_conn_request_done(PgrestConn *conn);
extern void pgrest_conn_enforce_deadlines(void);
extern long pgrest_conn_next_check_ms(void);
extern bool pgrest_conn_can_shed(void);
extern bool pgrest_conn_shed_one(void);
extern int	pgrest_conn_shedding(void);
extern TimestampTz pgrest_conn_deadline(const PgrestConn *conn);
extern void pgrest_conn_shed(PgrestConn *conn);

/* the admin port's connections: the same deadlines, shed among themselves */
extern PgrestConn *pgrest_conn_open_admin(int fd);
extern bool pgrest_conn_is_admin(const PgrestConn *conn);
extern bool pgrest_conn_admin_can_shed(void);
extern bool pgrest_conn_admin_shed_one(void);
extern int	pgrest_conn_admin_shedding(void);

#endif							/* PGREST_CONN_H */
