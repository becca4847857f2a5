/**
 * What every Herald HTTP service does the same way, switched on by Spring Boot where a service runs a servlet web
 * server: request bodies over a limit are refused with 413 before they are read ({@link RequestBodyLimitFilter}),
 * and {@code /internal/**} answers only callers that present the service credential ({@link
 * InternalSecretFilter}).
 */
@NullMarked
package io.herald.spring.web;

import org.jspecify.annotations.NullMarked;
