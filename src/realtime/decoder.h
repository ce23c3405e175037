/*-------------------------------------------------------------------------
 *
 * decoder.h
 *	  The realtime decoder background worker
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/realtime/decoder.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_REALTIME_DECODER_H
#define PGREST_REALTIME_DECODER_H

extern PGDLLEXPORT void pgrest_decoder_main(Datum main_arg);

#endif							/* PGREST_REALTIME_DECODER_H */
