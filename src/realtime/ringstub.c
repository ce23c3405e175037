/*-------------------------------------------------------------------------
 *
 * ringstub.c
 *	  A stand-in for the shared ring's readers' side until ring.c lands:
 *	  no ring, nothing to read.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/ringstub.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "realtime/ring.h"

bool		pgrest_realtime = false;
char	   *pgrest_realtime_publication = "pgrest_realtime";
int			pgrest_realtime_heartbeat = 15000;
int			pgrest_realtime_client_buffer = 256 * 1024;
int			pgrest_realtime_max_subscribers = 10000;

bool
pgrest_ring_attached(void)
{
	return false;
}

PgrestRealtimeState
pgrest_ring_state(void)
{
	return PGREST_REALTIME_OFF;
}

void
pgrest_ring_status(PgrestRingStatus *status)
{
	memset(status, 0, sizeof(*status));
}

uint32
pgrest_ring_epoch(void)
{
	return 0;
}

void
pgrest_ring_cursor_at_head(PgrestRingCursor *cursor)
{
	memset(cursor, 0, sizeof(*cursor));
	cursor->lsn = 1;
}

ssize_t
pgrest_ring_read(PgrestRingCursor *cursor, char *buf, size_t bytes)
{
	return 0;
}

bool
pgrest_ring_seek(uint32 epoch, XLogRecPtr lsn, uint32 seq, PgrestRingCursor *cursor)
{
	return false;
}

bool
pgrest_ring_want_columns(Oid relid, const AttrNumber *attnums, int n)
{
	return true;
}

void
pgrest_ring_forget(Oid relid)
{
}
