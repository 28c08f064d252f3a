package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.LifecycleCommand;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a devcontainer's {@code postCreateCommand} (once per container: a marker file {@value
 * #MARKER} in the container records that it succeeded, so a re-created container runs it again) and
 * {@code postStartCommand} (after every start) through the engine's exec API, as {@code remoteUser}
 * (else the container's user), in {@code workspaceFolder}, with {@code remoteEnv}. The steps of the
 * object form run one after another, in the order of the file. Output lines become events ({@code
 * post-create}, {@code post-start}); a non-zero exit is a permanent {@link ProviderException} with
 * the command's last lines (the workspace goes Failed). Thread-safe for different containers.
 */
final class LifecycleHooks {
    /** The file whose presence says postCreateCommand succeeded in this container. */
    static final String MARKER = "/var/lib/hangar/post-create-done";

    private static final int TAIL = 10;
    private static final int SSH_WAIT_SECONDS = 120;
    private static final int MAX_EVENTS = 100;

    private final DockerEngine engine;
    private final DockerClient docker;

    LifecycleHooks(DockerEngine engine) {
        this.engine = engine;
        this.docker = engine.client();
    }

    /**
     * Waits until {@code observe} says Running, then runs postCreateCommand unless this container
     * ran it already, then postStartCommand when {@code started} (the container was started by this
     * pass).
     *
     * @throws ProviderException (permanent) when a command exits non-zero or does not end within 30
     *     minutes, or the workspace fails while waiting; transient when sshd does not answer within
     *     {@value #SSH_WAIT_SECONDS} s
     */
    void run(
            String containerId,
            DevcontainerConfig config,
            boolean started,
            Supplier<Observation> observe,
            ProviderListener listener) {
        awaitSsh(observe);
        if (config.postCreateCommand().isPresent() && !done(containerId)) {
            run(
                    containerId,
                    config,
                    "post-create",
                    "postCreateCommand",
                    config.postCreateCommand().get(),
                    listener);
            exec(
                    containerId,
                    "0",
                    List.of("/bin/sh", "-c", "mkdir -p /var/lib/hangar && touch " + MARKER),
                    List.of(),
                    "/",
                    "mark postCreateCommand done",
                    ProviderListener.NONE,
                    "");
        }
        if (started && config.postStartCommand().isPresent())
            run(
                    containerId,
                    config,
                    "post-start",
                    "postStartCommand",
                    config.postStartCommand().get(),
                    listener);
    }

    /**
     * Waits (at most {@value #SSH_WAIT_SECONDS} s) until {@code observe} says Running (the entrypoint is done: HOME
     * exists, sshd answers).
     *
     * @throws ProviderException transient when sshd does not answer in time; permanent when it
     *     answers with another host key or the container failed
     */
    private static void awaitSsh(Supplier<Observation> observe) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SSH_WAIT_SECONDS);
        while (true) {
            Observation o = observe.get();
            if (o instanceof Observation.Running) return;
            if (o instanceof Observation.Failed f) throw new ProviderException(f.reason(), true);
            if (System.nanoTime() > deadline)
                throw new ProviderException(
                        "sshd did not answer within " + SSH_WAIT_SECONDS + " s; the devcontainer's lifecycle commands"
                                + " wait for it (" + o + ")",
                        false);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderException("interrupted while waiting for sshd", false, e);
            }
        }
    }

    private boolean done(String containerId) {
        return exec(
                                containerId,
                                "0",
                                List.of("test", "-e", MARKER),
                                List.of(),
                                "/",
                                "check " + MARKER,
                                ProviderListener.NONE,
                                "")
                        .exitCode()
                == 0;
    }

    private void run(
            String containerId,
            DevcontainerConfig config,
            String event,
            String key,
            LifecycleCommand command,
            ProviderListener listener) {
        List<String> env = new ArrayList<>();
        config.remoteEnv().forEach((k, v) -> env.add(k + "=" + v));
        String user = config.remoteUser().orElse("");
        for (Map.Entry<String, List<String>> step : command.steps().entrySet()) {
            String name = step.getKey().isEmpty() ? key : key + "." + step.getKey();
            listener.event(event, "running " + name + ": " + String.join(" ", step.getValue()));
            Result r = exec(containerId, user, step.getValue(), env, config.workspaceFolder(), name, listener, event);
            if (r.exitCode() != 0)
                throw new ProviderException(
                        name + " failed (exit " + r.exitCode() + "): " + String.join(" | ", r.tail()), true);
            listener.event(event, name + " done");
        }
    }

    record Result(long exitCode, List<String> tail) {}

    private Result exec(
            String containerId,
            String user,
            List<String> argv,
            List<String> env,
            String workDir,
            String what,
            ProviderListener listener,
            String eventType) {
        Deque<String> tail = new ArrayDeque<>();
        int[] events = {0};
        StringBuilder partial = new StringBuilder();
        try {
            var create = docker.execCreateCmd(containerId)
                    .withCmd(argv.toArray(String[]::new))
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withWorkingDir(workDir);
            if (!user.isEmpty()) create.withUser(user);
            if (!env.isEmpty()) create.withEnv(env);
            String execId = create.exec().getId();
            boolean finished = docker.execStartCmd(execId)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            synchronized (partial) {
                                partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                                int nl;
                                while ((nl = partial.indexOf("\n")) >= 0) {
                                    String line = partial.substring(0, nl).stripTrailing();
                                    partial.delete(0, nl + 1);
                                    tail.addLast(line);
                                    if (tail.size() > TAIL) tail.removeFirst();
                                    if (!line.isBlank() && events[0]++ < MAX_EVENTS) listener.event(eventType, line);
                                }
                            }
                        }
                    })
                    .awaitCompletion(30, TimeUnit.MINUTES);
            if (!finished) throw new ProviderException(what + " did not end within 30 minutes", true);
            Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
            synchronized (partial) {
                if (!partial.isEmpty()) tail.addLast(partial.toString().strip());
                return new Result(code == null ? -1 : code, List.copyOf(tail));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(what + " interrupted", false, e);
        } catch (RuntimeException e) {
            throw engine.translate(what, e);
        }
    }
}
