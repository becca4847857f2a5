package io.herald.dispatch.delivery;

import io.herald.events.Action;
import io.herald.events.Badge;
import io.herald.events.Change;
import io.herald.events.HeraldJson;
import io.herald.events.PushDelivery;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every provider's message makes of a {@link PushDelivery}'s rich fields, so that FCM, Expo and APNs agree.
 * Pure.
 */
public final class PushContent {

    /** The data key that carries a notification's actions, as a JSON array of {@code {"id","title"}}. */
    public static final String ACTIONS_KEY = "herald.actions";

    /** The data key of the deep link, set only where the app's own data has none. */
    public static final String LINK_KEY = "link";

    private PushContent() {}

    /**
     * Whether the push is data only (nothing shown, no sound, no badge): a silent delivery, and every withdrawal
     * (it clears a notification, it never shows one).
     */
    public static boolean silent(PushDelivery delivery) {
        return delivery.silent() || delivery.change() == Change.Kind.WITHDRAW;
    }

    /**
     * The data the app gets: the delivery's own data exactly as planned, plus {@value #LINK_KEY} (the deep link)
     * where the data has no such key, and {@value #ACTIONS_KEY} (the actions as a JSON string, for an Android
     * app that draws its own buttons) when there are actions.
     */
    public static Map<String, String> data(PushDelivery delivery) {
        String link = present(delivery.link());
        if (delivery.data().containsKey(LINK_KEY)) {
            link = null;
        }
        List<Action> actions = delivery.actions();
        if (actions != null && actions.isEmpty()) {
            actions = null;
        }
        if (link == null && actions == null) {
            return delivery.data();
        }
        var data = new LinkedHashMap<String, String>(delivery.data());
        if (link != null) {
            data.put(LINK_KEY, link);
        }
        if (actions != null) {
            data.put(ACTIONS_KEY, actionsJson(actions));
        }
        return data;
    }

    /** The actions as the JSON array carried in {@value #ACTIONS_KEY}: {@code [{"id":"accept","title":"Accept"}]}. */
    static String actionsJson(List<Action> actions) {
        return HeraldJson.mapper()
                .writeValueAsString(actions.stream()
                        .map(a -> {
                            var action = new LinkedHashMap<String, String>();
                            action.put("id", a.id());
                            action.put("title", a.title());
                            return action;
                        })
                        .toList());
    }

    /**
     * The number for the app icon's badge, or {@code null} to leave the badge alone: none for a silent push, and
     * none for an {@link Badge#unread() unread} badge that was not resolved (see {@code UnreadBadges}).
     */
    public static @Nullable Integer badge(PushDelivery delivery) {
        Badge badge = delivery.badge();
        if (badge == null || badge.unread() || silent(delivery)) {
            return null;
        }
        return badge.count();
    }

    /** {@code value} unless it is {@code null} or empty. */
    public static @Nullable String present(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
