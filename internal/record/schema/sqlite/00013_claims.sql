-- +goose Up
-- Leases of due deliveries (store.DeliveryClaimer): the node whose worker
-- claimed a pending delivery, until when (microseconds), and the delivery's
-- attempts count when it was claimed. Recording an attempt raises
-- attempts, which ends the lease without touching these columns; a lease
-- also ends at claimed_until. Other claimants pass over a leased delivery.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_until INTEGER;
ALTER TABLE deliveries ADD COLUMN claimed_attempts INTEGER;
