package io.herald.token.routing;

import io.herald.events.Badge;
import io.herald.events.Priority;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Templates added or overridden by configuration, {@code herald.token.templates[<type or type.variant>][<locale>].*},
 * for example {@code herald.token.templates[product_like][fr].title=Votre produit a plu}. A field left out of an
 * entry comes from the built-in template of the same key, so that {@code
 * herald.token.templates[product_like][en].android-channel=general_notifications} changes the channel alone.
 *
 * @param templates type (or {@code type.variant}) → locale (BCP 47, or a language such as {@code fr}) → template
 */
@ConfigurationProperties("herald.token")
record TemplateProperties(@DefaultValue Map<String, Map<String, Entry>> templates) {

    /**
     * @param title the title, with placeholders; the built-in one when left out
     * @param body the body, with placeholders; the built-in one when left out
     * @param androidChannel the Android channel id
     * @param priority {@code high} or {@code normal}; the built-in one (else normal) when left out
     * @param sound the sound a push plays unless its event names one, such as {@code notificationtone.wav};
     *     {@code default} when left out
     * @param badge the app icon's badge unless the event sets one: a whole number from 0 or {@code unread} (the
     *     recipient's unread inbox count); none when left out
     */
    record Entry(
            @Nullable String title,
            @Nullable String body,
            @Nullable String androidChannel,
            @Nullable String priority,
            @Nullable String sound,
            @Nullable String badge) {

        Entry {
            if (priority != null) {
                Priority.fromWire(priority);
            }
            if (badge != null) {
                parseBadge(badge);
            }
        }

        Templates.Template asTemplate() {
            return new Templates.Template(
                    title,
                    body,
                    androidChannel,
                    priority == null ? null : Priority.fromWire(priority),
                    sound,
                    badge == null ? null : parseBadge(badge));
        }
    }

    /** {@code unread} or a whole number; anything else fails the binding with the reason. */
    static Badge parseBadge(String value) {
        if (value.trim().equals("unread")) {
            return Badge.UNREAD;
        }
        try {
            return Badge.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("badge must be a whole number or \"unread\", not \"" + value + "\"");
        }
    }

    Map<String, Map<String, Templates.Template>> asTemplates() {
        var out = new LinkedHashMap<String, Map<String, Templates.Template>>();
        templates.forEach((type, locales) -> {
            var byLocale = new LinkedHashMap<String, Templates.Template>();
            locales.forEach((locale, e) -> byLocale.put(locale, e.asTemplate()));
            out.put(type, byLocale);
        });
        return out;
    }
}
