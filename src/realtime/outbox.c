/*-------------------------------------------------------------------------
 *
 * outbox.c
 *	  A subscriber's bytes not sent yet: whole Server-Sent Events frames,
 *	  appended by the worker, read by the HTTP server.
 *
 * An event goes to every member of its cohort: it is written once, as a
 * frame, and each member's outbox holds a reference to it (a cohort of a
 * thousand subscribers holds one copy of each event).  The last outbox
 * that sends it (or drops it) frees it.
 *
 * The HTTP server copies from here inside libmicrohttpd's content-reader
 * callback, where no PostgreSQL code may run: this file is plain C, its
 * memory malloc'd, and it never raises an error (an append that finds no
 * memory says so, and the caller treats the subscriber as one that fell
 * behind).  An idle subscriber holds no frame and a small queue, freed
 * once it is empty if it had grown.
 *
 * pgrest_outbox_drop keeps the frame being sent whole, so that a
 * subscriber that fell behind never sees a frame cut in two.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/outbox.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "realtime/layer.h"

#include "realtime/outbox.h"

/* a queue of more frames than this is freed once empty */
#define PGREST_OUTBOX_KEEP 8

/*
 * A frame of len bytes, held by nothing yet (NULL when no memory was
 * left).  Queue it, then release the caller's hold with
 * pgrest_frame_release: a frame nothing took is freed then.
 */
PgrestFrame *
pgrest_frame_make(const char *data, size_t len)
{
	PgrestFrame *frame;

	if (len > PG_UINT32_MAX - 1)
		return NULL;
	frame = malloc(offsetof(PgrestFrame, data) + len);
	if (frame == NULL)
		return NULL;
	frame->refs = 1;			/* the maker's */
	frame->len = (uint32) len;
	memcpy(frame->data, data, len);
	return frame;
}

/* One holder less; the last frees the frame.  Plain C. */
void
pgrest_frame_release(PgrestFrame *frame)
{
	if (frame != NULL && --frame->refs == 0)
		free(frame);
}

/*
 * Queue a frame (another reference to it); false when no memory was left
 * for the queue (nothing is queued then).
 */
bool
pgrest_outbox_append(PgrestOutbox *box, PgrestFrame *frame)
{
	if (box->count == box->cap)
	{
		uint32		cap = Max(box->cap * 2, 4);
		PgrestFrame **grown = malloc(sizeof(PgrestFrame *) * cap);

		if (grown == NULL)
			return false;
		for (uint32 i = 0; i < box->count; i++)
			grown[i] = box->frames[(box->first + i) % box->cap];
		free(box->frames);
		box->frames = grown;
		box->first = 0;
		box->cap = cap;
	}
	box->frames[(box->first + box->count) % box->cap] = frame;
	box->count++;
	box->pending += frame->len;
	frame->refs++;
	return true;
}

/*
 * Copy up to max bytes not sent yet into buf; returns how many (0: none
 * left).  Frames sent whole are released.  Plain C, for libmicrohttpd's
 * content reader.
 */
size_t
pgrest_outbox_read(PgrestOutbox *box, char *buf, size_t max)
{
	size_t		n = 0;

	while (n < max && box->count > 0)
	{
		PgrestFrame *frame = box->frames[box->first];
		size_t		take = Min(max - n, (size_t) (frame->len - box->offset));

		memcpy(buf + n, frame->data + box->offset, take);
		n += take;
		box->offset += (uint32) take;
		if (box->offset == frame->len)
		{
			box->first = (box->first + 1) % box->cap;
			box->count--;
			box->offset = 0;
			pgrest_frame_release(frame);
		}
	}
	box->pending -= n;
	if (box->count == 0 && box->cap > PGREST_OUTBOX_KEEP)
	{
		free(box->frames);
		box->frames = NULL;
		box->first = box->cap = 0;
	}
	return n;
}

/* The bytes not sent yet. */
size_t
pgrest_outbox_pending(const PgrestOutbox *box)
{
	return box->pending;
}

/*
 * Drop every frame not begun yet; the rest of the frame being sent, if
 * any, stays, so that what was sent of it ends whole.  Returns the bytes
 * dropped.
 */
size_t
pgrest_outbox_drop(PgrestOutbox *box)
{
	uint32		keep = box->offset > 0 ? 1 : 0;
	size_t		dropped = 0;

	while (box->count > keep)
	{
		uint32		last = (box->first + box->count - 1) % box->cap;
		PgrestFrame *frame = box->frames[last];

		dropped += frame->len;
		box->count--;
		pgrest_frame_release(frame);
	}
	box->pending -= dropped;
	return dropped;
}

/* Release every frame and the queue (the subscriber is gone). */
void
pgrest_outbox_free(PgrestOutbox *box)
{
	while (box->count > 0)
	{
		pgrest_frame_release(box->frames[box->first]);
		box->first = (box->first + 1) % box->cap;
		box->count--;
	}
	free(box->frames);
	memset(box, 0, sizeof(*box));
}
