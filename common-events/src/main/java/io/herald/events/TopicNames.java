package io.herald.events;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rule for the names of the topics users subscribe to ({@link DomainEvent#topics()}): 1 to {@value #MAX_LENGTH}
 * characters of {@code A-Z a-z 0-9 _ . : ~ -}, as in {@code domain-event.schema.json}. One namespace for the whole
 * deployment: a topic is not scoped by app.
 */
public final class TopicNames {

    /** The longest topic name, in characters. */
    public static final int MAX_LENGTH = 128;

    /** A valid topic name, whole. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.:~-]{1," + MAX_LENGTH + "}");

    private TopicNames() {}

    /** Whether {@code name} is a topic name Herald takes. */
    public static boolean isValid(@Nullable String name) {
        return name != null && PATTERN.matcher(name).matches();
    }
}
