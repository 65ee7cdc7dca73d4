-- The day the secret-related person an account belongs to left the post (set by the
-- personnel register's off-boarding): from that day the account no longer works for register
-- business, and the 系统管理员 sees it listed to disable (三员: the officer does not manage
-- accounts).
ALTER TABLE accounts ADD COLUMN person_left_on TEXT;
