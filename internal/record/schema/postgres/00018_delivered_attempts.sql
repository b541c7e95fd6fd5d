-- +goose Up
-- The attempt that delivers a delivery is kept in the delivery's row alone
-- (attempts, last_status, last_latency, last_error and done say all of it,
-- and a delivered row never changes again); delivery_attempts keeps the
-- others. Rows written before that duplicate a delivered row's last attempt.
DELETE FROM delivery_attempts WHERE EXISTS (SELECT 1 FROM deliveries d
    WHERE d.seq = delivery_attempts.delivery AND d.state = 'delivered' AND d.attempts = delivery_attempts.n);
