package dev.hangar.provider.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Engine pulls of container images, only from the registries an administrator listed in the
 * docker provider's {@code pull-registries} setting (default none: Hangar then never pulls, as
 * offline hosts need). The registry of a reference is decided as the Docker engine does: its first
 * component when that has a dot or a port or is {@code localhost}, else {@code docker.io}. The pull
 * itself is the engine's ({@code POST /images/create}), under the engine's own registry
 * configuration (mirrors, TLS, credentials). Thread-safe.
 */
final class ImagePulls {
    private static final long PULL_MINUTES = 30;

    private final DockerEngine engine;
    private final Set<String> registries;

    /** @param registries the registries pulls may come from ({@code host} or {@code host:port}), lower case */
    ImagePulls(DockerEngine engine, Set<String> registries) {
        this.engine = engine;
        this.registries = Set.copyOf(registries);
    }

    /** @return the registry of an image reference, as the engine resolves it ({@code docker.io} by default) */
    static String registry(String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0) return "docker.io";
        String first = reference.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                ? first.toLowerCase(Locale.ROOT)
                : "docker.io";
    }

    /** @return whether {@code reference} may be pulled (its registry is listed) */
    boolean allowed(String reference) {
        return registries.contains(registry(reference));
    }

    /**
     * Pulls {@code reference} through the engine. Blocking.
     *
     * @throws ProviderException permanent when its registry is not listed, the engine reports the
     *     pull failed (unknown image, registry unreachable), or it takes longer than 30 minutes;
     *     transient when the engine does not answer
     */
    void pull(String reference, ProviderListener listener) {
        String registry = registry(reference);
        if (!allowed(reference))
            throw new ProviderException(
                    "image " + reference + " is not in the engine at " + engine.socket() + ", and its registry "
                            + registry + " is not in the docker provider's pull-registries setting "
                            + new TreeSet<>(registries) + ": import it (`hangar image import ROOTFS.tar --name "
                            + reference + " --provider docker`), pull it on the server host, or have an"
                            + " administrator add " + registry + " to providers.docker.pull-registries",
                    true);
        int at = reference.indexOf('@');
        int colon = reference.lastIndexOf(':');
        String repository;
        String tag;
        if (at >= 0) {
            repository = reference.substring(0, at);
            tag = reference.substring(at + 1);
        } else if (colon > reference.lastIndexOf('/')) {
            repository = reference.substring(0, colon);
            tag = reference.substring(colon + 1);
        } else {
            repository = reference;
            tag = "latest";
        }
        listener.event(
                "image-pull", "pulling " + reference + " from " + registry + " (engine " + engine.socket() + ")");
        String[] error = {null};
        ResultCallback.Adapter<PullResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PullResponseItem item) {
                if (item.isErrorIndicated())
                    error[0] = item.getErrorDetail() != null
                                    && item.getErrorDetail().getMessage() != null
                            ? item.getErrorDetail().getMessage()
                            : item.getError();
            }
        };
        boolean done;
        try {
            done = engine.client()
                    .pullImageCmd(repository)
                    .withTag(tag)
                    .exec(callback)
                    .awaitCompletion(PULL_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("pull of " + reference + " interrupted", false, e);
        } catch (NotFoundException e) {
            throw new ProviderException(
                    "pull of " + reference + " failed: the registry " + registry + " has no such image ("
                            + e.getMessage().strip() + ")",
                    true,
                    e);
        } catch (RuntimeException e) {
            throw engine.translate("pull of " + reference, e);
        }
        if (!done)
            throw new ProviderException(
                    "pull of " + reference + " took longer than " + PULL_MINUTES + " minutes", true);
        if (error[0] != null)
            throw new ProviderException(
                    "pull of " + reference + " from " + registry + " failed: " + error[0].strip(), true);
        listener.event("image-pull", "pulled " + reference);
    }
}
