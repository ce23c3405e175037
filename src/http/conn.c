/*-------------------------------------------------------------------------
 *
 * conn.c
 *	  Keep slow clients from holding a worker's connections: deadlines
 *	  for requests and responses, and shedding at the connection limit.
 *
 * libmicrohttpd's own timeout is an idle timeout: any byte restarts it, so
 * a client that trickles a byte every few seconds holds its connection
 * for ever, and a few thousand of them hold every worker.  This file
 * keeps, for each connection, what it is doing and since when, and
 * enforces absolute limits (pgrest.request_timeout, T below):
 *
 *	 waiting for a request	the headers must be in within T of the
 *							connection's start, or within
 *							pgrest.idle_timeout + T of the end of the
 *							previous request on it (idle keep-alive
 *							connections are libmicrohttpd's business
 *							until then)
 *	 receiving a body		within T of the headers, and after that at
 *							PGREST_MIN_BODY_RATE on average over any
 *							period of T: each byte earns the time it
 *							takes at that rate, but no more than T
 *							ahead of now, so a burst buys at most T of
 *							trickling afterwards
 *	 waiting for the worker	no limit: the request is complete, and waits
 *							for the worker to answer it (behind a streamed
 *							response, perhaps)
 *	 sending events			no limit: a stream of table changes
 *							(realtime/) lasts as long as its client;
 *							its heartbeats find a client that went,
 *							its buffer one that reads too slowly
 *	 sending a response		within T of the answer, plus the time its
 *							bytes take at PGREST_MIN_SEND_RATE, plus the
 *							time the worker spent writing the later parts
 *							of a streamed body; and libmicrohttpd drops
 *							one that reads nothing for T (http.c sets its
 *							timeout so): a client that does not read its
 *							response does not pin it in memory, nor a
 *							streaming request's transaction
 *
 * A connection past its deadline while receiving gets a 408 with a JSON
 * body (written straight to the socket: the server has sent nothing on
 * it yet) and is shut down; one that does not read its response is shut
 * down.  shutdown(2), not close(2): the socket stays libmicrohttpd's,
 * which sees it end on its next run and cleans up as for any client that
 * went away.
 *
 * When the worker is at its connection limit and clients are waiting to
 * connect, it sheds the connection that is waiting longest for a request
 * (or furthest behind with its body), with a 408 too, so that thousands
 * of slow clients cannot keep a well-behaved one out.  When its memory
 * for bodies runs short, http.c sheds bodies in the order of their
 * deadlines (pgrest_conn_deadline, pgrest_conn_shed).  Connections
 * younger than PGREST_SHED_MIN_AGE_MS, and those with a request waiting,
 * running or a response going out, are never shed.
 *
 * The admin port's connections keep the same deadlines, in a list of
 * their own: they are shed only to make room for another admin
 * connection (at its own, small cap; http.c), never for the API's, and
 * the other way round.  An admin connection whose client has gone
 * (nothing left to read, the peer's side closed) is shed first, however
 * young: at a cap that small, a crowd that connected and left must not
 * hold the port for a second each.
 *
 * This file sees sockets, never libmicrohttpd's types, and runs no
 * PostgreSQL code that could raise an ERROR (http.c calls it inside
 * libmicrohttpd's callbacks too); it only allocates with malloc.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/http/conn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "http/layer.h"

#include <sys/socket.h>

#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http/conn.h"
#include "base/error.h"
#include "server/guc.h"

/* bytes per second a body must at least arrive at, after the first T */
#define PGREST_MIN_BODY_RATE (64 * 1024)

/*
 * bytes per second a response must at least be read at, after the first
 * T (a client that reads nothing at all is cut off by libmicrohttpd's
 * timeout, which http.c sets to T while a response goes out)
 */
#define PGREST_MIN_SEND_RATE (256 * 1024)

/* connections younger than this are never shed */
#define PGREST_SHED_MIN_AGE_MS 1000

/* deadlines are checked at most this often */
#define PGREST_CHECK_INTERVAL_MS 250

typedef enum ConnPhase
{
	CONN_WAITING,				/* for a request's headers */
	CONN_RECEIVING,				/* a request's body */
	CONN_QUEUED,				/* the request is complete, or runs */
	CONN_BUSY,					/* its answer is sent */
	CONN_EVENTS,				/* a stream of changes goes out */
	CONN_ENDING					/* shut down; libmicrohttpd will close it */
} ConnPhase;

struct PgrestConn
{
	int			fd;
	ConnPhase	phase;
	bool		first;			/* no request completed on it yet */
	TimestampTz opened;
	TimestampTz since;			/* when the phase began */
	size_t		bytes;			/* body received, or response to send */
	TimestampTz due;			/* a body's deadline, as its bytes moved it */
	bool		admin;			/* on the admin port */
	PgrestConn *prev;
	PgrestConn *next;
};

/* the connections of each port, and those shut down but not closed yet */
static PgrestConn *conns = NULL;
static int	nshedding = 0;
static PgrestConn *admin_conns = NULL;
static int	admin_shedding = 0;
static int	nconns = 0;			/* on the API port */
static int	nevents = 0;		/* ... of which streams of changes */
static TimestampTz last_check = 0;

static const char timeout_response_head[] =
"HTTP/1.1 408 Request Timeout\r\n"
"Connection: close\r\n"
"Content-Type: application/json; charset=utf-8\r\n"
"Content-Length: %d\r\n\r\n%s";
static const char *timeout_body = "";	/* error.c's, once pgrest_conn_prepare ran */

static PgrestConn *open_in(PgrestConn **list, int fd, bool admin);
static void enforce_in(PgrestConn *list, TimestampTz now);
static PgrestConn *shed_candidate(PgrestConn *list);
static bool shed_from(PgrestConn *list);
static bool client_gone(const PgrestConn *conn);
static TimestampTz deadline(const PgrestConn *conn);
static void end_connection(PgrestConn *conn, bool with_408);

/* At worker start: the body of the 408 (error.c's table). */
void
pgrest_conn_prepare(void)
{
	timeout_body = MemoryContextStrdup(TopMemoryContext,
									   pgrest_error_json(PGREST_ERR_REQUEST_TIMEOUT));
}

/* A new connection (malloc'd; NULL when out of memory: not tracked). */
PgrestConn *
pgrest_conn_open(int fd)
{
	return open_in(&conns, fd, false);
}

/* A new connection on the admin port (the same; a list of its own). */
PgrestConn *
pgrest_conn_open_admin(int fd)
{
	return open_in(&admin_conns, fd, true);
}

static PgrestConn *
open_in(PgrestConn **list, int fd, bool admin)
{
	PgrestConn *conn = calloc(1, sizeof(PgrestConn));

	if (conn == NULL)
		return NULL;
	conn->fd = fd;
	conn->admin = admin;
	conn->phase = CONN_WAITING;
	conn->first = true;
	conn->opened = conn->since = GetCurrentTimestamp();
	conn->next = *list;
	if (*list)
		(*list)->prev = conn;
	*list = conn;
	if (!admin)
		nconns++;
	return conn;
}

/* Whether the connection came on the admin port. */
bool
pgrest_conn_is_admin(const PgrestConn *conn)
{
	return conn != NULL && conn->admin;
}

/* libmicrohttpd closed the connection. */
void
pgrest_conn_close(PgrestConn *conn)
{
	if (conn == NULL)
		return;
	if (conn->phase == CONN_ENDING)
	{
		if (conn->admin)
			admin_shedding--;
		else
			nshedding--;
	}
	if (!conn->admin)
		nconns--;
	if (conn->phase == CONN_EVENTS)
		nevents--;
	if (conn->prev)
		conn->prev->next = conn->next;
	else if (conn->admin)
		admin_conns = conn->next;
	else
		conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	free(conn);
}

/* The headers of a request are in; its body (if any) follows. */
void
pgrest_conn_headers_received(PgrestConn *conn)
{
	if (conn == NULL || conn->phase == CONN_ENDING)
		return;
	conn->phase = CONN_RECEIVING;
	conn->since = GetCurrentTimestamp();
	conn->bytes = 0;
	conn->due = conn->since + (int64) pgrest_request_timeout * 1000;
}

/*
 * More of the body arrived: its deadline moves by the time these bytes
 * take at PGREST_MIN_BODY_RATE, from now if it had passed (the worker was
 * busy and read nothing meanwhile), and to no more than T from now, so
 * that no burst earns a long trickle after it.
 */
void
pgrest_conn_body_received(PgrestConn *conn, size_t bytes)
{
	TimestampTz now;
	TimestampTz due;

	if (conn == NULL || conn->phase != CONN_RECEIVING)
		return;
	now = GetCurrentTimestamp();
	conn->bytes += bytes;
	due = Max(conn->due, now) + (int64) (bytes * (double) USECS_PER_SEC / PGREST_MIN_BODY_RATE);
	due = Min(due, now + (int64) pgrest_request_timeout * 1000);
	conn->due = Max(conn->due, due);
}

/* The request is complete: it waits for the worker, or runs. */
void
pgrest_conn_queued(PgrestConn *conn)
{
	if (conn == NULL || conn->phase == CONN_ENDING)
		return;
	conn->phase = CONN_QUEUED;
	conn->since = GetCurrentTimestamp();
	conn->bytes = 0;
}

/* Its response goes out. */
void
pgrest_conn_answering(PgrestConn *conn, size_t response_bytes)
{
	if (conn == NULL || conn->phase == CONN_ENDING)
		return;
	conn->phase = CONN_BUSY;
	conn->since = GetCurrentTimestamp();
	conn->bytes = response_bytes;
}

/*
 * Its response is a stream of changes: no deadline, never shed; and the
 * worker need not look at it every PGREST_CHECK_INTERVAL_MS.
 */
void
pgrest_conn_events(PgrestConn *conn)
{
	if (conn == NULL || conn->phase == CONN_ENDING || conn->phase == CONN_EVENTS)
		return;
	conn->phase = CONN_EVENTS;
	conn->since = GetCurrentTimestamp();
	nevents++;
}

/*
 * The worker wrote more of a streamed response, which took it this long:
 * the client has the time those bytes take to read, and not the time
 * spent writing them.
 */
void
pgrest_conn_produced(PgrestConn *conn, size_t bytes, int64 usecs)
{
	if (conn == NULL || conn->phase != CONN_BUSY)
		return;
	conn->bytes += bytes;
	conn->since += usecs;
}

/* The response was sent: the connection waits for the next request. */
void
pgrest_conn_request_done(PgrestConn *conn)
{
	if (conn == NULL || conn->phase == CONN_ENDING)
		return;
	if (conn->phase == CONN_EVENTS)
		nevents--;
	conn->phase = CONN_WAITING;
	conn->first = false;
	conn->since = GetCurrentTimestamp();
	conn->bytes = 0;
}

/*
 * End every connection past its deadline.  Cheap to call after every
 * wake-up: it looks at the connections at most every
 * PGREST_CHECK_INTERVAL_MS.
 */
void
pgrest_conn_enforce_deadlines(void)
{
	TimestampTz now = GetCurrentTimestamp();

	if (last_check != 0 &&
		!TimestampDifferenceExceeds(last_check, now, PGREST_CHECK_INTERVAL_MS))
		return;
	last_check = now;
	enforce_in(conns, now);
	enforce_in(admin_conns, now);
}

/* end the connections of one list that are past their deadline */
static void
enforce_in(PgrestConn *list, TimestampTz now)
{
	for (PgrestConn *conn = list; conn != NULL; conn = conn->next)
	{
		if (conn->phase != CONN_ENDING && conn->phase != CONN_QUEUED &&
			conn->phase != CONN_EVENTS && now >= deadline(conn))
			end_connection(conn, conn->phase != CONN_BUSY);
	}
}

/*
 * How long the event loop may sleep before deadlines are due a check:
 * no limit when every connection is a stream of changes (or none is open).
 */
long
pgrest_conn_next_check_ms(void)
{
	return nconns == nevents && admin_conns == NULL ? -1 : PGREST_CHECK_INTERVAL_MS;
}

/*
 * The connection of a list to shed first: waiting for a request, or
 * receiving one, for longer than its bytes justify; never a young one or
 * a busy one.
 */
static PgrestConn *
shed_candidate(PgrestConn *list)
{
	TimestampTz now = GetCurrentTimestamp();
	PgrestConn *worst = NULL;
	int64		worst_lag = 0;

	for (PgrestConn *conn = list; conn != NULL; conn = conn->next)
	{
		int64		lag;

		if (conn->phase != CONN_WAITING && conn->phase != CONN_RECEIVING)
			continue;
		if (conn->admin && client_gone(conn))
			return conn;
		if (!TimestampDifferenceExceeds(conn->opened, now, PGREST_SHED_MIN_AGE_MS))
			continue;
		lag = now - conn->since;	/* microseconds */
		if (conn->phase == CONN_RECEIVING)
			lag = now - (conn->due - (int64) pgrest_request_timeout * 1000);
		if (worst == NULL || lag > worst_lag)
		{
			worst = conn;
			worst_lag = lag;
		}
	}
	return worst;
}

/* Whether a connection could be shed to make room for a new one. */
bool
pgrest_conn_can_shed(void)
{
	return shed_candidate(conns) != NULL;
}

/* Shed one connection (408); false if none may be. */
bool
pgrest_conn_shed_one(void)
{
	return shed_from(conns);
}

/*
 * When the connection's current phase must be over; a connection that
 * is not tracked (NULL), never.
 */
TimestampTz
pgrest_conn_deadline(const PgrestConn *conn)
{
	if (conn == NULL || conn->phase == CONN_ENDING || conn->phase == CONN_QUEUED ||
		conn->phase == CONN_EVENTS)
		return DT_NOEND;
	return deadline(conn);
}

/*
 * Shed a connection whose body could not be kept (http.c, short of
 * memory for bodies): 408, and shut down.
 */
void
pgrest_conn_shed(PgrestConn *conn)
{
	if (conn == NULL || conn->phase == CONN_ENDING)
		return;
	end_connection(conn, conn->phase != CONN_BUSY);
}

/* Connections shut down that libmicrohttpd has not closed yet. */
int
pgrest_conn_shedding(void)
{
	return nshedding;
}

/* The same three for the admin port's connections. */
bool
pgrest_conn_admin_can_shed(void)
{
	return shed_candidate(admin_conns) != NULL;
}

bool
pgrest_conn_admin_shed_one(void)
{
	return shed_from(admin_conns);
}

int
pgrest_conn_admin_shedding(void)
{
	return admin_shedding;
}

/* shed the first candidate of a list (408); false if none may be */
static bool
shed_from(PgrestConn *list)
{
	PgrestConn *conn = shed_candidate(list);

	if (conn == NULL)
		return false;
	end_connection(conn, true);
	return true;
}

/*
 * Whether the client went away: nothing is left to read and its side is
 * closed (or reset).  A request that arrived whole before the client
 * closed its side is not gone: its bytes are still to read.
 */
static bool
client_gone(const PgrestConn *conn)
{
	char		byte;
	ssize_t		n = recv(conn->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 ||
		(n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* When the connection's current phase must be over. */
static TimestampTz
deadline(const PgrestConn *conn)
{
	int64		limit_ms = pgrest_request_timeout;

	switch (conn->phase)
	{
		case CONN_WAITING:
			if (!conn->first)
				limit_ms += (int64) pgrest_idle_timeout * 1000;
			break;
		case CONN_RECEIVING:
			return conn->due;
		case CONN_BUSY:
			limit_ms += (int64) (conn->bytes / (PGREST_MIN_SEND_RATE / 1000));
			break;
		case CONN_QUEUED:
		case CONN_EVENTS:
		case CONN_ENDING:
			break;
	}
	return conn->since + limit_ms * 1000;
}

/*
 * Shut the connection down, after a 408 when nothing was sent on it yet.
 * libmicrohttpd notices on its next run and closes it.
 */
static void
end_connection(PgrestConn *conn, bool with_408)
{
	if (with_408)
	{
		char		response[512];
		int			len = snprintf(response, sizeof(response), timeout_response_head,
								   (int) strlen(timeout_body), timeout_body);

		(void) send(conn->fd, response, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	(void) shutdown(conn->fd, SHUT_RDWR);
	conn->phase = CONN_ENDING;
	if (conn->admin)
		admin_shedding++;
	else
		nshedding++;
}
