package dev.hangar.testfixtures;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.core.ThrowingRunnable;

/**
 * Awaitility fail-fast checks whose message is computed when the failure happens, not when the wait
 * starts: {@code await().failFast(FailFast.unless("server exited", p::isAlive, () -> read(log)))}.
 * A message built as {@code "exited: " + log} before waiting holds the log as it was then (usually
 * empty), which is the bug this class exists to avoid. Stateless and thread-safe.
 */
public final class FailFast {
    private FailFast() {}

    /**
     * @param what what went wrong, for example {@code "usbipd exited early"}
     * @param ok checked at each poll; the wait fails as soon as it is false
     * @param detail read only then (for example a process log)
     * @return a check for {@link org.awaitility.core.ConditionFactory#failFast(ThrowingRunnable)} that
     *     throws {@code AssertionError(what + "; " + detail)} when {@code ok} is false
     */
    public static ThrowingRunnable unless(String what, BooleanSupplier ok, Supplier<String> detail) {
        return () -> {
            if (!ok.getAsBoolean()) throw new AssertionError(what + "; " + detail.get());
        };
    }
}
