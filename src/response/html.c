/*-------------------------------------------------------------------------
 *
 * html.c
 *	  Render the OpenAPI document of the root as one self-contained HTML
 *	  page for people: relations with their columns, types, keys and
 *	  comments, functions with their arguments, and curl lines for each.
 *
 * The page is generated from the same description openapi.c has
 * PostgreSQL build (its "x-pgrest-" annotations carry what OpenAPI has
 * no words for: the PostgreSQL type, keys, defaults, the functions'
 * signatures).  It needs nothing from the network: no scripts, styles,
 * fonts or images from elsewhere, so it works offline.
 *
 * Every text that comes from the database (names, comments, types,
 * defaults, the server URL) is escaped for HTML, and curl lines are
 * quoted for the shell before that: a comment containing <script> shows
 * as text.
 *
 * This file runs no SQL (response/layer.h): it only reads the document it
 * is given.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/html.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "response/layer.h"

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "response/html.h"
#include "response/response.h"

/* what the page shows of one relation or function, for sorting */
typedef struct Entry
{
	char	   *name;
	JsonbContainer *item;		/* its component schema, or its path item */
	char	   *path;
} Entry;

/* the whole page's inputs */
typedef struct Page
{
	StringInfo	out;
	JsonbContainer *doc;
	JsonbContainer *paths;
	char	   *base;			/* server URL for curl lines */
	bool		auth;			/* a bearer token is needed or accepted */
	bool		auth_required;
} Page;

static const char page_style[] =
"body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
"margin:0;color:#1f2328;background:#fff}"
"header{background:#24292f;color:#fff;padding:1.2em 2em}"
"header h1{margin:0 0 .2em}header p{margin:.2em 0;color:#d0d7de}"
"main{display:flex;gap:2em;padding:1em 2em}"
"nav{min-width:14em;position:sticky;top:1em;align-self:flex-start}"
"nav ul{list-style:none;padding:0;margin:.3em 0 1em}nav a{text-decoration:none}"
"section{flex:1;min-width:0}"
"article{border-top:1px solid #d0d7de;padding:.5em 0 1em}"
"table{border-collapse:collapse;margin:.5em 0}"
"th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}"
"th{background:#f6f8fa}"
"code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
"pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap}"
".kind{color:#57606a;font-weight:normal;font-size:80%}"
".desc{white-space:pre-wrap}"
".key{font-size:80%;background:#ddf4ff;border-radius:3px;padding:0 .3em}";

static void render_header(Page *page);
static void render_nav(Page *page, List *relations, List *functions);
static void render_relation(Page *page, const Entry *entry);
static void render_relation_examples(Page *page, const Entry *entry,
									 JsonbContainer *props, List *columns);
static void render_function(Page *page, const Entry *entry);
static void render_function_examples(Page *page, const Entry *entry,
									 JsonbContainer *overload, bool get);
static List *collect_relations(Page *page);
static List *collect_functions(Page *page);
static int	compare_entries(const ListCell *a, const ListCell *b);
static List *array_strings(JsonbContainer *array);
static List *array_containers(JsonbContainer *array);
static JsonbContainer *object_field(JsonbContainer *c, const char *key);
static char *string_field(JsonbContainer *c, const char *key);
static bool bool_field(JsonbContainer *c, const char *key);
static bool has_field(JsonbContainer *c, const char *key);
static void append_example_value(StringInfo buf, JsonbContainer *schema);
static const char *example_for_type(const char *type, bool json);
static void append_curl(Page *page, const char *method, const char *path_and_query,
						const char *body);
static void append_shell_quoted(StringInfo buf, const char *s);
static void append_html(StringInfo buf, const char *s);
static void append_anchor(StringInfo buf, const char *prefix, const char *name);

/*
 * The page for the document json[0..len) (the text openapi.c's statement
 * returned, in the server encoding), palloc'd in the current context.
 */
char *
pgrest_html_render(const char *json, size_t len)
{
	StringInfoData out;
	Page		page;
	Jsonb	   *doc;
	JsonbContainer *servers;
	List	   *relations;
	List	   *functions;
	List	   *security;
	ListCell   *lc;

	doc = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
											 CStringGetDatum(pnstrdup(json, len))));
	initStringInfo(&out);
	memset(&page, 0, sizeof(page));
	page.out = &out;
	page.doc = &doc->root;
	page.paths = object_field(page.doc, "paths");
	servers = object_field(page.doc, "servers");
	if (servers != NULL && array_containers(servers) != NIL)
		page.base = string_field(linitial(array_containers(servers)), "url");
	if (page.base == NULL)
		page.base = "http://localhost:3000";
	security = object_field(page.doc, "security") ?
		array_containers(object_field(page.doc, "security")) : NIL;
	page.auth = security != NIL;
	page.auth_required = list_length(security) == 1;

	relations = collect_relations(&page);
	functions = collect_functions(&page);

	appendStringInfoString(&out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
						   "<meta charset=\"utf-8\">\n"
						   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
						   "<title>");
	append_html(&out, string_field(object_field(page.doc, "info"), "title"));
	appendStringInfo(&out, "</title>\n<style>%s</style>\n</head>\n<body>\n", page_style);
	render_header(&page);
	appendStringInfoString(&out, "<main>\n");
	render_nav(&page, relations, functions);
	appendStringInfoString(&out, "<section>\n<h2 id=\"relations\">Tables and views</h2>\n");
	if (relations == NIL)
		appendStringInfoString(&out, "<p>None that this role may use.</p>\n");
	foreach(lc, relations)
		render_relation(&page, lfirst(lc));
	appendStringInfoString(&out, "<h2 id=\"functions\">Functions</h2>\n");
	if (functions == NIL)
		appendStringInfoString(&out, "<p>None that this role may call.</p>\n");
	foreach(lc, functions)
		render_function(&page, lfirst(lc));
	appendStringInfoString(&out, "</section>\n</main>\n</body>\n</html>\n");
	return out.data;
}

/* title, description, server, version and how to authenticate */
static void
render_header(Page *page)
{
	StringInfo	out = page->out;
	JsonbContainer *info = object_field(page->doc, "info");

	appendStringInfoString(out, "<header>\n<h1>");
	append_html(out, string_field(info, "title"));
	appendStringInfoString(out, "</h1>\n<p class=\"desc\">");
	append_html(out, string_field(info, "description"));
	appendStringInfoString(out, "</p>\n<p>Server <code>");
	append_html(out, page->base);
	appendStringInfoString(out, "</code> &middot; pgrest ");
	append_html(out, string_field(info, "version"));
	appendStringInfoString(out, " &middot; the same description as OpenAPI 3.1: "
						   "<code>curl -H 'Accept: application/openapi+json' ");
	append_html(out, page->base);
	appendStringInfoString(out, "/</code></p>\n");
	if (page->auth)
		appendStringInfo(out, "<p>Authentication: <code>Authorization: Bearer "
						 "&lt;JWT&gt;</code>, %s. The curl lines send "
						 "<code>$TOKEN</code> (<code>export TOKEN=&lt;JWT&gt;</code>)%s.</p>\n",
						 page->auth_required ? "required" :
						 "optional (without it, requests run as the anonymous role)",
						 page->auth_required ? "" :
						 "; leave that header out to call as the anonymous role");
	appendStringInfoString(out, "</header>\n");
}

/* links to every relation and function */
static void
render_nav(Page *page, List *relations, List *functions)
{
	StringInfo	out = page->out;
	ListCell   *lc;

	appendStringInfoString(out, "<nav>\n<strong><a href=\"#relations\">Tables and views</a></strong>\n<ul>\n");
	foreach(lc, relations)
	{
		Entry	   *e = lfirst(lc);

		appendStringInfoString(out, "<li><a href=\"#");
		append_anchor(out, "rel-", e->name);
		appendStringInfoString(out, "\">");
		append_html(out, e->name);
		appendStringInfoString(out, "</a></li>\n");
	}
	appendStringInfoString(out, "</ul>\n<strong><a href=\"#functions\">Functions</a></strong>\n<ul>\n");
	foreach(lc, functions)
	{
		Entry	   *e = lfirst(lc);

		appendStringInfoString(out, "<li><a href=\"#");
		append_anchor(out, "fn-", e->name);
		appendStringInfoString(out, "\">");
		append_html(out, e->name);
		appendStringInfoString(out, "()</a></li>\n");
	}
	appendStringInfoString(out, "</ul>\n</nav>\n");
}

/* one relation: its comment, methods, columns and examples */
static void
render_relation(Page *page, const Entry *entry)
{
	StringInfo	out = page->out;
	JsonbContainer *rel = object_field(entry->item, "x-pgrest-relation");
	JsonbContainer *props = object_field(entry->item, "properties");
	JsonbContainer *path_item = entry->path ?
		object_field(page->paths, entry->path) : NULL;
	List	   *columns = object_field(entry->item, "required") ?
		array_strings(object_field(entry->item, "required")) : NIL;
	static const char *const methods[] = {"get", "post", "patch", "delete"};
	bool		any = false;
	ListCell   *lc;

	appendStringInfoString(out, "<article id=\"");
	append_anchor(out, "rel-", entry->name);
	appendStringInfoString(out, "\">\n<h3>");
	append_html(out, entry->name);
	appendStringInfoString(out, " <span class=\"kind\">");
	append_html(out, string_field(rel, "kind"));
	appendStringInfoString(out, "</span></h3>\n");
	if (has_field(entry->item, "description"))
	{
		appendStringInfoString(out, "<p class=\"desc\">");
		append_html(out, string_field(entry->item, "description"));
		appendStringInfoString(out, "</p>\n");
	}

	appendStringInfoString(out, "<p>Methods: ");
	for (size_t i = 0; i < lengthof(methods); i++)
	{
		if (path_item == NULL || !has_field(path_item, methods[i]))
			continue;
		appendStringInfo(out, "%s<code>%s</code>", any ? ", " : "",
						 i == 0 ? "GET" : i == 1 ? "POST" : i == 2 ? "PATCH" : "DELETE");
		any = true;
	}
	if (!any)
		appendStringInfoString(out, "none");
	appendStringInfoString(out, "</p>\n");

	if (columns != NIL && props != NULL)
	{
		appendStringInfoString(out, "<table>\n<tr><th>Column</th><th>Type</th><th>Null</th>"
							   "<th>Default</th><th>Key</th><th>Description</th></tr>\n");
		foreach(lc, columns)
		{
			char	   *column = lfirst(lc);
			JsonbContainer *prop = object_field(props, column);
			JsonbContainer *fk = prop ? object_field(prop, "x-pgrest-foreign-key") : NULL;
			char	   *comment = prop ? string_field(prop, "x-pgrest-comment") : NULL;
			JsonbValue *type = NULL;
			bool		nullable = false;

			if (prop == NULL)
				continue;
			type = getKeyJsonValueFromContainer(prop, "type", 4, NULL);
			/* nullable columns have "type": [..., "null"]; json has no type */
			nullable = type == NULL || type->type == jbvBinary;
			appendStringInfoString(out, "<tr><td><code>");
			append_html(out, column);
			appendStringInfoString(out, "</code></td><td><code>");
			append_html(out, string_field(prop, "x-pgrest-type"));
			appendStringInfo(out, "</code></td><td>%s</td><td>",
							 nullable ? "yes" : "no");
			if (has_field(prop, "x-pgrest-default"))
			{
				appendStringInfoString(out, "<code>");
				append_html(out, string_field(prop, "x-pgrest-default"));
				appendStringInfoString(out, "</code>");
			}
			appendStringInfoString(out, "</td><td>");
			if (bool_field(prop, "x-pgrest-primary-key"))
				appendStringInfoString(out, "<span class=\"key\">primary key</span> ");
			if (fk != NULL)
			{
				appendStringInfoString(out, "<span class=\"key\">references</span> <a href=\"#");
				append_anchor(out, "rel-", string_field(fk, "relation"));
				appendStringInfoString(out, "\">");
				append_html(out, string_field(fk, "relation"));
				appendStringInfoString(out, "</a>.");
				append_html(out, string_field(fk, "column"));
			}
			appendStringInfoString(out, "</td><td class=\"desc\">");
			append_html(out, comment);
			appendStringInfoString(out, "</td></tr>\n");
		}
		appendStringInfoString(out, "</table>\n");
	}
	render_relation_examples(page, entry, props, columns);
	appendStringInfoString(out, "</article>\n");
}

/* curl lines for each method the relation takes */
static void
render_relation_examples(Page *page, const Entry *entry, JsonbContainer *props,
						 List *columns)
{
	StringInfo	out = page->out;
	JsonbContainer *path_item = entry->path ?
		object_field(page->paths, entry->path) : NULL;
	JsonbContainer *post = path_item ? object_field(path_item, "post") : NULL;
	StringInfoData url;
	StringInfoData filter;
	StringInfoData body;
	char	   *first = columns != NIL ? linitial(columns) : NULL;

	if (path_item == NULL)
		return;

	/* a filter on the first column (the key, mostly) */
	initStringInfo(&filter);
	if (first != NULL)
	{
		JsonbContainer *prop = props ? object_field(props, first) : NULL;

		pgrest_response_append_url_encoded(&filter, first);
		appendStringInfoString(&filter, "=eq.");
		pgrest_response_append_url_encoded(&filter, prop ? example_for_type(string_field(prop, "x-pgrest-type"), false) : "1");
	}

	appendStringInfoString(out, "<pre>\n");
	if (has_field(path_item, "get"))
	{
		initStringInfo(&url);
		appendStringInfo(&url, "%s?limit=10", entry->path);
		append_curl(page, "GET", url.data, NULL);
		if (filter.len > 0)
		{
			resetStringInfo(&url);
			appendStringInfo(&url, "%s?%s", entry->path, filter.data);
			append_curl(page, "GET", url.data, NULL);
		}
	}
	if (post != NULL)
	{
		/* the columns an insert needs, or else the first one it takes */
		JsonbContainer *content = object_field(object_field(post, "requestBody"), "content");
		JsonbContainer *schema = object_field(object_field(content, "application/json"), "schema");
		List	   *one_of = schema && object_field(schema, "oneOf") ?
			array_containers(object_field(schema, "oneOf")) : NIL;
		JsonbContainer *insert = one_of != NIL ? linitial(one_of) : NULL;
		JsonbContainer *insert_props = insert ? object_field(insert, "properties") : NULL;
		List	   *names = insert && object_field(insert, "required") ?
			array_strings(object_field(insert, "required")) : NIL;
		ListCell   *lc;

		if (names == NIL && insert_props != NULL)
		{
			foreach(lc, columns)
			{
				if (has_field(insert_props, lfirst(lc)))
				{
					names = list_make1(lfirst(lc));
					break;
				}
			}
		}
		initStringInfo(&body);
		appendStringInfoChar(&body, '{');
		foreach(lc, names)
		{
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(&body, ", ");
			escape_json(&body, lfirst(lc));
			appendStringInfoString(&body, ": ");
			append_example_value(&body, insert_props ? object_field(insert_props, lfirst(lc)) : NULL);
		}
		appendStringInfoChar(&body, '}');
		append_curl(page, "POST", entry->path, body.data);
	}
	if (has_field(path_item, "patch") && filter.len > 0)
	{
		/* the first column a patch may change */
		JsonbContainer *content = object_field(object_field(object_field(path_item, "patch"),
															"requestBody"), "content");
		JsonbContainer *patch_props =
			object_field(object_field(object_field(content, "application/json"), "schema"),
						 "properties");
		ListCell   *lc;

		initStringInfo(&url);
		appendStringInfo(&url, "%s?%s", entry->path, filter.data);
		initStringInfo(&body);
		appendStringInfoChar(&body, '{');
		foreach(lc, columns)
		{
			if (!has_field(patch_props, lfirst(lc)))
				continue;
			escape_json(&body, lfirst(lc));
			appendStringInfoString(&body, ": ");
			append_example_value(&body, object_field(patch_props, lfirst(lc)));
			break;
		}
		appendStringInfoChar(&body, '}');
		append_curl(page, "PATCH", url.data, body.data);
	}
	if (has_field(path_item, "delete") && filter.len > 0)
	{
		initStringInfo(&url);
		appendStringInfo(&url, "%s?%s", entry->path, filter.data);
		append_curl(page, "DELETE", url.data, NULL);
	}
	appendStringInfoString(out, "</pre>\n");
}

/* one function: each overload's arguments, result and examples */
static void
render_function(Page *page, const Entry *entry)
{
	StringInfo	out = page->out;
	JsonbContainer *fn = object_field(entry->item, "x-pgrest-function");
	List	   *overloads = fn && object_field(fn, "overloads") ?
		array_containers(object_field(fn, "overloads")) : NIL;
	bool		get = has_field(entry->item, "get");
	ListCell   *lc;

	appendStringInfoString(out, "<article id=\"");
	append_anchor(out, "fn-", entry->name);
	appendStringInfoString(out, "\">\n<h3>");
	append_html(out, entry->name);
	appendStringInfo(out, "() <span class=\"kind\">function, %s</span></h3>\n",
					 get ? "GET or POST" : "POST");
	foreach(lc, overloads)
	{
		JsonbContainer *overload = lfirst(lc);
		List	   *args = object_field(overload, "arguments") ?
			array_containers(object_field(overload, "arguments")) : NIL;
		ListCell   *la;

		appendStringInfoString(out, "<p><code>");
		append_html(out, string_field(overload, "signature"));
		appendStringInfoString(out, "</code> returns <code>");
		append_html(out, string_field(overload, "returns"));
		appendStringInfoString(out, "</code> (");
		append_html(out, string_field(overload, "volatility"));
		appendStringInfoString(out, ")</p>\n");
		if (has_field(overload, "description"))
		{
			appendStringInfoString(out, "<p class=\"desc\">");
			append_html(out, string_field(overload, "description"));
			appendStringInfoString(out, "</p>\n");
		}
		if (args != NIL)
		{
			appendStringInfoString(out, "<table>\n<tr><th>Argument</th><th>Type</th><th>Required</th></tr>\n");
			foreach(la, args)
			{
				JsonbContainer *arg = lfirst(la);
				char	   *name = string_field(arg, "name");

				appendStringInfoString(out, "<tr><td><code>");
				append_html(out, name && name[0] ? name : "(unnamed)");
				appendStringInfoString(out, "</code></td><td><code>");
				if (bool_field(arg, "variadic"))
					appendStringInfoString(out, "VARIADIC ");
				append_html(out, string_field(arg, "type"));
				appendStringInfo(out, "</code></td><td>%s</td></tr>\n",
								 bool_field(arg, "required") ? "yes" : "no");
			}
			appendStringInfoString(out, "</table>\n");
		}
		render_function_examples(page, entry, overload, get);
	}
	appendStringInfoString(out, "</article>\n");
}

/* curl lines that call one overload with its required arguments */
static void
render_function_examples(Page *page, const Entry *entry,
						 JsonbContainer *overload, bool get)
{
	List	   *args = object_field(overload, "arguments") ?
		array_containers(object_field(overload, "arguments")) : NIL;
	StringInfoData url;
	StringInfoData body;
	bool		unnamed = false;
	bool		stable = strcmp(string_field(overload, "volatility") ?
								string_field(overload, "volatility") : "", "volatile") != 0;
	ListCell   *lc;

	initStringInfo(&url);
	initStringInfo(&body);
	appendStringInfoString(&url, entry->path);
	appendStringInfoChar(&body, '{');
	foreach(lc, args)
	{
		JsonbContainer *arg = lfirst(lc);
		char	   *name = string_field(arg, "name");
		char	   *type = string_field(arg, "type");

		if (name == NULL || name[0] == '\0')
		{
			unnamed = true;
			continue;
		}
		if (!bool_field(arg, "required"))
			continue;
		appendStringInfoChar(&url, url.len == (int) strlen(entry->path) ? '?' : '&');
		pgrest_response_append_url_encoded(&url, name);
		appendStringInfoChar(&url, '=');
		pgrest_response_append_url_encoded(&url, example_for_type(type, false));
		if (body.len > 1)
			appendStringInfoString(&body, ", ");
		escape_json(&body, name);
		appendStringInfo(&body, ": %s", example_for_type(type, true));
	}
	appendStringInfoChar(&body, '}');

	appendStringInfoString(page->out, "<pre>\n");
	if (get && stable && !unnamed)
		append_curl(page, "GET", url.data, NULL);
	append_curl(page, "POST", entry->path, body.data);
	appendStringInfoString(page->out, "</pre>\n");
}

/* the component schemas that describe relations, by name */
static List *
collect_relations(Page *page)
{
	JsonbContainer *schemas = object_field(object_field(page->doc, "components"),
										   "schemas");
	List	   *entries = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (schemas == NULL)
		return NIL;
	it = JsonbIteratorInit(schemas);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_VALUE && v.type == jbvBinary)
		{
			JsonbContainer *item = v.val.binary.data;
			JsonbContainer *rel = object_field(item, "x-pgrest-relation");
			Entry	   *e;

			if (rel == NULL || string_field(rel, "name") == NULL)
				continue;
			e = palloc0(sizeof(Entry));
			e->name = string_field(rel, "name");
			e->path = string_field(rel, "path");
			e->item = item;
			entries = lappend(entries, e);
		}
	}
	list_sort(entries, compare_entries);
	return entries;
}

/* the path items of functions, by name */
static List *
collect_functions(Page *page)
{
	List	   *entries = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *path = NULL;

	if (page->paths == NULL)
		return NIL;
	it = JsonbIteratorInit(page->paths);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			path = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && v.type == jbvBinary && path != NULL)
		{
			JsonbContainer *fn = object_field(v.val.binary.data, "x-pgrest-function");
			Entry	   *e;

			if (fn == NULL || string_field(fn, "name") == NULL)
				continue;
			e = palloc0(sizeof(Entry));
			e->name = string_field(fn, "name");
			e->path = path;
			e->item = v.val.binary.data;
			entries = lappend(entries, e);
		}
	}
	list_sort(entries, compare_entries);
	return entries;
}

static int
compare_entries(const ListCell *a, const ListCell *b)
{
	return strcmp(((Entry *) lfirst(a))->name, ((Entry *) lfirst(b))->name);
}

/* the strings of a JSON array, in order (other elements are skipped) */
static List *
array_strings(JsonbContainer *array)
{
	List	   *items = NIL;
	JsonbIterator *it = JsonbIteratorInit(array);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_ELEM && v.type == jbvString)
			items = lappend(items, pnstrdup(v.val.string.val, v.val.string.len));
	}
	return items;
}

/* the objects and arrays of a JSON array, in order */
static List *
array_containers(JsonbContainer *array)
{
	List	   *items = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JsonContainerIsArray(array))
		return NIL;
	it = JsonbIteratorInit(array);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_ELEM && v.type == jbvBinary)
			items = lappend(items, v.val.binary.data);
	}
	return items;
}

/* the object or array under key, or NULL */
static JsonbContainer *
object_field(JsonbContainer *c, const char *key)
{
	JsonbValue *v;

	if (c == NULL || !JsonContainerIsObject(c))
		return NULL;
	v = getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
	return v != NULL && v->type == jbvBinary ? v->val.binary.data : NULL;
}

/* the string under key, or NULL */
static char *
string_field(JsonbContainer *c, const char *key)
{
	JsonbValue *v;

	if (c == NULL || !JsonContainerIsObject(c))
		return NULL;
	v = getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static bool
bool_field(JsonbContainer *c, const char *key)
{
	JsonbValue *v;

	if (c == NULL || !JsonContainerIsObject(c))
		return false;
	v = getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
	return v != NULL && v->type == jbvBool && v->val.boolean;
}

static bool
has_field(JsonbContainer *c, const char *key)
{
	if (c == NULL || !JsonContainerIsObject(c))
		return false;
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL) != NULL;
}

/* a JSON value that fits the property's schema, for example bodies */
static void
append_example_value(StringInfo buf, JsonbContainer *schema)
{
	List	   *values = schema && object_field(schema, "enum") ?
		array_strings(object_field(schema, "enum")) : NIL;

	if (values != NIL)
		escape_json(buf, linitial(values));
	else
		appendStringInfoString(buf, example_for_type(schema ?
													 string_field(schema, "x-pgrest-type") : NULL,
													 true));
}

/*
 * An example value for a PostgreSQL type name: as JSON (json true) or as
 * the text of a query-string value.
 */
static const char *
example_for_type(const char *type, bool json)
{
	if (type == NULL)
		return json ? "\"text\"" : "text";
	if (strlen(type) > 2 && strcmp(type + strlen(type) - 2, "[]") == 0)
		return json ? "[]" : "{}";
	if (strcmp(type, "integer") == 0 || strcmp(type, "bigint") == 0 ||
		strcmp(type, "smallint") == 0)
		return "1";
	if (strncmp(type, "numeric", 7) == 0 || strcmp(type, "real") == 0 ||
		strcmp(type, "double precision") == 0)
		return "1.5";
	if (strcmp(type, "boolean") == 0)
		return "true";
	if (strcmp(type, "date") == 0)
		return json ? "\"2024-01-31\"" : "2024-01-31";
	if (strncmp(type, "timestamp", 9) == 0)
		return json ? "\"2024-01-31T12:00:00Z\"" : "2024-01-31T12:00:00Z";
	if (strcmp(type, "uuid") == 0)
		return json ? "\"00000000-0000-0000-0000-000000000000\"" :
			"00000000-0000-0000-0000-000000000000";
	if (strcmp(type, "json") == 0 || strcmp(type, "jsonb") == 0)
		return "{}";
	return json ? "\"text\"" : "text";
}

/*
 * One curl line, shell-quoted and then escaped for HTML.  Adds a bearer
 * token when the API takes one.
 */
static void
append_curl(Page *page, const char *method, const char *path_and_query,
			const char *body)
{
	StringInfoData line;

	initStringInfo(&line);
	appendStringInfoString(&line, "curl ");
	if (strcmp(method, "GET") != 0)
		appendStringInfo(&line, "-X %s ", method);
	append_shell_quoted(&line, psprintf("%s%s", page->base, path_and_query));
	if (page->auth)
		appendStringInfoString(&line, " -H \"Authorization: Bearer $TOKEN\"");
	if (body != NULL)
	{
		appendStringInfoString(&line, " -H 'Content-Type: application/json' -d ");
		append_shell_quoted(&line, body);
	}
	append_html(page->out, line.data);
	appendStringInfoChar(page->out, '\n');
}

/* 'text', with each ' written as '\'' */
static void
append_shell_quoted(StringInfo buf, const char *s)
{
	appendStringInfoChar(buf, '\'');
	for (; *s; s++)
	{
		if (*s == '\'')
			appendStringInfoString(buf, "'\\''");
		else
			appendStringInfoChar(buf, *s);
	}
	appendStringInfoChar(buf, '\'');
}

/* text escaped for HTML content and attribute values; NULL writes nothing */
static void
append_html(StringInfo buf, const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++)
	{
		switch (*s)
		{
			case '&':
				appendStringInfoString(buf, "&amp;");
				break;
			case '<':
				appendStringInfoString(buf, "&lt;");
				break;
			case '>':
				appendStringInfoString(buf, "&gt;");
				break;
			case '"':
				appendStringInfoString(buf, "&quot;");
				break;
			case '\'':
				appendStringInfoString(buf, "&#39;");
				break;
			default:
				appendStringInfoChar(buf, *s);
		}
	}
}

/* an id for a name: the prefix, then the name with only [A-Za-z0-9_-] */
static void
append_anchor(StringInfo buf, const char *prefix, const char *name)
{
	appendStringInfoString(buf, prefix);
	if (name == NULL)
		return;
	for (const char *c = name; *c; c++)
	{
		unsigned char u = (unsigned char) *c;

		if (isalnum(u) || u == '-' || u == '_')
			appendStringInfoChar(buf, u);
		else
			appendStringInfo(buf, ".%02X", u);
	}
}
