-- The record of sends is the push half of the delivery log (GET /internal/v1/deliveries?eventId=…, composed by
-- token-service): each row names its notification, and an event's rows are found by its id.
-- Added to the partitioned parent, the column reaches every partition (a new column without a default rewrites
-- nothing); rows written before stay null there. The index is built on every partition, the parent's as a
-- partitioned index, and each day's partition created later gets its own when it is attached.
alter table dispatch.deliveries add column notification_id uuid;
create index deliveries_event_id on dispatch.deliveries (event_id);
