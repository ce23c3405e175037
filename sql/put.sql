--
-- put: PUT /<table>?pk=eq.x inserts or replaces one row; PUT
-- /<table>/<key> replaces a row that exists.
--
CREATE TABLE settings (key text PRIMARY KEY, value text, note text);
INSERT INTO settings VALUES ('theme', 'dark', 'kept');
CREATE TABLE pairs2 (a int, b int, v text, PRIMARY KEY (a, b));
CREATE TABLE nokey (v text);
GRANT SELECT, INSERT, UPDATE ON settings, pairs2, nokey TO regress_pgrest_anon;
CREATE FUNCTION setting_rows() RETURNS SETOF settings LANGUAGE sql AS 'SELECT * FROM settings ORDER BY key';

-- insert: 201 with a representation, 204 without
SELECT * FROM req('PUT', '/settings?key=eq.lang', '{"key": "lang", "value": "en"}',
                  '{"Prefer": "return=representation"}');
SELECT * FROM req('PUT', '/settings?key=eq.tz', '{"key": "tz", "value": "UTC"}');
-- replace: 200
SELECT * FROM req('PUT', '/settings?key=eq.theme&select=key,value', '{"key": "theme", "value": "light"}',
                  '{"Prefer": "return=representation"}');
-- composite keys
SELECT * FROM req('PUT', '/pairs2?a=eq.1&b=eq.2', '{"a": 1, "b": 2, "v": "x"}', '{"Prefer": "return=representation"}');
SELECT * FROM req('PUT', '/pairs2?b=eq.2&a=eq.1', '{"a": 1, "b": 2, "v": "y"}', '{"Prefer": "return=representation"}');
-- /<table>/<key>: the row must exist
SELECT * FROM req('PUT', '/settings/lang?select=value', '{"key": "lang", "value": "fr"}',
                  '{"Prefer": "return=representation"}');
SELECT * FROM req('PUT', '/settings/missing', '{"key": "missing", "value": "x"}');
SELECT * FROM setting_rows();
-- PostgREST's PUT rules
SELECT * FROM req('PUT', '/settings?value=eq.dark', '{"key": "k", "value": "v"}');
SELECT * FROM req('PUT', '/settings?key=eq.k&value=eq.v', '{"key": "k", "value": "v"}');
SELECT * FROM req('PUT', '/settings?key=gt.k', '{"key": "k", "value": "v"}');
SELECT * FROM req('PUT', '/settings?key=not.eq.k', '{"key": "k", "value": "v"}');
SELECT * FROM req('PUT', '/settings?or=(key.eq.k)', '{"key": "k", "value": "v"}');
SELECT * FROM req('PUT', '/settings', '{"key": "k", "value": "v"}');
SELECT * FROM req('PUT', '/pairs2?a=eq.1', '{"a": 1, "b": 2}');
SELECT * FROM req('PUT', '/nokey?v=eq.x', '{"v": "x"}');
SELECT * FROM req('PUT', '/settings?key=eq.k&limit=1', '{"key": "k"}');
SELECT * FROM req('PUT', '/settings?key=eq.k', '{"key": "other", "value": "v"}');
SELECT * FROM req('PUT', '/settings?key=eq.k', '{"value": "v"}');
SELECT * FROM req('PUT', '/settings?key=eq.k', '[{"key": "j"}, {"key": "l"}]');
SELECT * FROM req('PUT', '/settings?key=eq.k', '[]');
SELECT * FROM req('PUT', '/settings/theme', '{"key": "moon", "value": "v"}');
SELECT * FROM setting_rows();
-- of an array, the object whose key is the URL's is written, as PostgREST does
SELECT * FROM req('PUT', '/settings?key=eq.theme', '[{"key": "theme", "value": "dim"}, {"key": "other", "value": "x"}]',
                  '{"Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"}');
SELECT * FROM req('PUT', '/settings?key=eq.new', '[{"key": "other", "value": "x"}, {"key": "new", "value": "y"}]',
                  '{"Prefer": "return=representation"}');
SELECT * FROM req('PUT', '/settings?key=eq.new', '[{"key": "new", "value": "z"}, {"key": "new", "value": "w"}]',
                  '{"Prefer": "return=representation"}');
SELECT * FROM setting_rows();
