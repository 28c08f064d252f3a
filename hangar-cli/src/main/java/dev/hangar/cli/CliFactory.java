package dev.hangar.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Creates picocli's objects, handing the {@link CliContext} to every class with a {@code
 * (CliContext)} constructor; everything else (converters, mixins) comes from picocli's default
 * factory.
 */
final class CliFactory implements IFactory {
    private final CliContext ctx;

    CliFactory(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        Constructor<K> c;
        try {
            c = cls.getDeclaredConstructor(CliContext.class);
        } catch (NoSuchMethodException e) {
            return CommandLine.defaultFactory().create(cls);
        }
        c.setAccessible(true);
        return c.newInstance(ctx);
    }
}
