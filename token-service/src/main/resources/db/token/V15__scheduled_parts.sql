-- Parts of an event held apart (issue #25): a deliverAtLocal event is held as one row per distinct instant its
-- recipients' local time falls on, and a push deferred past its recipients' quiet hours as a row of its own (push
-- only), each under the event's app and id. part names the row within the event: '' for an event held whole (a
-- deliverAt), 'local:' or 'quiet:' and a digest of the part's instant, channels and recipients otherwise, so that an
-- event routed again (a redelivery) holds the same parts again (on conflict do nothing). Cancelling an event deletes
-- every part of it.
alter table token.scheduled_events add column part text not null default '';
alter table token.scheduled_events drop constraint scheduled_events_pkey;
alter table token.scheduled_events add primary key (source, event_id, part);
