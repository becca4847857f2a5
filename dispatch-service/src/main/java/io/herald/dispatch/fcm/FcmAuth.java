package io.herald.dispatch.fcm;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.netty.util.AsciiString;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Authorization} header of Herald's FCM requests: {@code Bearer <token>}, with either Google credentials'
 * OAuth access token (refreshed when it expires) or a fixed token ({@code herald.dispatch.fcm.access-token}, for
 * an emulator). Thread-safe.
 */
final class FcmAuth {

    private final @Nullable GoogleCredentials credentials;
    private @Nullable AccessToken lastToken;
    private AsciiString authorization;

    private FcmAuth(@Nullable GoogleCredentials credentials, AsciiString authorization) {
        this.credentials = credentials;
        this.authorization = authorization;
    }

    /** Google credentials' access tokens, refreshed by the credentials when they expire. */
    static FcmAuth of(GoogleCredentials credentials) {
        return new FcmAuth(credentials, AsciiString.EMPTY_STRING);
    }

    /** Always {@code Bearer <accessToken>}. */
    static FcmAuth fixed(String accessToken) {
        return new FcmAuth(null, new AsciiString("Bearer " + accessToken));
    }

    /**
     * {@code Bearer <token>}, the current access token.
     *
     * @throws IOException when the credentials give no token (Google's token endpoint could not be reached, the
     *     key was revoked): the send fails, and is retried
     */
    @SuppressWarnings("ReferenceEquality") // the credentials hand out a new object for a new token
    synchronized CharSequence authorization() throws IOException {
        if (credentials == null) {
            return authorization;
        }
        credentials.refreshIfExpired();
        AccessToken token = credentials.getAccessToken();
        if (token == null) {
            throw new IOException("the credentials gave no access token");
        }
        if (token != lastToken) {
            lastToken = token;
            authorization = new AsciiString("Bearer " + token.getTokenValue());
        }
        return authorization;
    }
}
