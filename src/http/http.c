/*-------------------------------------------------------------------------
 *
 * http.c
 *	  The libmicrohttpd adapter: one single-threaded HTTP server per
 *	  worker, driven by the worker's event loop.
 *
 * This is the only file that sees libmicrohttpd's types.  The daemon runs
 * in external-loop mode (epoll, no listening socket of its own, no
 * threads): the worker accepts connections from the postmaster's
 * listening sockets and hands them over with MHD_add_connection, waits on
 * the daemon's epoll fd, and calls pgrest_http_run after every wake-up.
 *
 * No PostgreSQL code runs inside libmicrohttpd's callbacks; an ERROR must
 * never longjmp across its frames.  The callbacks only copy the request
 * into malloc'd memory (enforcing pgrest.max_body_size) and put it on a
 * queue; the access handler's final call returns without a response, so
 * the connection waits and libmicrohttpd asks the handler again on its
 * next run.  Once MHD_run has returned, pgrest_http_run hands each queued
 * request to the pipeline and keeps the MHD_Response; the next MHD_run
 * asks again, and the handler queues it.  Queuing the response on that
 * later call also keeps the connection alive: libmicrohttpd closes
 * connections whose response was queued before the request had been read
 * whole.  (Suspending and resuming the connection instead costs two
 * epoll_ctl calls per request, measured at about 15% of a worker's CPU
 * time for a one-row read.)
 *
 * Each request's pipeline runs in its own memory context, which also
 * holds the response body: libmicrohttpd sends the body from there, with
 * no copy, and the context is deleted once the request is complete
 * (after MHD_run has returned, never inside the completion callback).
 *
 * A read whose body is larger than pgrest.stream_threshold is answered
 * before its body is whole (stream.c): its response is chunked, and
 * libmicrohttpd's content reader (read_stream) only copies what the
 * worker has already written into the request's memory.  After each
 * MHD_run, pgrest_http_run lets the request write its next batch of rows
 * (handler.c, inside its transaction) once the client has taken most of
 * the last; the worker's other requests stay queued until the stream
 * ends (the admin port's are answered: they run no transaction).  When
 * the client goes away first, the completion callback retires the
 * exchange as for any request, and release_retired rolls the request
 * back before its memory is freed.  A spooled body (a write's, or any for
 * an HTTP/1.0 client, which would otherwise get a body delimited by the
 * connection's close) goes out the same way after the commit, with its
 * length, read back from its file batch by batch.
 *
 * Before a request reaches the pipeline, this file refuses with a JSON
 * body, without reading the body: a target over 16 kB or with more than
 * 1000 parameters (414), more than 200 header fields (431), a body whose
 * length is ambiguous (400, RFC 9112; the connection is closed), a
 * declared body over pgrest.max_body_size (413), a body that does not fit
 * the worker's share of memory for bodies, pgrest.max_body_memory (503),
 * once the bodies holding more than an equal share of it have given
 * their memory up (408).  A request whose method or a header name is no
 * token is answered by the pipeline (400), and its connection closed.
 * conn.c keeps each connection's deadlines, sheds connections at the
 * limit, and the connections are capped by what the worker's open-files
 * limit allows; accept() failing for want of file descriptors pauses
 * accepting instead of spinning.
 *
 * The admin port's connections have the same deadlines and the same pause,
 * and a cap of their own, PGREST_ADMIN_CONNECTIONS, for which the worker
 * keeps file descriptors aside: neither port can starve the other.  Its
 * routes take no body: a request that carries one is refused (413) and
 * its connection closed, without reading it.
 *
 * A stream of table changes (Accept: text/event-stream, realtime/) is a
 * response that never ends by itself: its content reader (read_events)
 * copies what the subscriber's outbox holds and, finding nothing,
 * suspends the connection (libmicrohttpd then neither polls it nor times
 * it out), so that an idle stream costs nothing.  When the worker appends
 * events or a heartbeat to a suspended subscriber, pgrest_http_resume_events
 * resumes its connection, outside any callback, and runs the daemon.
 * Its connection has no deadline of conn.c's: realtime/ keeps its own
 * rules (heartbeats, a buffer per subscriber).  Before the daemon stops
 * (the worker exits) every suspended connection is resumed, as
 * libmicrohttpd requires.
 *
 * The panic handler is replaced: libmicrohttpd's default aborts, and an
 * abort of any backend makes the postmaster restart the whole server.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/http/http.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "http/layer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "lib/ilist.h"
#include "storage/ipc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http/conn.h"
#include "base/error.h"
#include "server/guc.h"
#include "http/http.h"
#include "server/shmem.h"
#include "server/timing.h"
#include "run/stream.h"
#include "api/request.h"
#include "realtime/subscription.h"

/*
 * Per-connection memory libmicrohttpd may use for the request line,
 * headers and buffers; requests whose headers do not fit get 431.  Up to
 * 32 kB libmicrohttpd takes it with malloc; above, each connection maps
 * and unmaps its own pages, and the unmapping (a TLB flush on every CPU)
 * cost about 0.5 ms per connection, measured with one request per
 * connection.
 */
#define PGREST_CONNECTION_MEMORY (32 * 1024)

/* hard cap on connections; pgrest.connection_limit is enforced on accept */
#define PGREST_MAX_CONNECTIONS 65536

/*
 * File descriptors a worker leaves to PostgreSQL (relation files, the
 * server log, ...) beside those open when it starts; PostgreSQL closes
 * its least recently used files when it runs out, so it copes with fewer
 * than max_files_per_process.  The rest may be connections, but never
 * fewer than PGREST_MIN_CONNECTIONS.
 */
#define PGREST_FDS_FOR_POSTGRES 128
#define PGREST_MIN_CONNECTIONS 16

/*
 * Connections a worker holds on the admin port, outside
 * pgrest.connection_limit: health checks and scrapes are short, and at
 * the cap the one that waits longest for its request is shed.
 */
#define PGREST_ADMIN_CONNECTIONS 32

/*
 * When accept() finds no file descriptor left (EMFILE, ENFILE) the worker
 * stops taking connections until one of its own closes, or this long;
 * and says so in the log at most once per PGREST_FD_LOG_INTERVAL_MS.
 */
#define PGREST_ACCEPT_PAUSE_MS 1000
#define PGREST_FD_LOG_INTERVAL_MS 10000

/*
 * Request targets longer than this, or with more query parameters, get 414
 * with a JSON body.  libmicrohttpd refuses request lines that do not fit
 * PGREST_CONNECTION_MEMORY itself (414, its own HTML body).
 */
#define PGREST_MAX_TARGET_LEN (16 * 1024)
#define PGREST_MAX_PARAMS 1000

/*
 * Requests with more header fields get 431 with a JSON body; about twice
 * as many no longer fit PGREST_CONNECTION_MEMORY, and libmicrohttpd
 * answers those itself (431, its own HTML body).
 */
#define PGREST_MAX_HEADERS 200

/*
 * The content reader's buffer for a stream of changes: events are small,
 * and each response holds one (an idle subscriber's memory counts).
 */
#define PGREST_EVENTS_BLOCK 1024

/* MHD's messages are kept here and logged once MHD_run has returned */
#define PGREST_LOG_SLOTS 8
#define PGREST_LOG_LEN 256

/*
 * One request and, once the pipeline has answered, its response.  Lives
 * in malloc'd memory from the URI callback to the completion callback.
 */
typedef struct Exchange
{
	struct MHD_Connection *connection;
	PgrestConn *conn;			/* its connection's deadlines (conn.c) */
	char	   *uri;			/* the request target as received */
	unsigned int refuse_status; /* answer this at once, and close */
	const char *refuse_body;
	char	   *method;
	bool		started;		/* the access handler has seen the headers */
	char	   *body;
	size_t		body_len;
	size_t		body_cap;
	size_t		limit;			/* pgrest.max_body_size when it began */
	size_t		discarded;		/* body bytes dropped after the limit */
	bool		too_large;
	bool		no_memory;		/* unfinished bodies hold the worker's share */
	bool		shed;			/* its body was dropped for another's */
	dlist_node	body_node;		/* among the bodies still arriving */
	bool		body_listed;
	int			nheaders;
	PgrestHeader *headers;
	bool		queued;			/* waiting for the pipeline */
	bool		closed;			/* the connection went while queued */
	bool		answered;		/* the pipeline has run */
	bool		admin;			/* it came on the admin port */
	bool		http_1_0;		/* its client takes no chunked body */
	bool		malformed;		/* answer it, then close the connection */
	MemoryContext context;		/* the pipeline's memory and the body's */
	PgrestStream *stream;		/* a body still being written, or NULL */
	PgrestSubscriber *events;	/* a stream of changes, or NULL */
	struct MHD_Response *response;
	unsigned int status;
	uint64		ready;			/* PGREST_TIMING: when it was read whole */
	struct Exchange *next;		/* in the queue, or among the retired */
} Exchange;

static struct MHD_Daemon *daemon_handle = NULL;
static PgrestHttpHandlers pipeline;	/* the layers above, given at start */
static Exchange *queue_head = NULL;
static Exchange *queue_tail = NULL;
static Exchange *retired = NULL;	/* complete; context still to delete */
static Exchange *streaming = NULL;	/* its rows are still being written */
static bool in_daemon = false;	/* inside MHD_run */
static int	open_connections = 0;	/* on the API port */
static int	admin_connections = 0;	/* on the admin port */
static size_t body_memory = 0;	/* buffers of the bodies being received */
static dlist_head bodies = DLIST_STATIC_INIT(bodies);	/* still arriving, with a buffer */
static int	nbodies = 0;
static int	fd_connection_cap = PGREST_MAX_CONNECTIONS;	/* what the fds allow */

/*
 * Whether the connection being added comes on the admin port; the socket
 * context of each connection holds its deadlines (conn.c), or this
 * marker's address for an admin connection conn.c had no memory for.
 */
static char admin_marker;
static bool adding_admin = false;
static MemoryContext exchanges_context = NULL;

/* accepting is paused for want of file descriptors */
static bool accept_paused = false;
static int	paused_connections;	/* connections held when it paused */
static TimestampTz paused_until;
static TimestampTz fd_logged_at = 0;
static int	fd_failures_unlogged = 0;

static char log_slots[PGREST_LOG_SLOTS][PGREST_LOG_LEN];
static int	log_count = 0;
static int	log_dropped = 0;

/*
 * The JSON bodies of the answers libmicrohttpd's callbacks send by
 * themselves (no PostgreSQL code runs there): error.c's table, formatted
 * once at start.
 */
static const char *target_too_long;
static const char *too_many_headers;
static const char *framing_invalid;
static const char *bodies_too_many;
static const char *body_too_large;
static const char *admin_body;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
								  const char *url, const char *method,
								  const char *version, const char *upload_data,
								  size_t *upload_data_size, void **con_cls);
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection);
static void on_completed(void *cls, struct MHD_Connection *connection,
						 void **con_cls, enum MHD_RequestTerminationCode toe);
static void on_connection(void *cls, struct MHD_Connection *connection,
						  void **socket_context,
						  enum MHD_ConnectionNotificationCode toe);
static void on_log(void *cls, const char *fmt, va_list ap);
static void on_panic(void *cls, const char *file, unsigned int line,
					 const char *reason);
static bool receive_body(Exchange *ex, const char *data, size_t size);
static bool declared_length(struct MHD_Connection *connection,
							unsigned long long *length);
static size_t body_memory_limit(void);
static bool room_for_body(Exchange *ex, size_t total, size_t extra);
static void list_body(Exchange *ex);
static void unlist_body(Exchange *ex);
static void drop_body(Exchange *ex);
static bool framing_is_ambiguous(struct MHD_Connection *connection,
								 bool http_1_0, bool *bad_name);
static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind,
									 const char *key, const char *value);
static const char *error_body(PgrestError error);
static enum MHD_Result queue_static(struct MHD_Connection *connection,
									unsigned int status, const char *json);
static struct MHD_Response *static_response(const char *json);
static enum MHD_Result queue_refusal(struct MHD_Connection *connection,
									 unsigned int status, const char *json,
									 bool retry_later);
static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
									  const char *key, const char *value);
static void answer(Exchange *ex);
static void answer_queue(void);
static void continue_stream(void);
static struct MHD_Response *make_response(Exchange *ex, const PgrestResponse *resp);
static ssize_t read_nothing(void *cls, uint64_t pos, char *buf, size_t max);
static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max);
static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max);
static void run_daemon(void);
static void stop_daemon(int code, Datum arg);
static void restart_idle_timer(struct MHD_Connection *connection);
static unsigned int send_timeout(void);
static void retire(Exchange *ex);
static void release_retired(void);
static void free_exchange(Exchange *ex);
static void flush_log(void);
static int	count_open_fds(void);
static void pause_accepting(int error);
static PgrestConn *conn_of(struct MHD_Connection *connection);
static bool is_admin(struct MHD_Connection *connection);
static bool has_body(struct MHD_Connection *connection);
static bool paused(void);

/*
 * Start this worker's daemon.  Raises an ERROR (the worker exits and is
 * restarted) if libmicrohttpd cannot start.
 */
void
pgrest_http_start(const PgrestHttpHandlers *handlers)
{
	const union MHD_DaemonInfo *info;
	struct rlimit limit;

	pipeline = *handlers;
	exchanges_context = AllocSetContextCreate(TopMemoryContext, "pgrest exchanges",
											  ALLOCSET_SMALL_SIZES);
	target_too_long = error_body(PGREST_ERR_TARGET_TOO_LONG);
	too_many_headers = error_body(PGREST_ERR_TOO_MANY_HEADERS);
	framing_invalid = error_body(PGREST_ERR_FRAMING);
	bodies_too_many = error_body(PGREST_ERR_BODY_MEMORY);
	body_too_large = error_body(PGREST_ERR_BODY_TOO_LARGE);
	admin_body = error_body(PGREST_ERR_ADMIN_BODY);
	pgrest_conn_prepare();

	/* every connection is a file descriptor: hold no more than the limit allows */
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
	{
		rlim_t		kept = count_open_fds() + PGREST_FDS_FOR_POSTGRES +
			(pgrest_admin_port > 0 ? PGREST_ADMIN_CONNECTIONS : 0);
		rlim_t		spare = limit.rlim_cur - Min(limit.rlim_cur, kept);

		fd_connection_cap = (int) Max(Min(spare, (rlim_t) PGREST_MAX_CONNECTIONS),
									  (rlim_t) PGREST_MIN_CONNECTIONS);
		if (fd_connection_cap < pgrest_connection_limit)
			ereport(LOG,
					(errmsg("pgrest worker holds at most %d connections: its limit of open files is %lu",
							fd_connection_cap, (unsigned long) limit.rlim_cur),
					 errhint("Raise the open files limit of the server (ulimit -n, LimitNOFILE) to hold pgrest.connection_limit connections.")));
	}
	MHD_set_panic_func(on_panic, NULL);

	daemon_handle = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET |
									 MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
									 0, NULL, NULL, on_request, NULL,
									 MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
									 MHD_OPTION_CONNECTION_LIMIT,
									 (unsigned int) PGREST_MAX_CONNECTIONS,
									 MHD_OPTION_CONNECTION_TIMEOUT,
									 (unsigned int) pgrest_idle_timeout,
									 MHD_OPTION_CONNECTION_MEMORY_LIMIT,
									 (size_t) PGREST_CONNECTION_MEMORY,
									 MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
									 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
									 MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
									 MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int) 1,
									 MHD_OPTION_END);
	flush_log();
	if (daemon_handle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not start the pgrest HTTP server")));

	/* the whole design rests on libmicrohttpd never starting a thread */
	info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_FLAGS);
	if (info == NULL ||
		(info->flags & (MHD_USE_INTERNAL_POLLING_THREAD |
						MHD_USE_THREAD_PER_CONNECTION)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("the pgrest HTTP server must not run its own threads")));
	on_proc_exit(stop_daemon, (Datum) 0);
}

/* The fd that becomes readable when the daemon has work. */
int
pgrest_http_event_fd(void)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		elog(ERROR, "libmicrohttpd has no epoll fd");
	return info->epoll_fd;
}

/*
 * How long the event loop may wait before MHD_run is due, or accepting
 * may resume; -1: no limit.
 */
long
pgrest_http_timeout_ms(void)
{
	MHD_UNSIGNED_LONG_LONG ms;
	long		timeout = -1;

	if (MHD_get_timeout(daemon_handle, &ms) == MHD_YES)
		/* epoll_wait takes an int */
		timeout = ms > (MHD_UNSIGNED_LONG_LONG) INT_MAX ? INT_MAX : (long) ms;
	if (pgrest_conn_next_check_ms() >= 0 &&
		(timeout < 0 || pgrest_conn_next_check_ms() < timeout))
		timeout = pgrest_conn_next_check_ms();
	if (accept_paused)
	{
		long		secs;
		int			usecs;
		long		pause;

		TimestampDifference(GetCurrentTimestamp(), paused_until, &secs, &usecs);
		pause = secs * 1000 + usecs / 1000 + 1;
		if (timeout < 0 || pause < timeout)
			timeout = pause;
	}
	return timeout;
}

/*
 * Whether this worker may take another connection: below
 * pgrest.connection_limit and what its file descriptors allow, and not
 * paused for want of them (a pause ends when a connection closes, or
 * after PGREST_ACCEPT_PAUSE_MS).
 */
bool
pgrest_http_has_room(void)
{
	return !paused() &&
		open_connections - pgrest_conn_shedding() <
		Min(pgrest_connection_limit, fd_connection_cap);
}

/*
 * Whether accepting is paused for want of file descriptors: until a
 * connection of this worker (on either port) closes, or the pause ends.
 */
static bool
paused(void)
{
	if (accept_paused &&
		(open_connections + admin_connections < paused_connections ||
		 GetCurrentTimestamp() >= paused_until))
		accept_paused = false;
	return accept_paused;
}

/*
 * At the connection limit, with clients waiting to connect: shed the
 * connection that waits longest for its request (or lags most with its
 * body) to make room.  Returns whether there is room now.
 */
bool
pgrest_http_make_room(void)
{
	if (accept_paused)
		return false;
	return pgrest_http_has_room() || pgrest_conn_shed_one();
}

/* Whether there is room, or a connection that may be shed for room. */
bool
pgrest_http_could_take(void)
{
	return pgrest_http_has_room() ||
		(!accept_paused && pgrest_conn_can_shed());
}

/*
 * The same for the admin port: below PGREST_ADMIN_CONNECTIONS, or with an
 * admin connection that may be shed.  Its connections never count
 * against the API's limit, nor the API's against it.
 */
bool
pgrest_http_admin_has_room(void)
{
	return !paused() &&
		admin_connections - pgrest_conn_admin_shedding() < PGREST_ADMIN_CONNECTIONS;
}

bool
pgrest_http_admin_make_room(void)
{
	return pgrest_http_admin_has_room() ||
		(!paused() && pgrest_conn_admin_shed_one());
}

bool
pgrest_http_admin_could_take(void)
{
	return pgrest_http_admin_has_room() ||
		(!paused() && pgrest_conn_admin_can_shed());
}

/*
 * Accept one pending connection from a shared listening socket, if any;
 * another idle worker may have taken it first.  Returns whether there was
 * one to take.  Connections of the admin port are marked as such and not
 * counted against pgrest.connection_limit.
 */
bool
pgrest_http_accept(int listen_fd, bool admin)
{
	struct sockaddr_storage addr;
	socklen_t	addrlen = sizeof(addr);
	int			fd;

	fd = accept4(listen_fd, (struct sockaddr *) &addr, &addrlen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
	{
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			errno == ENOMEM)
			pause_accepting(errno);
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
				 errno != ECONNABORTED)
			ereport(LOG,
					(errcode_for_socket_access(),
					 errmsg("pgrest could not accept an HTTP connection: %m")));
		return false;
	}
	/*
	 * On failure libmicrohttpd closes the socket itself.  It reports the
	 * connection started (on_connection) before this returns.
	 */
	adding_admin = admin;
	if (MHD_add_connection(daemon_handle, fd, (struct sockaddr *) &addr,
						   addrlen) != MHD_YES)
		ereport(DEBUG1,
				(errmsg("pgrest could not take an HTTP connection: %m")));
	adding_admin = false;
	flush_log();
	return true;
}

/*
 * Let libmicrohttpd do its I/O, answer every request it completed, and
 * let it send the answers.  While a response streams, write its next
 * batch when the client has taken most of the last, and leave the other
 * requests queued until it ends (the admin port's are answered: they run
 * no transaction).
 */
void
pgrest_http_run(void)
{
	bool		worked;

	run_daemon();
	flush_log();
	release_retired();
	pgrest_timing_mark(PGREST_MARK_READ);

	worked = streaming != NULL || queue_head != NULL;
	if (!worked)
	{
		pgrest_conn_enforce_deadlines();
		return;
	}
	pgrest_shmem_set_busy(true);
	if (streaming != NULL)
		continue_stream();
	answer_queue();
	pgrest_shmem_set_busy(streaming != NULL);
	pgrest_timing_mark(PGREST_MARK_ANSWER);

	run_daemon();
	pgrest_timing_mark(PGREST_MARK_SEND);
	flush_log();
	release_retired();
	/* after libmicrohttpd has read and sent what it could */
	pgrest_conn_enforce_deadlines();
}

/*
 * Resume the connections of the streams of changes that have bytes to
 * send (or ended) since their content reader suspended them, and let
 * libmicrohttpd send them.  Outside its callbacks.
 */
void
pgrest_http_resume_events(void)
{
	void	   *connection;
	bool		resumed = false;

	while ((connection = pgrest_realtime_next_resume()) != NULL)
	{
		MHD_resume_connection((struct MHD_Connection *) connection);
		resumed = true;
	}
	if (!resumed)
		return;
	run_daemon();
	flush_log();
	release_retired();
}

/* MHD_run, noting that the daemon runs (a panic must not stop it) */
static void
run_daemon(void)
{
	in_daemon = true;
	MHD_run(daemon_handle);
	in_daemon = false;
}

/*
 * The worker exits: resume every suspended connection (libmicrohttpd must
 * not stop with one), then stop the daemon, which closes them all.  Not
 * from inside the daemon (its panic handler exits too).
 */
static void
stop_daemon(int code, Datum arg)
{
	void	   *connection;

	if (daemon_handle == NULL || in_daemon)
		return;
	pgrest_realtime_resume_all();
	while ((connection = pgrest_realtime_next_resume()) != NULL)
		MHD_resume_connection((struct MHD_Connection *) connection);
	MHD_stop_daemon(daemon_handle);
	daemon_handle = NULL;
}

/*
 * Answer the queued requests, in order; while a response streams, only
 * the admin port's (the others wait in the queue for the stream to end).
 */
static void
answer_queue(void)
{
	Exchange   *waiting = NULL;
	Exchange   *waiting_tail = NULL;

	while (queue_head != NULL)
	{
		Exchange   *ex = queue_head;

		queue_head = ex->next;
		ex->next = NULL;
		if (ex->closed)
		{
			ex->queued = false;
			retire(ex);
			continue;
		}
		if (streaming != NULL && !ex->admin)
		{
			if (waiting_tail)
				waiting_tail->next = ex;
			else
				waiting = ex;
			waiting_tail = ex;
			continue;
		}
		ex->queued = false;
		/* queuing the response restarts the connection's idle timer */
		answer(ex);
	}
	queue_head = waiting;
	queue_tail = waiting_tail;
}

/*
 * The streaming request's next turn: its next batch of rows, when due
 * (handler.c).  The time the worker spent writing it is not the client's
 * to account for.
 */
static void
continue_stream(void)
{
	Exchange   *ex = streaming;
	size_t		before = pgrest_stream_written(ex->stream);
	TimestampTz start = GetCurrentTimestamp();
	bool		more = pipeline.next_batch();
	size_t		written = pgrest_stream_written(ex->stream) - before;

	if (written > 0)
	{
		pgrest_conn_produced(ex->conn, written, GetCurrentTimestamp() - start);
		restart_idle_timer(ex->connection);
	}
	if (!more)
		streaming = NULL;		/* the rest of the body is written */
}

/* How many connections this worker holds. */
int
pgrest_http_connections(void)
{
	return open_connections;
}

/*
 * The access handler.  Called after the headers, once per body chunk, and
 * once more at the end; then again on every run until a response is
 * queued.  Only copies and queues: no PostgreSQL code.
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *connection, const char *url,
		   const char *method, const char *version, const char *upload_data,
		   size_t *upload_data_size, void **con_cls)
{
	Exchange   *ex = (Exchange *) *con_cls;
	unsigned long long length = 0;

	if (ex == NULL || ex->shed)
		return MHD_NO;			/* on_uri could not allocate; or shed */

	if (!ex->started)
	{
		ex->started = true;
		ex->connection = connection;
		ex->conn = conn_of(connection);
		pgrest_conn_headers_received(ex->conn);
		ex->method = strdup(method);
		if (ex->method == NULL)
			return MHD_NO;
		ex->http_1_0 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
		if (ex->refuse_status != 0)
			return queue_refusal(connection, ex->refuse_status, ex->refuse_body,
								 false);
		/* the admin routes take no body: none is read or held */
		if (ex->admin && has_body(connection))
			return queue_refusal(connection, MHD_HTTP_CONTENT_TOO_LARGE,
								 admin_body, false);
		if (MHD_get_connection_values(connection, MHD_HEADER_KIND, NULL, NULL) >
			PGREST_MAX_HEADERS)
			return queue_refusal(connection, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
								 too_many_headers, false);
		/* RFC 9112: a body whose length is ambiguous could be smuggled */
		if (framing_is_ambiguous(connection, ex->http_1_0, &ex->malformed))
			return queue_refusal(connection, MHD_HTTP_BAD_REQUEST, framing_invalid,
								 false);
		/* the pipeline says what is wrong; what follows is not trusted */
		ex->malformed = ex->malformed || !pgrest_request_is_token(method);
		/* a reload while the body arrives does not move the limit */
		ex->limit = (size_t) pgrest_max_body_size;
		/* refuse a declared oversized body before reading any of it */
		if (declared_length(connection, &length) && length > ex->limit)
			return queue_static(connection, MHD_HTTP_CONTENT_TOO_LARGE,
								body_too_large);
		/* no new body while unfinished ones hold the worker's share */
		if ((length > 0 ||
			 MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
										 MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL) &&
			!room_for_body(ex, Max(length, 1), Max(length, 1)))
			return queue_refusal(connection, MHD_HTTP_SERVICE_UNAVAILABLE,
								 bodies_too_many, true);
		return MHD_YES;
	}

	if (*upload_data_size > 0)
	{
		bool		had_memory = !ex->no_memory;
		bool		ok = receive_body(ex, upload_data, *upload_data_size);

		pgrest_conn_body_received(ex->conn, *upload_data_size);
		*upload_data_size = 0;
		/* answer at once: the rest of the body is not read */
		if (ok && had_memory && ex->no_memory)
			return queue_refusal(connection, MHD_HTTP_SERVICE_UNAVAILABLE,
								 bodies_too_many, true);
		return ok ? MHD_YES : MHD_NO;
	}

	if (ex->answered)
	{
		enum MHD_Result rc;

		if (ex->response == NULL)
			return MHD_NO;
		/* a client that reads nothing for this long loses its response */
		MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT,
								  send_timeout());
		rc = MHD_queue_response(connection, ex->status, ex->response);
		MHD_destroy_response(ex->response);
		ex->response = NULL;
		return rc;
	}

	if (ex->queued)
		return MHD_YES;			/* the pipeline has not run yet */

	if (ex->too_large)
		return queue_static(connection, MHD_HTTP_CONTENT_TOO_LARGE,
							body_too_large);
	if (ex->no_memory)
		return queue_refusal(connection, MHD_HTTP_SERVICE_UNAVAILABLE,
							 bodies_too_many, true);

	/* the request is complete: copy the headers and queue it */
	if (MHD_get_connection_values(connection, MHD_HEADER_KIND,
								  collect_header, ex) < 0)
		return MHD_NO;
	if (queue_tail)
		queue_tail->next = ex;
	else
		queue_head = ex;
	queue_tail = ex;
	ex->queued = true;
	if (pgrest_timing)
		ex->ready = pgrest_timing_now();
	unlist_body(ex);			/* complete: it is never shed */
	pgrest_conn_queued(ex->conn);
	return MHD_YES;
}

/*
 * Called first for every request, with the request target: allocate its
 * exchange, and keep libmicrohttpd from parsing the query string.
 *
 * pgrest parses the target it copies here; libmicrohttpd would also split
 * the query string into arguments in the connection's fixed memory, and
 * with a few hundred parameters that memory runs out and the client gets
 * no answer at all.  libmicrohttpd 0.9 calls this callback after finding
 * the '?' and before parsing what follows it, in its own buffer, so
 * ending the string right after the '?' leaves it nothing to parse.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
	Exchange   *ex = calloc(1, sizeof(Exchange));
	char	   *query = strchr(uri, '?');
	int			params = 0;

	if (ex == NULL)
		return NULL;
	ex->uri = strdup(uri);
	if (ex->uri == NULL)
	{
		free(ex);
		return NULL;
	}
	ex->admin = is_admin(connection);
	if (query != NULL)
	{
		for (const char *p = query; *p != '\0'; p++)
			params += (*p == '&' || *p == '?');
		query[1] = '\0';
	}
	if (strlen(ex->uri) > PGREST_MAX_TARGET_LEN || params > PGREST_MAX_PARAMS)
	{
		ex->refuse_status = MHD_HTTP_URI_TOO_LONG;
		ex->refuse_body = target_too_long;
	}
	return ex;
}

static void
on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	Exchange   *ex = (Exchange *) *con_cls;

	*con_cls = NULL;
	pgrest_conn_request_done(conn_of(connection));
	MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT,
							  (unsigned int) pgrest_idle_timeout);
	if (ex == NULL)
		return;
	if (ex->queued)
		ex->closed = true;		/* pgrest_http_run retires it */
	else
		retire(ex);
}

/*
 * Count each port's connections, keep their deadlines (conn.c), and give
 * new ones the current idle timeout.
 */
static void
on_connection(void *cls, struct MHD_Connection *connection,
			  void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
	{
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);

		MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT,
								  (unsigned int) pgrest_idle_timeout);
		if (adding_admin)
		{
			PgrestConn *conn = info ? pgrest_conn_open_admin(info->connect_fd) : NULL;

			admin_connections++;
			*socket_context = conn ? (void *) conn : (void *) &admin_marker;
		}
		else
		{
			open_connections++;
			*socket_context = info ? pgrest_conn_open(info->connect_fd) : NULL;
		}
	}
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
	{
		if (*socket_context == &admin_marker ||
			pgrest_conn_is_admin((PgrestConn *) *socket_context))
			admin_connections--;
		else
			open_connections--;
		if (*socket_context != &admin_marker)
			pgrest_conn_close((PgrestConn *) *socket_context);
		*socket_context = NULL;
	}
}

static void
on_log(void *cls, const char *fmt, va_list ap)
{
	if (log_count >= PGREST_LOG_SLOTS)
	{
		log_dropped++;
		return;
	}
	vsnprintf(log_slots[log_count++], PGREST_LOG_LEN, fmt, ap);
}

/*
 * libmicrohttpd found its own state inconsistent.  Exit this worker only
 * (exit code 1: the postmaster restarts it); never abort().
 */
static void
on_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	write_stderr("pgrest: libmicrohttpd panic at %s:%u: %s\n",
				 file ? file : "?", line, reason ? reason : "");
	proc_exit(1);
}

/*
 * Append a body chunk, up to the request's limit and the worker's share
 * of memory for bodies; past either, drop the body and the rest of it.
 * The buffer never shrinks below what it holds.
 */
static bool
receive_body(Exchange *ex, const char *data, size_t size)
{
	size_t		limit = ex->limit;

	if (!ex->too_large && !ex->no_memory &&
		(ex->body_len > limit || size > limit - ex->body_len))
		ex->too_large = true;
	if (!ex->too_large && !ex->no_memory && ex->body_len + size > ex->body_cap)
	{
		size_t		cap = Max(ex->body_cap * 2, ex->body_len + size);
		char	   *grown;

		cap = Max(Min(Max(cap, 1024), limit), ex->body_len + size);
		if (!room_for_body(ex, cap, cap - ex->body_cap))
			ex->no_memory = true;
		else
		{
			grown = realloc(ex->body, cap);
			if (grown == NULL)
				return false;
			body_memory += cap - ex->body_cap;
			ex->body = grown;
			ex->body_cap = cap;
			list_body(ex);
		}
	}
	if (ex->too_large || ex->no_memory)
	{
		drop_body(ex);
		/* a client that keeps sending far past the limit is cut off */
		ex->discarded += size;
		return ex->discarded <= limit + PGREST_CONNECTION_MEMORY;
	}
	memcpy(ex->body + ex->body_len, data, size);
	ex->body_len += size;
	return true;
}

/*
 * Whether the worker's share has room for extra more bytes of ex's body,
 * which would then hold total.  When it has not, bodies still arriving
 * that hold more than an equal share of it (among them and ex) give
 * their memory up, the one nearest its deadline first (which a body that
 * came in a burst and then trickles soon is), each shed with a 408: so
 * a few connections cannot hold the whole share, while ex asks for no
 * more than an equal share itself.  Plain C, called inside
 * libmicrohttpd's callbacks.
 */
static bool
room_for_body(Exchange *ex, size_t total, size_t extra)
{
	size_t		limit = body_memory_limit();
	size_t		share;

	if (body_memory <= limit && extra <= limit - body_memory)
		return true;
	share = limit / (nbodies + (ex->body_listed ? 0 : 1));
	if (total > share)
		return false;
	while (body_memory > limit || extra > limit - body_memory)
	{
		Exchange   *victim = NULL;
		dlist_iter	iter;

		dlist_foreach(iter, &bodies)
		{
			Exchange   *other = dlist_container(Exchange, body_node, iter.cur);

			if (other == ex || other->conn == NULL || other->body_cap <= share)
				continue;
			if (victim == NULL ||
				pgrest_conn_deadline(other->conn) < pgrest_conn_deadline(victim->conn))
				victim = other;
		}
		if (victim == NULL)
			return false;
		drop_body(victim);
		victim->shed = true;	/* what more comes of it is not read */
		pgrest_conn_shed(victim->conn);
	}
	return true;
}

/* Count a body still arriving that holds a buffer, once. */
static void
list_body(Exchange *ex)
{
	if (ex->body_listed)
		return;
	dlist_push_head(&bodies, &ex->body_node);
	ex->body_listed = true;
	nbodies++;
}

/* The body is complete, or dropped: it holds no share any more. */
static void
unlist_body(Exchange *ex)
{
	if (!ex->body_listed)
		return;
	dlist_delete(&ex->body_node);
	ex->body_listed = false;
	nbodies--;
}

/* Free the body's buffer, and give its memory back to the worker's share. */
static void
drop_body(Exchange *ex)
{
	unlist_body(ex);
	body_memory -= ex->body_cap;
	free(ex->body);
	ex->body = NULL;
	ex->body_len = ex->body_cap = 0;
}

/*
 * The memory the bodies a worker receives may hold at once:
 * pgrest.max_body_memory, and room for one body of pgrest.max_body_size
 * at least.
 */
static size_t
body_memory_limit(void)
{
	return Max((size_t) pgrest_max_body_memory, (size_t) pgrest_max_body_size);
}

/* The body's length as Content-Length declares it, if it does. */
static bool
declared_length(struct MHD_Connection *connection, unsigned long long *length)
{
	const char *value = MHD_lookup_connection_value(connection,
													MHD_HEADER_KIND,
													MHD_HTTP_HEADER_CONTENT_LENGTH);
	char	   *end;

	*length = 0;
	if (value == NULL)
		return false;
	errno = 0;
	*length = strtoull(value, &end, 10);
	if (errno != 0 || end == value)
	{
		*length = 0;
		return false;			/* libmicrohttpd rejects malformed lengths */
	}
	return true;
}

/* what framing_is_ambiguous counts */
typedef struct Framing
{
	int			lengths;		/* Content-Length headers */
	const char *length;			/* the first one's value */
	bool		differ;			/* two of them disagree */
	int			encodings;		/* Transfer-Encoding headers */
	bool		chunked;		/* the first one says "chunked", and only that */
	bool		bad_name;		/* a header name that is not a token */
} Framing;

/*
 * Whether the body's length is ambiguous (RFC 9112, sections 6.1 and
 * 6.3): two Content-Length headers that disagree; Transfer-Encoding
 * beside Content-Length, or repeated, or other than the one coding
 * "chunked" (in any case: RFC 9112 names codings so; libmicrohttpd
 * decodes chunks when the first Transfer-Encoding header says "chunked"
 * in any case, and reads any other body until the connection closes; a
 * proxy may see either otherwise); or Transfer-Encoding from an HTTP/1.0
 * client, which knows
 * none.  A proxy in front could frame such a request otherwise than
 * pgrest, and smuggle a second request in its body.  Sets *bad_name when
 * a header name is not an HTTP token ("Content-Length :" is no
 * Content-Length to libmicrohttpd, but may be one to a proxy).
 */
static bool
framing_is_ambiguous(struct MHD_Connection *connection, bool http_1_0,
					 bool *bad_name)
{
	Framing		framing = {0, NULL, false, 0, false, false};

	MHD_get_connection_values(connection, MHD_HEADER_KIND, count_framing,
							  &framing);
	*bad_name = framing.bad_name;
	return framing.differ ||
		(framing.encodings > 0 &&
		 (framing.lengths > 0 || framing.encodings > 1 || !framing.chunked ||
		  http_1_0));
}

/* MHD_KeyValueIterator for framing_is_ambiguous */
static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
			  const char *value)
{
	Framing    *framing = (Framing *) cls;

	if (value == NULL)
		value = "";
	if (!pgrest_request_is_token(key))
		framing->bad_name = true;
	if (pg_strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
	{
		if (framing->lengths++ == 0)
			framing->length = value;
		else if (strcmp(framing->length, value) != 0)
			framing->differ = true;
	}
	else if (pg_strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
	{
		if (framing->encodings++ == 0)
			framing->chunked = pg_strcasecmp(value, "chunked") == 0;
	}
	return MHD_YES;
}

/*
 * Refuse a request before reading its body, and close the connection
 * after the answer: what follows on it cannot be trusted to start a
 * request.
 */
/* an error's body, kept for the worker's life */
static const char *
error_body(PgrestError error)
{
	return MemoryContextStrdup(TopMemoryContext, pgrest_error_json(error));
}

static enum MHD_Result
queue_refusal(struct MHD_Connection *connection, unsigned int status,
			  const char *json, bool retry_later)
{
	struct MHD_Response *response = static_response(json);
	enum MHD_Result rc;

	if (response == NULL)
		return MHD_NO;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
	if (retry_later)
		MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	rc = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return rc;
}

/* An answer from a constant JSON text, made without PostgreSQL code. */
static enum MHD_Result
queue_static(struct MHD_Connection *connection, unsigned int status,
			 const char *json)
{
	struct MHD_Response *response = static_response(json);
	enum MHD_Result rc;

	if (response == NULL)
		return MHD_NO;
	rc = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return rc;
}

/* A response holding a constant JSON text, or NULL. */
static struct MHD_Response *
static_response(const char *json)
{
	struct MHD_Response *response;

	response = MHD_create_response_from_buffer(strlen(json), (void *) json,
											   MHD_RESPMEM_PERSISTENT);
	if (response != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
								PGREST_JSON_CONTENT_TYPE);
	return response;
}

/* MHD_KeyValueIterator: copy one header into the exchange */
static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
			   const char *value)
{
	Exchange   *ex = (Exchange *) cls;
	PgrestHeader *grown;

	grown = realloc(ex->headers, sizeof(PgrestHeader) * (ex->nheaders + 1));
	if (grown == NULL)
		return MHD_NO;
	ex->headers = grown;
	ex->headers[ex->nheaders].name = strdup(key);
	ex->headers[ex->nheaders].value = strdup(value ? value : "");
	if (ex->headers[ex->nheaders].name == NULL ||
		ex->headers[ex->nheaders].value == NULL)
	{
		free((void *) ex->headers[ex->nheaders].name);
		free((void *) ex->headers[ex->nheaders].value);
		return MHD_NO;
	}
	ex->nheaders++;
	return MHD_YES;
}

/*
 * Run the pipeline for one request (outside any libmicrohttpd callback),
 * in the request's own memory context, and keep the MHD_Response for the
 * handler's next call.
 */
static void
answer(Exchange *ex)
{
	MemoryContext old;
	PgrestHttpRequest http;
	PgrestResponse *resp;
	char	   *query;
	uint64		start = pgrest_timing ? pgrest_timing_now() : 0;

	ex->context = AllocSetContextCreate(exchanges_context, "pgrest request",
										ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ex->context);
	memset(&http, 0, sizeof(http));
	http.method = ex->method;
	http.path = pstrdup(ex->uri);
	query = strchr(http.path, '?');
	if (query != NULL)
	{
		*query = '\0';
		http.query = query + 1;
	}
	http.nheaders = ex->nheaders;
	http.headers = ex->headers;
	http.body = ex->body;
	http.body_len = ex->body_len;
	http.admin = ex->admin;
	http.http_1_0 = ex->http_1_0;

	resp = pipeline.answer(&http);
	if (pgrest_timing && ex->ready != 0)
	{
		uint64		end = pgrest_timing_now();

		pgrest_timing_add(PGREST_PHASE_QUEUE, start - ex->ready);
		pgrest_timing_add(PGREST_PHASE_HANDLER, end - start);
		pgrest_timing_answered(ex->ready, end);
	}
	ex->status = resp->status;
	ex->response = make_response(ex, resp);
	ex->answered = true;
	if (resp->stream != NULL && !pgrest_stream_ended(resp->stream))
		streaming = ex;
	/* the client now has pgrest.request_timeout and more to read it */
	if (resp->events != NULL)
		pgrest_conn_events(ex->conn);
	else
		pgrest_conn_answering(ex->conn, resp->stream ? pgrest_stream_written(resp->stream) :
							  resp->body ? resp->body_len : 0);
	MemoryContextSwitchTo(old);
	drop_body(ex);

	/*
	 * A stream of changes keeps nothing of its request's memory (the
	 * response holds its headers, realtime/ its subscriber), and may last
	 * for days: its request's memory goes now.
	 */
	if (resp->events != NULL)
	{
		MemoryContextDelete(ex->context);
		ex->context = NULL;
	}
}

/*
 * The response, sent from the body where the pipeline left it: the
 * request's memory context outlives the sending (see retire).  A body
 * still being written is sent as it is (chunked), a spooled one with its
 * length, as it is read back: libmicrohttpd asks read_stream for more
 * whenever the socket takes it.
 */
static struct MHD_Response *
make_response(Exchange *ex, const PgrestResponse *resp)
{
	struct MHD_Response *response;
	ListCell   *lc;

	ex->stream = resp->stream;
	ex->events = resp->events;
	if (resp->events != NULL)
	{
		response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, PGREST_EVENTS_BLOCK,
													 read_events, ex, NULL);
		pgrest_realtime_attach(resp->events, ex->connection);
	}
	else if (resp->stream != NULL)
	{
		int64		length = pgrest_stream_length(resp->stream);
		uint64_t	size = length >= 0 ? (uint64_t) length : MHD_SIZE_UNKNOWN;

		response = MHD_create_response_from_callback(size, PGREST_CONNECTION_MEMORY / 2,
													 read_stream, ex, NULL);
	}
	else if (resp->body == NULL && ex->method != NULL && strcmp(ex->method, "HEAD") == 0)
	{
		/*
		 * HEAD: no Content-Length, as PostgREST sends none (libmicrohttpd
		 * would write the length of the empty body, which RFC 9110 says
		 * must be GET's).  An HTTP/1.1 client is told the transfer coding
		 * instead; no body follows either way.
		 */
		response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
													 read_nothing, NULL, NULL);
	}
	else
		response = MHD_create_response_from_buffer(resp->body ? resp->body_len : 0,
												   resp->body ? resp->body : "",
												   MHD_RESPMEM_PERSISTENT);
	if (response == NULL)
		return NULL;
	foreach(lc, resp->headers)
	{
		PgrestHeader *header = (PgrestHeader *) lfirst(lc);

		MHD_add_response_header(response, header->name, header->value);
	}
	if (ex->malformed)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
	return response;
}

/* the content reader of a response to HEAD, which is never asked */
static ssize_t
read_nothing(void *cls, uint64_t pos, char *buf, size_t max)
{
	return MHD_CONTENT_READER_END_OF_STREAM;
}

/*
 * libmicrohttpd's content reader for a streamed body: copy what the worker
 * has written (stream.c, plain C).  0 makes libmicrohttpd ask again on its
 * next run, which follows the worker's next batch; an error closes the
 * connection without the final chunk, so the client sees the body stop
 * short.
 */
static ssize_t
read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	Exchange   *ex = (Exchange *) cls;
	ssize_t		n = pgrest_stream_read(ex->stream, buf, max);

	if (n == PGREST_STREAM_END)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n == PGREST_STREAM_FAILED)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n;
}

/*
 * libmicrohttpd's content reader for a stream of changes: copy what the
 * subscriber's outbox holds; when it holds nothing, suspend the
 * connection (returning 0 without suspending would have libmicrohttpd ask
 * again on every run) until the worker has more.  Plain C.
 */
static ssize_t
read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
	Exchange   *ex = (Exchange *) cls;
	ssize_t		n = pgrest_realtime_read(ex->events, buf, max);

	if (n == PGREST_EVENTS_END)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n == PGREST_EVENTS_WAIT)
	{
		MHD_suspend_connection(ex->connection);
		pgrest_realtime_suspended(ex->events);
	}
	return n;
}

/*
 * libmicrohttpd closes a connection that sent nothing for its timeout,
 * counted from its last activity: after the worker spent long writing a
 * batch, the client gets its timeout anew.  (libmicrohttpd restarts the
 * timer when a connection without a timeout gets one.)
 */
static void
restart_idle_timer(struct MHD_Connection *connection)
{
	MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, 0);
	MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, send_timeout());
}

/* The seconds a client may read nothing of its response: pgrest.request_timeout. */
static unsigned int
send_timeout(void)
{
	return (unsigned int) Max((pgrest_request_timeout + 999) / 1000, 1);
}

/*
 * A request is complete (or its connection gone).  An exchange without a
 * memory context is freed now; one with a context, or a stream of
 * changes, waits for release_retired, as deleting a context and letting
 * a subscriber go are PostgreSQL code.
 */
static void
retire(Exchange *ex)
{
	if (ex->context == NULL && ex->events == NULL)
	{
		free_exchange(ex);
		return;
	}
	ex->next = retired;
	retired = ex;
}

/*
 * Free the retired exchanges and their memory; after MHD_run only.  A
 * response that was still streaming lost its client: its request's
 * transaction is rolled back first.
 */
static void
release_retired(void)
{
	while (retired != NULL)
	{
		Exchange   *ex = retired;

		MemoryContext context = ex->context;

		retired = ex->next;
		if (ex == streaming)
		{
			pipeline.abandon(ex->stream);
			streaming = NULL;
		}
		if (ex->events != NULL)
			pgrest_realtime_unsubscribe(ex->events);
		free_exchange(ex);
		if (context != NULL)
			MemoryContextDelete(context);
	}
}

static void
free_exchange(Exchange *ex)
{
	if (ex->response)
		MHD_destroy_response(ex->response);
	for (int i = 0; i < ex->nheaders; i++)
	{
		free((void *) ex->headers[i].name);
		free((void *) ex->headers[i].value);
	}
	free(ex->headers);
	drop_body(ex);
	free(ex->method);
	free(ex->uri);
	free(ex);
}

/*
 * accept() found no file descriptor (or memory) for a new connection.
 * The listening socket stays readable, so a worker that kept polling it
 * would spin: stop accepting until one of this worker's connections
 * closes, or PGREST_ACCEPT_PAUSE_MS passes, and log this at most once per
 * PGREST_FD_LOG_INTERVAL_MS.
 */
static void
pause_accepting(int error)
{
	TimestampTz now = GetCurrentTimestamp();

	accept_paused = true;
	paused_connections = open_connections + admin_connections;
	paused_until = TimestampTzPlusMilliseconds(now, PGREST_ACCEPT_PAUSE_MS);
	if (fd_logged_at != 0 &&
		!TimestampDifferenceExceeds(fd_logged_at, now, PGREST_FD_LOG_INTERVAL_MS))
	{
		fd_failures_unlogged++;
		return;
	}
	errno = error;
	ereport(LOG,
			(errcode_for_socket_access(),
			 errmsg("pgrest could not accept an HTTP connection: %m"),
			 errdetail("The worker holds %d connections; it takes no more until one closes (%d more such failures since the last message).",
					   open_connections + admin_connections, fd_failures_unlogged)));
	fd_logged_at = now;
	fd_failures_unlogged = 0;
}

/* The deadlines of a libmicrohttpd connection (conn.c), or NULL. */
static PgrestConn *
conn_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	if (info == NULL || info->socket_context == &admin_marker)
		return NULL;			/* no memory was left to keep its deadlines */
	return (PgrestConn *) info->socket_context;
}

/* Whether the connection came on the admin port. */
static bool
is_admin(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL && (info->socket_context == &admin_marker ||
							pgrest_conn_is_admin((PgrestConn *) info->socket_context));
}

/* Whether the request declares a body: a length above 0, or chunks. */
static bool
has_body(struct MHD_Connection *connection)
{
	unsigned long long length;

	return (declared_length(connection, &length) && length > 0) ||
		MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
									MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* The file descriptors this process has open, or a guess. */
static int
count_open_fds(void)
{
	DIR		   *dir = opendir("/proc/self/fd");
	int			n = 0;

	if (dir == NULL)
		return 64;
	while (readdir(dir) != NULL)
		n++;
	closedir(dir);
	return n;
}

/* Log what libmicrohttpd said during the last call into it. */
static void
flush_log(void)
{
	for (int i = 0; i < log_count; i++)
		ereport(DEBUG1, (errmsg_internal("pgrest libmicrohttpd: %s", log_slots[i])));
	if (log_dropped > 0)
		ereport(DEBUG1,
				(errmsg_internal("pgrest libmicrohttpd: %d more messages dropped",
								 log_dropped)));
	log_count = 0;
	log_dropped = 0;
}
