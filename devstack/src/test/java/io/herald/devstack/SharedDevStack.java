package io.herald.devstack;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One dev stack ({@link DevStack}, on free ports) for every test class of this JVM that does not need one of its own,
 * given to any test or lifecycle method that takes a {@link DevStack} parameter. The first class that asks starts it;
 * it lives in JUnit's root store, which closes it when the whole run is over. Starting the stack (Kafka, PostgreSQL,
 * four Spring contexts) is most of a class's time, so the classes that share it pay it once.
 *
 * <p>Sharing keeps each test independent only if it keeps to its own users, devices, tokens and events (a random
 * part in each), never counts what it did not make (filter the emulators' and topics' records by its own ids), and
 * leaves the stack as it found it (no service stopped, no setting changed). A class that stops or reconfigures parts
 * of the stack starts its own ({@link FaultsIT}, {@link BlackBoxIT}).
 *
 * <p>Thread-safe: classes that run in parallel get the same stack, started once.
 */
final class SharedDevStack implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedDevStack.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == DevStack.class;
    }

    @Override
    public DevStack resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(DevStack.class, type -> DevStack.start(DevStack.Ports.ephemeral()), DevStack.class);
    }
}
