package io.herald.spring.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * HTTP settings common to every service, {@code herald.http.*}.
 *
 * @param maxRequestSize {@code max-request-size}: larger request bodies are refused with 413 before they are
 *     read, on every endpoint (the gateway has its own limits, {@code herald.gateway.max-request-size} and
 *     {@code max-batch-request-size})
 */
@ConfigurationProperties("herald.http")
public record HttpProperties(@DefaultValue("256KB") DataSize maxRequestSize) {

    public HttpProperties {
        if (maxRequestSize.toBytes() <= 0) {
            throw new IllegalArgumentException("herald.http.max-request-size must be positive");
        }
    }
}
