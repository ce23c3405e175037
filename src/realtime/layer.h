/*-------------------------------------------------------------------------
 *
 * layer.h
 *	  The rule of src/realtime/: table changes streamed: the decoder, its
 *	  output plugin, the shared ring, the subscriptions
 *
 * It sits above run/ (subscriptions run their statements through
 * run/execute.c) and below response/ and http/; it sees no socket.  The
 * decoder's files run no user SQL: they read the catalogs under the
 * historic snapshot of logical decoding only.  Every file of the folder
 * includes this header first, after postgres.h.  It refuses to compile
 * when a header the layer must not use is already included, and defines
 * that header's include guard, so that including it later brings in
 * nothing and any use of it fails to compile.  scripts/layers.mjs checks
 * the other rule: the folder includes no header of a layer above it.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/layer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_LAYER_H
#define PGREST_REALTIME_LAYER_H

/* microhttpd.h */
#if defined(MHD_MICROHTTPD_H)
#error "src/realtime/ must not use libmicrohttpd"
#endif
#define MHD_MICROHTTPD_H

#endif							/* PGREST_REALTIME_LAYER_H */
