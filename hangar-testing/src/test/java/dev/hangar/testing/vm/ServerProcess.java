package dev.hangar.testing.vm;

import static org.awaitility.Awaitility.await;

import dev.hangar.api.CliConfig;
import dev.hangar.testfixtures.FailFast;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code hangar server} ({@link dev.hangar.server.Main}) as a separate JVM on a given
 * {@code $HANGAR_HOME}, started with the JDK and class path of the test JVM, so a test can kill -9
 * it and start it again on the same home. Its configuration is {@code $HANGAR_HOME/server.yaml},
 * which the test writes, except that the API and the SSH gateway always listen on free ports of
 * 127.0.0.1 (port 0; {@link #http()} follows the URL of the current start) and no {@code HANGAR_*}
 * variable of the test's environment reaches the server. Each start logs to {@code
 * <home>/logs/server-N.log}.
 *
 * <p>Not thread-safe; one instance per test (or benchmark: {@code bench/ServerMemoryBench}).
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Hangar server listening on (http://\\S+)");
    private static final Duration READY = Duration.ofMinutes(3);

    private final Path home;
    private final List<Path> extraClassPath;
    private final List<String> jvmOptions;
    private int starts;
    private Process process;
    private Path log;
    private URI url;

    ServerProcess(Path home) {
        this(home, List.of());
    }

    /** A server whose class path is the test JVM's followed by {@code extraClassPath}. */
    ServerProcess(Path home, List<Path> extraClassPath) {
        this(home, extraClassPath, List.of());
    }

    /**
     * A server whose class path is the test JVM's followed by {@code extraClassPath}, and whose JVM
     * gets {@code jvmOptions} (e.g. {@code -Xmx256m}) before the class path.
     */
    public ServerProcess(Path home, List<Path> extraClassPath, List<String> jvmOptions) {
        this.home = home;
        this.extraClassPath = List.copyOf(extraClassPath);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * Starts the server and waits until it printed its URL (the HTTP API is up then).
     *
     * @throws AssertionError (from Awaitility) if it exits or does not become ready within 3 min
     */
    public ServerProcess start() throws IOException {
        if (process != null && process.isAlive()) throw new IllegalStateException("already running");
        Files.createDirectories(home.resolve("logs"));
        log = home.resolve("logs/server-" + (++starts) + ".log");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-cp",
                classPath(),
                "dev.hangar.server.Main",
                // The home on the command line is also how the test's cleanup recognises
                // its own processes (never another test's).
                "--home",
                home.toString(),
                // Hermetic: free ports for the API and the SSH gateway, whatever server.yaml says
                // (the gateway's default 2222 may be taken by anything on the machine).
                "--listen",
                "127.0.0.1:0",
                "--set",
                "gateway.listen-port=0"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        // none of the developer's or CI's HANGAR_* settings leak into the test's server
        env.keySet().removeIf(k -> k.startsWith("HANGAR_"));
        env.put("HANGAR_HOME", home.toString());
        process = pb.start();
        Process p = process;
        String[] found = {null};
        await().atMost(READY)
                .pollInterval(Duration.ofMillis(200))
                .failFast(FailFast.unless(
                        "server start " + starts + " exited", p::isAlive, () -> "its log " + log + ":\n" + readLog()))
                .alias("server start " + starts + " prints its URL")
                .until(() -> {
                    Matcher m = LISTENING.matcher(readLog());
                    if (m.find()) found[0] = m.group(1);
                    return found[0] != null;
                });
        url = URI.create(found[0]);
        return this;
    }

    private String classPath() {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (Path p : extraClassPath) cp.append(java.io.File.pathSeparator).append(p);
        return cp.toString();
    }

    /** SIGKILL (kill -9) of the server JVM alone; the VMs it launched are detached and keep running. */
    void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux (Process#destroyForcibly)
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("server did not die on SIGKILL");
    }

    /** @return the running server JVM's process id */
    public long pid() {
        return process.pid();
    }

    /** SIGTERM, the clean shutdown path ({@code Main}'s shutdown hook closes the store). */
    public void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** @return an HTTP client for the running server's URL */
    public TestHttp http() {
        return new TestHttp(url);
    }

    /** @return the admin token the first start wrote to {@code $HANGAR_HOME/cli.yaml} */
    public String adminToken() {
        return CliConfig.read(home.resolve("cli.yaml"))
                .map(CliConfig::token)
                .filter(t -> !t.isEmpty())
                .orElseThrow(() -> new AssertionError("no token in " + home.resolve("cli.yaml")));
    }

    /** @return the output of the current (or last) start */
    String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return every live process whose command line contains this server's home */
    List<ProcessHandle> processesUnderHome() {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().orElse("").contains(home.toString()))
                .toList();
    }

    /** Stops the server; then SIGKILLs whatever else still runs with this home on its command line. */
    @Override
    public void close() throws InterruptedException {
        stop();
        processesUnderHome().forEach(ProcessHandle::destroyForcibly);
    }
}
