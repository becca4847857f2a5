package io.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ClockAutoConfigurationTest {

    private final ApplicationContextRunner contexts =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ClockAutoConfiguration.class));

    @Test
    void aServiceGetsTheSystemClockInUtc() {
        contexts.run(context -> assertThat(context.getBean(Clock.class)).isEqualTo(Clock.systemUTC()));
    }

    @Test
    void aClockTheServiceDeclaresIsTheOnlyOne() {
        contexts.withUserConfiguration(FixedClock.class)
                .run(context -> assertThat(context.getBeansOfType(Clock.class))
                        .containsOnlyKeys("fixedClock")
                        .containsValue(FixedClock.CLOCK));
    }

    @Configuration(proxyBeanMethods = false)
    static class FixedClock {

        static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

        @Bean
        Clock fixedClock() {
            return CLOCK;
        }
    }
}
