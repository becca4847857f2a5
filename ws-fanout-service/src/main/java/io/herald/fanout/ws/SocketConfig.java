package io.herald.fanout.ws;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/** {@code /ws/notifications}, authenticated at the handshake. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class SocketConfig implements WebSocketConfigurer {

    private final NotificationSocketHandler handler;
    private final SocketAuthenticator authenticator;
    private final SocketProperties properties;

    SocketConfig(NotificationSocketHandler handler, SocketAuthenticator authenticator, SocketProperties properties) {
        this.handler = handler;
        this.authenticator = authenticator;
        this.properties = properties;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        var handshake = new DefaultHandshakeHandler();
        // A browser passing its JWT as "bearer.<jwt>" must get a subprotocol back; this is the one it asks for.
        handshake.setSupportedProtocols(SocketAuthenticator.SUBPROTOCOL);
        registry.addHandler(handler, "/ws/notifications")
                .setHandshakeHandler(handshake)
                .addInterceptors(authenticator)
                .setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
    }

    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        var container = new ServletServerContainerFactoryBean();
        int max = (int) Math.min(Integer.MAX_VALUE, properties.maxMessageSize().toBytes());
        container.setMaxTextMessageBufferSize(max);
        // Clients send text only; Tomcat allocates both buffers for every socket, so keep the binary one small.
        container.setMaxBinaryMessageBufferSize(Math.min(max, 1024));
        return container;
    }
}
