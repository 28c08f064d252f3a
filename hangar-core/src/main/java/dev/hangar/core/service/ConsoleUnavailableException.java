package dev.hangar.core.service;

import dev.hangar.core.domain.ConflictException;
import java.util.Locale;
import java.util.Objects;

/**
 * A workspace's serial console cannot be used now (HTTP 409): its provider has none, or no VM
 * runs whose console could be reached. The message says why, with the workspace's phase and
 * reason, and what to do.
 */
public final class ConsoleUnavailableException extends ConflictException {
    private static final long serialVersionUID = 1L;

    /** Why the console cannot be used. */
    public enum Why {
        /** The provider has no serial console (e.g. kubernetes). Problem kind {@code no-console}. */
        NO_CONSOLE,
        /** No VM runs: the workspace is stopped, failed or not started yet. Problem kind {@code not-running}. */
        NOT_RUNNING;

        /** @return the problem kind, e.g. {@code no-console} */
        public String kind() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Why why;

    /** @param message what is wrong and what to do */
    public ConsoleUnavailableException(Why why, String message) {
        super("", message);
        this.why = Objects.requireNonNull(why, "why");
    }

    /** @return why the console cannot be used */
    public Why why() {
        return why;
    }

    @Override
    public String kind() {
        return why.kind();
    }
}
