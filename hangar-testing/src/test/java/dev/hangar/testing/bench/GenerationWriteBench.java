package dev.hangar.testing.bench;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.secret.SecretKeyFile;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.store.JdbiStore;
import dev.hangar.store.RootSafePostgres;
import dev.hangar.store.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test; run with {@code -Pbench -Dbench.class=GenerationWriteBench}): what the
 * workspace write generation (migration V21) costs the writers, which matters because the
 * reconciler writes status often. {@code threads} writers each update their own workspaces through
 * the real store (one transaction per update, as the reconciler's status writes) for {@code
 * seconds}, on embedded PostgreSQL and on SQLite, in the same run, with three trigger variants:
 * {@code slots} (as shipped: PostgreSQL bumps one of 16 slots by backend pid, at commit), {@code
 * one-row} (PostgreSQL only: every writer bumps the same row, the design that serialises commits)
 * and {@code none} (triggers off: the baseline). The variants run in turn for {@code rounds}
 * rounds (the first round also warms the JIT and the database up, so compare the later ones).
 * Prints updates/s and, per round, the ratio to {@code none}; asserts nothing.
 *
 * <p>Arguments (all optional): {@code threads=8 seconds=10 workspaces=200 rounds=2}.
 */
public final class GenerationWriteBench {
    private static int rounds = 2;

    private GenerationWriteBench() {}

    public static void main(String[] args) throws Exception {
        int threads = ClosedLoopLoad.arg(args, "threads", 8);
        int seconds = ClosedLoopLoad.arg(args, "seconds", 10);
        int workspaces = ClosedLoopLoad.arg(args, "workspaces", 200);
        rounds = ClosedLoopLoad.arg(args, "rounds", 2);
        Path dir = Files.createTempDirectory("hangar-generation-bench-");
        System.out.printf(Locale.ROOT, "load average %.2f%n", loadAverage());
        try (EmbeddedPostgres pg = RootSafePostgres.start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE hangar_generation_bench");
            }
            StoreConfig config = new StoreConfig(
                    "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/hangar_generation_bench", "postgres", "postgres");
            run(
                    "PostgreSQL",
                    config,
                    dir,
                    threads,
                    seconds,
                    workspaces,
                    List.of(
                            new Variant("slots", List.of(), List.of(ENABLE, bump("pg_backend_pid() % 16"))),
                            new Variant("one-row", List.of(bump("0")), List.of(bump("0"))),
                            new Variant("none", List.of(DISABLE), List.of(DISABLE))));
        }
        List<String> drop = List.of(
                "DROP TRIGGER workspaces_generation_insert",
                "DROP TRIGGER workspaces_generation_update",
                "DROP TRIGGER workspaces_generation_delete");
        List<String> create = List.of("insert", "update", "delete").stream()
                .map(op -> "CREATE TRIGGER workspaces_generation_" + op + " AFTER " + op.toUpperCase(Locale.ROOT)
                        + " ON workspaces BEGIN UPDATE workspaces_generation SET value = value + 1; END")
                .toList();
        run(
                "SQLite",
                StoreConfig.sqlite(dir.resolve("bench.db")),
                dir,
                threads,
                seconds,
                workspaces,
                List.of(new Variant("slots", List.of(), create), new Variant("none", drop, drop)));
        System.out.printf(Locale.ROOT, "load average %.2f%n", loadAverage());
    }

    /**
     * A trigger variant: the SQL that turns the previous variant (at first the shipped one) into
     * it, and what does so in later rounds, after the last variant.
     */
    private record Variant(String name, List<String> sql, List<String> again) {}

    private static final String ENABLE = "ALTER TABLE workspaces ENABLE TRIGGER workspaces_generation_bump";
    private static final String DISABLE = "ALTER TABLE workspaces DISABLE TRIGGER workspaces_generation_bump";

    /** @return the SQL that makes the PostgreSQL trigger function bump the slot {@code slot} */
    private static String bump(String slot) {
        return "CREATE OR REPLACE FUNCTION workspaces_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN UPDATE workspaces_generation SET value = value + 1 WHERE slot = " + slot + ";"
                + " RETURN NULL; END $$";
    }

    private static void run(
            String backend,
            StoreConfig config,
            Path dir,
            int threads,
            int seconds,
            int workspaces,
            List<Variant> variants)
            throws Exception {
        try (JdbiStore store = JdbiStore.open(config, SecretKeyFile.loadOrCreate(dir.resolve("key")))) {
            List<String> ids = seed(store, workspaces);
            for (int round = 1; round <= rounds; round++) {
                double base = 0;
                List<Double> rates = new ArrayList<>();
                for (Variant v : variants) {
                    try (Connection c = DriverManager.getConnection(
                                    config.jdbcUrl(), config.username(), config.password());
                            Statement st = c.createStatement()) {
                        for (String sql : round == 1 ? v.sql() : v.again()) st.execute(sql);
                    }
                    writeFor(store, ids, threads, 1); // settle after the switch
                    double rate = writeFor(store, ids, threads, seconds);
                    rates.add(rate);
                    if (v.name().equals("none")) base = rate;
                    System.out.printf(
                            Locale.ROOT,
                            "round %d %-10s %-8s %d writers: %8.1f updates/s (load %.2f)%n",
                            round,
                            backend,
                            v.name(),
                            threads,
                            rate,
                            loadAverage());
                }
                for (int i = 0; i < variants.size(); i++)
                    System.out.printf(
                            Locale.ROOT,
                            "round %d %-10s %-8s / none: %.2f%n",
                            round,
                            backend,
                            variants.get(i).name(),
                            rates.get(i) / base);
            }
        }
    }

    /** @return updates per second of {@code threads} writers, each on its own share of {@code ids} */
    private static double writeFor(JdbiStore store, List<String> ids, int threads, int seconds) throws Exception {
        AtomicLong updates = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(threads);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread.ofVirtual().start(() -> {
                try {
                    for (int i = me; System.nanoTime() < end; i += threads) {
                        String id = ids.get(i % ids.size());
                        Workspace w = store.workspaces().find(id).orElseThrow();
                        store.workspaces().update(w.withStatus(w.status().withPhase(Phase.Running, "n" + i)));
                        updates.incrementAndGet();
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        return updates.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static List<String> seed(JdbiStore store, int n) {
        SshHostKey key = HostKeys.generateEd25519("bench");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> ids = new ArrayList<>();
        store.users().insert(new dev.hangar.core.domain.User("bench", dev.hangar.core.domain.Role.MEMBER, false, now));
        store.inTransaction(tx -> {
            for (int i = 0; i < n; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                tx.workspaces().insert(BenchWorkspaces.running(id, "w-" + i, "bench", key, now));
            }
            return null;
        });
        return ids;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
