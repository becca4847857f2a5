package io.herald.token.routing;

import io.herald.events.DomainEvent;
import io.herald.events.Priority;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The words of each notification type. Built-in English templates for Herald's event types; operators add or
 * override templates and locales by configuration ({@link TemplateProperties}). Placeholders: {@code {actor}}
 * (the actor's display name), {@code {object}} (the object's title) and {@code {data.<key>}}. Types with
 * variants pick one by {@code data.status} ({@code order_status}, {@code booking_status}) or {@code
 * data.accepted} ({@code work_response}): a template keyed {@code order_status.shipped} wins over {@code
 * order_status}. An event's explicit {@code title}/{@code body} win over any template. Thread-safe.
 */
final class Templates {

    /**
     * One template.
     *
     * @param androidChannel the Android notification channel, or {@code null} for the app's default
     * @param priority the priority when the event names none
     */
    record Template(String title, String body, @Nullable String androidChannel, Priority priority) {}

    /** The words and delivery hints of one notification. */
    record Rendered(
            String title,
            String body,
            @Nullable String androidChannelId,
            @Nullable String sound,
            Priority priority) {}

    static final String DEFAULT_LOCALE = "en";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(actor|object|data\\.[A-Za-z0-9_.-]+)}");

    static final Map<String, Template> BUILT_IN = builtIn();

    private final Map<String, Map<String, Template>> byTypeAndLocale;

    /** Built-in templates, overridden and extended by {@code overrides} (type → locale → template). */
    Templates(Map<String, Map<String, Template>> overrides) {
        Map<String, Map<String, Template>> all = new LinkedHashMap<>();
        BUILT_IN.forEach((type, template) ->
                all.computeIfAbsent(type, t -> new LinkedHashMap<>()).put(DEFAULT_LOCALE, template));
        overrides.forEach((type, locales) ->
                all.computeIfAbsent(type, t -> new LinkedHashMap<>()).putAll(locales));
        this.byTypeAndLocale = Map.copyOf(all);
    }

    private static Map<String, Template> builtIn() {
        Map<String, Template> t = new LinkedHashMap<>();
        t.put("chat", new Template("{actor}", "{data.message}", "messages", Priority.HIGH));
        t.put(
                "product_like",
                new Template(
                        "Your product was liked",
                        "{actor} liked your product \"{object}\"",
                        "social",
                        Priority.NORMAL));
        t.put(
                "service_like",
                new Template(
                        "Your service was liked",
                        "{actor} liked your service \"{object}\"",
                        "social",
                        Priority.NORMAL));
        t.put(
                "service_comment",
                new Template(
                        "New comment", "{actor} commented on your service \"{object}\"", "social", Priority.NORMAL));
        t.put(
                "recommended_product",
                new Template("Recommended for you", "You might like \"{object}\"", "recommendations", Priority.NORMAL));
        t.put(
                "recommended_service",
                new Template(
                        "Recommended for you",
                        "You might like the service \"{object}\"",
                        "recommendations",
                        Priority.NORMAL));
        t.put(
                "real_estate",
                new Template(
                        "New property for you",
                        "\"{object}\" matches your search",
                        "recommendations",
                        Priority.NORMAL));
        t.put(
                "order_created",
                new Template("Order placed", "Your order \"{object}\" was placed", "orders", Priority.HIGH));
        t.put(
                "order_status",
                new Template("Order update", "Your order \"{object}\" was updated", "orders", Priority.HIGH));
        t.put(
                "order_status.processing",
                new Template(
                        "Order being processed", "Your order \"{object}\" is being prepared", "orders", Priority.HIGH));
        t.put(
                "order_status.shipped",
                new Template("Order shipped", "Your order \"{object}\" is on its way", "orders", Priority.HIGH));
        t.put(
                "order_status.delivered",
                new Template("Order delivered", "Your order \"{object}\" has arrived", "orders", Priority.HIGH));
        t.put(
                "order_status.cancelled",
                new Template("Order cancelled", "Your order \"{object}\" was cancelled", "orders", Priority.HIGH));
        t.put(
                "payment_confirmed",
                new Template(
                        "Payment confirmed", "We received your payment for \"{object}\"", "orders", Priority.HIGH));
        t.put("review_created", new Template("New review", "{actor} reviewed \"{object}\"", "social", Priority.NORMAL));
        t.put(
                "work_assigned",
                new Template("New work assigned", "{actor} assigned you \"{object}\"", "work", Priority.HIGH));
        t.put(
                "work_response",
                new Template("Work response", "{actor} answered about \"{object}\"", "work", Priority.HIGH));
        t.put(
                "work_response.true",
                new Template("Work accepted", "{actor} accepted \"{object}\"", "work", Priority.HIGH));
        t.put(
                "work_response.false",
                new Template("Work declined", "{actor} declined \"{object}\"", "work", Priority.HIGH));
        t.put(
                "technician_assigned",
                new Template(
                        "Technician assigned",
                        "{actor} is your technician for \"{object}\"",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status",
                new Template("Booking update", "Your booking \"{object}\" was updated", "bookings", Priority.HIGH));
        t.put(
                "booking_status.StartJourney",
                new Template(
                        "Your technician is on the way",
                        "{actor} is on the way for \"{object}\"",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.Reached",
                new Template(
                        "Your technician has arrived",
                        "{actor} has arrived for \"{object}\"",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.StartService",
                new Template("Service started", "{actor} started \"{object}\"", "bookings", Priority.HIGH));
        t.put(
                "booking_status.Completed",
                new Template("Service completed", "\"{object}\" is done", "bookings", Priority.HIGH));
        t.put(
                "booking_status.Cancelled",
                new Template(
                        "Booking cancelled", "Your booking \"{object}\" was cancelled", "bookings", Priority.HIGH));
        return Map.copyOf(t);
    }

    /**
     * Renders an event for a recipient whose locale is {@code locale} (a BCP 47 tag, or {@code null}).
     *
     * @return empty when the type has no template and the event carries no title and body of its own
     */
    Optional<Rendered> render(DomainEvent event, @Nullable String locale) {
        Template template = find(event, locale);
        Priority priority =
                event.priority() != null ? event.priority() : template == null ? Priority.NORMAL : template.priority();
        if (template == null) {
            if (event.title() == null && event.body() == null) {
                return Optional.empty();
            }
            return Optional.of(new Rendered(
                    event.title() == null ? "" : event.title(),
                    event.body() == null ? "" : event.body(),
                    null,
                    "default",
                    priority));
        }
        String title = event.title() != null ? event.title() : fill(template.title(), event);
        String body = event.body() != null ? event.body() : fill(template.body(), event);
        return Optional.of(new Rendered(title, body, template.androidChannel(), "default", priority));
    }

    private @Nullable Template find(DomainEvent event, @Nullable String locale) {
        String variant = event.data().getOrDefault("status", event.data().get("accepted"));
        for (String key : variant == null
                ? new String[] {event.type()}
                : new String[] {event.type() + "." + variant, event.type()}) {
            Map<String, Template> locales = byTypeAndLocale.get(key);
            if (locales == null) {
                continue;
            }
            if (locale != null) {
                Template exact = locales.get(locale);
                if (exact != null) {
                    return exact;
                }
                Template language = locales.get(Locale.forLanguageTag(locale).getLanguage());
                if (language != null) {
                    return language;
                }
            }
            Template fallback = locales.get(DEFAULT_LOCALE);
            if (fallback != null) {
                return fallback;
            }
            return locales.values().iterator().next();
        }
        return null;
    }

    static String fill(String text, DomainEvent event) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "actor" ->
                    event.actor() == null || event.actor().displayName() == null
                            ? "Someone"
                            : event.actor().displayName();
                case "object" ->
                    event.object() == null || event.object().title() == null
                            ? ""
                            : event.object().title();
                default -> event.data().getOrDefault(name.substring(5), "");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
