/*-------------------------------------------------------------------------
 *
 * listen.c
 *	  Open the HTTP listening sockets once, in the postmaster: the API's
 *	  (pgrest.listen_addresses, pgrest.port), and the admin server's when
 *	  pgrest.admin_port is set (pgrest.admin_listen_addresses: loopback
 *	  unless told otherwise, never the API's addresses by default).
 *
 * Every worker inherits the same sockets when the postmaster forks it, and
 * accepts a connection only while it is idle, so idle workers take the
 * load and a busy one is never handed new clients.  The sockets survive
 * worker restarts and crash-restart cycles, and no two processes ever race
 * to bind the port.
 *
 * A failure to listen is a WARNING, never an ERROR: an ERROR here would
 * stop the whole server from starting.  When an address of a port is in
 * use (another program, or another cluster configured for the same
 * port), pgrest listens on no address of that port: clients that reach
 * the port must never find two servers answering on it, one on
 * 127.0.0.1 and the other on ::1, say.  Other failures (an address this
 * host does not have) only skip that address.  Sockets are close-on-exec
 * so that programs started by backends (archive_command, COPY ...
 * PROGRAM) do not inherit them.
 *
 * This file never touches shared memory, the catalogs or libmicrohttpd.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/listen.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "server/layer.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "server/guc.h"
#include "server/listen.h"

/* the sockets of one port, and what they are bound to */
typedef struct ListenSet
{
	int			fds[PGREST_MAX_LISTEN_SOCKETS];
	char	   *addresses[PGREST_MAX_LISTEN_SOCKETS];	/* "[::1]:3000" of each */
	int			n;
	bool		in_use;			/* an address was in use by another program */
	char	   *names;			/* "127.0.0.1:3000, [::1]:3000" */
} ListenSet;

static ListenSet api;
static ListenSet admin;

static void listen_setting(const char *value, const char *setting, int port,
						   ListenSet *set, const char *what);
static void listen_port(List *hosts, int port, ListenSet *set, const char *what,
						const char *setting);
static void listen_on(const char *host, int port, ListenSet *set);
static int	open_socket(const struct addrinfo *ai, const char *address,
						bool *in_use);
static char *address_name(const struct sockaddr *addr, socklen_t len, int port);
static bool already_bound(const ListenSet *set, const char *address);

/*
 * Open a listening socket for every address pgrest.listen_addresses
 * resolves to, and the admin server's on pgrest.admin_listen_addresses.
 * Called from _PG_init in the postmaster only.
 */
void
pgrest_listen_open(void)
{
	listen_setting(pgrest_listen_addresses, "pgrest.listen_addresses",
				   pgrest_port, &api, "HTTP server");
	if (pgrest_admin_port > 0)
		listen_setting(pgrest_admin_listen_addresses,
					   "pgrest.admin_listen_addresses", pgrest_admin_port,
					   &admin, "admin server");
}

/* The inherited listening sockets, for the workers. */
const int *
pgrest_listen_sockets(int *count)
{
	*count = api.n;
	return api.fds;
}

/* The inherited listening sockets of the admin server (none when off). */
const int *
pgrest_listen_admin_sockets(int *count)
{
	*count = admin.n;
	return admin.fds;
}

/* What the HTTP sockets are bound to ("127.0.0.1:3000, [::1]:3000"), or NULL. */
const char *
pgrest_listen_names(void)
{
	return api.n > 0 ? api.names : NULL;
}

/* What the admin server's sockets are bound to, or NULL. */
const char *
pgrest_listen_admin_names(void)
{
	return admin.n > 0 ? admin.names : NULL;
}

/* listen on port at every address of a setting's list (see listen_port) */
static void
listen_setting(const char *value, const char *setting, int port,
			   ListenSet *set, const char *what)
{
	char	   *raw = pstrdup(value);
	List	   *hosts = NIL;

	/* the check hook has already validated the list */
	(void) SplitGUCList(raw, ',', &hosts);
	listen_port(hosts, port, set, what, setting);
	list_free(hosts);
	pfree(raw);
}

/*
 * Listen on port at every address of hosts, all or nothing: when one of
 * them is in use by another program, close the others (see the file
 * header).  The summary WARNING says what clients of the port get.
 */
static void
listen_port(List *hosts, int port, ListenSet *set, const char *what,
			const char *setting)
{
	ListCell   *lc;
	StringInfoData names;

	foreach(lc, hosts)
		listen_on((const char *) lfirst(lc), port, set);

	if (set->in_use)
	{
		for (int i = 0; i < set->n; i++)
			close(set->fds[i]);
		set->n = 0;
		ereport(WARNING,
				(errmsg("pgrest's %s does not listen on port %d: another program holds it",
						what, port),
				 errdetail("The workers answer nowhere on port %d, not even on the addresses that were free, so that clients never reach two servers on one port.",
						   port),
				 errhint("Stop the other program (another PostgreSQL cluster with pgrest, perhaps) or choose another port, then restart the server.")));
		return;
	}
	if (set->n == 0)
	{
		ereport(WARNING,
				(errmsg("pgrest's %s could not listen on any address", what),
				 errhint("Check \"%s\" and the port, then restart the server.",
						 setting)));
		return;
	}

	initStringInfo(&names);
	for (int i = 0; i < set->n; i++)
		appendStringInfo(&names, "%s%s", i > 0 ? ", " : "", set->addresses[i]);
	set->names = MemoryContextStrdup(TopMemoryContext, names.data);
	pfree(names.data);
}

/* listen on every address host resolves to, adding the sockets to set */
static void
listen_on(const char *host, int port, ListenSet *set)
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
		char	   *address = address_name(ai->ai_addr, ai->ai_addrlen, port);
		int			fd;

		if (set->n >= PGREST_MAX_LISTEN_SOCKETS)
		{
			ereport(WARNING,
					(errmsg("pgrest listens on at most %d sockets; ignoring the rest of \"%s\"",
							PGREST_MAX_LISTEN_SOCKETS, host)));
			break;
		}
		/* "localhost, 127.0.0.1" names one address twice: it is ours */
		if (already_bound(set, address))
		{
			pfree(address);
			continue;
		}
		fd = open_socket(ai, address, &set->in_use);
		if (fd < 0)
		{
			pfree(address);
			continue;
		}
		set->addresses[set->n] = address;
		set->fds[set->n++] = fd;
	}
	freeaddrinfo(res);
}

/*
 * One non-blocking, close-on-exec listening socket on address (its name,
 * for messages), or -1 with a WARNING; *in_use is set when another
 * program holds the address.
 */
static int
open_socket(const struct addrinfo *ai, const char *address, bool *in_use)
{
	int			fd;
	int			one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);
	if (fd < 0)
	{
		ereport(WARNING,
				(errmsg("could not create HTTP socket for %s: %m", address)));
		return -1;
	}

	/*
	 * SO_REUSEADDR lets a restarted server bind while old connections linger
	 * in TIME_WAIT (it never lets two sockets listen on one address: that
	 * would take SO_REUSEPORT); IPV6_V6ONLY keeps "*" from colliding with
	 * itself.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		(ai->ai_family == AF_INET6 &&
		 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0))
	{
		ereport(WARNING,
				(errmsg("could not set options of HTTP socket for %s: %m", address)));
		close(fd);
		return -1;
	}

	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
	{
		if (errno == EADDRINUSE)
		{
			*in_use = true;
			ereport(WARNING,
					(errmsg("could not bind HTTP socket to %s: %m", address),
					 errhint("Another program, or another PostgreSQL cluster with pgrest, already listens there.")));
		}
		else
			ereport(WARNING,
					(errmsg("could not bind HTTP socket to %s: %m", address)));
		close(fd);
		return -1;
	}

	if (listen(fd, SOMAXCONN) < 0)
	{
		if (errno == EADDRINUSE)
			*in_use = true;
		ereport(WARNING,
				(errmsg("could not listen on HTTP socket %s: %m", address)));
		close(fd);
		return -1;
	}
	return fd;
}

/* whether set holds a socket bound to address already */
static bool
already_bound(const ListenSet *set, const char *address)
{
	for (int i = 0; i < set->n; i++)
	{
		if (strcmp(set->addresses[i], address) == 0)
			return true;
	}
	return false;
}

/* "127.0.0.1:3000" or "[::1]:3000", palloc'd */
static char *
address_name(const struct sockaddr *addr, socklen_t len, int port)
{
	char		host[NI_MAXHOST];

	if (getnameinfo(addr, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		return psprintf("port %d", port);
	if (addr->sa_family == AF_INET6)
		return psprintf("[%s]:%d", host, port);
	return psprintf("%s:%d", host, port);
}
