-- Expo answers a ticket at once and a receipt later: keep what is needed to ask for the receipt and to
-- report a dead token from it.
alter table dispatch.deliveries add column token text;
alter table dispatch.deliveries add column receipt_checked boolean not null default false;
create index deliveries_expo_receipts_due on dispatch.deliveries (updated_at)
    where provider = 'expo' and outcome = 'sent' and not receipt_checked;
