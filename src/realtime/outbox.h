/*-------------------------------------------------------------------------
 *
 * outbox.h
 *	  The bytes of a stream not sent yet: Server-Sent Events frames
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/outbox.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_OUTBOX_H
#define PGREST_REALTIME_OUTBOX_H

/*
 * Whole frames ("...\n\n") appended at the end, read from the start.
 * malloc'd: the HTTP server reads it inside its callbacks.
 */
typedef struct PgrestOutbox
{
	char	   *data;
	size_t		start;			/* first byte not read yet */
	size_t		end;			/* after the last byte */
	size_t		cap;
	char		last[2];		/* the last two bytes read */
} PgrestOutbox;

/* what pgrest_outbox_read returns besides a count of bytes */
#define PGREST_OUTBOX_EMPTY		0

extern bool pgrest_outbox_append(PgrestOutbox *box, const char *frame, size_t len);
extern size_t pgrest_outbox_read(PgrestOutbox *box, char *buf, size_t max);
extern size_t pgrest_outbox_pending(const PgrestOutbox *box);
extern size_t pgrest_outbox_drop(PgrestOutbox *box);
extern void pgrest_outbox_free(PgrestOutbox *box);

#endif							/* PGREST_REALTIME_OUTBOX_H */
