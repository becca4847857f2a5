-- Which upstream app published a routed event, so the gateway shows an app only its own events.
alter table token.routed_events add column source text;
