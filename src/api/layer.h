/*-------------------------------------------------------------------------
 *
 * layer.h
 *	  The rule of src/api/: pure parsing of a request
 *
 * It runs no SQL, reads no catalog and sees no socket.  Every file of the
 * folder includes this header first, after postgres.h.  It refuses to
 * compile when a header the layer must not use is already included, and
 * defines that header's include guard, so that including it later brings
 * in nothing and any use of it fails to compile.  scripts/layers.mjs checks
 * the other rule: the folder includes no header of a layer above it.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/api/layer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_API_LAYER_H
#define PGREST_API_LAYER_H

/* executor/spi.h */
#if defined(SPI_H)
#error "src/api/ must not use SPI"
#endif
#define SPI_H

/* microhttpd.h */
#if defined(MHD_MICROHTTPD_H)
#error "src/api/ must not use libmicrohttpd"
#endif
#define MHD_MICROHTTPD_H

/* utils/syscache.h, utils/lsyscache.h, access/table.h */
#if defined(SYSCACHE_H) || defined(LSYSCACHE_H) || defined(TABLE_H)
#error "src/api/ must not use the catalog caches"
#endif
#define SYSCACHE_H
#define LSYSCACHE_H
#define TABLE_H

#endif							/* PGREST_API_LAYER_H */
