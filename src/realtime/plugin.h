/*-------------------------------------------------------------------------
 *
 * plugin.h
 *	  pgrest's logical decoding output plugin
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/plugin.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_PLUGIN_H
#define PGREST_REALTIME_PLUGIN_H

#include "replication/output_plugin.h"

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);
extern void pgrest_plugin_enable(void);
extern void pgrest_plugin_forget_relations(void);

#endif							/* PGREST_REALTIME_PLUGIN_H */
