package io.herald.spring.web;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * The request body limit on a separate management port too ({@code management.server.port}, the gateway's): the
 * management server is a child context with a web server of its own, which does not get the service's filters.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class HeraldManagementWebConfiguration {

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> heraldManagementRequestBodyLimitFilter(RequestBodyLimits limits) {
        return HeraldWebAutoConfiguration.bodyLimit(limits);
    }
}
