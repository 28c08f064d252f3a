package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.SshProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a running VM is ready: its sshd answers on the forwarded port with the workspace's pinned
 * host key. Remembers a verification per QEMU pid (so one probe that times out on a busy host does
 * not flap the workspace back to Starting) and reports {@code ssh-ready} once per QEMU process from
 * a background watcher.
 *
 * <p><b>Speed.</b> The watcher probes every {@value #WATCH_INTERVAL_MILLIS} ms (a probe of a guest
 * whose sshd is not up yet is a refused connection: cheap for both sides) and, on the match, calls
 * {@link ProviderListener#changed()}, so the reconciler records Running at once instead of at its
 * next poll. While the watcher runs, {@link #observe} reports what the watcher saw last instead of
 * probing again; a match of this QEMU process less than {@link #MATCH_REUSE} ago is reused too (the
 * reconciler's arrival pass observes and applies right after the watcher's match, and each probe is
 * a key exchange with a guest that may be emulated). A VM resumed from a saved state is checked
 * by one answered connection instead ({@link #probeResumed}): its sshd is the restored process. Once
 * a QEMU process answered with the pinned key, {@link #observe} reports Running for it without
 * probing again (the verification is kept per pid in {@code ssh-verified}).
 *
 * <p>Thread-safe: one watcher per workspace at a time.
 */
final class SshReadiness implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshReadiness.class);
    /**
     * Between two probes of the watcher: the readiness seen is up to this late (half of it on
     * average); 250 ms until 2026-12-05. A probe before sshd listens is one refused connection
     * through QEMU's user networking, so 10 a second cost the guest next to nothing.
     */
    static final long WATCH_INTERVAL_MILLIS = 100;
    /** How long a probe's match of the same QEMU process stands in for a new probe. */
    static final Duration MATCH_REUSE = Duration.ofSeconds(2);

    private static final String PINNED = "answered with the pinned host key";

    /** The last probe of a workspace: which QEMU process, what it found, when. */
    private record Seen(long pid, SshProbe.Result result, Instant at) {}

    private final QemuSettings settings;
    private final Clock clock;
    private final AcceleratorChoice accelerator;
    private final ExecutorService background;
    private final SshProbe probe = new SshProbe();
    private final ConcurrentHashMap<String, Future<?>> watchers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();

    SshReadiness(QemuSettings settings, Clock clock, AcceleratorChoice accelerator, ExecutorService background) {
        this.settings = settings;
        this.clock = clock;
        this.accelerator = accelerator;
        this.background = background;
    }

    /**
     * Probes sshd once, unless this QEMU process (its pid) answered with the key pinned now before (then
     * Running without a probe: the verification holds for the process's life, so neither a probe
     * that times out on a busy host flaps the workspace back to Starting nor a stop's pass pays a key
     * exchange with the guest), the watcher of this process is still probing (then its last result)
     * or a probe matched for this process less than {@link #MATCH_REUSE} ago (then that match). Its
     * only side effect is recording a pinned-key match for the running pid.
     *
     * @return Running on a match or when this pid was verified before, else Starting with what was
     *     seen
     */
    Observation observe(WorkspaceSpec spec, WorkspaceDir d) {
        Optional<Long> port = d.readLong(d.sshPortFile());
        if (port.isEmpty()) return new Observation.Starting("booting (no ssh port recorded)");
        SshEndpoint endpoint = new SshEndpoint("127.0.0.1", port.get().intValue());
        Optional<Long> pid = d.readLong(d.pidFile());
        if (pid.isPresent() && d.read(d.sshVerifiedFile()).equals(Optional.of(verification(pid.get(), spec)))) {
            // This QEMU process answered with the key pinned now already; a probe could only add a key
            // exchange with the guest, and the reconciler observes before every apply: a stop's pass
            // spent 0.9 s of it before pressing the power button (bench/qemu/README.md, round 5). A
            // pin that changed since is probed again.
            Seen match = seen.get(spec.id());
            String how =
                    match != null && match.pid() == pid.get() && match.result().outcome() == SshProbe.Outcome.MATCH
                            ? match.result().detail() // what was presented: the key, the certificate's CA
                            : "QEMU pid " + pid.get();
            return new Observation.Running(
                    endpoint, "sshd answered with the pinned host key (" + how + "; verified for this boot)");
        }
        Seen last = seen.get(spec.id());
        boolean sameVm = last != null && pid.isPresent() && last.pid() == pid.get();
        SshProbe.Result r;
        if (sameVm
                && last.result().outcome() == SshProbe.Outcome.MATCH
                && Duration.between(last.at(), clock.instant()).compareTo(MATCH_REUSE) < 0) {
            r = last.result();
        } else if (sameVm && watching(spec)) {
            r = last.result(); // the watcher probes every WATCH_INTERVAL_MILLIS; no second probe
        } else {
            r = probe(spec, endpoint, pid);
        }
        return switch (r.outcome()) {
            case MATCH -> {
                markVerified(d, spec);
                yield new Observation.Running(endpoint, "sshd answered with the pinned host key (" + r.detail() + ")");
            }
            case MISMATCH -> new Observation.Starting(r.detail());
            case UNREACHABLE -> new Observation.Starting(waitingForSshd());
        };
    }

    /** @return the Starting detail of a VM that booted but whose sshd has not answered yet */
    String waitingForSshd() {
        return "booting (" + accelerator.accelerator().settingValue() + "), waiting for sshd";
    }

    /**
     * Probes sshd once, now, on the calling thread, for a VM that should answer at once (one just
     * resumed from a saved state, whose sshd was listening when it was suspended). On a match it
     * reports {@code ssh-ready} and returns Running, so the caller needs no later pass to see it;
     * otherwise it starts the background watcher ({@link #ensureWatcher}) and returns Starting.
     * Blocks for at most the probe timeout ({@code ssh-probe-timeout-seconds}).
     */
    Observation probeNow(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) {
        Optional<Long> port = d.readLong(d.sshPortFile());
        if (port.isPresent()) {
            SshEndpoint endpoint = new SshEndpoint("127.0.0.1", port.get().intValue());
            // remembered like the watcher's probes: the observe right after this apply reuses a match
            SshProbe.Result r = probe(spec, endpoint, d.readLong(d.pidFile()));
            if (r.outcome() == SshProbe.Outcome.MATCH) {
                reportReady(spec, d, endpoint, listener, PINNED);
                return new Observation.Running(endpoint, "sshd answered with the pinned host key (" + r.detail() + ")");
            }
        }
        ensureWatcher(spec, d, listener);
        return new Observation.Starting(waitingForSshd());
    }

    /**
     * For a VM just resumed from a saved state: reads sshd's identification line once, now, on the
     * calling thread, instead of a key exchange ({@link SshProbe#identification}). The sshd that
     * answers is the process restored from the saved memory, so it holds the host key it held at the
     * suspend; what a resume can break is the path to it (the new QEMU process's port forward, the
     * guest's network after the load), and one answered connection proves that path. The pinned key
     * is still checked where it protects: by the user's ssh client and the gateway on every
     * connection. Skipping the key exchange saves the guest a second connection and its key exchange
     * while the user's first login is on its way (issue #18 item 1: resume to a working ssh session
     * in at most 3 s under TCG). On an answer it reports {@code ssh-ready}, remembers the answer for
     * this QEMU process like a match (the reconciler's pass right after this apply reuses it instead
     * of probing) and returns Running; otherwise it falls back to {@link #probeNow}.
     */
    Observation probeResumed(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) {
        Optional<Long> port = d.readLong(d.sshPortFile());
        Optional<Long> pid = d.readLong(d.pidFile());
        if (port.isPresent() && pid.isPresent()) {
            SshEndpoint endpoint = new SshEndpoint("127.0.0.1", port.get().intValue());
            Optional<String> line = SshProbe.identification(endpoint, settings.sshProbeTimeout());
            if (line.isPresent()) {
                String detail = "sshd answered after the resume (" + line.get()
                        + "), the process restored from the saved memory with its host key";
                seen.put(
                        spec.id(),
                        new Seen(pid.get(), new SshProbe.Result(SshProbe.Outcome.MATCH, detail), clock.instant()));
                reportReady(
                        spec, d, endpoint, listener, "answered after the resume (no key exchange: the restored sshd)");
                return new Observation.Running(endpoint, detail);
            }
        }
        return probeNow(spec, d, listener);
    }

    /** Reports ssh-ready once per QEMU process, in the background, for the VM launched last. */
    void ensureWatcher(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) {
        Future<?> existing = watchers.get(spec.id());
        if (existing != null && !existing.isDone()) return;
        Optional<Long> pid = d.readLong(d.pidFile());
        if (pid.isPresent() && pid.equals(d.readLong(d.sshReadyReportedFile()))) return; // reported already
        watchers.put(spec.id(), background.submit(() -> watch(spec, d, listener)));
    }

    /** Stops the workspace's watcher, if any, and forgets its last probe. */
    void cancel(WorkspaceSpec spec) {
        Future<?> f = watchers.remove(spec.id());
        if (f != null) f.cancel(true);
        seen.remove(spec.id());
    }

    private boolean watching(WorkspaceSpec spec) {
        Future<?> f = watchers.get(spec.id());
        return f != null && !f.isDone();
    }

    /** Probes once and remembers the result for the QEMU process {@code pid} (when known). */
    private SshProbe.Result probe(WorkspaceSpec spec, SshEndpoint endpoint, Optional<Long> pid) {
        SshProbe.Result r =
                probe.probe(endpoint, spec.hostKey().publicKey(), spec.hostCertificate(), settings.sshProbeTimeout());
        pid.ifPresent(p -> seen.put(spec.id(), new Seen(p, r, clock.instant())));
        return r;
    }

    private void watch(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) {
        boolean mismatchReported = false;
        try {
            while (QemuProcess.find(d).isPresent()) {
                Optional<Long> port = d.readLong(d.sshPortFile());
                if (port.isPresent()) {
                    SshEndpoint endpoint =
                            new SshEndpoint("127.0.0.1", port.get().intValue());
                    SshProbe.Result r = probe(spec, endpoint, d.readLong(d.pidFile()));
                    if (r.outcome() == SshProbe.Outcome.MATCH) {
                        reportReady(spec, d, endpoint, listener, PINNED);
                        return;
                    }
                    if (r.outcome() == SshProbe.Outcome.MISMATCH && !mismatchReported) {
                        listener.event("host-key-mismatch", r.detail());
                        mismatchReported = true;
                    }
                }
                Thread.sleep(WATCH_INTERVAL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("readiness watcher of workspace {} failed: {}", spec.id(), e.toString());
        }
    }

    /** @param how what sshd did, for the event, e.g. {@code answered with the pinned host key} */
    private void reportReady(
            WorkspaceSpec spec, WorkspaceDir d, SshEndpoint endpoint, ProviderListener listener, String how) {
        markVerified(d, spec);
        Instant launched =
                d.readLong(d.launchedAtFile()).map(Instant::ofEpochMilli).orElseGet(clock::instant);
        Duration took = Duration.between(launched, clock.instant());
        listener.phaseTiming("ssh-ready", took);
        Optional<Long> reported = d.readLong(d.pidFile());
        if (reported.isPresent()) {
            try {
                d.write(d.sshReadyReportedFile(), Long.toString(reported.get()));
            } catch (IOException e) {
                LOG.debug("cannot record ssh-ready in {}: {}", d.path(), e.getMessage());
            }
        }
        listener.event("ssh-ready", "sshd on " + endpoint + " " + how + " " + took.toMillis() + " ms after launch");
        listener.changed(); // the reconciler records Running now, not at its next poll
    }

    /**
     * Records that the running QEMU process answered with the key {@code spec} pins; best effort (the
     * next probe retries). Keyed by pid, not by {@code launched-at}: a server killed between launching
     * QEMU and writing {@code launched-at} leaves the previous boot's value behind, which must not
     * vouch for the new boot. The pin is part of the record, so a pin that changes is checked again.
     */
    private static void markVerified(WorkspaceDir d, WorkspaceSpec spec) {
        Optional<Long> pid = d.readLong(d.pidFile());
        if (pid.isEmpty()) return;
        String record = verification(pid.get(), spec);
        if (d.read(d.sshVerifiedFile()).equals(Optional.of(record))) return;
        try {
            d.write(d.sshVerifiedFile(), record);
        } catch (IOException e) {
            LOG.debug("cannot record ssh verification in {}: {}", d.sshVerifiedFile(), e.getMessage());
        }
    }

    /**
     * @return the {@code ssh-verified} record of QEMU process {@code pid} answering with what {@code
     *     spec} pins: {@code <pid> <SHA-256 hex of the pinned public key and host certificate>}
     */
    static String verification(long pid, WorkspaceSpec spec) {
        try {
            byte[] pin = (spec.hostKey().publicKey() + "\n" + spec.hostCertificate()).getBytes(StandardCharsets.UTF_8);
            return pid + " "
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(pin));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Closes the SSH client; watchers end with the shared executor. */
    @Override
    public void close() {
        probe.close();
    }
}
