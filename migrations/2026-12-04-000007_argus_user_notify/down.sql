DROP TRIGGER argus_notify_users ON "user";
DROP FUNCTION argus_notify_users();
