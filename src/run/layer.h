/*-------------------------------------------------------------------------
 *
 * layer.h
 *	  The rule of src/run/: the transaction and the statement: the only user SQL
 *
 * It sees no socket.  Every file of the folder includes this header first,
 * after postgres.h.  It refuses to compile when a header the layer must not
 * use is already included, and defines that header's include guard, so
 * that including it later brings in nothing and any use of it fails to
 * compile.  scripts/layers.mjs checks the other rule: the folder includes
 * no header of a layer above it.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/run/layer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RUN_LAYER_H
#define PGREST_RUN_LAYER_H

/* microhttpd.h */
#if defined(MHD_MICROHTTPD_H)
#error "src/run/ must not use libmicrohttpd"
#endif
#define MHD_MICROHTTPD_H

#endif							/* PGREST_RUN_LAYER_H */
