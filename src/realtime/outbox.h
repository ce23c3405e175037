/*-------------------------------------------------------------------------
 *
 * outbox.h
 *	  The bytes of a stream not sent yet: Server-Sent Events frames,
 *	  shared by the subscribers of a cohort
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
 * One frame ("...\n\n"), written once and queued in the outboxes of every
 * subscriber it goes to; freed by the last that sent it, or dropped it.
 * malloc'd: the HTTP server reads it inside its callbacks.
 */
typedef struct PgrestFrame
{
	uint32		refs;			/* outboxes holding it */
	uint32		len;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} PgrestFrame;

/* the frames a subscriber has still to send, oldest first */
typedef struct PgrestOutbox
{
	PgrestFrame **frames;		/* a circular queue */
	uint32		first;
	uint32		count;
	uint32		cap;
	uint32		offset;			/* bytes of the first frame sent already */
	size_t		pending;		/* bytes not sent, of every frame */
} PgrestOutbox;

extern PgrestFrame *pgrest_frame_make(const char *data, size_t len);
extern void pgrest_frame_release(PgrestFrame *frame);
extern bool pgrest_outbox_append(PgrestOutbox *box, PgrestFrame *frame);
extern size_t pgrest_outbox_read(PgrestOutbox *box, char *buf, size_t max);
extern size_t pgrest_outbox_pending(const PgrestOutbox *box);
extern size_t pgrest_outbox_drop(PgrestOutbox *box);
extern void pgrest_outbox_free(PgrestOutbox *box);

#endif							/* PGREST_REALTIME_OUTBOX_H */
