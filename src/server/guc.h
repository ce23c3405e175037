/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  pgrest's configuration parameters (the pgrest.* GUCs)
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/server/guc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_GUC_H
#define PGREST_GUC_H

#include "nodes/pg_list.h"

/* values of pgrest.tx_end */
typedef enum PgrestTxEnd
{
	PGREST_TX_COMMIT,
	PGREST_TX_COMMIT_ALLOW_OVERRIDE,
	PGREST_TX_ROLLBACK,
	PGREST_TX_ROLLBACK_ALLOW_OVERRIDE
} PgrestTxEnd;

/* values of pgrest.openapi_mode */
typedef enum PgrestOpenapiMode
{
	PGREST_OPENAPI_FOLLOW_PRIVILEGES,
	PGREST_OPENAPI_IGNORE_PRIVILEGES,
	PGREST_OPENAPI_DISABLED
} PgrestOpenapiMode;

/* values of pgrest.client_error_verbosity */
typedef enum PgrestErrorVerbosity
{
	PGREST_ERRORS_VERBOSE,
	PGREST_ERRORS_MINIMAL
} PgrestErrorVerbosity;

/* read when the postmaster starts */
extern char *pgrest_listen_addresses;
extern int	pgrest_port;
extern char *pgrest_database;
extern char *pgrest_role;
extern int	pgrest_workers;
extern int	pgrest_admin_port;
extern char *pgrest_admin_listen_addresses;
extern bool pgrest_realtime;
extern int	pgrest_realtime_buffer;	/* kB */

/* reloadable (PGC_SUSET: also SET-able by superusers for pgrest.handle) */
extern char *pgrest_anon_role;
extern char *pgrest_jwt_secret;
extern char *pgrest_jwt_aud;
extern char *pgrest_jwt_role_claim;
extern char *pgrest_schemas;
extern char *pgrest_extra_search_path;
extern int	pgrest_max_rows;
extern int	pgrest_statement_timeout;
extern int	pgrest_max_body_size;
extern int	pgrest_max_body_memory;
extern char *pgrest_pre_request;
extern int	pgrest_tx_end;
extern bool pgrest_sql_endpoint;
extern int	pgrest_sql_max_response_size;
extern bool pgrest_aggregates_enabled;
extern bool pgrest_plan_enabled;
extern bool pgrest_server_timing;
extern bool pgrest_jwt_secret_is_base64;
extern bool pgrest_url_use_legacy_target_names;
extern char *pgrest_cors_allowed_origins;
extern char *pgrest_app_settings;
extern char *pgrest_server_trace_header;
extern char *pgrest_root_spec;
extern int	pgrest_client_error_verbosity;
extern int	pgrest_connection_limit;
extern int	pgrest_idle_timeout;
extern int	pgrest_request_timeout;
extern int	pgrest_stream_threshold;
extern int	pgrest_openapi_mode;
extern char *pgrest_openapi_server_url;

/* realtime (reloadable) */
extern char *pgrest_realtime_publication;
extern int	pgrest_realtime_heartbeat;	/* ms */
extern int	pgrest_realtime_resume_window;	/* s */
extern int	pgrest_realtime_max_retained_wal;	/* MB */
extern int	pgrest_realtime_client_buffer;	/* bytes */
extern int	pgrest_realtime_max_subscribers;
extern int	pgrest_realtime_max_tx_changes;
extern int	pgrest_realtime_max_subscribers_per_role;

extern void pgrest_guc_define(void);
extern List *pgrest_guc_schema_list(void);
extern List *pgrest_guc_extra_search_path(void);

/* one of pgrest.app_settings: its full name (app.settings.x) and value */
typedef struct PgrestGucPair
{
	char	   *name;
	char	   *value;
} PgrestGucPair;

extern List *pgrest_guc_app_settings(void);

#endif							/* PGREST_GUC_H */
