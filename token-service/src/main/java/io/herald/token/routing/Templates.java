package io.herald.token.routing;

import io.herald.events.Badge;
import io.herald.events.DomainEvent;
import io.herald.events.Priority;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The words of each notification type. Built-in English templates for Herald's event types, worded as the apps
 * Herald replaces word them (the seeds); operators add or override templates and locales by configuration ({@link
 * TemplateProperties}). Placeholders: {@code {actor}} (the actor's display name), {@code {object}} (the object's
 * title) and {@code {data.<key>}}. Types with variants pick one by {@code data.status} ({@code order_status}, {@code
 * booking_status}) or {@code data.accepted} ({@code work_response}): a template keyed {@code order_status.shipped}
 * wins over {@code order_status}. An event's explicit {@code title}/{@code body}/{@code sound}/{@code badge} win over
 * any template's. Thread-safe.
 */
final class Templates {

    /** The sound of a push when neither the event nor its template names one. */
    static final String DEFAULT_SOUND = "default";

    /**
     * One template. A configured one may leave any field out: it then takes that field from the built-in template of
     * its key, where there is one.
     *
     * @param title the title, with placeholders, or {@code null}: the event must carry its own
     * @param body the body, with placeholders, or {@code null}: the event must carry its own
     * @param androidChannel the Android notification channel, or {@code null} for the app's default
     * @param priority the priority when the event names none, or {@code null} for the built-in one (else normal)
     * @param sound the sound when the event names none, or {@code null} for the built-in one (else {@value
     *     #DEFAULT_SOUND})
     * @param badge the badge when the event names none, or {@code null}: none
     */
    record Template(
            @Nullable String title,
            @Nullable String body,
            @Nullable String androidChannel,
            @Nullable Priority priority,
            @Nullable String sound,
            @Nullable Badge badge) {

        /** A template of words, channel and priority: the default sound, no badge. */
        Template(String title, String body, @Nullable String androidChannel, Priority priority) {
            this(title, body, androidChannel, priority, null, null);
        }

        /** This template, with what it leaves out taken from {@code base}. */
        Template over(Template base) {
            return new Template(
                    title != null ? title : base.title(),
                    body != null ? body : base.body(),
                    androidChannel != null ? androidChannel : base.androidChannel(),
                    priority != null ? priority : base.priority(),
                    sound != null ? sound : base.sound(),
                    badge != null ? badge : base.badge());
        }
    }

    /** The words and delivery hints of one notification. */
    record Rendered(
            String title,
            String body,
            @Nullable String androidChannelId,
            @Nullable String sound,
            Priority priority,
            @Nullable Badge badge) {}

    static final String DEFAULT_LOCALE = "en";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(actor|object|data\\.[A-Za-z0-9_.-]+)}");

    static final Map<String, Template> BUILT_IN = builtIn();

    private final Map<String, Map<String, Template>> byTypeAndLocale;

    /**
     * Built-in templates, overridden and extended by {@code overrides} (type → locale → template). What an override
     * leaves out comes from the built-in template of its key; the channel, priority, sound and badge configured for a
     * type also hold for its variants ({@code booking_status} for {@code booking_status.Reached}) unless configured
     * for the variant.
     */
    Templates(Map<String, Map<String, Template>> overrides) {
        Set<String> keys = new LinkedHashSet<>(BUILT_IN.keySet());
        keys.addAll(overrides.keySet());
        Map<String, Map<String, Template>> all = new LinkedHashMap<>();
        for (String key : keys) {
            int dot = key.indexOf('.');
            Map<String, Template> base = dot < 0 ? Map.of() : overrides.getOrDefault(key.substring(0, dot), Map.of());
            Map<String, Template> own = overrides.getOrDefault(key, Map.of());
            Set<String> locales = new LinkedHashSet<>();
            if (BUILT_IN.containsKey(key)) {
                locales.add(DEFAULT_LOCALE);
            }
            locales.addAll(own.keySet());
            locales.addAll(base.keySet());
            Map<String, Template> byLocale = new LinkedHashMap<>();
            for (String locale : locales) {
                Template template = own.get(locale);
                Template typeWide = base.get(locale);
                if (typeWide != null) {
                    Template hints = new Template(
                            null,
                            null,
                            typeWide.androidChannel(),
                            typeWide.priority(),
                            typeWide.sound(),
                            typeWide.badge());
                    template = template == null ? hints : template.over(hints);
                }
                Template builtIn = BUILT_IN.get(key);
                if (builtIn != null) {
                    template = template == null ? builtIn : template.over(builtIn);
                }
                if (template != null) {
                    byLocale.put(locale, template);
                }
            }
            if (!byLocale.isEmpty()) {
                all.put(key, Map.copyOf(byLocale));
            }
        }
        this.byTypeAndLocale = Map.copyOf(all);
    }

    private static Map<String, Template> builtIn() {
        Map<String, Template> t = new LinkedHashMap<>();
        // The Django marketplace's words (seed 000).
        t.put("chat", new Template("New message", "{actor}: {data.message}", "messages", Priority.HIGH));
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
                        "New comment on your service",
                        "{actor} commented on your service \"{object}\"",
                        "social",
                        Priority.NORMAL));
        t.put(
                "recommended_product",
                new Template(
                        "Recommended for you", "Check out this product: {object}", "recommendations", Priority.NORMAL));
        t.put(
                "recommended_service",
                new Template(
                        "Recommended for you", "Check out this service: {object}", "recommendations", Priority.NORMAL));
        t.put(
                "real_estate",
                new Template(
                        "New property for you",
                        "\"{object}\" matches your search",
                        "recommendations",
                        Priority.NORMAL));
        // The Expo marketplace's words (seed 002).
        t.put(
                "order_created",
                new Template("New Order! \uD83C\uDF89", "{actor} ordered {object}", "orders", Priority.HIGH));
        t.put("order_status", new Template("Order Update", "Order status: {data.status}", "orders", Priority.HIGH));
        t.put(
                "order_status.processing",
                new Template("Order Update", "Your order is being processed", "orders", Priority.HIGH));
        t.put(
                "order_status.shipped",
                new Template("Order Update", "Your order has been shipped", "orders", Priority.HIGH));
        t.put(
                "order_status.delivered",
                new Template("Order Update", "Your order has been delivered", "orders", Priority.HIGH));
        t.put(
                "order_status.cancelled",
                new Template("Order Update", "Your order has been cancelled", "orders", Priority.HIGH));
        t.put(
                "payment_confirmed",
                new Template(
                        "Payment Confirmed \u2705", "Payment for {object} was successful", "orders", Priority.HIGH));
        t.put(
                "review_created",
                new Template(
                        "New Review \u2B50",
                        "Your product \"{object}\" received a {data.rating}-star review",
                        "social",
                        Priority.NORMAL));
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
        // The booking app's words (seed 003): the technician is the actor, the booking's track id the object.
        t.put(
                "technician_assigned",
                new Template(
                        "Technician Assigned! \uD83D\uDE97",
                        "{actor} has been assigned to your booking {object}. They will contact you soon.",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status",
                new Template(
                        "Booking Update",
                        "Your booking status is now {data.status}. (Booking: {object})",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.StartJourney",
                new Template(
                        "Technician is on the way! \uD83D\uDE97",
                        "{actor} has started the journey to your location. (Booking: {object})",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.Reached",
                new Template(
                        "Technician has arrived! \u2705",
                        "{actor} has reached your location and is ready to start. (Booking: {object})",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.StartService",
                new Template(
                        "Service Started! \uD83D\uDD27",
                        "{actor} has begun working on your vehicle. (Booking: {object})",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.Completed",
                new Template(
                        "Service Completed! \uD83C\uDF89",
                        "Your vehicle service has been completed successfully. (Booking: {object})",
                        "bookings",
                        Priority.HIGH));
        t.put(
                "booking_status.Cancelled",
                new Template(
                        "Booking Cancelled \u274C",
                        "Your service booking has been cancelled. (Booking: {object})",
                        "bookings",
                        Priority.HIGH));
        return Map.copyOf(t);
    }

    /**
     * Renders an event for a recipient whose locale is {@code locale} (a BCP 47 tag, or {@code null}). The event's
     * own title, body, priority, sound and badge win over the template's.
     *
     * @return empty when the event carries no title and body of its own and its type has no template that words it
     */
    Optional<Rendered> render(DomainEvent event, @Nullable String locale) {
        Template found = find(event, locale);
        Template template = found != null ? found : new Template(null, null, null, null, null, null);
        String titleTemplate = template.title();
        String bodyTemplate = template.body();
        if (event.title() == null && event.body() == null && titleTemplate == null && bodyTemplate == null) {
            return Optional.empty();
        }
        String title = event.title();
        if (title == null) {
            title = titleTemplate == null ? "" : fill(titleTemplate, event);
        }
        String body = event.body();
        if (body == null) {
            body = bodyTemplate == null ? "" : fill(bodyTemplate, event);
        }
        Priority priority = event.priority();
        if (priority == null) {
            priority = template.priority() == null ? Priority.NORMAL : template.priority();
        }
        String sound = event.sound();
        if (sound == null) {
            sound = template.sound() == null ? DEFAULT_SOUND : template.sound();
        }
        Badge badge = event.badge() != null ? event.badge() : template.badge();
        return Optional.of(new Rendered(title, body, template.androidChannel(), sound, priority, badge));
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
