package io.herald.fanout;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The internal inbox API ({@code /internal/**}) listens on its own port, {@code herald.fanout.internal-port}
 * (8084 by default), which is never published; the public port ({@code server.port}) serves the WebSocket
 * only and answers 404 to {@code /internal/**}.
 */
@Configuration(proxyBeanMethods = false)
public class InternalApi {

    private final Connector connector = new Connector();

    InternalApi(@Value("${herald.fanout.internal-port:8084}") int port) {
        connector.setPort(port);
    }

    /** The port the internal API listens on (the real one when configured as 0). */
    public int port() {
        return connector.getLocalPort();
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> internalConnector() {
        return factory -> factory.addAdditionalConnectors(connector);
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> internalOnlyOnItsPort() {
        var registration = new FilterRegistrationBean<OncePerRequestFilter>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (request.getLocalPort() != port()) {
                    response.sendError(HttpServletResponse.SC_NOT_FOUND);
                    return;
                }
                chain.doFilter(request, response);
            }
        });
        registration.addUrlPatterns("/internal/*");
        return registration;
    }
}
