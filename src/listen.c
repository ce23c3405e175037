/*-------------------------------------------------------------------------
 *
 * listen.c
 *	  Open the HTTP listening sockets once, in the postmaster: the API's,
 *	  and the admin server's when pgrest.admin_port is set.
 *
 * Every worker inherits the same sockets when the postmaster forks it, and
 * accepts a connection only while it is idle, so idle workers take the
 * load and a busy one is never handed new clients.  The sockets survive
 * worker restarts and crash-restart cycles, and no two processes ever race
 * to bind the port.
 *
 * A failure to listen is a WARNING, never an ERROR: an ERROR here would
 * stop the whole server from starting.  Sockets are close-on-exec so that
 * programs started by backends (archive_command, COPY ... PROGRAM) do not
 * inherit them.
 *
 * This file never touches shared memory, the catalogs or libmicrohttpd.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/listen.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nodes/pg_list.h"
#include "utils/varlena.h"

#include "guc.h"
#include "listen.h"

static int	listen_fds[PGREST_MAX_LISTEN_SOCKETS];
static int	nlisten = 0;
static int	admin_fds[PGREST_MAX_LISTEN_SOCKETS];
static int	nadmin = 0;

static void listen_on(const char *host, int port, int *fds, int *n);
static int	open_socket(const struct addrinfo *ai, const char *host, int port);

/*
 * Open a listening socket for every address pgrest.listen_addresses
 * resolves to.  Called from _PG_init in the postmaster only.
 */
void
pgrest_listen_open(void)
{
	char	   *raw = pstrdup(pgrest_listen_addresses);
	List	   *hosts = NIL;
	ListCell   *lc;

	/* the check hook has already validated the list */
	(void) SplitGUCList(raw, ',', &hosts);
	foreach(lc, hosts)
		listen_on((const char *) lfirst(lc), pgrest_port, listen_fds, &nlisten);
	if (pgrest_admin_port > 0)
	{
		foreach(lc, hosts)
			listen_on((const char *) lfirst(lc), pgrest_admin_port, admin_fds, &nadmin);
	}

	if (nlisten == 0)
		ereport(WARNING,
				(errmsg("pgrest could not listen on any address; its HTTP server is not available"),
				 errhint("Check \"pgrest.listen_addresses\" and \"pgrest.port\", then restart the server.")));
	if (pgrest_admin_port > 0 && nadmin == 0)
		ereport(WARNING,
				(errmsg("pgrest could not listen on any address for its admin server"),
				 errhint("Check \"pgrest.listen_addresses\" and \"pgrest.admin_port\", then restart the server.")));
	list_free(hosts);
	pfree(raw);
}

/* The inherited listening sockets, for the workers. */
const int *
pgrest_listen_sockets(int *count)
{
	*count = nlisten;
	return listen_fds;
}

/* The inherited listening sockets of the admin server (none when off). */
const int *
pgrest_listen_admin_sockets(int *count)
{
	*count = nadmin;
	return admin_fds;
}

/* listen on every address host resolves to, adding the sockets to fds */
static void
listen_on(const char *host, int port, int *fds, int *n)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	struct addrinfo *ai;
	char		service[16];
	int			rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(service, sizeof(service), "%d", port);

	rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, service, &hints, &res);
	if (rc != 0)
	{
		ereport(WARNING,
				(errmsg("could not resolve pgrest listen address \"%s\": %s",
						host, gai_strerror(rc))));
		return;
	}

	for (ai = res; ai != NULL; ai = ai->ai_next)
	{
		int			fd;

		if (*n >= PGREST_MAX_LISTEN_SOCKETS)
		{
			ereport(WARNING,
					(errmsg("pgrest listens on at most %d sockets; ignoring the rest of \"%s\"",
							PGREST_MAX_LISTEN_SOCKETS, host)));
			break;
		}
		fd = open_socket(ai, host, port);
		if (fd >= 0)
			fds[(*n)++] = fd;
	}
	freeaddrinfo(res);
}

/* One non-blocking, close-on-exec listening socket, or -1 with a WARNING. */
static int
open_socket(const struct addrinfo *ai, const char *host, int port)
{
	int			fd;
	int			one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);
	if (fd < 0)
	{
		ereport(WARNING,
				(errmsg("could not create HTTP socket for \"%s\": %m", host)));
		return -1;
	}

	/*
	 * SO_REUSEADDR lets a restarted server bind while old connections linger
	 * in TIME_WAIT; IPV6_V6ONLY keeps "*" from colliding with itself.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		(ai->ai_family == AF_INET6 &&
		 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0))
	{
		ereport(WARNING,
				(errmsg("could not set options of HTTP socket for \"%s\": %m", host)));
		close(fd);
		return -1;
	}

	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
	{
		ereport(WARNING,
				(errmsg("could not bind HTTP socket for \"%s\" to port %d: %m",
						host, port),
				 errhint("Is another server already running on port %d?",
						 port)));
		close(fd);
		return -1;
	}

	if (listen(fd, SOMAXCONN) < 0)
	{
		ereport(WARNING,
				(errmsg("could not listen on HTTP socket for \"%s\": %m", host)));
		close(fd);
		return -1;
	}
	return fd;
}
