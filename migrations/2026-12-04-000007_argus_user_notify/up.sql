-- Several argus-server instances on one database each cache who exists and with which role: every
-- change to "user" (by any of them, ArPI or psql) tells them at once, instead of each waiting for its
-- cache to age out.
CREATE FUNCTION argus_notify_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('argus_users', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER argus_notify_users AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "user"
    FOR EACH STATEMENT EXECUTE FUNCTION argus_notify_users();
