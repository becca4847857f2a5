package io.herald.devstack;

import io.herald.events.HeraldJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Copies of a well-formed JSON record, each with a control character in exactly one of its strings. */
final class ControlCharacters {

    private ControlCharacters() {}

    /**
     * One variant.
     *
     * @param named what a reason must name: the field's path ({@code title}, {@code recipients[0]}, {@code
     *     data.productId}), or for a key, {@code a key of <map>}
     * @param value the record's bytes
     */
    record Variant(String named, byte[] value) {}

    /** A variant per string value and per object key of {@code record}, at any depth, each with {@code control}. */
    static List<Variant> variants(ObjectNode record, char control) {
        List<Variant> variants = new ArrayList<>();
        collect(record, record, List.of(), control, variants);
        return variants;
    }

    private static void collect(
            ObjectNode record, JsonNode node, List<Object> path, char control, List<Variant> variants) {
        if (node.isString()) {
            ObjectNode copy = record.deepCopy();
            String value = node.asString();
            set(copy, path, value.substring(0, value.length() / 2) + control + value.substring(value.length() / 2));
            variants.add(new Variant(name(path), HeraldJson.mapper().writeValueAsBytes(copy)));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(record, node.get(i), append(path, i), control, variants);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                collect(record, property.getValue(), append(path, property.getKey()), control, variants);
            }
            // Keys of the maps (data), not of the record's own fields: those would be unknown fields, ignored.
            if (!path.isEmpty() && path.getLast().equals("data")) {
                for (String key : List.copyOf(namesOf(node))) {
                    ObjectNode copy = record.deepCopy();
                    ObjectNode map = (ObjectNode) at(copy, path);
                    map.set(key.charAt(0) + String.valueOf(control) + key.substring(1), map.remove(key));
                    variants.add(new Variant(
                            "a key of " + name(path), HeraldJson.mapper().writeValueAsBytes(copy)));
                }
            }
        }
    }

    private static List<String> namesOf(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names;
    }

    private static List<Object> append(List<Object> path, Object step) {
        List<Object> longer = new ArrayList<>(path);
        longer.add(step);
        return longer;
    }

    private static JsonNode at(JsonNode root, List<Object> path) {
        JsonNode node = root;
        for (Object step : path) {
            node = step instanceof Integer i ? node.get(i) : node.get((String) step);
        }
        return node;
    }

    private static void set(ObjectNode root, List<Object> path, String value) {
        JsonNode parent = at(root, path.subList(0, path.size() - 1));
        Object last = path.getLast();
        if (last instanceof Integer i) {
            ((ArrayNode) parent).set(i, value);
        } else {
            ((ObjectNode) parent).put((String) last, value);
        }
    }

    /** As Herald names a field: {@code actor.id}, {@code recipients[0]}. */
    private static String name(List<Object> path) {
        StringBuilder name = new StringBuilder();
        for (Object step : path) {
            if (step instanceof Integer i) {
                name.append('[').append(i).append(']');
            } else {
                name.append(name.isEmpty() ? "" : ".").append(step);
            }
        }
        return name.toString();
    }
}
