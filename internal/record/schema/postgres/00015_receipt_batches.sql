-- +goose Up
-- Receipts are logged by the batch. The delivery worker records a batch of
-- outcomes in one transaction, and with them one delivery.receipts event
-- whose content lists every receipt of the batch (webhook-id, party,
-- endpoint, report, event type, status, time); receipt_event is
-- the id of the event that records the delivery's receipt, set in the
-- statement that marks it delivered. The log's leaf is then one per batch
-- rather than one per delivery, and each receipt is still covered: its
-- event's digest commits to a list that names it, rebuilt from these rows.
ALTER TABLE deliveries ADD COLUMN receipt_event TEXT;
-- Receipts recorded before had a delivery.receipt event each, whose subject
-- is the webhook-id: those deliveries name it.
UPDATE deliveries SET receipt_event = (
    SELECT e.id FROM events e WHERE e.subject = deliveries.id AND e.type = 'delivery.receipt'
    ORDER BY e.seq LIMIT 1)
WHERE state = 'delivered';
