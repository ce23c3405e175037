/*-------------------------------------------------------------------------
 *
 * html.h
 *	  The root's description as a page for people
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/html.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGREST_HTML_H
#define PGREST_HTML_H

extern char *pgrest_html_render(const char *json, size_t len);

#endif							/* PGREST_HTML_H */
