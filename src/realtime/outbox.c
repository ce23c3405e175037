/*-------------------------------------------------------------------------
 *
 * outbox.c
 *	  A subscriber's bytes not sent yet: whole Server-Sent Events frames,
 *	  appended by the worker, read by the HTTP server.
 *
 * The HTTP server copies from here inside libmicrohttpd's content-reader
 * callback, where no PostgreSQL code may run: this file is plain C, its
 * memory malloc'd, and it never raises an error (an append that finds no
 * memory says so, and the caller treats the subscriber as one that fell
 * behind).  An idle subscriber holds a small buffer or none: a buffer
 * larger than PGREST_OUTBOX_KEEP is freed once it has been read whole.
 *
 * Every frame ends with a blank line ("\n\n"), and no frame holds one
 * inside (a data line is one line of JSON), so the end of the frame being
 * read is the next "\n\n": pgrest_outbox_drop keeps that frame whole, so
 * that a subscriber that fell behind never sees a frame cut in two.
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

/* a buffer kept when read whole: larger ones are freed */
#define PGREST_OUTBOX_KEEP 2048

/*
 * Append a frame; false when no memory was left for it (nothing is
 * appended then).
 */
bool
pgrest_outbox_append(PgrestOutbox *box, const char *frame, size_t len)
{
	if (box->start > 0 && box->start == box->end)
		box->start = box->end = 0;
	if (box->end + len > box->cap && box->start > 0)
	{
		/* move what is left to the front before growing */
		memmove(box->data, box->data + box->start, box->end - box->start);
		box->end -= box->start;
		box->start = 0;
	}
	if (box->end + len > box->cap)
	{
		size_t		cap = Max(box->cap * 2, 256);
		char	   *grown;

		while (cap < box->end + len)
			cap *= 2;
		grown = realloc(box->data, cap);
		if (grown == NULL)
			return false;
		box->data = grown;
		box->cap = cap;
	}
	memcpy(box->data + box->end, frame, len);
	box->end += len;
	return true;
}

/*
 * Copy up to max bytes not read yet into buf; returns how many (0: none
 * left).  Plain C, for libmicrohttpd's content reader.
 */
size_t
pgrest_outbox_read(PgrestOutbox *box, char *buf, size_t max)
{
	size_t		n = Min(max, box->end - box->start);

	if (n == 0)
		return 0;
	memcpy(buf, box->data + box->start, n);
	box->start += n;
	if (n >= 2)
	{
		box->last[0] = buf[n - 2];
		box->last[1] = buf[n - 1];
	}
	else
	{
		box->last[0] = box->last[1];
		box->last[1] = buf[0];
	}
	if (box->start == box->end)
	{
		box->start = box->end = 0;
		if (box->cap > PGREST_OUTBOX_KEEP)
		{
			free(box->data);
			box->data = NULL;
			box->cap = 0;
		}
	}
	return n;
}

/* The bytes not read yet. */
size_t
pgrest_outbox_pending(const PgrestOutbox *box)
{
	return box->end - box->start;
}

/*
 * Drop every frame not begun yet; the rest of the frame being read, if
 * any, stays, so that what was sent of it ends whole.  Returns the bytes
 * dropped.
 */
size_t
pgrest_outbox_drop(PgrestOutbox *box)
{
	size_t		keep = box->start;
	size_t		dropped;

	if (box->start == box->end)
		return 0;
	/*
	 * In the middle of a frame unless nothing was read yet or the last
	 * bytes read ended one (frames hold no NUL byte).
	 */
	if (box->last[1] != '\0' && !(box->last[0] == '\n' && box->last[1] == '\n'))
	{
		const char *p = box->data + box->start;
		const char *end = box->data + box->end;

		/* a frame's last "\n" may be the only one not read yet */
		if (box->last[1] == '\n' && *p == '\n')
			keep = box->start + 1;
		else
		{
			while (p + 1 < end && !(p[0] == '\n' && p[1] == '\n'))
				p++;
			keep = p + 1 < end ? (size_t) (p - box->data) + 2 : box->end;
		}
	}
	dropped = box->end - keep;
	box->end = keep;
	return dropped;
}

/* Free the buffer (the subscriber is gone). */
void
pgrest_outbox_free(PgrestOutbox *box)
{
	free(box->data);
	box->data = NULL;
	box->start = box->end = box->cap = 0;
}
