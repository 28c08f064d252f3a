package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link AuditContext}: connection records reach the sink off the caller's thread, in order. */
class AuditContextTest {
    private static final Duration T = Duration.ofSeconds(10);

    /** A sink that records where and in which order it was called, and can be held. */
    private static final class HeldSink implements GatewayAudit {
        final List<String> targets = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void opened(ConnectionRecord r) {
            add("opened " + r.target());
        }

        @Override
        public void connection(ConnectionRecord r) {
            add(r.target());
        }

        private void add(String what) {
            entered.countDown();
            try {
                // a database that hangs
                release.await(T.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                targets.add(what);
                threads.add(Thread.currentThread().getName());
            }
        }

        @Override
        public void loginRejected(LoginRejection rejection) {}
    }

    private static ConnectionRecord record(String target) {
        return new ConnectionRecord(
                "alice", "127.0.0.1:1", target, "", new Outcome.Relayed(), Instant.EPOCH, Duration.ZERO, 0, 0);
    }

    @Test
    void aSinkThatHangsDoesNotHoldTheCallerAndRecordsArriveInOrder() throws Exception {
        HeldSink sink = new HeldSink();
        try (AuditContext context = new AuditContext(sink, Clock.systemUTC(), T)) {
            context.opened(record("a"));
            assertThat(sink.entered.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // the sink is stuck in its first call; the caller (a MINA I/O thread) goes on
            for (String t : List.of("a", "b", "c")) context.connection(record(t));
            assertThat(sink.targets).isEmpty();
            sink.release.countDown();
            await().atMost(T).until(() -> sink.targets.size() == 4);
            assertThat(sink.targets).containsExactly("opened a", "a", "b", "c");
            assertThat(sink.threads).allMatch(n -> n.equals("hangar-gw-audit"));
        }
    }

    @Test
    void closeWritesWhatWaitsAndLaterRecordsAreWrittenByTheirCaller() throws Exception {
        HeldSink sink = new HeldSink();
        AuditContext context = new AuditContext(sink, Clock.systemUTC(), T);
        context.connection(record("a"));
        context.connection(record("b"));
        sink.release.countDown();
        context.close();
        assertThat(sink.targets).containsExactly("a", "b");
        context.connection(record("late"));
        assertThat(sink.targets).containsExactly("a", "b", "late");
        assertThat(sink.threads.getLast()).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aFullQueueMakesTheCallerWriteItself() throws Exception {
        HeldSink sink = new HeldSink();
        try (AuditContext context = new AuditContext(sink, Clock.systemUTC(), T)) {
            context.connection(record("first"));
            assertThat(sink.entered.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < AuditContext.QUEUE; i++) context.connection(record("q" + i));
            // the writer is stuck and the queue is full: this one is written by the caller, which
            // waits for the sink like the old synchronous path (back-pressure, nothing dropped)
            Thread caller = Thread.ofPlatform().name("io-thread").start(() -> context.connection(record("over")));
            await().atMost(T).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
            sink.release.countDown();
            caller.join(T.toMillis());
            await().atMost(T).until(() -> sink.targets.size() == AuditContext.QUEUE + 2);
            synchronized (sink) {
                assertThat(sink.threads.get(sink.targets.indexOf("over"))).isEqualTo("io-thread");
            }
        }
    }
}
