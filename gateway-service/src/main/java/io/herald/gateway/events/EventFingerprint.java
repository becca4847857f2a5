package io.herald.gateway.events;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an event says, as a SHA-256 digest, to tell a retry (the same event again) from a different event sent
 * with an id or {@code Idempotency-Key} already used. Computed from the validated event, so neither the order
 * of the JSON's members, nor its whitespace, nor an absent member against an explicit {@code null} makes a
 * difference; the id, the source (the app) and an {@code occurredAt} the gateway filled in are left out, as a
 * retry cannot be told by them. Everything else counts, the order of the recipients too.
 */
final class EventFingerprint {

    private EventFingerprint() {}

    /**
     * @param event the validated event
     * @param occurredAtGiven whether the request set {@code occurredAt} (else the gateway's clock did)
     */
    static byte[] of(DomainEvent event, boolean occurredAtGiven) {
        ObjectNode tree = HeraldJson.mapper().valueToTree(event);
        tree.remove("eventId");
        tree.remove("source");
        if (!occurredAtGiven) {
            tree.remove("occurredAt");
        }
        Object canonical = canonical(tree);
        if (canonical instanceof Map<?, ?> members && members.get("channels") instanceof List<?> channels) {
            // A set: its order means nothing.
            var sorted = new ArrayList<Object>(channels);
            sorted.sort(Comparator.comparing(String::valueOf));
            @SuppressWarnings("unchecked")
            var writable = (Map<String, Object>) members;
            writable.put("channels", sorted);
        }
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(HeraldJson.mapper().writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }

    /** Objects as maps sorted by member name, nulls left out, so equal events write the same bytes. */
    private static Object canonical(JsonNode node) {
        if (node.isObject()) {
            var members = new TreeMap<String, Object>();
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                if (!member.getValue().isNull()) {
                    members.put(member.getKey(), canonical(member.getValue()));
                }
            }
            return members;
        }
        if (node.isArray()) {
            var items = new ArrayList<Object>();
            for (JsonNode item : node) {
                items.add(canonical(item));
            }
            return items;
        }
        return node;
    }
}
