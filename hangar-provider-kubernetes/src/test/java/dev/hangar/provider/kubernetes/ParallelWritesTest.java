package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ParallelWritesTest {

    @Test
    void answersComeInTheOrderOfTheWritesWhichRunTogether() {
        CountDownLatch all = new CountDownLatch(3);
        Supplier<String> write = () -> {
            all.countDown();
            try {
                // each write waits for the other two: only writes in flight together all return true
                return Boolean.toString(all.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        List<Supplier<String>> writes =
                List.of(() -> "a:" + write.get(), () -> "b:" + write.get(), () -> "c:" + write.get());

        assertThat(ParallelWrites.all(writes)).containsExactly("a:true", "b:true", "c:true");
    }

    @Test
    void everyWriteFinishesAndTheFirstFailureCarriesTheOthers() {
        CountDownLatch failed = new CountDownLatch(2);
        AtomicBoolean slowFinished = new AtomicBoolean();
        Supplier<String> slow = () -> {
            try {
                // still running when both others have failed
                assertThat(failed.await(5, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            slowFinished.set(true);
            return "written";
        };
        IllegalStateException first = new IllegalStateException("secret refused");
        IllegalArgumentException second = new IllegalArgumentException("service refused");
        List<Supplier<String>> writes = List.of(
                slow,
                () -> {
                    failed.countDown();
                    throw first;
                },
                () -> {
                    failed.countDown();
                    throw second;
                });

        RuntimeException thrown = catchRuntimeException(() -> ParallelWrites.all(writes));

        assertThat(thrown).isSameAs(first);
        assertThat(thrown.getSuppressed()).containsExactly(second);
        assertThat(slowFinished).as("the write still in flight ran to its end").isTrue();
    }
}
