package io.herald.fanout.ws;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.testkit.ServiceInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

/** HS256 JWTs as the tests' nodes accept them. */
final class TestTokens {

    /** The HMAC secret the tests' nodes are configured with. */
    static final String SECRET = ServiceInfrastructure.JWT_SECRET;

    /** The internal credential of the nodes the tests start (herald.internal.secret). */
    static final String INTERNAL_SECRET = ServiceInfrastructure.INTERNAL_SECRET;

    private TestTokens() {}

    /** A token for {@code subject} signed with {@code secret}, expiring {@code expiresInSeconds} from now. */
    static String jwt(String subject, String secret, long expiresInSeconds) {
        try {
            var claims = new JWTClaimsSet.Builder()
                    .subject(subject)
                    .issueTime(new Date())
                    .expirationTime(Date.from(Instant.now().plusSeconds(expiresInSeconds)))
                    .build();
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token for {@code subject} valid for ten minutes. */
    static String jwt(String subject) {
        return jwt(subject, SECRET, 600);
    }
}
