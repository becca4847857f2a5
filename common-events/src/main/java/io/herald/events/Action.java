package io.herald.events;

/**
 * A button on a notification, such as Accept or Decline on a work assignment: on Android an action of the
 * notification, on iOS an action of the notification category the app registered ({@code category} of the event).
 * A tap reaches the app with the action's id.
 *
 * @param id what the app gets back when the button is tapped, such as {@code accept}
 * @param title the button's words, such as "Accept"
 */
public record Action(String id, String title) {

    /** The most actions one notification may carry (Android shows three). */
    public static final int MAX = 3;
}
