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
