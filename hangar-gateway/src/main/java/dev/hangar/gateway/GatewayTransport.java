package dev.hangar.gateway;

import java.nio.channels.AsynchronousChannelGroup;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactory;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.util.threads.SshThreadPoolExecutor;
import org.apache.sshd.common.util.threads.SshdThreadFactory;

/**
 * MINA's NIO2 transport for the gateway, the same as MINA's default ({@link Nio2ServiceFactory}: one
 * {@link AsynchronousChannelGroup} on a pool of {@code nio-workers} threads, processors + 1 by
 * default) except for one thing: a completion that the JDK hands to the pool from a thread running
 * {@link #runCompletionsHere} runs in that thread instead.
 *
 * <p>Why: the gateway's USB/IP guest reader ({@link GuestUsbipChannel}) writes each message from the
 * guest into the SSH session from its own thread. The socket write itself happens at once in that
 * thread, but the JDK then invokes MINA's completion handler "indirectly", on a pool thread, because
 * the writing thread is not one of the group's (JDK {@code sun.nio.ch.Invoker#invokeIndirectly},
 * {@code AsynchronousChannelGroupImpl#executeOnPooledThread}; the {@link
 * java.nio.channels.AsynchronousChannel} contract allows either). That woke a second thread for every
 * message, and a message that arrives in two pieces waited for it before its second write. Run here,
 * the completion (finishing the write future, starting a queued write) costs no wake-up; the JDK also
 * binds the reader thread to the group then, so later completions it starts are invoked directly.
 * {@code UsbipForwardBench}: the gateway's CPU per message 63-71 us instead of 79-92 us
 * (bench/usb/README.md, round 17).
 *
 * <p>Everything else runs where MINA runs it. Completions from the group's own poller still go to
 * the pool: running them on the poller would make every handler, including the login's store read,
 * hold up all sessions' I/O, and put every session's crypto on one core. That would be faster for
 * USB/IP (bench/usb paired rounds, round 18: 1.23-1.27 of the direct path against 1.28-1.36), but
 * MINA 2.20 cannot take the login's lookup off the thread: an {@code AsyncAuthException} from a
 * public-key authenticator skips the signature check. Thread-safe; one transport per {@code
 * SshServer}.
 */
final class GatewayTransport extends Nio2ServiceFactoryFactory {
    private static final ScopedValue<Boolean> RUN_HERE = ScopedValue.newInstance();

    @Override
    public IoServiceFactory create(FactoryManager manager) {
        int workers = Nio2ServiceFactory.getNioWorkers(manager);
        return new Nio2ServiceFactory(
                manager, new Executor(manager + "-nio2", workers), new Executor(manager + "-nio2-resume", workers));
    }

    /**
     * Runs {@code task} in this thread with the gateway's I/O completions it causes run here too
     * (those the JDK would hand to the pool; one level deep: what such a completion hands on goes to
     * the pool). For a thread that only writes to sessions between blocking reads of its own (a
     * completion is short and never blocks: it completes a future and may start the next queued write).
     */
    static void runCompletionsHere(Runnable task) {
        ScopedValue.where(RUN_HERE, Boolean.TRUE).run(task);
    }

    /** MINA's fixed pool ({@code ThreadUtils.newFixedThreadPool}) with the exception above. */
    private static final class Executor extends SshThreadPoolExecutor {
        Executor(String name, int threads) {
            super(
                    threads,
                    threads,
                    0L,
                    TimeUnit.MILLISECONDS,
                    new LinkedBlockingQueue<>(),
                    new SshdThreadFactory(name),
                    new ThreadPoolExecutor.CallerRunsPolicy());
        }

        @Override
        public void execute(Runnable command) {
            // One level only: a completion that starts a write that completes at once is invoked
            // directly by the JDK, at most 16 deep (sun.nio.ch.maxCompletionHandlersOnStack), then
            // handed here; a backlog of queued writes must not grow this thread's stack without end.
            if (RUN_HERE.orElse(Boolean.FALSE))
                ScopedValue.where(RUN_HERE, Boolean.FALSE).run(command);
            else super.execute(command);
        }
    }
}
