package dev.hangar.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code hangar server}: starts the control plane and runs until the JVM is asked to stop
 * (SIGINT/SIGTERM), then shuts down cleanly.
 *
 * <p>Arguments: {@code [--listen HOST:PORT] [--home DIR] [--config FILE] [--set KEY=VALUE]...} (see {@link
 * ServerConfigLoader}). The CLI calls {@link #main} reflectively, so its signature is stable.
 * An invalid configuration prints what to fix to stderr and exits the JVM with status 2; a clean
 * stop (SIGINT/SIGTERM) exits with 0.
 */
public final class Main {
    private Main() {}

    /** Starts the server and blocks until shutdown. */
    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(ServerConfigLoader.USAGE);
            return;
        }
        HangarServer server;
        try {
            ServerConfig config =
                    ServerConfigLoader.load(System.getenv(), List.of(args), Path.of(System.getProperty("user.home")));
            server = HangarServer.builder(config).gateway(new SshGatewayHook()).start();
        } catch (ConfigException e) {
            System.err.println("hangar server: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "hangar-shutdown"));
        System.out.println("Hangar server listening on " + server.baseUri() + " (Ctrl-C to stop)");
        stopped.await();
    }
}
