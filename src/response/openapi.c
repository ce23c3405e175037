/*-------------------------------------------------------------------------
 *
 * openapi.c
 *	  The root document: an OpenAPI 3.1 description of what the request's
 *	  role may use in the request's schema, built by PostgreSQL from the
 *	  catalogs in one statement.
 *
 * The statement runs as the request's role, like any request's.  With
 * pgrest.openapi_mode = 'follow-privileges' it lists only the relations,
 * columns, methods and functions that role holds privileges on (and
 * nothing without USAGE on the schema); 'ignore-privileges' lists all of
 * them; 'disabled' answers 404.  Column types become JSON Schema (formats
 * for dates, times and uuids, numeric precision and scale as bounds and
 * multipleOf, enum labels, arrays, nullability, literal defaults);
 * COMMENT ON text becomes summaries and descriptions; primary keys,
 * foreign keys, defaults and the PostgreSQL type are kept as "x-pgrest-"
 * annotations, from which html.c renders the page for people.
 *
 * Component names must match [A-Za-z0-9._-]+: other characters of a
 * relation's name become "_" (and "-2", "-3"... tell apart names that
 * end up equal); paths percent-encode names.
 *
 * Building the document costs far more than sending it (a quarter of a
 * second at 1,000 tables), so each process keeps the last documents it
 * built, at most PGREST_MAX_DOCUMENTS and PGREST_MAX_DOCUMENT_BYTES, and
 * the page rendered from each, keyed by everything the document depends
 * on: the schema cache in use and the document epoch (so any change the
 * API shows, a role's memberships or attributes, an enum's labels), the
 * role, the statement's parameters (schema, mode, server URL, security),
 * and the settings PostgreSQL's output depends on.  A request served from
 * the cache still runs its transaction, role and pre-request function;
 * only the statement is skipped.
 *
 * This file builds the statement and shapes the response; execute.c runs
 * the statement.  It never calls SPI and reads no catalog itself.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/response/openapi.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "response/layer.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "base/error.h"
#include "server/guc.h"
#include "response/html.h"
#include "response/openapi.h"
#include "cache/schema.h"

/* the documents a process keeps, and their memory, at most */
#define PGREST_MAX_DOCUMENTS 8
#define PGREST_MAX_DOCUMENT_BYTES (64 * 1024 * 1024)

/* a document and its page, as sent; in a memory context of its own */
typedef struct Document
{
	MemoryContext context;
	char	   *key;			/* document_key's */
	uint64		loads;			/* the schema cache it was built with */
	uint64		epoch;			/* and the document epoch */
	char	   *source;			/* the statement's answer (server encoding) */
	size_t		source_len;
	char	   *json;			/* UTF-8 */
	size_t		json_len;
	char	   *html;			/* UTF-8; NULL until a page is asked for */
	size_t		html_len;
	Size		bytes;			/* its memory */
	uint64		used;			/* documents_clock when last used */
	bool		kept;
} Document;

/* the statement, and what its document depends on as its request began */
typedef struct DocumentQuery
{
	PgrestQuery query;			/* first: what pgrest_openapi_query returns */
	uint64		loads;
	uint64		epoch;
} DocumentQuery;

static List *documents = NIL;	/* Document * */
static Size documents_bytes = 0;
static uint64 documents_clock = 0;

/*
 * $1 schema, $2 follow privileges, $3 server URL ('' for none),
 * $4 security ('', 'required' or 'optional'), $5 pgrest's version.
 * Returns the one row every pgrest statement returns: total (NULL), rows
 * (1), the document (json), NULL.
 */
static const char *const openapi_sql =
"WITH\n"
"nsp AS (\n"
"  SELECT n.oid, n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment\n"
"  FROM pg_catalog.pg_namespace n\n"
"  WHERE n.nspname = $1\n"
"    AND (NOT $2::pg_catalog.bool OR pg_catalog.has_schema_privilege(n.oid, 'USAGE'))\n"
"),\n"
"rels0 AS (\n"
"  SELECT c.oid, c.relname AS name, c.relkind,\n"
"         pg_catalog.obj_description(c.oid, 'pg_class') AS comment,\n"
"         pg_catalog.pg_relation_is_updatable(c.oid, false) AS events,\n"
"         NOT $2 OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT') AS can_select,\n"
"         NOT $2 OR pg_catalog.has_any_column_privilege(c.oid, 'INSERT') AS can_insert,\n"
"         NOT $2 OR pg_catalog.has_any_column_privilege(c.oid, 'UPDATE') AS can_update,\n"
"         NOT $2 OR pg_catalog.has_table_privilege(c.oid, 'DELETE') AS can_delete,\n"
"         (SELECT con.conkey FROM pg_catalog.pg_constraint con\n"
"          WHERE con.conrelid = c.oid AND con.contype = 'p') AS pkey,\n"
"         pg_catalog.regexp_replace(c.relname, '[^A-Za-z0-9._-]', '_', 'g') AS mangled\n"
"  FROM pg_catalog.pg_class c JOIN nsp ON c.relnamespace = nsp.oid\n"
"  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition\n"
"),\n"
"rels AS (\n"
"  SELECT r.*,\n"
"         r.mangled || CASE WHEN pg_catalog.row_number() OVER w > 1\n"
"                      THEN '-' || pg_catalog.row_number() OVER w ELSE '' END AS key,\n"
"         '/' || (SELECT pg_catalog.string_agg(CASE WHEN ch ~ '^[A-Za-z0-9._~-]$' THEN ch\n"
"                   ELSE pg_catalog.upper(pg_catalog.regexp_replace(pg_catalog.encode(\n"
"                        pg_catalog.convert_to(ch, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) END,\n"
"                   '' ORDER BY i)\n"
"                 FROM pg_catalog.regexp_split_to_table(r.name, '') WITH ORDINALITY AS t(ch, i)) AS path,\n"
"         r.can_select AS m_get,\n"
"         r.can_insert AND r.events & 8 <> 0 AS m_post,\n"
"         r.can_update AND r.events & 4 <> 0 AS m_patch,\n"
"         r.can_delete AND r.events & 16 <> 0 AS m_delete,\n"
"         r.pkey IS NOT NULL AND r.can_insert AND r.can_update AND r.events & 12 = 12 AS m_put\n"
"  FROM rels0 r\n"
"  WHERE r.can_select OR r.can_insert OR r.can_update OR r.can_delete\n"
"  WINDOW w AS (PARTITION BY r.mangled ORDER BY r.name COLLATE \"C\")\n"
"),\n"
"cols AS (\n"
"  SELECT a.attrelid AS relid, a.attnum, a.attname AS name, a.atttypid AS typid, a.atttypmod AS typmod,\n"
"         NOT a.attnotnull AS nullable,\n"
"         a.attgenerated <> '' OR a.attidentity = 'a' AS read_only,\n"
"         a.attgenerated <> '' AS generated,\n"
"         CASE WHEN a.attidentity <> '' THEN 'generated by default as identity'\n"
"              WHEN a.attgenerated <> '' THEN NULL\n"
"              ELSE pg_catalog.pg_get_expr(d.adbin, 0) END AS default_expr,\n"
"         a.attidentity <> '' OR d.adbin IS NOT NULL AS has_default,\n"
"         pg_catalog.col_description(a.attrelid, a.attnum) AS comment,\n"
"         pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name,\n"
"         NOT $2 OR pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS can_select,\n"
"         NOT $2 OR pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'INSERT') AS can_insert,\n"
"         NOT $2 OR pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'UPDATE') AS can_update,\n"
"         a.attnum = ANY (r.pkey) AS pk,\n"
"         (SELECT pg_catalog.json_build_object('schema', fn.nspname, 'relation', fc.relname,\n"
"                                              'column', fa.attname)\n"
"          FROM pg_catalog.pg_constraint fk\n"
"          JOIN pg_catalog.pg_class fc ON fc.oid = fk.confrelid\n"
"          JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace\n"
"          JOIN pg_catalog.pg_attribute fa ON fa.attrelid = fk.confrelid\n"
"               AND fa.attnum = fk.confkey[pg_catalog.array_position(fk.conkey, a.attnum)]\n"
"          WHERE fk.conrelid = a.attrelid AND fk.contype = 'f' AND a.attnum = ANY (fk.conkey)\n"
"          ORDER BY fk.conname LIMIT 1) AS fk\n"
"  FROM pg_catalog.pg_attribute a\n"
"  JOIN rels r ON r.oid = a.attrelid\n"
"  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n"
"  WHERE a.attnum > 0 AND NOT a.attisdropped\n"
"),\n"
"funcs AS (\n"
"  SELECT p.oid, p.proname AS name, p.provolatile, p.proretset, p.prorettype,\n"
"         p.pronargs, p.pronargdefaults,\n"
"         pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,\n"
"         pg_catalog.pg_get_function_result(p.oid) AS result_text,\n"
"         pg_catalog.pg_get_function_identity_arguments(p.oid) AS signature,\n"
"         rt.typtype AS rettyptype, rt.typrelid AS retrelid\n"
"  FROM pg_catalog.pg_proc p\n"
"  JOIN nsp ON p.pronamespace = nsp.oid\n"
"  JOIN pg_catalog.pg_type rt ON rt.oid = p.prorettype\n"
"  WHERE p.prokind = 'f'\n"
"    AND (NOT $2 OR pg_catalog.has_function_privilege(p.oid, 'EXECUTE'))\n"
"    AND (rt.typtype <> 'p' OR rt.oid IN ('pg_catalog.void'::pg_catalog.regtype, 'pg_catalog.record'::pg_catalog.regtype))\n"
"    AND NOT EXISTS (SELECT FROM pg_catalog.unnest(p.proargtypes) AS at(oid)\n"
"                    JOIN pg_catalog.pg_type t ON t.oid = at.oid WHERE t.typtype = 'p')\n"
"),\n"
"fargs0 AS (\n"
"  SELECT f.oid, x.idx, coalesce(p.proargnames[x.idx], '') AS name, x.typid,\n"
"         coalesce(p.proargmodes[x.idx], 'i') AS mode\n"
"  FROM funcs f JOIN pg_catalog.pg_proc p ON p.oid = f.oid,\n"
"       pg_catalog.unnest(coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[]))\n"
"         WITH ORDINALITY AS x(typid, idx)\n"
"),\n"
"fargs AS (\n"
"  SELECT a.*, f.pronargs, f.pronargdefaults,\n"
"         pg_catalog.row_number() OVER (PARTITION BY a.oid ORDER BY a.idx) AS pos\n"
"  FROM fargs0 a JOIN funcs f ON f.oid = a.oid\n"
"  WHERE a.mode IN ('i', 'b', 'v')\n"
"),\n"
"fouts AS (\n"
"  SELECT * FROM fargs0 WHERE mode IN ('o', 'b', 't')\n"
"),\n"
"used AS (\n"
"  SELECT typid, typmod FROM cols\n"
"  UNION SELECT typid, -1 FROM fargs\n"
"  UNION SELECT typid, -1 FROM fouts\n"
"  UNION SELECT prorettype, -1 FROM funcs\n"
"),\n"
"res AS (\n"
"  SELECT u.typid, u.typmod,\n"
"         CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END AS base,\n"
"         CASE WHEN u.typmod >= 0 THEN u.typmod WHEN t.typtype = 'd' THEN t.typtypmod ELSE -1 END AS mod,\n"
"         t.typtype = 'd' AND t.typnotnull AS domain_notnull\n"
"  FROM used u JOIN pg_catalog.pg_type t ON t.oid = u.typid\n"
"),\n"
"res2 AS (\n"
"  SELECT r.*, b.typcategory = 'A' AS is_array,\n"
"         CASE WHEN b.typcategory <> 'A' THEN r.base\n"
"              WHEN e.typtype = 'd' THEN e.typbasetype ELSE e.oid END AS scalar\n"
"  FROM res r JOIN pg_catalog.pg_type b ON b.oid = r.base\n"
"  LEFT JOIN pg_catalog.pg_type e ON e.oid = b.typelem\n"
"),\n"
"types AS (\n"
"  SELECT r.typid, r.typmod, r.domain_notnull,\n"
"         CASE WHEN r.is_array THEN pg_catalog.jsonb_build_object('type', 'array', 'items', s.schema)\n"
"              ELSE s.schema END AS schema\n"
"  FROM res2 r JOIN pg_catalog.pg_type st ON st.oid = r.scalar,\n"
"  LATERAL (SELECT CASE\n"
"    WHEN st.oid = 'pg_catalog.int8'::pg_catalog.regtype THEN '{\"type\": \"integer\", \"format\": \"int64\"}'\n"
"    WHEN st.oid = 'pg_catalog.int4'::pg_catalog.regtype THEN '{\"type\": \"integer\", \"format\": \"int32\"}'\n"
"    WHEN st.oid = 'pg_catalog.int2'::pg_catalog.regtype\n"
"      THEN '{\"type\": \"integer\", \"format\": \"int32\", \"minimum\": -32768, \"maximum\": 32767}'\n"
"    WHEN st.oid = 'pg_catalog.oid'::pg_catalog.regtype\n"
"      THEN '{\"type\": \"integer\", \"format\": \"int64\", \"minimum\": 0, \"maximum\": 4294967295}'\n"
"    WHEN st.oid = 'pg_catalog.float4'::pg_catalog.regtype THEN '{\"type\": \"number\", \"format\": \"float\"}'\n"
"    WHEN st.oid = 'pg_catalog.float8'::pg_catalog.regtype THEN '{\"type\": \"number\", \"format\": \"double\"}'\n"
"    WHEN st.oid = 'pg_catalog.numeric'::pg_catalog.regtype AND r.mod >= 4 THEN\n"
"      (SELECT pg_catalog.jsonb_build_object('type', 'number', 'format', 'numeric',\n"
"                'exclusiveMaximum', pg_catalog.trim_scale(pg_catalog.power(10::pg_catalog.numeric, p - s)),\n"
"                'exclusiveMinimum', -pg_catalog.trim_scale(pg_catalog.power(10::pg_catalog.numeric, p - s)),\n"
"                'multipleOf', pg_catalog.trim_scale(pg_catalog.power(10::pg_catalog.numeric, -s)))\n"
"       FROM (SELECT ((r.mod - 4) >> 16) & 65535 AS p,\n"
"                    CASE WHEN (r.mod - 4) & 2047 > 1023 THEN ((r.mod - 4) & 2047) - 2048\n"
"                         ELSE (r.mod - 4) & 2047 END AS s) AS ps)\n"
"    WHEN st.oid = 'pg_catalog.numeric'::pg_catalog.regtype THEN '{\"type\": \"number\", \"format\": \"numeric\"}'\n"
"    WHEN st.oid = 'pg_catalog.bool'::pg_catalog.regtype THEN '{\"type\": \"boolean\"}'\n"
"    WHEN st.oid = 'pg_catalog.date'::pg_catalog.regtype THEN '{\"type\": \"string\", \"format\": \"date\"}'\n"
"    WHEN st.oid IN ('pg_catalog.timestamp'::pg_catalog.regtype, 'pg_catalog.timestamptz'::pg_catalog.regtype)\n"
"      THEN '{\"type\": \"string\", \"format\": \"date-time\"}'\n"
"    WHEN st.oid IN ('pg_catalog.time'::pg_catalog.regtype, 'pg_catalog.timetz'::pg_catalog.regtype)\n"
"      THEN '{\"type\": \"string\", \"format\": \"time\"}'\n"
"    WHEN st.oid = 'pg_catalog.uuid'::pg_catalog.regtype THEN '{\"type\": \"string\", \"format\": \"uuid\"}'\n"
"    WHEN st.oid IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype) THEN '{}'\n"
"    WHEN st.oid IN ('pg_catalog.varchar'::pg_catalog.regtype, 'pg_catalog.bpchar'::pg_catalog.regtype)\n"
"         AND r.mod >= 4 THEN pg_catalog.jsonb_build_object('type', 'string', 'maxLength', r.mod - 4)\n"
"    WHEN st.typtype = 'e' THEN pg_catalog.jsonb_build_object('type', 'string', 'enum',\n"
"      (SELECT pg_catalog.jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)\n"
"       FROM pg_catalog.pg_enum e WHERE e.enumtypid = st.oid))\n"
"    WHEN st.typtype = 'c' THEN '{\"type\": \"object\"}'\n"
"    WHEN st.oid = 'pg_catalog.void'::pg_catalog.regtype THEN 'null'\n"
"    ELSE '{\"type\": \"string\"}' END::pg_catalog.jsonb AS schema) AS s\n"
"),\n"
"-- a column as a JSON Schema property, with pgrest's annotations\n"
"props AS (\n"
"  SELECT c.*, pg_catalog.jsonb_strip_nulls(\n"
"    CASE WHEN NOT c.nullable OR t.domain_notnull OR NOT t.schema ? 'type' THEN t.schema\n"
"         WHEN t.schema ? 'enum' THEN t.schema\n"
"              || pg_catalog.jsonb_build_object('type', pg_catalog.jsonb_build_array(t.schema->'type', 'null'),\n"
"                                               'enum', (t.schema->'enum') || 'null'::pg_catalog.jsonb)\n"
"         ELSE t.schema || pg_catalog.jsonb_build_object('type', pg_catalog.jsonb_build_array(t.schema->'type', 'null'))\n"
"    END\n"
"    || pg_catalog.jsonb_build_object(\n"
"       'description', NULLIF(pg_catalog.concat_ws(E'\\n\\n', c.comment,\n"
"           CASE WHEN c.pk THEN 'Primary key.' END,\n"
"           CASE WHEN c.fk IS NOT NULL THEN pg_catalog.format('Foreign key to %s.%s.',\n"
"                c.fk->>'relation', c.fk->>'column') END,\n"
"           CASE WHEN c.default_expr IS NOT NULL THEN 'Default: ' || c.default_expr || '.' END), ''),\n"
"       'readOnly', CASE WHEN c.read_only THEN true END,\n"
"       'x-pgrest-comment', c.comment,\n"
"       'default', CASE\n"
"          WHEN c.default_expr ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN c.default_expr::pg_catalog.jsonb\n"
"          WHEN c.default_expr IN ('true', 'false') THEN c.default_expr::pg_catalog.jsonb\n"
"          WHEN c.default_expr ~ '^''([^'']|'''')*''::[a-z ]+$' AND t.schema->>'type' = 'string'\n"
"            THEN pg_catalog.to_jsonb(pg_catalog.replace(pg_catalog.substring(c.default_expr,\n"
"                   '^''(.*)''::[a-z ]+$'), '''''', '''')) END,\n"
"       'x-pgrest-type', c.type_name,\n"
"       'x-pgrest-primary-key', CASE WHEN c.pk THEN true END,\n"
"       'x-pgrest-foreign-key', c.fk,\n"
"       'x-pgrest-default', c.default_expr)) AS prop,\n"
"    NOT c.nullable AND NOT c.has_default AND NOT c.generated AS insert_required\n"
"  FROM cols c JOIN types t ON t.typid = c.typid AND t.typmod = c.typmod\n"
"),\n"
"-- each relation's columns as the properties of a row, of an inserted row\n"
"-- and of a patch, and as filters (one pass over the columns)\n"
"propagg AS (\n"
"  SELECT p.relid,\n"
"    pg_catalog.json_object_agg(p.name, p.prop ORDER BY p.attnum) FILTER (WHERE p.can_select) AS row_props,\n"
"    pg_catalog.json_agg(p.name ORDER BY p.attnum) FILTER (WHERE p.can_select) AS row_required,\n"
"    pg_catalog.json_object_agg(p.name, p.prop - 'readOnly' ORDER BY p.attnum)\n"
"      FILTER (WHERE p.can_insert AND NOT p.read_only) AS insert_props,\n"
"    pg_catalog.json_agg(p.name ORDER BY p.attnum)\n"
"      FILTER (WHERE p.can_insert AND p.insert_required) AS insert_required,\n"
"    pg_catalog.json_object_agg(p.name, p.prop - 'readOnly' - 'default' ORDER BY p.attnum)\n"
"      FILTER (WHERE p.can_update AND NOT p.read_only) AS patch_props,\n"
"    pg_catalog.json_agg(pg_catalog.json_build_object('name', p.name, 'in', 'query',\n"
"        'required', false, 'schema', pg_catalog.json_build_object('type', 'string'),\n"
"        'description', pg_catalog.format('Filter on %s: an operator and a value, such as eq.1, gt.1, in.(1,2), is.null or like.a*; not. negates.', p.name))\n"
"        ORDER BY p.attnum)\n"
"      FILTER (WHERE p.can_select\n"
"        AND p.name NOT IN ('select', 'order', 'limit', 'offset', 'columns', 'on_conflict', 'or', 'and')) AS filters\n"
"  FROM props p GROUP BY p.relid\n"
"),\n"
"-- the JSON Schema of a row, of an inserted row and of a patch; a reference\n"
"-- to the row's schema, and the content of a response of rows\n"
"shapes AS (\n"
"  SELECT r.oid,\n"
"    pg_catalog.json_build_object('$ref', '#/components/schemas/' || r.key) AS row_ref,\n"
"    pg_catalog.json_build_object('application/json', pg_catalog.json_build_object('schema',\n"
"      pg_catalog.json_build_object('type', 'array', 'items',\n"
"        pg_catalog.json_build_object('$ref', '#/components/schemas/' || r.key)))) AS rows_content,\n"
"    pg_catalog.json_build_object('type', 'object',\n"
"      'properties', coalesce(a.row_props, '{}'),\n"
"      'required', a.row_required) AS row_schema,\n"
"    pg_catalog.json_build_object('type', 'object',\n"
"      'properties', coalesce(a.insert_props, '{}'),\n"
"      'required', a.insert_required) AS insert_schema,\n"
"    pg_catalog.json_build_object('type', 'object',\n"
"      'properties', coalesce(a.patch_props, '{}')) AS patch_schema,\n"
"    coalesce(a.filters, '[]') AS filters\n"
"  FROM rels r LEFT JOIN propagg a ON a.relid = r.oid\n"
"),\n"
"schemas AS (\n"
"  SELECT pg_catalog.json_object_agg(r.key,\n"
"    pg_catalog.json_strip_nulls(pg_catalog.json_build_object(\n"
"      'type', 'object',\n"
"      'description', r.comment,\n"
"      'properties', s.row_schema->'properties',\n"
"      'required', s.row_schema->'required',\n"
"      'x-pgrest-relation', pg_catalog.json_build_object('name', r.name,\n"
"          'kind', CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'\n"
"                  WHEN 'f' THEN 'foreign table' ELSE 'table' END,\n"
"          'path', r.path))) ORDER BY r.key COLLATE \"C\") AS doc\n"
"  FROM rels r JOIN shapes s ON s.oid = r.oid\n"
"),\n"
"relpaths AS (\n"
"  SELECT r.path AS key, pg_catalog.json_strip_nulls(pg_catalog.json_build_object(\n"
"    'get', CASE WHEN r.m_get THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'description', NULLIF(pg_catalog.substr(r.comment, pg_catalog.strpos(r.comment, E'\\n') + 1), r.comment),\n"
"        'parameters', (SELECT pg_catalog.json_agg(x) FROM (\n"
"            SELECT pg_catalog.json_build_object('$ref', '#/components/parameters/' || n) AS x\n"
"            FROM pg_catalog.unnest(ARRAY['select', 'order', 'limit', 'offset', 'range', 'preferRead']) AS n\n"
"            UNION ALL SELECT pg_catalog.json_array_elements(s.filters)) AS q),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'The rows',\n"
"            'content', pg_catalog.json_build_object(\n"
"              'application/json', s.rows_content->'application/json',\n"
"              'application/vnd.pgrst.object+json', pg_catalog.json_build_object('schema', s.row_ref),\n"
"              'text/csv', pg_catalog.json_build_object('schema', pg_catalog.json_build_object('type', 'string')))),\n"
"          '206', pg_catalog.json_build_object('description', 'A part of the rows (Range, limit or offset)'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'post', CASE WHEN r.m_post THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('$ref', '#/components/parameters/' || n))\n"
"                       FROM pg_catalog.unnest(ARRAY['select', 'columns', 'on_conflict', 'preferInsert']) AS n),\n"
"        'requestBody', pg_catalog.json_build_object('required', true,\n"
"          'content', pg_catalog.json_build_object(\n"
"            'application/json', pg_catalog.json_build_object('schema', pg_catalog.json_build_object(\n"
"              'oneOf', pg_catalog.json_build_array(pg_catalog.json_strip_nulls(s.insert_schema),\n"
"                 pg_catalog.json_build_object('type', 'array', 'items', pg_catalog.json_strip_nulls(s.insert_schema))))),\n"
"            'text/csv', pg_catalog.json_build_object('schema', pg_catalog.json_build_object('type', 'string')))),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '201', pg_catalog.json_build_object('description', 'Created; with Prefer: return=representation, the rows',\n"
"            'content', s.rows_content),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'patch', CASE WHEN r.m_patch THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', (SELECT pg_catalog.json_agg(x) FROM (\n"
"            SELECT pg_catalog.json_build_object('$ref', '#/components/parameters/' || n) AS x\n"
"            FROM pg_catalog.unnest(ARRAY['select', 'preferWrite']) AS n\n"
"            UNION ALL SELECT pg_catalog.json_array_elements(s.filters)) AS q),\n"
"        'requestBody', pg_catalog.json_build_object('required', true,\n"
"          'content', pg_catalog.json_build_object('application/json',\n"
"            pg_catalog.json_build_object('schema', s.patch_schema))),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'The rows changed (Prefer: return=representation)',\n"
"            'content', s.rows_content),\n"
"          '204', pg_catalog.json_build_object('description', 'Changed'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'delete', CASE WHEN r.m_delete THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', (SELECT pg_catalog.json_agg(x) FROM (\n"
"            SELECT pg_catalog.json_build_object('$ref', '#/components/parameters/' || n) AS x\n"
"            FROM pg_catalog.unnest(ARRAY['select', 'preferWrite']) AS n\n"
"            UNION ALL SELECT pg_catalog.json_array_elements(s.filters)) AS q),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'The rows deleted (Prefer: return=representation)',\n"
"            'content', s.rows_content),\n"
"          '204', pg_catalog.json_build_object('description', 'Deleted'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END)) AS item\n"
"  FROM rels r JOIN shapes s ON s.oid = r.oid\n"
"),\n"
"-- /<table>/{key}: one row by a single-column primary key\n"
"rowpaths AS (\n"
"  SELECT r.path || '/{key}' AS key, pg_catalog.json_strip_nulls(pg_catalog.json_build_object(\n"
"    'parameters', pg_catalog.json_build_array(pg_catalog.json_build_object('name', 'key', 'in', 'path',\n"
"        'required', true, 'schema', pg_catalog.json_build_object('type', 'string'),\n"
"        'description', pg_catalog.format('The value of the primary key column %s', k.name))),\n"
"    'get', CASE WHEN r.m_get THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', pg_catalog.json_build_array(pg_catalog.json_build_object('$ref', '#/components/parameters/select')),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'The row',\n"
"            'content', pg_catalog.json_build_object('application/json',\n"
"                 pg_catalog.json_build_object('schema', s.row_ref))),\n"
"          '404', pg_catalog.json_build_object('$ref', '#/components/responses/Error'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'put', CASE WHEN r.m_put THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', pg_catalog.json_build_array(pg_catalog.json_build_object('$ref', '#/components/parameters/preferWrite')),\n"
"        'requestBody', pg_catalog.json_build_object('required', true,\n"
"          'content', pg_catalog.json_build_object('application/json',\n"
"            pg_catalog.json_build_object('schema', pg_catalog.json_strip_nulls(s.insert_schema)))),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'Replaced (Prefer: return=representation)'),\n"
"          '201', pg_catalog.json_build_object('description', 'Created (Prefer: return=representation)'),\n"
"          '204', pg_catalog.json_build_object('description', 'Written'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'patch', CASE WHEN r.m_patch THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', pg_catalog.json_build_array(pg_catalog.json_build_object('$ref', '#/components/parameters/preferWrite')),\n"
"        'requestBody', pg_catalog.json_build_object('required', true,\n"
"          'content', pg_catalog.json_build_object('application/json',\n"
"            pg_catalog.json_build_object('schema', s.patch_schema))),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'Changed (Prefer: return=representation)'),\n"
"          '204', pg_catalog.json_build_object('description', 'Changed'),\n"
"          '404', pg_catalog.json_build_object('$ref', '#/components/responses/Error'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'delete', CASE WHEN r.m_delete THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array(r.name),\n"
"        'summary', pg_catalog.split_part(r.comment, E'\\n', 1),\n"
"        'parameters', pg_catalog.json_build_array(pg_catalog.json_build_object('$ref', '#/components/parameters/preferWrite')),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          '200', pg_catalog.json_build_object('description', 'Deleted (Prefer: return=representation)'),\n"
"          '204', pg_catalog.json_build_object('description', 'Deleted'),\n"
"          '404', pg_catalog.json_build_object('$ref', '#/components/responses/Error'),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END)) AS item\n"
"  FROM rels r JOIN shapes s ON s.oid = r.oid\n"
"  JOIN cols k ON k.relid = r.oid AND k.pk\n"
"  WHERE r.relkind IN ('r', 'p') AND pg_catalog.array_length(r.pkey, 1) = 1\n"
"    AND (r.m_get OR r.m_put OR r.m_patch OR r.m_delete)\n"
"),\n"
"-- each function's arguments and OUT parameters (one pass over them)\n"
"fargagg AS (\n"
"  SELECT a.oid,\n"
"    pg_catalog.json_object_agg(a.name,\n"
"        t.schema || pg_catalog.jsonb_build_object('x-pgrest-type', pg_catalog.format_type(a.typid, NULL))\n"
"        ORDER BY a.pos) FILTER (WHERE a.name <> '' AND t.typid IS NOT NULL) AS props,\n"
"    pg_catalog.json_agg(a.name ORDER BY a.pos)\n"
"      FILTER (WHERE a.name <> '' AND a.pos <= a.pronargs - a.pronargdefaults) AS required,\n"
"    pg_catalog.count(*) AS nargs,\n"
"    pg_catalog.bool_or(a.name = '') AS unnamed,\n"
"    pg_catalog.json_agg(pg_catalog.json_build_object('name', a.name,\n"
"        'type', pg_catalog.format_type(a.typid, NULL),\n"
"        'required', a.pos <= a.pronargs - a.pronargdefaults,\n"
"        'variadic', a.mode = 'v') ORDER BY a.pos) AS arg_list\n"
"  FROM fargs a LEFT JOIN types t ON t.typid = a.typid AND t.typmod = -1\n"
"  GROUP BY a.oid\n"
"),\n"
"foutagg AS (\n"
"  SELECT o.oid,\n"
"    pg_catalog.jsonb_object_agg(o.name, t.schema) FILTER (WHERE t.typid IS NOT NULL) AS props\n"
"  FROM fouts o LEFT JOIN types t ON t.typid = o.typid AND t.typmod = -1\n"
"  GROUP BY o.oid\n"
"),\n"
"-- each function: its arguments as an object schema and its result\n"
"fshapes AS (\n"
"  SELECT f.*,\n"
"    pg_catalog.json_build_object('type', 'object',\n"
"      'properties', coalesce(a.props, '{}'),\n"
"      'required', a.required) AS args_schema,\n"
"    coalesce(a.nargs, 0) AS nargs,\n"
"    a.unnamed,\n"
"    a.arg_list,\n"
"    CASE\n"
"      WHEN f.prorettype = 'pg_catalog.void'::pg_catalog.regtype THEN NULL\n"
"      ELSE (SELECT CASE WHEN f.proretset THEN pg_catalog.jsonb_build_object('type', 'array', 'items', one)\n"
"                        ELSE one END\n"
"            FROM (SELECT CASE\n"
"              WHEN rr.key IS NOT NULL THEN pg_catalog.jsonb_build_object('$ref', '#/components/schemas/' || rr.key)\n"
"              WHEN o.oid IS NOT NULL THEN pg_catalog.jsonb_build_object('type', 'object',\n"
"                'properties', o.props)\n"
"              ELSE (SELECT t.schema FROM types t WHERE t.typid = f.prorettype AND t.typmod = -1) END AS one\n"
"              FROM (SELECT NULL) AS dummy LEFT JOIN rels rr ON rr.oid = f.retrelid) AS o1)\n"
"    END AS result_schema\n"
"  FROM funcs f LEFT JOIN fargagg a ON a.oid = f.oid LEFT JOIN foutagg o ON o.oid = f.oid\n"
"),\n"
"fgroups AS (\n"
"  SELECT '/rpc/' || pg_catalog.substr(r.path, 2) AS key, g.*\n"
"  FROM (\n"
"    SELECT f.name, pg_catalog.count(*) AS overloads,\n"
"      pg_catalog.bool_or(f.provolatile <> 'v') AS any_stable,\n"
"      min(f.comment) AS comment,\n"
"      pg_catalog.bool_and(f.prorettype = 'pg_catalog.void'::pg_catalog.regtype) AS returns_void,\n"
"      pg_catalog.bool_or(f.proretset) AS returns_set,\n"
"      pg_catalog.jsonb_agg(DISTINCT CASE WHEN f.unnamed AND f.nargs = 1 THEN '{}'::pg_catalog.jsonb\n"
"                                    ELSE pg_catalog.jsonb_strip_nulls(f.args_schema::pg_catalog.jsonb) END) AS bodies,\n"
"      pg_catalog.jsonb_agg(DISTINCT f.result_schema) FILTER (WHERE f.result_schema IS NOT NULL) AS results,\n"
"      (SELECT pg_catalog.json_agg(q.p ORDER BY q.name) FROM (\n"
"         SELECT DISTINCT ON (a.name) a.name, pg_catalog.json_build_object('name', a.name, 'in', 'query',\n"
"           'required', pg_catalog.count(*) OVER (PARTITION BY a.name) = 1 AND pg_catalog.bool_and(a.pos <= a.pronargs - a.pronargdefaults) OVER (PARTITION BY a.name)\n"
"                       AND (SELECT pg_catalog.count(*) FROM funcs f3 WHERE f3.name = f.name AND f3.provolatile <> 'v') = 1,\n"
"           'schema', t.schema) AS p\n"
"         FROM funcs f2 JOIN fargs a ON a.oid = f2.oid JOIN types t ON t.typid = a.typid AND t.typmod = -1\n"
"         WHERE f2.name = f.name AND f2.provolatile <> 'v' AND a.name <> ''\n"
"         ORDER BY a.name, a.pos) AS q) AS get_params,\n"
"      pg_catalog.json_agg(pg_catalog.json_strip_nulls(pg_catalog.json_build_object(\n"
"          'signature', f.name || '(' || f.signature || ')',\n"
"          'arguments', f.arg_list,\n"
"          'returns', f.result_text,\n"
"          'volatility', CASE f.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,\n"
"          'description', f.comment)) ORDER BY f.oid) AS info\n"
"    FROM fshapes f GROUP BY f.name) AS g,\n"
"  LATERAL (SELECT '/' || (SELECT pg_catalog.string_agg(CASE WHEN ch ~ '^[A-Za-z0-9._~-]$' THEN ch\n"
"                   ELSE pg_catalog.upper(pg_catalog.regexp_replace(pg_catalog.encode(\n"
"                        pg_catalog.convert_to(ch, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) END,\n"
"                   '' ORDER BY i)\n"
"                 FROM pg_catalog.regexp_split_to_table(g.name, '') WITH ORDINALITY AS t(ch, i)) AS path) AS r\n"
"),\n"
"fpaths AS (\n"
"  SELECT g.key, pg_catalog.json_strip_nulls(pg_catalog.json_build_object(\n"
"    'x-pgrest-function', pg_catalog.json_build_object('name', g.name, 'overloads', g.info),\n"
"    'get', CASE WHEN g.any_stable THEN pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array('rpc'),\n"
"        'summary', pg_catalog.split_part(g.comment, E'\\n', 1),\n"
"        'description', NULLIF(pg_catalog.substr(g.comment, pg_catalog.strpos(g.comment, E'\\n') + 1), g.comment),\n"
"        'parameters', coalesce(g.get_params, '[]'),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          CASE WHEN g.returns_void THEN '204' ELSE '200' END, pg_catalog.json_build_object(\n"
"            'description', CASE WHEN g.returns_void THEN 'Called' ELSE 'The result' END,\n"
"            'content', CASE WHEN NOT g.returns_void THEN pg_catalog.json_build_object('application/json',\n"
"              pg_catalog.json_build_object('schema', CASE WHEN pg_catalog.jsonb_array_length(g.results) = 1\n"
"                THEN g.results->0 ELSE pg_catalog.jsonb_build_object('oneOf', g.results) END)) END),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))) END,\n"
"    'post', pg_catalog.json_build_object(\n"
"        'tags', pg_catalog.json_build_array('rpc'),\n"
"        'summary', pg_catalog.split_part(g.comment, E'\\n', 1),\n"
"        'description', NULLIF(pg_catalog.substr(g.comment, pg_catalog.strpos(g.comment, E'\\n') + 1), g.comment),\n"
"        'requestBody', pg_catalog.json_build_object('required', false,\n"
"          'content', pg_catalog.json_build_object('application/json', pg_catalog.json_build_object('schema',\n"
"            CASE WHEN pg_catalog.jsonb_array_length(g.bodies) = 1 THEN g.bodies->0\n"
"                 ELSE pg_catalog.jsonb_build_object('oneOf', g.bodies) END))),\n"
"        'responses', pg_catalog.json_build_object(\n"
"          CASE WHEN g.returns_void THEN '204' ELSE '200' END, pg_catalog.json_build_object(\n"
"            'description', CASE WHEN g.returns_void THEN 'Called' ELSE 'The result' END,\n"
"            'content', CASE WHEN NOT g.returns_void THEN pg_catalog.json_build_object('application/json',\n"
"              pg_catalog.json_build_object('schema', CASE WHEN pg_catalog.jsonb_array_length(g.results) = 1\n"
"                THEN g.results->0 ELSE pg_catalog.jsonb_build_object('oneOf', g.results) END)) END),\n"
"          'default', pg_catalog.json_build_object('$ref', '#/components/responses/Error'))))) AS item\n"
"  FROM fgroups g\n"
"),\n"
"paths AS (\n"
"  SELECT pg_catalog.json_object_agg(p.key, p.item ORDER BY p.key COLLATE \"C\") AS doc\n"
"  FROM (SELECT '/' AS key, pg_catalog.json_build_object('get', pg_catalog.json_build_object(\n"
"          'tags', pg_catalog.json_build_array('introspection'),\n"
"          'summary', 'This description of the API',\n"
"          'description', 'OpenAPI 3.1 as JSON; with Accept: text/html, a page for people.',\n"
"          'responses', pg_catalog.json_build_object('200', pg_catalog.json_build_object(\n"
"            'description', 'The description',\n"
"            'content', pg_catalog.json_build_object(\n"
"              'application/openapi+json', pg_catalog.json_build_object('schema', pg_catalog.json_build_object('type', 'object')),\n"
"              'text/html', pg_catalog.json_build_object('schema', pg_catalog.json_build_object('type', 'string'))))))) AS item\n"
"        UNION ALL SELECT key, item FROM relpaths\n"
"        UNION ALL SELECT key, item FROM rowpaths\n"
"        UNION ALL SELECT key, item FROM fpaths) AS p\n"
")\n"
"SELECT NULL::pg_catalog.int8, 1::pg_catalog.int8,\n"
"  pg_catalog.json_strip_nulls(pg_catalog.json_build_object(\n"
"  'openapi', '3.1.0',\n"
"  'info', pg_catalog.json_build_object(\n"
"    'title', coalesce(NULLIF(pg_catalog.split_part((SELECT comment FROM nsp), E'\\n', 1), ''), 'pgrest API'),\n"
"    'description', coalesce(NULLIF(pg_catalog.substr((SELECT comment FROM nsp),\n"
"        pg_catalog.strpos((SELECT comment FROM nsp), E'\\n') + 1), (SELECT comment FROM nsp)),\n"
"      pg_catalog.format('The tables, views and functions of schema %s that this role may use.', $1)),\n"
"    'version', $5::pg_catalog.text),\n"
"  'servers', CASE WHEN $3 <> '' THEN pg_catalog.json_build_array(pg_catalog.json_build_object('url', $3::pg_catalog.text)) END,\n"
"  'security', CASE $4 WHEN 'required' THEN '[{\"bearer\": []}]'::pg_catalog.json\n"
"                      WHEN 'optional' THEN '[{\"bearer\": []}, {}]'::pg_catalog.json END,\n"
"  'paths', (SELECT doc FROM paths),\n"
"  'components', pg_catalog.json_build_object(\n"
"    'schemas', coalesce((SELECT doc FROM schemas), '{}'),\n"
"    'parameters', '{\n"
"      \"select\": {\"name\": \"select\", \"in\": \"query\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                 \"description\": \"The columns to return, with aliases, casts and JSON paths: id,name:title,meta->>tag\"},\n"
"      \"order\": {\"name\": \"order\", \"in\": \"query\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                \"description\": \"Sort order: col.asc, col.desc.nullslast, comma-separated\"},\n"
"      \"limit\": {\"name\": \"limit\", \"in\": \"query\", \"required\": false, \"schema\": {\"type\": \"integer\", \"minimum\": 0},\n"
"                \"description\": \"The most rows to return\"},\n"
"      \"offset\": {\"name\": \"offset\", \"in\": \"query\", \"required\": false, \"schema\": {\"type\": \"integer\", \"minimum\": 0},\n"
"                 \"description\": \"The rows to skip\"},\n"
"      \"range\": {\"name\": \"Range\", \"in\": \"header\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                \"description\": \"The rows to return, as first-last: 0-24\"},\n"
"      \"columns\": {\"name\": \"columns\", \"in\": \"query\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                  \"description\": \"The keys of the body to insert, comma-separated\"},\n"
"      \"on_conflict\": {\"name\": \"on_conflict\", \"in\": \"query\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                      \"description\": \"The unique columns an upsert matches on\"},\n"
"      \"preferRead\": {\"name\": \"Prefer\", \"in\": \"header\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                     \"description\": \"count=exact, count=planned or count=estimated\"},\n"
"      \"preferInsert\": {\"name\": \"Prefer\", \"in\": \"header\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                       \"description\": \"return=minimal|headers-only|representation, resolution=merge-duplicates|ignore-duplicates, missing=default, count=exact, tx=commit|rollback\"},\n"
"      \"preferWrite\": {\"name\": \"Prefer\", \"in\": \"header\", \"required\": false, \"schema\": {\"type\": \"string\"},\n"
"                      \"description\": \"return=minimal|headers-only|representation, count=exact, max-affected=n, tx=commit|rollback\"}\n"
"    }'::pg_catalog.json,\n"
"    'responses', '{\n"
"      \"Error\": {\"description\": \"An error\",\n"
"        \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\", \"required\": [\"code\", \"message\"],\n"
"          \"properties\": {\"code\": {\"type\": \"string\"}, \"message\": {\"type\": \"string\"},\n"
"                         \"details\": {\"type\": [\"string\", \"null\"]}, \"hint\": {\"type\": [\"string\", \"null\"]}}}}}}\n"
"    }'::pg_catalog.json,\n"
"    'securitySchemes', CASE WHEN $4 <> '' THEN\n"
"      '{\"bearer\": {\"type\": \"http\", \"scheme\": \"bearer\", \"bearerFormat\": \"JWT\"}}'::pg_catalog.json END)\n"
"  )), NULL::pg_catalog.int8\n";

static PgrestResult *run_statement(const PgrestQuery *query);
static char *document_key(const PgrestQuery *query);
static void append_key_part(StringInfo key, const char *part);
static Document *find_document(const char *key, uint64 loads, uint64 epoch);
static Document *make_document(const char *key, uint64 loads, uint64 epoch,
							   const PgrestResult *result);
static void render_page(Document *doc);
static void make_room(Size bytes);
static void forget_documents(uint64 loads, uint64 epoch);
static void free_document(Document *doc);
static const char *document_url(const PgrestRequest *req);
static char *replace_all(const char *text, size_t len, const char *from,
						 const char *to, size_t *result_len);
static char *server_url(const PgrestRequest *req);
static bool is_host(const char *host);

/*
 * The statement that builds the document for the request's schema, and
 * the version of what it depends on as the request's refresh found it
 * (call after pgrest_schema_refresh).  Raises 404 PGRST126 when
 * pgrest.openapi_mode is 'disabled'.
 */
PgrestQuery *
pgrest_openapi_query(const PgrestRequest *req, const char *schema)
{
	DocumentQuery *dq = palloc0(sizeof(DocumentQuery));
	PgrestQuery *query = &dq->query;
	const char **params = palloc0(sizeof(char *) * 5);

	if (pgrest_openapi_mode == PGREST_OPENAPI_DISABLED)
		pgrest_error_raise(PGREST_ERR_OPENAPI_OFF, "Root endpoint metadata is disabled",
						   NULL, NULL);

	params[0] = schema;
	params[1] = pgrest_openapi_mode == PGREST_OPENAPI_FOLLOW_PRIVILEGES ?
		"true" : "false";
	params[2] = document_url(req);
	params[3] = pgrest_jwt_secret[0] == '\0' ? "" :
		pgrest_anon_role[0] == '\0' ? "required" : "optional";
	params[4] = PGREST_VERSION;
	/* as the request's refresh found them, before any later invalidation */
	pgrest_schema_document_version(&dq->loads, &dq->epoch);
	query->sql = (char *) openapi_sql;
	query->nparams = 5;
	query->params = params;
	query->read_only = true;
	query->estimate_from = -1;
	return query;
}

/*
 * The response to query (pgrest_openapi_query's): the document as JSON,
 * or the page html.c renders from it, whichever the request's Accept
 * chose; no body for HEAD.  Call inside the request's transaction, after
 * its settings and pre-request function: the document of the same key
 * (see document_key) is taken from the cache, else the statement runs,
 * and what it returns is kept for the next requests.
 */
PgrestResponse *
pgrest_openapi_serve(const PgrestRequest *req, const PgrestQuery *query,
					 bool with_body)
{
	const DocumentQuery *dq = (const DocumentQuery *) query;
	PgrestResponse *resp = palloc0(sizeof(PgrestResponse));
	uint64		loads;
	uint64		epoch;
	char	   *key;
	Document   *doc;
	const char *body;
	size_t		body_len;
	const char *type;

	pgrest_schema_document_version(&loads, &epoch);
	forget_documents(loads, epoch);
	key = document_key(query);
	doc = find_document(key, dq->loads, dq->epoch);
	if (doc == NULL)
		doc = make_document(key, dq->loads, dq->epoch, run_statement(query));

	resp->status = 200;
	if (req->media == PGREST_MEDIA_HTML)
	{
		type = "text/html; charset=utf-8";
		if (with_body && doc->html == NULL)
			render_page(doc);
		body = doc->html;
		body_len = doc->html_len;
	}
	else
	{
		type = req->media == PGREST_MEDIA_OPENAPI ?
			"application/openapi+json; charset=utf-8" : PGREST_JSON_CONTENT_TYPE;
		body = doc->json;
		body_len = doc->json_len;
	}
	/* the request's own copy: a kept document may go before it is sent */
	if (with_body)
	{
		const char *url = server_url(req);

		if (strcmp(url, query->params[2]) == 0)
		{
			resp->body = palloc(body_len + 1);
			memcpy(resp->body, body, body_len);
			resp->body[body_len] = '\0';
			resp->body_len = body_len;
		}
		else
			resp->body = replace_all(body, body_len, query->params[2], url,
									 &resp->body_len);
	}
	pgrest_message_add_header(resp, "Content-Type", type);
	if (!doc->kept)
		free_document(doc);
	return resp;
}

/*
 * The statement's document, with JIT off: at thousands of relations its
 * costs pass jit_above_cost, and compiling takes longer than running it.
 */
static PgrestResult *
run_statement(const PgrestQuery *query)
{
	int			nest_level = NewGUCNestLevel();
	PgrestResult *result;

	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	result = pgrest_execute_query(query);
	AtEOXact_GUC(true, nest_level);
	return result;
}

/*
 * What the document of this request depends on, as one string: the
 * schema cache in use and the document epoch (schemadeps.c: role
 * memberships and attributes, enum labels); the role the statement runs
 * as (privileges decide what it shows); its parameters (schema, openapi
 * mode, server URL from pgrest.openapi_server_url or Host, security);
 * and the settings PostgreSQL's output depends on (search_path decides
 * which names are qualified; the others how defaults' constants print),
 * as the request's settings and pre-request function left them.
 */
static char *
document_key(const PgrestQuery *query)
{
	static const char *const settings[] = {
		"search_path", "DateStyle", "IntervalStyle", "TimeZone",
		"extra_float_digits", "bytea_output", "lc_monetary",
		"standard_conforming_strings", "quote_all_identifiers"
	};
	StringInfoData key;

	initStringInfo(&key);
	appendStringInfo(&key, "%u", GetUserId());
	for (int i = 0; i < query->nparams; i++)
		append_key_part(&key, query->params[i]);
	for (int i = 0; i < (int) lengthof(settings); i++)
		append_key_part(&key, GetConfigOption(settings[i], true, false));
	return key.data;
}

/* a part of a key, unambiguous: its length, then itself */
static void
append_key_part(StringInfo key, const char *part)
{
	if (part == NULL)
		appendStringInfoString(key, "|-");
	else
		appendStringInfo(key, "|%zu:%s", strlen(part), part);
}

/* the kept document of key, cache and epoch, or NULL */
static Document *
find_document(const char *key, uint64 loads, uint64 epoch)
{
	ListCell   *lc;

	foreach(lc, documents)
	{
		Document   *doc = (Document *) lfirst(lc);

		if (doc->loads == loads && doc->epoch == epoch &&
			strcmp(doc->key, key) == 0)
		{
			doc->used = ++documents_clock;
			return doc;
		}
	}
	return NULL;
}

/*
 * The document the statement returned, in the encoding sent (UTF-8),
 * kept if it fits PGREST_MAX_DOCUMENT_BYTES, after the least recently
 * used documents that must go to make room for it.
 */
static Document *
make_document(const char *key, uint64 loads, uint64 epoch, const PgrestResult *result)
{
	/* the request's until kept: an error frees it with the request */
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pgrest OpenAPI document",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Document   *doc = palloc0(sizeof(Document));

	doc->context = cxt;
	doc->key = pstrdup(key);
	doc->loads = loads;
	doc->epoch = epoch;
	doc->source = pnstrdup(result->body, result->body_len);
	doc->source_len = result->body_len;
	doc->json = pg_server_to_any(doc->source, doc->source_len, PG_UTF8);
	doc->json_len = strlen(doc->json);
	MemoryContextSwitchTo(old);
	doc->bytes = MemoryContextMemAllocated(cxt, true);
	if (doc->bytes <= PGREST_MAX_DOCUMENT_BYTES)
	{
		make_room(doc->bytes);
		MemoryContextSetParent(cxt, TopMemoryContext);
		doc->kept = true;
		doc->used = ++documents_clock;
		old = MemoryContextSwitchTo(TopMemoryContext);
		documents = lappend(documents, doc);
		MemoryContextSwitchTo(old);
		documents_bytes += doc->bytes;
	}
	return doc;
}

/* the page for people, rendered once per document */
static void
render_page(Document *doc)
{
	char	   *page = pgrest_html_render(doc->source, doc->source_len);
	char	   *utf8 = pg_server_to_any(page, strlen(page), PG_UTF8);
	Size		before = MemoryContextMemAllocated(doc->context, true);
	Size		grown;

	doc->html_len = strlen(utf8);
	doc->html = MemoryContextAlloc(doc->context, doc->html_len + 1);
	memcpy(doc->html, utf8, doc->html_len + 1);
	grown = MemoryContextMemAllocated(doc->context, true) - before;
	doc->bytes += grown;
	if (doc->kept)
	{
		documents_bytes += grown;
		/* too large to keep with its page: it goes after this request */
		if (doc->bytes > PGREST_MAX_DOCUMENT_BYTES)
		{
			documents = list_delete_ptr(documents, doc);
			documents_bytes -= doc->bytes;
			doc->kept = false;
		}
		else
			make_room(0);
	}
}

/*
 * Forget the least recently used documents until there is room for bytes
 * more: for a new document (bytes > 0), at most PGREST_MAX_DOCUMENTS - 1
 * stay; after a kept one grew its page (bytes == 0), the one just used
 * stays.
 */
static void
make_room(Size bytes)
{
	int			most = bytes > 0 ? PGREST_MAX_DOCUMENTS - 1 : PGREST_MAX_DOCUMENTS;

	while (documents != NIL &&
		   (documents_bytes + bytes > PGREST_MAX_DOCUMENT_BYTES ||
			list_length(documents) > most))
	{
		Document   *oldest = NULL;
		ListCell   *lc;

		foreach(lc, documents)
		{
			Document   *doc = (Document *) lfirst(lc);

			if (oldest == NULL || doc->used < oldest->used)
				oldest = doc;
		}
		documents = list_delete_ptr(documents, oldest);
		documents_bytes -= oldest->bytes;
		free_document(oldest);
	}
}

/* Forget the documents of another cache or epoch: no request asks again. */
static void
forget_documents(uint64 loads, uint64 epoch)
{
	ListCell   *lc;

	foreach(lc, documents)
	{
		Document   *doc = (Document *) lfirst(lc);

		if (doc->loads != loads || doc->epoch != epoch)
		{
			documents = foreach_delete_current(documents, lc);
			documents_bytes -= doc->bytes;
			free_document(doc);
		}
	}
}

static void
free_document(Document *doc)
{
	MemoryContextDelete(doc->context);
}

/*
 * The server URL the document is built with.  One taken from the Host
 * header is replaced by a placeholder no document can hold otherwise
 * (it has a random part, drawn once per process), then the placeholder
 * by the URL in what is sent: a client that varies Host gets the kept
 * document, not a new one.  A Host is only letters, digits and ".-:[]",
 * which JSON, HTML and shell quoting leave as they are.
 */
static const char *
document_url(const PgrestRequest *req)
{
	static char placeholder[64] = "";

	if (pgrest_openapi_server_url[0] != '\0' || server_url(req)[0] == '\0')
		return server_url(req);
	if (placeholder[0] == '\0')
	{
		uint64		nonce;

		if (!pg_strong_random(&nonce, sizeof(nonce)))
			nonce = (uint64) random() << 32 | (uint64) random();
		snprintf(placeholder, sizeof(placeholder),
				 "http://pgrest-host-%016" INT64_MODIFIER "x.invalid", nonce);
	}
	return placeholder;
}

/* text[0..len) with every from replaced by to, palloc'd */
static char *
replace_all(const char *input, size_t len, const char *from, const char *to,
			size_t *result_len)
{
	StringInfoData out;
	size_t		from_len = strlen(from);
	const char *end = input + len;
	const char *p = input;

	initStringInfo(&out);
	while (p < end)
	{
		const char *hit = memmem(p, end - p, from, from_len);

		if (hit == NULL)
			break;
		appendBinaryStringInfo(&out, p, hit - p);
		appendStringInfoString(&out, to);
		p = hit + from_len;
	}
	appendBinaryStringInfo(&out, p, end - p);
	*result_len = out.len;
	return out.data;
}

/*
 * The URL of "servers": pgrest.openapi_server_url, else http:// and the
 * request's Host header when it looks like a host (else none: clients
 * then use the document's own URL).
 */
static char *
server_url(const PgrestRequest *req)
{
	const char *host;

	if (pgrest_openapi_server_url[0] != '\0')
		return pgrest_openapi_server_url;
	host = pgrest_request_header(req, "host");
	if (host == NULL || !is_host(host))
		return "";
	return psprintf("http://%s", host);
}

/* a host name or address with an optional port: nothing else */
static bool
is_host(const char *host)
{
	if (*host == '\0' || strlen(host) > 255)
		return false;
	for (const char *c = host; *c; c++)
	{
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || strchr(".-:[]", *c) != NULL))
			return false;
	}
	return true;
}
