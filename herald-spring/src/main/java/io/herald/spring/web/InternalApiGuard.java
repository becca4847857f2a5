package io.herald.spring.web;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Refuses to start a service that serves {@code /internal/**} without {@code herald.internal.secret}: its
 * internal API would refuse every call, and the mistake is better found at deployment than by the first user.
 */
final class InternalApiGuard implements SmartInitializingSingleton {

    private final ListableBeanFactory beans;
    private final InternalApiProperties properties;

    InternalApiGuard(ListableBeanFactory beans, InternalApiProperties properties) {
        this.beans = beans;
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (properties.secret() != null) {
            return;
        }
        for (RequestMappingHandlerMapping mapping :
                beans.getBeansOfType(RequestMappingHandlerMapping.class).values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                for (String pattern : info.getPatternValues()) {
                    if (pattern.startsWith("/internal/")) {
                        properties.requireSecret("this service serves internal APIs (" + pattern
                                + "), which answer only callers that send it in " + InternalApiProperties.HEADER);
                    }
                }
            }
        }
    }
}
