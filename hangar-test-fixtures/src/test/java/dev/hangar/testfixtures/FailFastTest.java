package dev.hangar.testfixtures;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Test;

class FailFastTest {

    @Test
    void theDetailIsReadWhenTheFailureHappens() {
        AtomicReference<String> log = new AtomicReference<>("");
        AtomicBoolean alive = new AtomicBoolean(true);
        AtomicBoolean polled = new AtomicBoolean();
        assertThatThrownBy(() -> await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .failFast(FailFast.unless("server exited", alive::get, () -> "its log:\n" + log.get()))
                        .until(() -> {
                            if (polled.getAndSet(true)) {
                                // the "server" writes its last words, then dies, after the wait began
                                log.set("bind failed: address in use");
                                alive.set(false);
                            }
                            return false;
                        }))
                .isInstanceOf(TerminalFailureException.class)
                .rootCause()
                .isInstanceOf(AssertionError.class)
                .hasMessage("server exited; its log:\nbind failed: address in use");
    }
}
