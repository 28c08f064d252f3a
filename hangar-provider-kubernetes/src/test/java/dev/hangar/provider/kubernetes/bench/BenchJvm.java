package dev.hangar.provider.kubernetes.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The benchmark JVM as a reader of its figures needs to know it: the options it runs with (printed,
 * so a figure can be set against the server JVM's, which {@code bin/hangar} starts with {@code
 * -XX:+UseSerialGC -Xms16m -Xmx512m}), and, with {@code -Dbench.jfr=DIR}, a JFR recording of one
 * timed pass ({@code settings=profile}, execution samples every 10 ms, allocation samples) written to
 * {@code DIR/<pass>.jfr}, so a profile covers that pass alone, not the warm-up or the other side. Used
 * by both providers' benchmarks; not thread-safe (call from the benchmark's main thread).
 */
public final class BenchJvm {
    /** Where pass recordings go ({@code -Dbench.jfr=DIR}); empty: none. */
    private static final String JFR_DIR = System.getProperty("bench.jfr", "");

    private BenchJvm() {}

    /** Workspaces per warm-up round ({@code -Dbench.warmup-round=N}). */
    public static final int WARM_UP_ROUND = Integer.getInteger("bench.warmup-round", 100);
    /** Most workspaces the warm-up takes when the CPU per workspace does not settle ({@code -Dbench.warmup-max=N}). */
    public static final int WARM_UP_MAX = Integer.getInteger("bench.warmup-max", 2000);

    /**
     * Warms the JIT up until the CPU per workspace settles: runs {@code round} (one untimed round of
     * {@link #WARM_UP_ROUND} other workspaces: create, re-apply, delete) at least until {@code minimum}
     * workspaces have gone through and then until a round's CPU per workspace is within 10% of the
     * round before it, or {@link #WARM_UP_MAX} is reached; prints each round's figure. A server that
     * has been reconciling for a while is that warm: with 400 workspaces its HTTP client's per-request
     * code was still being compiled by C2 in the timed passes.
     *
     * @param minimum workspaces at least (0: no warm-up)
     * @return how many workspaces the warm-up took
     */
    public static int warmUp(int minimum, Round round) throws Exception {
        if (minimum <= 0) return 0;
        // a JFR recording started and stopped here, so its own start-up (event classes instrumented,
        // the compiled code this invalidates) falls in the warm-up rather than in a recorded pass
        if (!JFR_DIR.isEmpty()) {
            try (Recording arm = new Recording(Configuration.getConfiguration("profile"))) {
                arm.start();
                arm.stop();
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double last = Double.NaN;
        int done = 0;
        for (int index = 0; done < minimum || done < WARM_UP_MAX; index++) {
            long before = os.getProcessCpuTime();
            round.run(index, WARM_UP_ROUND);
            done += WARM_UP_ROUND;
            double perWorkspace = (os.getProcessCpuTime() - before) / 1e6 / WARM_UP_ROUND;
            System.out.printf(
                    "      warm-up round %d: %d workspaces, JVM cpu %.2f ms per workspace%n",
                    index, done, perWorkspace);
            boolean settled = Math.abs(perWorkspace - last) <= 0.1 * last;
            last = perWorkspace;
            if (done >= minimum && settled) break;
        }
        return done;
    }

    /** One untimed warm-up round. */
    public interface Round {
        /**
         * @param index the round's number, from 0 (for the workspaces' names)
         * @param workspaces how many workspaces the round creates, re-applies and deletes
         */
        void run(int index, int workspaces) throws Exception;
    }

    /** Prints the JVM's version, its options and its heap limit, in one line. */
    public static void printOptions() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        System.out.printf(
                "JVM %s, options %s, max heap %d MiB%n",
                runtime.getVmVersion(),
                runtime.getInputArguments(),
                Runtime.getRuntime().maxMemory() >> 20);
    }

    /**
     * Starts a JFR recording of one pass when {@code -Dbench.jfr=DIR} is set.
     *
     * @param pass the pass's name, the file's name ({@code DIR/<pass>.jfr}; characters other than
     *     letters, digits, '-' and '.' become '_')
     * @return what stops the recording and writes the file (a no-op without {@code -Dbench.jfr})
     */
    public static Profile profile(String pass) throws IOException, ParseException {
        if (JFR_DIR.isEmpty()) return () -> {};
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        // profile.jfc samples Java code every 10 ms already; pin it (and the native samples) so a JDK
        // with other defaults still gives the same resolution
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
        recording.enable("jdk.ObjectAllocationSample");
        recording.start();
        Path file = Path.of(JFR_DIR, pass.replaceAll("[^A-Za-z0-9.-]", "_") + ".jfr");
        return () -> {
            recording.stop();
            recording.dump(file);
            recording.close();
            System.out.println("      JFR recording of this pass: " + file);
        };
    }

    /** A running pass recording. */
    public interface Profile extends AutoCloseable {
        /** Stops the recording and writes its file. */
        @Override
        void close() throws IOException;
    }
}
