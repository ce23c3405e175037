/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Definitions of every pgrest.* configuration parameter.
 *
 * All parameters are defined whether or not the library is preloaded, so
 * that SHOW works and pgrest.handle() sees the same settings the HTTP
 * workers do.  Parameters that shape the HTTP server's process model
 * (address, port, database, role, worker count) are PGC_POSTMASTER; all
 * others are PGC_SUSET: they follow postgresql.conf on reload, and a
 * superuser may also SET them in a session, which the regression tests of
 * pgrest.handle() rely on.  Requests themselves never run as superuser, so
 * they cannot change them.
 *
 * When the library is not preloaded, the process-model parameters are
 * still defined, as PGC_SIGHUP: they mean nothing without the workers,
 * but defining them absorbs the values postgresql.conf gives them, which
 * MarkGUCPrefixReserved would otherwise remove with a warning each in
 * every session that loads pgrest (PostgreSQL refuses PGC_POSTMASTER
 * definitions after startup).  The extension script then says, once,
 * that pgrest is not preloaded.
 *
 * An invalid value in postgresql.conf is not an error: at server start
 * PostgreSQL logs a WARNING (which setting, what is wrong) and keeps the
 * default; pgrest adds a WARNING that says the default is used, and
 * where the rejected value was.  (On reload, PostgreSQL keeps the
 * previous value and logs the same.)  No message quotes the value of
 * pgrest.jwt_secret.
 *
 * This file only defines and validates settings; it never reads the
 * catalogs.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/guc.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "server/layer.h"

#include <limits.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "server/guc.h"
#include "base/jspath.h"

/* the shortest HS256 secret we accept, as PostgREST does */
#define PGREST_MIN_JWT_SECRET_LEN 32

char	   *pgrest_listen_addresses = NULL;
int			pgrest_port = 3000;
char	   *pgrest_database = NULL;
char	   *pgrest_role = NULL;
int			pgrest_workers = 2;
int			pgrest_admin_port = 0;
char	   *pgrest_admin_listen_addresses = NULL;

char	   *pgrest_anon_role = NULL;
char	   *pgrest_jwt_secret = NULL;
char	   *pgrest_jwt_aud = NULL;
char	   *pgrest_jwt_role_claim = NULL;
char	   *pgrest_schemas = NULL;
char	   *pgrest_extra_search_path = NULL;
int			pgrest_max_rows = 0;
int			pgrest_statement_timeout = 10000;
int			pgrest_max_body_size = 8 * 1024 * 1024;
int			pgrest_max_body_memory = 64 * 1024 * 1024;
char	   *pgrest_pre_request = NULL;
int			pgrest_tx_end = PGREST_TX_COMMIT_ALLOW_OVERRIDE;
bool		pgrest_sql_endpoint = false;
int			pgrest_sql_max_response_size = 8 * 1024 * 1024;
bool		pgrest_aggregates_enabled = false;
bool		pgrest_plan_enabled = false;
bool		pgrest_server_timing = false;
bool		pgrest_jwt_secret_is_base64 = false;
bool		pgrest_url_use_legacy_target_names = true;
char	   *pgrest_cors_allowed_origins = NULL;
char	   *pgrest_app_settings = NULL;
char	   *pgrest_server_trace_header = NULL;
char	   *pgrest_root_spec = NULL;
int			pgrest_client_error_verbosity = PGREST_ERRORS_VERBOSE;
int			pgrest_connection_limit = 1024;
int			pgrest_idle_timeout = 60;
int			pgrest_request_timeout = 10000;
int			pgrest_stream_threshold = 1024 * 1024;
int			pgrest_openapi_mode = PGREST_OPENAPI_FOLLOW_PRIVILEGES;
char	   *pgrest_openapi_server_url = NULL;

bool		pgrest_realtime = false;
int			pgrest_realtime_buffer = 16 * 1024;
char	   *pgrest_realtime_publication = NULL;
int			pgrest_realtime_heartbeat = 15000;
int			pgrest_realtime_resume_window = 300;
int			pgrest_realtime_max_retained_wal = 512;
int			pgrest_realtime_client_buffer = 256 * 1024;
int			pgrest_realtime_max_subscribers = 10000;
int			pgrest_realtime_max_tx_changes = 10000;
int			pgrest_realtime_max_subscribers_per_role = 10000;

static const struct config_enum_entry tx_end_options[] = {
	{"commit", PGREST_TX_COMMIT, false},
	{"commit-allow-override", PGREST_TX_COMMIT_ALLOW_OVERRIDE, false},
	{"rollback", PGREST_TX_ROLLBACK, false},
	{"rollback-allow-override", PGREST_TX_ROLLBACK_ALLOW_OVERRIDE, false},
	{NULL, 0, false}
};

static const struct config_enum_entry openapi_mode_options[] = {
	{"follow-privileges", PGREST_OPENAPI_FOLLOW_PRIVILEGES, false},
	{"ignore-privileges", PGREST_OPENAPI_IGNORE_PRIVILEGES, false},
	{"disabled", PGREST_OPENAPI_DISABLED, false},
	{NULL, 0, false}
};

static const struct config_enum_entry verbosity_options[] = {
	{"verbose", PGREST_ERRORS_VERBOSE, false},
	{"minimal", PGREST_ERRORS_MINIMAL, false},
	{NULL, 0, false}
};

/* a value postgresql.conf (or the command line) gave a pgrest.* name */
typedef struct GivenSetting
{
	char	   *name;
	char	   *file;			/* NULL: not from a file */
	int			line;
} GivenSetting;

static List *given_settings(void);
static void report_rejected(List *given);
static void define_process_model(GucContext context);
static void define_realtime(void);
static bool check_name_list(char **newval, void **extra, GucSource source);
static bool check_name_list_or_empty(char **newval, void **extra, GucSource source);
static bool check_schemas(char **newval, void **extra, GucSource source);
static bool check_jwt_secret(char **newval, void **extra, GucSource source);
static bool check_not_empty(char **newval, void **extra, GucSource source);
static bool check_role_claim(char **newval, void **extra, GucSource source);
static bool check_app_settings(char **newval, void **extra, GucSource source);
static bool check_header_name(char **newval, void **extra, GucSource source);
static bool check_root_spec(char **newval, void **extra, GucSource source);
static bool parse_app_settings(const char *setting, List **pairs, char **error);
static bool check_function_name(char **newval, void **extra, GucSource source);
static bool check_header_value(char **newval, void **extra, GucSource source);

/*
 * Define every parameter, then reserve the "pgrest" prefix so that a
 * misspelled name in postgresql.conf draws a warning.
 */
void
pgrest_guc_define(void)
{
	/* the postmaster loading shared_preload_libraries */
	bool		postmaster = process_shared_preload_libraries_in_progress &&
		!IsUnderPostmaster;
	List	   *given = postmaster ? given_settings() : NIL;

	DefineCustomStringVariable("pgrest.anon_role",
							   "Sets the role of requests that carry no JWT.",
							   "Empty means such requests are refused with 401.",
							   &pgrest_anon_role,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.jwt_secret",
							   "Sets the key that verifies JWTs: a secret, a JWK or a JWK Set, or @ and a file holding one.",
							   "A secret has at least 32 bytes; empty disables JWT authentication.",
							   &pgrest_jwt_secret,
							   "",
							   PGC_SUSET, GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL,
							   check_jwt_secret, NULL, NULL);

	DefineCustomBoolVariable("pgrest.jwt_secret_is_base64",
							 "Reads pgrest.jwt_secret as base64 (PostgREST's jwt-secret-is-base64).",
							 "The decoded bytes are the HMAC secret, or the JWK or JWK Set.",
							 &pgrest_jwt_secret_is_base64,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.app_settings",
							   "Sets app.settings.* for every request (PostgREST's app.settings.*).",
							   "name = value pairs separated by commas; a value with a comma in double quotes.",
							   &pgrest_app_settings,
							   "",
							   PGC_SUSET, GUC_SUPERUSER_ONLY,
							   check_app_settings, NULL, NULL);

	DefineCustomStringVariable("pgrest.jwt_aud",
							   "Sets the audience a JWT's \"aud\" claim must name.",
							   "Empty means the claim is not checked.",
							   &pgrest_jwt_aud,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.jwt_role_claim",
							   "Sets the JWT claim that names the request's role.",
							   NULL,
							   &pgrest_jwt_role_claim,
							   "role",
							   PGC_SUSET, 0,
							   check_role_claim, NULL, NULL);

	DefineCustomStringVariable("pgrest.schemas",
							   "Sets the schemas exposed over HTTP.",
							   "A comma-separated list; the first is the default, others are chosen with the Accept-Profile and Content-Profile headers.",
							   &pgrest_schemas,
							   "public",
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_schemas, NULL, NULL);

	DefineCustomStringVariable("pgrest.extra_search_path",
							   "Sets the schemas put after the request's schema on search_path.",
							   "A comma-separated list, for the objects of extensions installed in their own schemas (PostgREST's db-extra-search-path); empty for none.",
							   &pgrest_extra_search_path,
							   "public",
							   PGC_SUSET, GUC_LIST_INPUT,
							   check_name_list_or_empty, NULL, NULL);

	DefineCustomIntVariable("pgrest.max_rows",
							"Sets the most rows a read returns.",
							"0 means no limit.",
							&pgrest_max_rows,
							0, 0, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.statement_timeout",
							"Sets the time a request's statements may run.",
							"A request's role may have a shorter statement_timeout; 0 means the statement_timeout in effect for the request's session applies.",
							&pgrest_statement_timeout,
							10000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.max_body_size",
							"Sets the largest request body accepted.",
							"Larger bodies are refused with 413.",
							&pgrest_max_body_size,
							8 * 1024 * 1024, 0, MaxAllocSize,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.max_body_memory",
							"Sets the memory the request bodies a worker is receiving may hold at once.",
							"New bodies get 503 while it is taken; at least pgrest.max_body_size.",
							&pgrest_max_body_memory,
							64 * 1024 * 1024, 0, MaxAllocSize,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.pre_request",
							   "Sets a function called at the start of every request's transaction.",
							   "Empty means none.",
							   &pgrest_pre_request,
							   "",
							   PGC_SUSET, 0,
							   check_function_name, NULL, NULL);

	DefineCustomEnumVariable("pgrest.tx_end",
							 "Sets whether requests commit, and whether the Prefer: tx header may change that.",
							 NULL,
							 &pgrest_tx_end,
							 PGREST_TX_COMMIT_ALLOW_OVERRIDE,
							 tx_end_options,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pgrest.sql_endpoint",
							 "Enables the read-only raw SQL endpoint POST /sql.",
							 NULL,
							 &pgrest_sql_endpoint,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pgrest.aggregates_enabled",
							 "Allows aggregate functions in select=, such as count() and col.sum().",
							 "Off, as in PostgREST: an aggregate over a large table is an easy way to load the server.",
							 &pgrest_aggregates_enabled,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.sql_max_response_size",
							"Sets the largest result POST /sql returns.",
							"Larger results are refused with 400.",
							&pgrest_sql_max_response_size,
							8 * 1024 * 1024, 1024, MaxAllocSize / 2,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("pgrest.plan_enabled",
							 "Allows Accept: application/vnd.pgrst.plan, which answers with the request's EXPLAIN.",
							 "Off, as PostgREST's db-plan-enabled: a plan shows the schema's and the data's shape.",
							 &pgrest_plan_enabled,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pgrest.server_timing",
							 "Adds a Server-Timing header to successful responses.",
							 "Off, as PostgREST's server-timing-enabled: the durations of a request's stages tell something of the data.",
							 &pgrest_server_timing,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.cors_allowed_origins",
							   "Sets the value of the Access-Control-Allow-Origin header.",
							   NULL,
							   &pgrest_cors_allowed_origins,
							   "*",
							   PGC_SUSET, 0,
							   check_header_value, NULL, NULL);

	DefineCustomIntVariable("pgrest.connection_limit",
							"Sets the most HTTP connections each worker holds open.",
							"Further connections wait in the listen queue until a worker has room.",
							&pgrest_connection_limit,
							1024, 1, 65536,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.idle_timeout",
							"Sets how long an idle HTTP connection is kept open.",
							"Applies to connections accepted after a change.",
							&pgrest_idle_timeout,
							60, 1, 86400,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.server_trace_header",
							   "Sets a request header whose value every response repeats (PostgREST's server-trace-header).",
							   "Empty for none; X-Request-Id, for instance.",
							   &pgrest_server_trace_header,
							   "",
							   PGC_SUSET, 0,
							   check_header_name, NULL, NULL);

	DefineCustomStringVariable("pgrest.root_spec",
							   "Sets a function GET / calls instead of describing the API (PostgREST's db-root-spec).",
							   "A function of the request's schema, without arguments; empty: the OpenAPI document.",
							   &pgrest_root_spec,
							   "",
							   PGC_SUSET, 0,
							   check_root_spec, NULL, NULL);

	DefineCustomBoolVariable("pgrest.url_use_legacy_target_names",
							 "Lets filters, orders and limits name an aliased embed by its table (PostgREST's url-use-legacy-target-names).",
							 "Off: an embed with an alias is named by its alias only (400 PGRST108 otherwise).",
							 &pgrest_url_use_legacy_target_names,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("pgrest.client_error_verbosity",
							 "Sets what error bodies say (PostgREST's client-error-verbosity).",
							 "verbose: code, details, hint and message; minimal: code and message.",
							 &pgrest_client_error_verbosity,
							 PGREST_ERRORS_VERBOSE,
							 verbosity_options,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("pgrest.openapi_mode",
							 "Sets what the OpenAPI document at the root describes.",
							 "follow-privileges: what the request's role may use; ignore-privileges: everything in the schema; disabled: the root answers 404.",
							 &pgrest_openapi_mode,
							 PGREST_OPENAPI_FOLLOW_PRIVILEGES,
							 openapi_mode_options,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.openapi_server_url",
							   "Sets the server URL of the OpenAPI document.",
							   "Empty means http:// and the request's Host header.",
							   &pgrest_openapi_server_url,
							   "",
							   PGC_SUSET, 0,
							   check_header_value, NULL, NULL);

	DefineCustomIntVariable("pgrest.request_timeout",
							"Sets the time a client has to send a request's headers, and to start its body.",
							"Bodies must then arrive at 64 kB/s at least, and responses be read as fast; slower clients get 408 and are disconnected.",
							&pgrest_request_timeout,
							10000, 100, INT_MAX / 2,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.stream_threshold",
							"Sets the size above which a read's body is streamed.",
							"A body that has not ended within this many bytes is sent as it is made, with chunked encoding; 0 streams every body that does not end in its first batch of rows.",
							&pgrest_stream_threshold,
							1024 * 1024, 0, MaxAllocSize / 4,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	define_realtime();

	/*
	 * The process model is fixed at server start; without the workers its
	 * settings are placeholders that must not draw warnings.
	 */
	define_process_model(process_shared_preload_libraries_in_progress ?
						 PGC_POSTMASTER : PGC_SIGHUP);

	MarkGUCPrefixReserved("pgrest");

	if (given != NIL)
		report_rejected(given);
}

/*
 * The settings of the process model: address, port, database, role,
 * admin port and addresses, workers, realtime and its ring's size.
 * PGC_POSTMASTER when preloading; PGC_SIGHUP otherwise (see the file
 * header).
 */
static void
define_process_model(GucContext context)
{
	DefineCustomStringVariable("pgrest.listen_addresses",
							   "Sets the host names or IP addresses the HTTP server listens on.",
							   "A comma-separated list; \"*\" means all IPv4 and IPv6 addresses.",
							   &pgrest_listen_addresses,
							   "localhost",
							   context, 0,
							   check_name_list, NULL, NULL);

	DefineCustomIntVariable("pgrest.port",
							"Sets the TCP port the HTTP server listens on.",
							NULL,
							&pgrest_port,
							3000, 1, 65535,
							context, 0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("pgrest.database",
							   "Sets the database the HTTP workers serve.",
							   NULL,
							   &pgrest_database,
							   "postgres",
							   context, 0,
							   check_not_empty, NULL, NULL);

	DefineCustomStringVariable("pgrest.role",
							   "Sets the login role the HTTP workers connect as.",
							   "It must not be a superuser; it should be NOINHERIT and a member of the roles requests run as.",
							   &pgrest_role,
							   "authenticator",
							   context, 0,
							   check_not_empty, NULL, NULL);

	DefineCustomIntVariable("pgrest.admin_port",
							"Sets the TCP port of the admin server (/live, /ready, /metrics).",
							"0 turns it off.  It listens on pgrest.admin_listen_addresses and is served by the HTTP workers.",
							&pgrest_admin_port,
							0, 0, 65535,
							context, 0,
							NULL, NULL, NULL);

	/*
	 * Loopback by address, not "localhost": what a host name resolves to
	 * is up to /etc/hosts and DNS, and the admin port must not reach
	 * further than this host unless asked to.
	 */
	DefineCustomStringVariable("pgrest.admin_listen_addresses",
							   "Sets the host names or IP addresses the admin server listens on.",
							   "A comma-separated list, as pgrest.listen_addresses; \"*\" means all IPv4 and IPv6 addresses.  The default is the loopback addresses only.",
							   &pgrest_admin_listen_addresses,
							   "127.0.0.1, ::1",
							   context, 0,
							   check_name_list, NULL, NULL);

	DefineCustomIntVariable("pgrest.workers",
							"Sets the number of HTTP worker processes.",
							"Each takes one of max_worker_processes.",
							&pgrest_workers,
							2, 1, 64,
							context, 0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("pgrest.realtime",
							 "Streams table changes to subscribers as Server-Sent Events.",
							 "Needs wal_level = logical; a decoder background worker takes one of max_worker_processes and one replication slot.",
							 &pgrest_realtime,
							 false,
							 context, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_buffer",
							"Sets the size of the shared ring of table changes.",
							"Allocated in shared memory when pgrest.realtime is on.",
							&pgrest_realtime_buffer,
							16 * 1024, 1024, 4 * 1024 * 1024,
							context, GUC_UNIT_KB,
							NULL, NULL, NULL);
}

/*
 * The realtime settings that may change on reload (pgrest.realtime and
 * pgrest.realtime_buffer are in the process model).
 */
static void
define_realtime(void)
{
	DefineCustomStringVariable("pgrest.realtime_publication",
							   "Sets the publication whose tables stream changes.",
							   "An ordinary PostgreSQL publication of the served database; partitions stream as their root table.",
							   &pgrest_realtime_publication,
							   "pgrest_realtime",
							   PGC_SUSET, 0,
							   check_not_empty, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_heartbeat",
							"Sets the time between heartbeats sent to idle subscribers.",
							NULL,
							&pgrest_realtime_heartbeat,
							15000, 100, 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_resume_window",
							"Sets how long changes stay resumable after a restart.",
							"The replication slot keeps the WAL of changes this recent (within pgrest.realtime_max_retained_wal), so that clients resume across restarts.",
							&pgrest_realtime_resume_window,
							300, 0, 7 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_max_retained_wal",
							"Sets the most WAL the realtime replication slot keeps.",
							NULL,
							&pgrest_realtime_max_retained_wal,
							512, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_client_buffer",
							"Sets how much a subscriber may fall behind before it is reset.",
							NULL,
							&pgrest_realtime_client_buffer,
							256 * 1024, 16 * 1024, MaxAllocSize / 4,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_max_subscribers",
							"Sets the most subscribers each HTTP worker holds.",
							NULL,
							&pgrest_realtime_max_subscribers,
							10000, 0, 1000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_max_subscribers_per_role",
							"Sets the most subscribers of one role each HTTP worker holds.",
							"Lower than pgrest.realtime_max_subscribers, it keeps room for other roles (the anonymous role's streams cannot take every place).",
							&pgrest_realtime_max_subscribers_per_role,
							10000, 0, 1000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pgrest.realtime_max_tx_changes",
							"Sets the most changes of one table one transaction streams.",
							"A transaction that changes more rows of a table streams a reset of that table's subscribers instead.",
							&pgrest_realtime_max_tx_changes,
							10000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
}


/*
 * The pgrest.* names postgresql.conf, postgresql.auto.conf or the command
 * line gave a value, while they are still placeholders: before they are
 * defined.  Called in the postmaster at start only.
 */
static List *
given_settings(void)
{
	struct config_generic **vars = get_guc_variables();
	int			nvars = GetNumConfigOptions();
	List	   *given = NIL;

	for (int i = 0; i < nvars; i++)
	{
		struct config_generic *var = vars[i];
		GivenSetting *setting;

		if (!(var->flags & GUC_CUSTOM_PLACEHOLDER) ||
			strncmp(var->name, "pgrest.", 7) != 0 ||
			var->source == PGC_S_DEFAULT)
			continue;
		setting = palloc(sizeof(GivenSetting));
		setting->name = pstrdup(var->name);
		setting->file = var->sourcefile ? pstrdup(var->sourcefile) : NULL;
		setting->line = var->sourceline;
		given = lappend(given, setting);
	}
	return given;
}

/*
 * After the definitions: a setting that was given a value but still has
 * its default had its value rejected.  PostgreSQL has just logged why;
 * say which value is used instead, and where the rejected one is.
 * Misspelled names are not here: MarkGUCPrefixReserved warned of them.
 */
static void
report_rejected(List *given)
{
	struct config_generic **vars = get_guc_variables();
	int			nvars = GetNumConfigOptions();
	ListCell   *lc;

	foreach(lc, given)
	{
		GivenSetting *setting = lfirst(lc);

		for (int i = 0; i < nvars; i++)
		{
			struct config_generic *var = vars[i];

			if (strcmp(var->name, setting->name) != 0 ||
				(var->flags & GUC_CUSTOM_PLACEHOLDER) ||
				var->source != PGC_S_DEFAULT)
				continue;
			if (setting->file != NULL)
				ereport(WARNING,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"%s\" is set to its default, \"%s\"",
								setting->name,
								GetConfigOption(setting->name, false, false)),
						 errdetail("The value given in file \"%s\" line %d is invalid.",
								   setting->file, setting->line)));
			else
				ereport(WARNING,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("parameter \"%s\" is set to its default, \"%s\"",
								setting->name,
								GetConfigOption(setting->name, false, false)),
						 errdetail("The value given on the command line is invalid.")));
			break;
		}
	}
}

/*
 * The exposed schemas, as a List of palloc'd names in the current memory
 * context.  The check hook guarantees the list parses and is not empty.
 */
List *
pgrest_guc_schema_list(void)
{
	List	   *names = NIL;
	char	   *raw = pstrdup(pgrest_schemas);

	if (!SplitGUCList(raw, ',', &names))
		elog(ERROR, "pgrest.schemas does not parse");
	return names;
}

/* pgrest.extra_search_path as a list of names (maybe empty) */
List *
pgrest_guc_extra_search_path(void)
{
	List	   *names = NIL;
	char	   *raw = pstrdup(pgrest_extra_search_path);

	if (!SplitGUCList(raw, ',', &names))
		elog(ERROR, "pgrest.extra_search_path does not parse");
	return names;
}

/*
 * pgrest.app_settings as PgrestGucPair items: "app.settings." and each
 * name, with its value.
 */
List *
pgrest_guc_app_settings(void)
{
	List	   *pairs = NIL;
	char	   *error;

	if (!parse_app_settings(pgrest_app_settings, &pairs, &error))
		elog(ERROR, "pgrest.app_settings does not parse: %s", error);
	return pairs;
}

/*
 * name = value, ... : names of letters, digits, "_" and "."; a value up to
 * the next comma (blanks around it dropped) or in double quotes ("" for a
 * quote).  postgresql.conf refuses a name of three parts such as
 * app.settings.x, so PostgREST's app.settings come through this one.
 */
static bool
parse_app_settings(const char *setting, List **pairs, char **error)
{
	const char *p = setting;

#define BLANK(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')
	*pairs = NIL;
	while (BLANK(*p))
		p++;
	while (*p != '\0')
	{
		const char *name = p;
		PgrestGucPair *pair = palloc(sizeof(PgrestGucPair));
		StringInfoData value;

		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '_' || *p == '.')
			p++;
		if (p == name || name[0] == '.' || p[-1] == '.')
		{
			*error = psprintf("expected a name (letters, digits, \"_\", \".\") at character %d",
							  (int) (name - setting) + 1);
			return false;
		}
		pair->name = psprintf("app.settings.%.*s", (int) (p - name), name);
		while (BLANK(*p))
			p++;
		if (*p != '=')
		{
			*error = psprintf("expected \"=\" after \"%.*s\"", (int) (strlen(pair->name) - 13), pair->name + 13);
			return false;
		}
		p++;
		while (BLANK(*p))
			p++;
		initStringInfo(&value);
		if (*p == '"')
		{
			for (p++;; p++)
			{
				if (*p == '\0')
				{
					*error = pstrdup("a quoted value is not closed");
					return false;
				}
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				appendStringInfoChar(&value, *p);
			}
			p++;
			while (BLANK(*p))
				p++;
			if (*p != ',' && *p != '\0')
			{
				*error = psprintf("expected \",\" after the quoted value of \"%s\"", pair->name + 13);
				return false;
			}
		}
		else
		{
			const char *end;

			while (*p != ',' && *p != '\0')
				appendStringInfoChar(&value, *p++);
			end = value.data + value.len;
			while (end > value.data && BLANK(end[-1]))
				end--;
			value.data[end - value.data] = '\0';
		}
		pair->value = value.data;
		*pairs = lappend(*pairs, pair);
		if (*p == ',')
		{
			p++;
			while (BLANK(*p))
				p++;
			if (*p == '\0')
			{
				*error = pstrdup("expected a name after the last \",\"");
				return false;
			}
		}
	}
#undef BLANK
	return true;
}

static bool
check_app_settings(char **newval, void **extra, GucSource source)
{
	List	   *pairs;
	char	   *error;

	if (!parse_app_settings(*newval, &pairs, &error))
	{
		GUC_check_errdetail("%s", error);
		return false;
	}
	return true;
}

/* empty, or a comma-separated list of non-empty items */
static bool
check_name_list_or_empty(char **newval, void **extra, GucSource source)
{
	if (**newval == '\0')
		return true;
	return check_name_list(newval, extra, source);
}

/* a comma-separated list of non-empty items */
static bool
check_name_list(char **newval, void **extra, GucSource source)
{
	char	   *raw = pstrdup(*newval);
	List	   *items = NIL;
	ListCell   *lc;
	bool		ok = SplitGUCList(raw, ',', &items);

	if (ok)
	{
		foreach(lc, items)
		{
			if (*(char *) lfirst(lc) == '\0')
				ok = false;
		}
	}
	if (!ok || items == NIL)
		GUC_check_errdetail("List syntax is invalid.");
	list_free(items);
	pfree(raw);
	return ok && items != NIL;
}

static bool
check_schemas(char **newval, void **extra, GucSource source)
{
	if (!check_name_list(newval, extra, source))
	{
		GUC_check_errdetail("pgrest.schemas must list at least one schema, separated by commas.");
		return false;
	}
	return true;
}

/*
 * An HMAC secret of at least 32 bytes, a JWK or JWK Set (JSON, checked
 * when loaded), or "@" and a file's path (read by the workers).
 */
static bool
check_jwt_secret(char **newval, void **extra, GucSource source)
{
	const char *value = *newval;
	size_t		len = strlen(value);

	while (*value == ' ' || *value == '\t' || *value == '\n' || *value == '\r')
		value++;
	if (value[0] == '{')
		return true;
	if ((*newval)[0] == '@')
	{
		if ((*newval)[1] == '\0')
		{
			GUC_check_errmsg("invalid value for parameter \"pgrest.jwt_secret\"");
			GUC_check_errdetail("\"@\" must be followed by the path of the file holding the secret.");
			return false;
		}
		return true;
	}
	if (len > 0 && len < PGREST_MIN_JWT_SECRET_LEN)
	{
		/* a message of our own: PostgreSQL's would quote the secret */
		GUC_check_errmsg("invalid value for parameter \"pgrest.jwt_secret\"");
		GUC_check_errdetail("The JWT secret is %zu bytes long; it must be at least %d bytes.",
							len, PGREST_MIN_JWT_SECRET_LEN);
		return false;
	}
	return true;
}

static bool
check_not_empty(char **newval, void **extra, GucSource source)
{
	if ((*newval)[0] == '\0')
	{
		GUC_check_errdetail("The value must not be empty.");
		return false;
	}
	return true;
}

/*
 * A key, a dotted path, or a JSON path in one of PostgREST's syntaxes
 * ($.role, .role) that parses: a path that cannot name a claim would make
 * every token anonymous.
 */
static bool
check_role_claim(char **newval, void **extra, GucSource source)
{
	char	   *error;

	if (!check_not_empty(newval, extra, source))
		return false;
	if (pgrest_jspath_is_path(*newval) &&
		pgrest_jspath_parse(*newval, &error) == NIL)
	{
		GUC_check_errdetail("%s", error);
		return false;
	}
	return true;
}

/* empty, or a function name with an optional schema: name or schema.name */
static bool
check_function_name(char **newval, void **extra, GucSource source)
{
	char	   *raw;
	List	   *parts = NIL;
	bool		ok;

	if ((*newval)[0] == '\0')
		return true;
	raw = pstrdup(*newval);
	ok = SplitIdentifierString(raw, '.', &parts) &&
		list_length(parts) >= 1 && list_length(parts) <= 2;
	if (!ok)
		GUC_check_errdetail("The value must be a function name, optionally qualified by its schema.");
	list_free(parts);
	pfree(raw);
	return ok;
}

/* the value is sent as an HTTP header: no control characters */
/* empty, or the name of a function (of the request's schema, so no schema) */
static bool
check_root_spec(char **newval, void **extra, GucSource source)
{
	if (strchr(*newval, '.') != NULL || strchr(*newval, '"') != NULL)
	{
		GUC_check_errdetail("The function is found in the request's schema: give its name alone.");
		return false;
	}
	return true;
}

/* empty, or a header name: an HTTP token */
static bool
check_header_name(char **newval, void **extra, GucSource source)
{
	for (const char *p = *newval; *p; p++)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || strchr("!#$%&'*+-.^_`|~", *p) != NULL))
		{
			GUC_check_errdetail("A header name is letters, digits and !#$%%&'*+-.^_`|~.");
			return false;
		}
	}
	return true;
}

static bool
check_header_value(char **newval, void **extra, GucSource source)
{
	const unsigned char *p;

	for (p = (const unsigned char *) *newval; *p; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
		{
			GUC_check_errdetail("The value must not contain control characters.");
			return false;
		}
	}
	return true;
}
