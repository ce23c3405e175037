/*-------------------------------------------------------------------------
 *
 * layer.h
 *	  The rule of src/response/: results and errors as HTTP
 *
 * It runs no SQL and sees no socket.  Every file of the folder includes
 * this header first, after postgres.h.  It refuses to compile when a header
 * the layer must not use is already included, and defines that header's
 * include guard, so that including it later brings in nothing and any use
 * of it fails to compile.  scripts/layers.mjs checks the other rule: the
 * folder includes no header of a layer above it.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/layer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_RESPONSE_LAYER_H
#define PGREST_RESPONSE_LAYER_H

/* executor/spi.h */
#if defined(SPI_H)
#error "src/response/ must not use SPI"
#endif
#define SPI_H

/* microhttpd.h */
#if defined(MHD_MICROHTTPD_H)
#error "src/response/ must not use libmicrohttpd"
#endif
#define MHD_MICROHTTPD_H

#endif							/* PGREST_RESPONSE_LAYER_H */
