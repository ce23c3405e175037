--
-- cleanup: without the extension the workers answer 503; and no process
-- of this instance died of a signal during the whole run.
--
DROP EXTENSION pgrest;
SELECT status, content_type, body::jsonb FROM regress_http('GET', '/users');
CREATE EXTENSION pgrest;
SELECT status FROM regress_http('GET', '/users');

SELECT count(*) AS processes_killed_by_signals
FROM regexp_split_to_table(
        pg_read_file(current_setting('data_directory') || '/../../log/postmaster.log'),
        E'\n') AS line
WHERE line ~ 'terminated by signal|was terminated by exception';

-- no pgrest worker ended during the run but where a test ended one on
-- purpose: each exit with the reason its worker logged last (a FATAL,
-- or pgrest's own word on why it exits)
WITH log AS (
    SELECT n, line
    FROM regexp_split_to_table(
            pg_read_file(current_setting('data_directory') || '/../../log/postmaster.log'),
            E'\n') WITH ORDINALITY AS l(line, n)),
exits AS (
    SELECT n, m[1] AS pid, m[2] AS how
    FROM log, regexp_match(line, 'background worker "pgrest" \(PID ([0-9]+)\) (.*)$') AS m
    WHERE m IS NOT NULL)
SELECT how,
       coalesce((SELECT regexp_replace(l.line, '^.*\[[0-9]+\] [A-Z]+:  ', '')
                 FROM log l
                 WHERE l.n < e.n
                   AND l.line ~ ('\[' || e.pid || '\] ((FATAL|PANIC):  |LOG:  pgrest worker exits)')
                 ORDER BY l.n DESC LIMIT 1),
                '(no FATAL: an ERROR or a crash)') AS reason,
       count(*)
FROM exits e
GROUP BY 1, 2
ORDER BY 1, 2;
