package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs independent writes (none needs another's answer) all at once: one virtual thread per write, so
 * their requests are in flight together (multiplexed on the client's HTTP/2 connection) and the call
 * takes about as long as the slowest write rather than the sum. Used by both Kubernetes providers for
 * a workspace's dependents, once the owner's answer has given them its uid.
 *
 * <p>Every write runs to its end even when another fails, so a failed call leaves no write half-sent
 * and the next, identical call finds each object either written or not (the writes are idempotent).
 * Thread-safe (no state).
 */
public final class ParallelWrites {
    private ParallelWrites() {}

    /**
     * @param writes the writes, each returning what the API server answered
     * @return the answers, in the order of {@code writes}
     * @throws RuntimeException the first failure in the order of {@code writes}, with the others' added
     *     as suppressed; a {@link KubernetesClientException} when the calling thread was interrupted
     *     while waiting (the interrupt flag is set again)
     */
    public static <T> List<T> all(List<? extends Supplier<? extends T>> writes) {
        List<Future<T>> running = new ArrayList<>(writes.size());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Supplier<? extends T> write : writes) running.add(threads.submit(write::get));
        } // close() waits for every write
        List<T> answers = new ArrayList<>(writes.size());
        RuntimeException failure = null;
        for (Future<T> write : running) {
            RuntimeException e;
            switch (write.state()) {
                case SUCCESS -> {
                    answers.add(write.resultNow());
                    continue;
                }
                case FAILED -> {
                    Throwable cause = write.exceptionNow();
                    if (cause instanceof Error error) throw error;
                    // a Supplier throws no checked exception: anything else is a RuntimeException
                    e = cause instanceof RuntimeException r ? r : new IllegalStateException("writing", cause);
                }
                // cancelled: close() was interrupted (and has set the interrupt flag again)
                default -> e = new KubernetesClientException("interrupted while writing " + writes.size() + " objects");
            }
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
        return answers;
    }
}
