/*-------------------------------------------------------------------------
 *
 * admin.c
 *	  Answer the admin port: GET /live, GET /ready, GET /metrics.
 *
 *	 /live		200 while a worker's event loop runs (it is answering)
 *	 /ready		200 when at least one worker serves: connected to its
 *				database, schema cache loaded, pgrest installed there;
 *				503 otherwise, with the reason.  The JSON says whether
 *				this node is a primary or a read-only standby, and
 *				?role=primary (or ?role=standby) answers 200 only on
 *				such a node, for a load balancer that sends writes to
 *				the primary.  "warnings" lists what works but
 *				should not be so (a pgrest.anon_role that
 *				anonymous requests found unusable).  With
 *				pgrest.realtime on, "realtime" is realtime's state
 *				("running", "standby", "no_wal_level", ...) and
 *				"realtime_reason" why it does not run;
 *				?realtime=true answers 200 only while it runs, for
 *				a load balancer that sends subscriptions where they
 *				are served.
 *	 /metrics	the Prometheus text of metrics.c
 *
 * Everything is answered from shared memory and the recovery state: no
 * transaction, no catalog, no SQL, so a health check never waits for a
 * lock or a connection slot.  GET and HEAD only.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/admin.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xlog.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/json.h"

#include "admin.h"
#include "base/error.h"
#include "realtime/ring.h"
#include "realtime/status.h"
#include "response/failure.h"
#include "server/guc.h"
#include "server/listen.h"
#include "server/login.h"
#include "server/metrics.h"
#include "server/shmem.h"

static PgrestResponse *ready(const PgrestHttpRequest *http);
static const char *not_ready_reason(const PgrestStats *stats);
static const char *query_value(const char *query, const char *name);
static PgrestResponse *text_response(int status, const char *type, char *body);

/* The response to one request on the admin port. */
PgrestResponse *
pgrest_admin_handle(PgrestRouteKind kind, const PgrestHttpRequest *http)
{
	PgrestResponse *resp;
	bool		head = http->method && strcmp(http->method, "HEAD") == 0;

	if (kind == PGREST_ROUTE_ADMIN_OTHER)
		return pgrest_failure_build(PGREST_ERR_PATH,
								  "Invalid path specified in request URL", NULL,
								  "The admin port serves /live, /ready and /metrics.");
	if (!head && (http->method == NULL || strcmp(http->method, "GET") != 0))
	{
		resp = pgrest_failure_build(PGREST_ERR_METHOD,
								  psprintf("Unsupported HTTP method: %s",
										   http->method ? http->method : ""),
								  NULL, NULL);
		pgrest_message_add_header(resp, "Allow", "GET,HEAD");
		return resp;
	}

	switch (kind)
	{
		case PGREST_ROUTE_LIVE:
			resp = text_response(200, PGREST_JSON_CONTENT_TYPE, pstrdup("{\"live\":true}"));
			break;
		case PGREST_ROUTE_READY:
			resp = ready(http);
			break;
		case PGREST_ROUTE_METRICS:
			resp = text_response(200, "text/plain; version=0.0.4; charset=utf-8",
								 pgrest_metrics_text());
			break;
		default:
			elog(ERROR, "route %d is not an admin route", (int) kind);
	}
	if (head)
	{
		resp->body = NULL;
		resp->body_len = 0;
	}
	return resp;
}

/*
 * /ready: {"ready": bool, "role": "primary"|"standby", "read_only": bool,
 * "workers": n, "workers_ready": n[, "reason": text][, "warnings": [text]]}.
 */
static PgrestResponse *
ready(const PgrestHttpRequest *http)
{
	PgrestStats *stats = palloc(sizeof(PgrestStats));
	const char *wanted = query_value(http->query, "role");
	const char *realtime = query_value(http->query, "realtime");
	bool		standby = RecoveryInProgress();
	PgrestRingStatus *rt = palloc(sizeof(PgrestRingStatus));
	const char *reason = NULL;
	int			nready;
	int			nsockets;
	PgrestAnonRoleProblem anon = pgrest_shmem_anon_role_problem();
	StringInfoData body;

	if (wanted != NULL && strcmp(wanted, "primary") != 0 &&
		strcmp(wanted, "standby") != 0)
		return pgrest_failure_build(PGREST_ERR_PARSE,
								  "unrecognized value of the role parameter",
								  NULL, "Use role=primary or role=standby.");
	if (realtime != NULL && strcmp(realtime, "true") != 0)
		return pgrest_failure_build(PGREST_ERR_PARSE,
								  "unrecognized value of the realtime parameter",
								  NULL, "Use realtime=true.");
	pgrest_ring_status(rt);

	pgrest_shmem_collect(stats);
	nready = stats->states[PGREST_WORKER_READY];
	(void) pgrest_listen_sockets(&nsockets);
	if (nsockets == 0)
		reason = psprintf("pgrest could not listen on port %d; see the server log",
						  pgrest_port);
	else if (nready == 0)
		reason = not_ready_reason(stats);
	else if (wanted != NULL && strcmp(wanted, "primary") == 0 && standby)
		reason = "this node is a read-only standby, not a primary";
	else if (wanted != NULL && strcmp(wanted, "standby") == 0 && !standby)
		reason = "this node is a primary, not a standby";
	else if (realtime != NULL && rt->state != PGREST_REALTIME_RUNNING)
		reason = psprintf("realtime is not running: %s", rt->reason);

	initStringInfo(&body);
	appendStringInfo(&body,
					 "{\"ready\":%s,\"role\":\"%s\",\"read_only\":%s,"
					 "\"workers\":%d,\"workers_ready\":%d",
					 reason == NULL ? "true" : "false",
					 standby ? "standby" : "primary",
					 standby ? "true" : "false",
					 stats->workers, nready);
	if (reason != NULL)
	{
		appendStringInfoString(&body, ",\"reason\":");
		escape_json(&body, reason);
	}
	if (pgrest_ring_attached())
	{
		appendStringInfoString(&body, ",\"realtime\":");
		escape_json(&body, pgrest_realtime_state_name(rt->state));
		if (rt->state != PGREST_REALTIME_RUNNING && rt->reason[0] != '\0')
		{
			appendStringInfoString(&body, ",\"realtime_reason\":");
			escape_json(&body, rt->reason);
		}
	}
	if (anon != PGREST_ANON_ROLE_OK && pgrest_anon_role[0] != '\0')
	{
		appendStringInfoString(&body, ",\"warnings\":[");
		escape_json(&body,
					psprintf(anon == PGREST_ANON_ROLE_MISSING ?
							 "pgrest.anon_role \"%s\" does not exist: requests without a JWT get 401" :
							 "pgrest.role may not switch to pgrest.anon_role \"%s\": requests without a JWT get 401",
							 pgrest_anon_role));
		appendStringInfoChar(&body, ']');
	}
	appendStringInfoChar(&body, '}');
	return text_response(reason == NULL ? 200 : 503, PGREST_JSON_CONTENT_TYPE, body.data);
}

/*
 * Why no worker serves, from their states, the cause that needs fixing
 * first first: a log-in that fails (login.c says why, naming the
 * setting), a superuser pgrest.role, pgrest missing from the database.
 */
static const char *
not_ready_reason(const PgrestStats *stats)
{
	char	   *login = NULL;

	if (stats->states[PGREST_WORKER_NO_LOGIN] > 0)
		login = pgrest_login_problem();
	if (login != NULL)
		return login;
	if (stats->states[PGREST_WORKER_SUPERUSER] > 0)
		return psprintf("pgrest.role \"%s\" is a superuser: pgrest refuses to serve requests as one",
						pgrest_role);
	if (stats->states[PGREST_WORKER_NO_EXTENSION] > 0)
		return psprintf("pgrest is not installed in database \"%s\"",
						pgrest_database);
	if (stats->states[PGREST_WORKER_REFUSED] > 0 ||
		stats->states[PGREST_WORKER_NO_LOGIN] > 0)
		return "the workers cannot serve requests; see the server log";
	return "the workers have not loaded their schema cache yet";
}

/* the raw value of name=value in a query string, or NULL */
static const char *
query_value(const char *query, const char *name)
{
	size_t		len = strlen(name);
	const char *p = query;

	while (p != NULL && *p != '\0')
	{
		const char *amp = strchr(p, '&');

		if (strncmp(p, name, len) == 0 && p[len] == '=')
			return amp ? pnstrdup(p + len + 1, amp - p - len - 1) : pstrdup(p + len + 1);
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static PgrestResponse *
text_response(int status, const char *type, char *body)
{
	PgrestResponse *resp = palloc0(sizeof(PgrestResponse));

	resp->status = status;
	resp->body = body;
	resp->body_len = strlen(body);
	pgrest_message_add_header(resp, "Content-Type", type);
	pgrest_message_add_header(resp, "Cache-Control", "no-store");
	return resp;
}
