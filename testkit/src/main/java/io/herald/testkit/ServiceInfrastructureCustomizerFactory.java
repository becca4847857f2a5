package io.herald.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.util.ReflectionUtils;

/**
 * Gives a Spring test's context the {@link ServiceInfrastructure#properties()} of the static {@link
 * ServiceInfrastructure} field of its test class (or of a superclass or an enclosing class), as Spring Boot's
 * {@code @ServiceConnection} finds a test's containers. Registered in {@code META-INF/spring.factories}.
 */
final class ServiceInfrastructureCustomizerFactory implements ContextCustomizerFactory {

    /** Spring's property source of {@code @DynamicPropertySource} methods, which stays above this one. */
    private static final String DYNAMIC = "Dynamic Test Properties";

    private static final String NAME = "Herald test infrastructure";

    @Override
    public @Nullable ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
            ReflectionUtils.doWithFields(
                    type,
                    fields::add,
                    field -> Modifier.isStatic(field.getModifiers())
                            && ServiceInfrastructure.class.isAssignableFrom(field.getType()));
        }
        if (fields.isEmpty()) {
            return null;
        }
        if (fields.size() > 1) {
            throw new IllegalStateException(
                    testClass.getName() + " has more than one ServiceInfrastructure: " + fields);
        }
        Field field = fields.getFirst();
        ReflectionUtils.makeAccessible(field);
        Object infrastructure = ReflectionUtils.getField(field, null);
        if (infrastructure == null) {
            throw new IllegalStateException(field + " is null");
        }
        return new Customizer(((ServiceInfrastructure) infrastructure).properties());
    }

    /** Adds the properties; equal for equal properties, so that Spring's context cache tells contexts apart. */
    private record Customizer(Map<String, String> properties) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            var source = new MapPropertySource(NAME, new LinkedHashMap<String, Object>(properties));
            if (sources.contains(DYNAMIC)) {
                sources.addAfter(DYNAMIC, source);
            } else {
                sources.addFirst(source);
            }
        }
    }
}
