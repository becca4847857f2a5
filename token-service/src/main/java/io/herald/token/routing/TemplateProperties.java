package io.herald.token.routing;

import io.herald.events.Priority;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Templates added or overridden by configuration, {@code herald.token.templates[<type or type.variant>][<locale>].*},
 * for example {@code herald.token.templates[product_like][fr].title=Votre produit a plu}.
 *
 * @param templates type (or {@code type.variant}) → locale (BCP 47, or a language such as {@code fr}) → template
 */
@ConfigurationProperties("herald.token")
record TemplateProperties(@DefaultValue Map<String, Map<String, Entry>> templates) {

    /**
     * @param title the title, with placeholders
     * @param body the body, with placeholders
     * @param androidChannel the Android channel id
     * @param priority {@code high} or {@code normal}
     */
    record Entry(
            String title,
            String body,
            @Nullable String androidChannel,
            @DefaultValue("normal") String priority) {}

    Map<String, Map<String, Templates.Template>> asTemplates() {
        var out = new LinkedHashMap<String, Map<String, Templates.Template>>();
        templates.forEach((type, locales) -> {
            var byLocale = new LinkedHashMap<String, Templates.Template>();
            locales.forEach((locale, e) -> byLocale.put(
                    locale,
                    new Templates.Template(e.title(), e.body(), e.androidChannel(), Priority.fromWire(e.priority()))));
            out.put(type, byLocale);
        });
        return out;
    }
}
