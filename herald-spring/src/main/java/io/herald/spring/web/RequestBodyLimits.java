package io.herald.spring.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The largest request body a service takes for one request. Every servlet service gets {@code
 * herald.http.max-request-size} for every request; a service that needs a different limit for some paths (the
 * gateway's batch endpoint) declares its own bean of this type.
 */
@FunctionalInterface
public interface RequestBodyLimits {

    /** The most bytes the body of {@code request} may have; called once per request, before it is read. */
    long maxBytes(HttpServletRequest request);
}
