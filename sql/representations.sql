--
-- representations: domains with implicit casts from and to json and
-- text format the columns of responses, parse the values of bodies and
-- of filters, through views, embeds and writes.
--
CREATE FUNCTION respond(method text, path text, body text DEFAULT NULL,
                        headers jsonb DEFAULT NULL)
RETURNS TABLE (status int, body jsonb)
LANGUAGE sql AS $$
    SELECT r.status, r.body::jsonb FROM pgrest.handle(method, path, NULL, headers, body) AS r
$$;

-- (PostgreSQL warns that casts of domains are ignored: not by pgrest)
SET client_min_messages = error;
-- a colour stored as an integer, shown and taken as "#rrggbb"
CREATE DOMAIN rgb AS int CHECK (VALUE BETWEEN 0 AND 16777215);
CREATE FUNCTION rgb_from_text(text) RETURNS rgb LANGUAGE sql IMMUTABLE AS $$
    SELECT (('x' || lpad(ltrim($1, '#'), 8, '0'))::bit(32)::int)::rgb
$$;
CREATE FUNCTION rgb_from_json(json) RETURNS rgb LANGUAGE sql IMMUTABLE AS $$
    SELECT rgb_from_text($1 #>> '{}')
$$;
CREATE FUNCTION rgb_to_json(rgb) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN $1 IS NULL THEN to_json('none'::text)
           ELSE to_json('#' || lpad(to_hex($1), 6, '0')) END
$$;
CREATE CAST (rgb AS json) WITH FUNCTION rgb_to_json(rgb) AS IMPLICIT;
CREATE CAST (json AS rgb) WITH FUNCTION rgb_from_json(json) AS IMPLICIT;
CREATE CAST (text AS rgb) WITH FUNCTION rgb_from_text(text) AS IMPLICIT;
-- a price shown as a string, taken from json only (no text cast)
CREATE DOMAIN price AS numeric(10,2);
CREATE FUNCTION price_to_json(price) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT to_json($1::text || ' EUR')
$$;
CREATE FUNCTION price_from_json(json) RETURNS price LANGUAGE sql IMMUTABLE AS $$
    SELECT replace($1 #>> '{}', ' EUR', '')::numeric::price
$$;
CREATE CAST (price AS json) WITH FUNCTION price_to_json(price) AS IMPLICIT;
CREATE CAST (json AS price) WITH FUNCTION price_from_json(json) AS IMPLICIT;
RESET client_min_messages;

CREATE TABLE paints (
    id int PRIMARY KEY,
    name text,
    colour rgb DEFAULT 255,
    cost price DEFAULT 1
);
INSERT INTO paints VALUES (1, 'black', 0, 9.5), (2, 'red', 16711680, 12), (3, 'blank', NULL, NULL);
CREATE TABLE walls (
    id int PRIMARY KEY,
    paint_id int REFERENCES paints(id),
    room text
);
INSERT INTO walls VALUES (1, 2, 'kitchen'), (2, 1, 'hall');
CREATE VIEW paints_dark AS
    SELECT id, colour, (colour / 2)::rgb AS dark FROM paints;
GRANT SELECT, INSERT, UPDATE, DELETE ON paints TO regress_pgrest_anon;
GRANT SELECT ON walls, paints_dark TO regress_pgrest_anon;

-- responses: each column formatted, also in *, under an alias, with a
-- cast on top, through a view and an embed
SELECT * FROM respond('GET', '/paints?order=id');
SELECT * FROM respond('GET', '/paints?select=id,c:colour&id=lt.3&order=id');
SELECT * FROM respond('GET', '/paints?select=id,colour::text&id=eq.2');
SELECT * FROM respond('GET', '/paints_dark?order=id');
SELECT * FROM respond('GET', '/walls?select=room,paints(colour,cost)&order=id');
SELECT * FROM respond('GET', '/paints?select=name,walls(room)&id=eq.2');
-- a JSON path takes the column as it is
SELECT * FROM respond('GET', '/paints?select=id,c:colour->>0&id=eq.2');

-- filters: a value is parsed by the text representation
SELECT * FROM respond('GET', '/paints?select=id&colour=eq.%23ff0000');
SELECT * FROM respond('GET', '/paints?select=id&colour=eq.ff0000');
SELECT * FROM respond('GET', '/paints?select=id&colour=in.(ff0000,000000)&order=id');
SELECT * FROM respond('GET', '/paints?select=id&colour=not.in.(ff0000)&order=id');
SELECT * FROM respond('GET', '/paints?select=id&colour=gt.100&order=id');
SELECT * FROM respond('GET', '/paints?select=id&colour=eq(any).{ff0000,000000}&order=id');
SELECT * FROM respond('GET', '/paints?select=id&colour=is.null');
SELECT * FROM respond('GET', '/walls?select=room,paints!inner(id)&paints.colour=eq.000000');
-- a domain without a text representation compares its own text
SELECT * FROM respond('GET', '/paints?select=id&cost=eq.12');

-- bodies: values parsed by the json representation
SELECT * FROM respond('POST', '/paints', '{"id": 4, "name": "blue", "colour": "#0000ff", "cost": "3.25 EUR"}',
                      '{"Prefer": "return=representation"}');
SELECT * FROM respond('POST', '/paints?columns=id,colour&select=id,colour,cost',
                      '[{"id": 5, "colour": "00ff00", "cost": "not read"}]',
                      '{"Prefer": "return=representation"}');
SELECT * FROM respond('POST', '/paints?select=id,colour,cost', '[{"id": 6, "name": "x"}]',
                      '{"Prefer": "return=representation, missing=default"}');
SELECT * FROM respond('PATCH', '/paints?id=eq.4&select=id,colour', '{"colour": "#000001"}',
                      '{"Prefer": "return=representation"}');
SELECT id, colour, cost FROM paints WHERE id >= 4 ORDER BY id;
SELECT * FROM respond('POST', '/paints', '{"id": 7, "colour": "#zz"}');
DELETE FROM paints WHERE id >= 4;

-- a representation created or dropped changes responses at once
DROP CAST (price AS json);
SELECT * FROM respond('GET', '/paints?select=id,cost&id=eq.1');
SET client_min_messages = error;
CREATE CAST (price AS json) WITH FUNCTION price_to_json(price) AS IMPLICIT;
RESET client_min_messages;
SELECT * FROM respond('GET', '/paints?select=id,cost&id=eq.1');

SET client_min_messages = warning;
DROP VIEW paints_dark;
DROP TABLE walls, paints;
DROP DOMAIN rgb, price CASCADE;
DROP FUNCTION respond(text, text, text, jsonb);
RESET client_min_messages;
