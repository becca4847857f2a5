package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Priority;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Renders an event's title and body for its recipients. An event's explicit {@code title}/{@code body} win
 * over the template; an unknown type without them gets a plain title made from its type.
 */
final class Templates {

    /** The words and delivery hints of one notification. */
    record Rendered(
            String title,
            String body,
            @Nullable String androidChannelId,
            @Nullable String sound,
            Priority priority) {}

    private Templates() {}

    static Rendered render(DomainEvent event) {
        String actor =
                event.actor() == null ? "Someone" : nonBlank(event.actor().displayName(), "Someone");
        String object = event.object() == null ? "" : nonBlank(event.object().title(), "");
        Priority priority = event.priority() == null ? Priority.NORMAL : event.priority();
        Rendered template = switch (event.type()) {
            case "product_like" ->
                new Rendered(
                        "Your product was liked",
                        actor + " liked your product \"" + object + "\"",
                        "social",
                        "default",
                        priority);
            default -> new Rendered(humanize(event.type()), "", null, "default", priority);
        };
        String title = event.title() != null ? event.title() : template.title();
        String body = event.body() != null ? event.body() : template.body();
        return new Rendered(title, body, template.androidChannelId(), template.sound(), template.priority());
    }

    private static String nonBlank(@Nullable String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /** {@code order_status} → {@code Order status}. */
    static String humanize(String type) {
        String words = type.replace('_', ' ').replace('-', ' ').trim();
        if (words.isEmpty()) {
            return "Notification";
        }
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }
}
