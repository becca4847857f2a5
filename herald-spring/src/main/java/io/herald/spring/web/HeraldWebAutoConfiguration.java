package io.herald.spring.web;

import jakarta.servlet.Filter;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * In every servlet service: the request body limit on every path ({@link RequestBodyLimitFilter}, {@code
 * herald.http.max-request-size} unless the service declares its own {@link RequestBodyLimits}) and the service
 * credential on {@code /internal/*} ({@link InternalSecretFilter}, {@code herald.internal.secret}). Both run
 * before anything else reads the request but after the observation filter, so refusals are still counted in
 * {@code http.server.requests}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(Filter.class)
@EnableConfigurationProperties({HttpProperties.class, InternalApiProperties.class})
public class HeraldWebAutoConfiguration {

    /** After Spring's character encoding (highest) and observation (highest + 1) filters, before security (-100). */
    static final int BODY_LIMIT_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    static final int INTERNAL_SECRET_ORDER = BODY_LIMIT_ORDER + 1;

    @Bean
    @ConditionalOnMissingBean
    RequestBodyLimits heraldRequestBodyLimits(HttpProperties properties) {
        long max = properties.maxRequestSize().toBytes();
        return request -> max;
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> heraldRequestBodyLimitFilter(RequestBodyLimits limits) {
        return bodyLimit(limits);
    }

    @Bean
    FilterRegistrationBean<InternalSecretFilter> heraldInternalSecretFilter(InternalApiProperties properties) {
        var registration = new FilterRegistrationBean<>(new InternalSecretFilter(properties.secret()));
        registration.setName("heraldInternalSecretFilter");
        registration.addUrlPatterns("/internal/*");
        registration.setOrder(INTERNAL_SECRET_ORDER);
        return registration;
    }

    static FilterRegistrationBean<RequestBodyLimitFilter> bodyLimit(RequestBodyLimits limits) {
        var registration = new FilterRegistrationBean<>(new RequestBodyLimitFilter(limits));
        registration.setName("heraldRequestBodyLimitFilter");
        registration.addUrlPatterns("/*");
        registration.setOrder(BODY_LIMIT_ORDER);
        return registration;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RequestMappingHandlerMapping.class)
    static class Guard {

        @Bean
        static InternalApiGuard heraldInternalApiGuard(ListableBeanFactory beans, InternalApiProperties properties) {
            return new InternalApiGuard(beans, properties);
        }
    }
}
