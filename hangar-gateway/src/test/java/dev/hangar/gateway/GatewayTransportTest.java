package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.io.AbstractIoServiceFactory;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.Test;

/** {@link GatewayTransport}: where a completion runs, on the JDK's real NIO2 group over loopback TCP. */
class GatewayTransportTest {

    @Test
    void aWriteStartedUnderRunCompletionsHereCompletesInThatThreadAndAnyOtherOnThePool() throws Exception {
        SshServer manager = SshServer.setUpDefaultServer();
        AbstractIoServiceFactory factory = (AbstractIoServiceFactory) new GatewayTransport().create(manager);
        // The group as MINA's Nio2ServiceFactory makes it: withThreadPool over the factory's executor.
        AsynchronousChannelGroup group =
                AsynchronousChannelGroup.withThreadPool((ExecutorService) factory.getExecutorService());
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group)
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                AsynchronousSocketChannel client = AsynchronousSocketChannel.open(group)) {
            client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel accepted = server.accept().get(10, TimeUnit.SECONDS)) {
                // A plain thread, as MINA's pool is not: the JDK hands its completion to the pool.
                CompletableFuture<String> plain = new CompletableFuture<>();
                Thread.ofPlatform()
                        .name("plain-writer")
                        .start(() -> writeOne(client, plain))
                        .join();
                assertThat(plain.get(10, TimeUnit.SECONDS))
                        .isNotEqualTo("plain-writer")
                        .contains("-nio2");

                // The same from a guest reader's thread: the completion runs in it, nothing is woken.
                CompletableFuture<String> reader = new CompletableFuture<>();
                Thread.ofPlatform()
                        .name("reader")
                        .start(() -> GatewayTransport.runCompletionsHere(() -> writeOne(client, reader)))
                        .join();
                assertThat(reader.getNow("not completed in the writing thread")).isEqualTo("reader");

                ByteBuffer got = ByteBuffer.allocate(2);
                while (got.hasRemaining()) accepted.read(got).get(10, TimeUnit.SECONDS);
                assertThat(got.array()).containsExactly(1, 1);
            }
        } finally {
            group.shutdownNow();
            factory.close(true);
        }
    }

    @Test
    void onlyTheFirstLevelRunsHereWhatThatTaskHandsOnGoesToThePool() throws Exception {
        AbstractIoServiceFactory factory =
                (AbstractIoServiceFactory) new GatewayTransport().create(SshServer.setUpDefaultServer());
        try {
            ExecutorService executor = factory.getExecutorService();
            CompletableFuture<String> first = new CompletableFuture<>();
            CompletableFuture<String> nested = new CompletableFuture<>();
            Thread.ofPlatform()
                    .name("reader")
                    .start(() -> GatewayTransport.runCompletionsHere(() -> executor.execute(() -> {
                        first.complete(Thread.currentThread().getName());
                        executor.execute(
                                () -> nested.complete(Thread.currentThread().getName()));
                    })))
                    .join();
            assertThat(first.getNow("not run in the calling thread")).isEqualTo("reader");
            assertThat(nested.get(10, TimeUnit.SECONDS)).contains("-nio2");
        } finally {
            factory.close(true);
        }
    }

    private static void writeOne(AsynchronousSocketChannel channel, CompletableFuture<String> completedIn) {
        channel.write(ByteBuffer.wrap(new byte[] {1}), null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer written, Void unused) {
                completedIn.complete(Thread.currentThread().getName());
            }

            @Override
            public void failed(Throwable e, Void unused) {
                completedIn.completeExceptionally(e);
            }
        });
    }
}
