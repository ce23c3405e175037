/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The life of one HTTP worker: signals, connection, and the event loop.
 *
 * A worker connects to pgrest.database as pgrest.role (when login.c finds
 * it cannot, it serves without a connection, answering 503 with the
 * reason, until it can), starts its HTTP server and then waits, in one WaitEventSet kept for its whole life, on
 * its latch, postmaster death, the HTTP server's epoll fd and the shared
 * listening sockets.  After every wake-up it handles interrupts (so
 * SIGTERM, pg_terminate_backend and the barriers of DROP DATABASE are
 * served at once), reloads the configuration on SIGHUP, accepts the
 * pending connections (a batch per listening socket) while it has room,
 * and lets the HTTP server run, which answers every complete request.
 *
 * At start a worker raises its soft limit of open files to the hard limit:
 * every connection is a file descriptor, and the usual soft limit (1024)
 * is below what pgrest.connection_limit allows.  (http.c caps the
 * connections by what the limit leaves.)
 *
 * Requests run one at a time, inside pgrest_http_run; while one runs the
 * worker accepts nothing, so idle workers take new connections.  A read
 * whose response streams (stream.c) runs over many turns of the loop,
 * its transaction open: meanwhile the worker accepts no connection on the
 * API port, its other connections' requests wait, a cancel is left to the
 * streaming request, and a reload of the settings waits for it to end.
 * Every
 * idle worker wakes for a new connection; one that holds at least two
 * connections more than another idle worker leaves it to that one
 * (keep-alive clients stay where they were accepted, so this keeps the
 * load even).
 *
 * The admin server's sockets (pgrest.admin_port) are in the same set,
 * watched while the worker has room on the admin port: its connections
 * have a small cap of their own (http.c), apart from
 * pgrest.connection_limit, so that neither port can starve the other,
 * and are watched even while a response streams (admin requests run no
 * transaction).  Until the worker is ready (schema cache loaded, pgrest
 * installed) the loop wakes once a second to try again.
 *
 * A worker holding streams of table changes (realtime/) also runs, after
 * each run of the HTTP server, its realtime turn: the ring's new changes
 * (the decoder sets the latch of a worker whose tables changed), the
 * streams that catch up, heartbeats and tokens that expire; then it
 * resumes the connections of the streams that got bytes.  Nothing of it
 * runs while a request's rows stream (its transaction is open), and
 * nothing wakes the worker when nothing changed but the next heartbeat.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/resource.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "run/execute.h"
#include "server/guc.h"
#include "handler.h"
#include "http/http.h"
#include "auth/jwk.h"
#include "realtime/subscription.h"
#include "server/listen.h"
#include "server/login.h"
#include "server/shmem.h"
#include "server/timing.h"
#include "worker.h"

/* user_data of the listening sockets' wait events: an index + 1 */
#define LISTEN_EVENT(i) ((void *) (intptr_t) ((i) + 1))
/* ... and of the admin server's, after those */
#define ADMIN_EVENT(i) ((void *) (intptr_t) (PGREST_MAX_LISTEN_SOCKETS + (i) + 1))

/* turns of the loop that may fail in a row before the worker gives up */
#define PGREST_MAX_FAILED_TURNS 10

/* connections a worker takes from one listening socket per wake-up */
#define PGREST_ACCEPT_BATCH 64

static volatile int failed_turns = 0;

static void raise_open_files_limit(void);
static bool accept_batch(int listen_fd);
static void accept_admin(int listen_fd);
static void report_start(int worker, bool logged_in);
static void warn_if_superuser(void);
static void load_jwt_keys(void);
static void publish_not_ready(int code, Datum arg);
static WaitEventSet *create_wait_set(const int *listen_fds, int nlisten,
									 int *listen_pos, const int *admin_fds,
									 int nadmin, int *admin_pos);
static void watch_listen_sockets(WaitEventSet *set, const int *listen_pos,
								 int nlisten, bool accept);

void
pgrest_worker_main(Datum main_arg)
{
	int			worker = DatumGetInt32(main_arg);
	int			nlisten;
	const int  *listen_fds = pgrest_listen_sockets(&nlisten);
	int			nadmin;
	const int  *admin_fds = pgrest_listen_admin_sockets(&nadmin);
	int			listen_pos[PGREST_MAX_LISTEN_SOCKETS];
	int			admin_pos[PGREST_MAX_LISTEN_SOCKETS];
	WaitEventSet *set;
	sigjmp_buf	local_sigjmp_buf;
	volatile bool accepting = true;
	volatile bool admin_accepting = true;
	volatile bool yielded = false;	/* left a client to a less loaded worker */
	bool		logged_in;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* a role or database it cannot log in with: 503 without one (login.c) */
	logged_in = pgrest_login_check(worker);
	if (logged_in)
	{
		BackgroundWorkerInitializeConnection(pgrest_database, pgrest_role, 0);
		pgstat_report_appname("pgrest");
		warn_if_superuser();
		load_jwt_keys();
		pgrest_execute_install_hooks();
	}

	raise_open_files_limit();
	pgrest_timing_init();
	pgrest_http_start(&pgrest_handler_http);
	set = create_wait_set(listen_fds, nlisten, listen_pos, admin_fds, nadmin,
						  admin_pos);

	before_shmem_exit(publish_not_ready, Int32GetDatum(worker));
	pgrest_shmem_set_ready(worker, true);
	if (!logged_in)
		pgrest_shmem_set_state(PGREST_WORKER_NO_LOGIN);
	report_start(worker, logged_in);

	/*
	 * The last error boundary: an error raised in the loop itself, outside
	 * any request's (handler.c), is logged, its transaction rolled back,
	 * and the worker serves on.  Only an error that recurs on every turn
	 * ends it, rather than spin.
	 */
	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
	{
		error_context_stack = NULL;
		HOLD_INTERRUPTS();
		QueryCancelPending = false;
		EmitErrorReport();
		pgrest_execute_recover();
		MemoryContextSwitchTo(TopMemoryContext);
		FlushErrorState();
		if (++failed_turns > PGREST_MAX_FAILED_TURNS)
			ereport(FATAL,
					(errmsg("pgrest worker failed %d turns of its loop in a row",
							failed_turns)));
		RESUME_INTERRUPTS();
	}
	PG_exception_stack = &local_sigjmp_buf;

	for (;;)
	{
		WaitEvent	events[2 * PGREST_MAX_LISTEN_SOCKETS + 3];
		int			nevents;
		bool		streaming = pgrest_handler_streaming();
		long		timeout = pgrest_http_timeout_ms();
		long		realtime = streaming ? -1 : pgrest_realtime_timeout_ms();
		long		warm_up = streaming ? -1 :
			logged_in ? pgrest_handler_warm_up() : pgrest_login_recheck();
		bool		watch = pgrest_http_could_take() && !yielded && !streaming;
		bool		admin_watch = pgrest_http_admin_could_take();

		/* the next heartbeat, a token's expiry, a stream catching up */
		if (realtime >= 0 && (timeout < 0 || timeout > realtime))
			timeout = realtime;

		/* not ready yet: try again soon (pgrest_handler_warm_up, login.c) */
		if (warm_up >= 0 && (timeout < 0 || timeout > warm_up))
			timeout = warm_up;

		if (watch != accepting)
		{
			watch_listen_sockets(set, listen_pos, nlisten, watch);
			accepting = watch;
		}
		if (admin_watch != admin_accepting)
		{
			watch_listen_sockets(set, admin_pos, nadmin, admin_watch);
			admin_accepting = admin_watch;
		}
		/* after leaving a client to another worker, look again shortly */
		if (yielded && (timeout < 0 || timeout > 1))
			timeout = 1;
		yielded = false;

		nevents = WaitEventSetWait(set, timeout, events, lengthof(events),
								   PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		if (pgrest_timing)
		{
			pgrest_timing_mark(PGREST_MARK_WAKE);
			for (int i = 0; i < nevents; i++)
				pgrest_timing_wake((events[i].events & WL_LATCH_SET) ? PGREST_WAKE_LATCH :
								   events[i].user_data == NULL ? PGREST_WAKE_HTTP :
								   PGREST_WAKE_LISTEN);
		}

		/*
		 * A cancel that arrives while idle has nothing to cancel; one that
		 * arrives while a response streams (its statement timeout, say) is
		 * the streaming request's, raised in its next turn (http.c), inside
		 * its transaction.
		 */
		streaming = pgrest_handler_streaming();
		if (streaming)
		{
			HOLD_CANCEL_INTERRUPTS();
			CHECK_FOR_INTERRUPTS();
			RESUME_CANCEL_INTERRUPTS();
		}
		else
		{
			QueryCancelPending = false;
			CHECK_FOR_INTERRUPTS();
		}

		/* settings change between requests, never during one */
		if (ConfigReloadPending && !streaming)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			pgrest_timing_reload();
			/* a rewritten key file takes effect on reload */
			if (logged_in)
				load_jwt_keys();
		}
		pgrest_timing_mark(PGREST_MARK_SIGNALS);

		for (int i = 0; i < nevents; i++)
		{
			intptr_t	which = (intptr_t) events[i].user_data;

			/* the admin port is served even at pgrest.connection_limit */
			if (which > PGREST_MAX_LISTEN_SOCKETS)
			{
				if (admin_accepting)
					accept_admin(admin_fds[which - PGREST_MAX_LISTEN_SOCKETS - 1]);
				continue;
			}
			if (which <= 0 || !accepting)
				continue;
			yielded = !accept_batch(listen_fds[which - 1]) || yielded;
		}
		pgrest_timing_mark(PGREST_MARK_ACCEPT);

		pgrest_http_run();
		if (!pgrest_handler_streaming())
			pgrest_realtime_turn();
		pgrest_http_resume_events();
		pgrest_shmem_set_connections(pgrest_http_connections(),
									 pgrest_http_has_room());
		pgrest_timing_mark(PGREST_MARK_END);
		pgrest_timing_turn_end();
		failed_turns = 0;
	}
}

/*
 * Raise the soft limit of open files to the hard limit (capped at a
 * million: a hard limit of "unlimited" must not become the size of
 * anything).  A failure is only logged: the worker serves with fewer
 * connections.
 */
static void
raise_open_files_limit(void)
{
	struct rlimit limit;
	rlim_t		wanted;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return;
	wanted = limit.rlim_max == RLIM_INFINITY ? 1024 * 1024 :
		Min(limit.rlim_max, 1024 * 1024);
	if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= wanted)
		return;
	limit.rlim_cur = wanted;
	if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
		ereport(LOG,
				(errmsg("pgrest could not raise its limit of open files: %m")));
}

/*
 * Take up to PGREST_ACCEPT_BATCH pending connections from a listening
 * socket, while this worker has room (at its limit it sheds its slowest
 * client for each new one, see conn.c) and no less loaded idle worker
 * should take them instead.  Returns false if it left a connection to
 * another worker.  Taking one per wake-up would make a burst of clients
 * wait for as many rounds of the event loop, each serving every request
 * already in.
 */
static bool
accept_batch(int listen_fd)
{
	for (int n = 0; n < PGREST_ACCEPT_BATCH && pgrest_http_make_room(); n++)
	{
		bool		taken;

		if (!pgrest_shmem_should_accept())
			return false;
		taken = pgrest_http_accept(listen_fd, false);
		pgrest_shmem_set_connections(pgrest_http_connections(),
									 pgrest_http_has_room());
		if (!taken)
			break;
	}
	return true;
}

/*
 * Take the pending connections of an admin listening socket while the
 * admin port has room (at its cap, shedding its slowest connection for
 * each new one): outside pgrest.connection_limit, so that health checks
 * are answered by whichever worker is idle, however loaded the API port
 * is, and a crowd on the admin port takes nothing from the API's.
 */
static void
accept_admin(int listen_fd)
{
	for (int n = 0; n < PGREST_ACCEPT_BATCH && pgrest_http_admin_make_room(); n++)
	{
		if (!pgrest_http_accept(listen_fd, true))
			break;
	}
}

/*
 * Say where this worker serves, only what it holds: when the postmaster
 * could not listen on pgrest.port (see listen.c), the worker serves the
 * admin port at most, and the first worker says so.  The first worker
 * also says where the admin server listens.  A worker that could not log
 * in serves no database (login.c said why).
 */
static void
report_start(int worker, bool logged_in)
{
	const char *names = pgrest_listen_names();
	const char *admin_names = pgrest_listen_admin_names();

	if (worker == 0 && admin_names != NULL)
		ereport(LOG,
				(errmsg("pgrest admin server (/live, /ready, /metrics) on %s",
						admin_names)));
	if (!logged_in)
		return;
	if (names != NULL)
		ereport(LOG,
				(errmsg("pgrest worker %d serving database \"%s\" on %s",
						worker + 1, pgrest_database, names)));
	else if (worker == 0)
		ereport(WARNING,
				(errmsg("pgrest workers have no HTTP socket: nothing listens on port %d for them",
						pgrest_port),
				 errdetail("The postmaster could not listen there at server start; see its messages then."),
				 errhint("Free the port or set \"pgrest.port\" to another one, then restart the server.")));
}

/*
 * Requests must never run as a superuser.  Say so once at start; every
 * request then gets a 503 that says the same (see execute.c).
 */
static void
warn_if_superuser(void)
{
	bool		is_superuser;

	StartTransactionCommand();
	is_superuser = superuser();
	CommitTransactionCommand();

	if (is_superuser)
		ereport(WARNING,
				(errmsg("role \"%s\" is a superuser", pgrest_role),
				 errdetail("pgrest refuses to serve requests as a superuser."),
				 errhint("Set \"pgrest.role\" to a role without superuser rights (NOINHERIT, a member of the API roles) and restart the server.")));
}

/*
 * Read the keys of pgrest.jwt_secret (its file, if it names one) now, at
 * start and on reload.  A failure is logged; requests with a token then
 * get 500 PGRST300 until the keys load.
 */
static void
load_jwt_keys(void)
{
	MemoryContext cxt = CurrentMemoryContext;

	StartTransactionCommand();
	PG_TRY();
	{
		pgrest_jwk_load();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
}

static void
publish_not_ready(int code, Datum arg)
{
	pgrest_shmem_set_ready(DatumGetInt32(arg), false);
}

/*
 * One set for the worker's life: latch, postmaster death, the HTTP
 * server's fd, and each listening socket (its position kept for
 * watch_listen_sockets).
 */
static WaitEventSet *
create_wait_set(const int *listen_fds, int nlisten, int *listen_pos,
				const int *admin_fds, int nadmin, int *admin_pos)
{
	WaitEventSet *set = CreateWaitEventSet(TopMemoryContext, nlisten + nadmin + 3);

	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(set, WL_SOCKET_READABLE, pgrest_http_event_fd(), NULL, NULL);
	for (int i = 0; i < nlisten; i++)
		listen_pos[i] = AddWaitEventToSet(set, WL_SOCKET_READABLE, listen_fds[i],
										  NULL, LISTEN_EVENT(i));
	for (int i = 0; i < nadmin; i++)
		admin_pos[i] = AddWaitEventToSet(set, WL_SOCKET_READABLE, admin_fds[i],
										 NULL, ADMIN_EVENT(i));
	return set;
}

/*
 * Watch the listening sockets of a port for new connections, or stop (a
 * worker at its limit, or without file descriptors).  A listening socket never reports
 * WL_SOCKET_CLOSED, so that is how a socket stays in the set unwatched.
 */
static void
watch_listen_sockets(WaitEventSet *set, const int *listen_pos, int nlisten,
					 bool accept)
{
	for (int i = 0; i < nlisten; i++)
		ModifyWaitEvent(set, listen_pos[i],
						accept ? WL_SOCKET_READABLE : WL_SOCKET_CLOSED, NULL);
}
