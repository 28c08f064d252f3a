package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Objects;

/**
 * The desired objects of one workspace, as built by {@link WorkspaceManifests}. The model objects
 * are mutable fabric8 types: callers must not change them; {@link #ownedBy} and {@link
 * #withReplicas} return copies.
 *
 * @param statefulSet the StatefulSet (the owner of the others once it exists)
 * @param sshSecret the Secret with the host key and authorized_keys
 * @param homeClaim the home volume claim
 * @param service the ClusterIP Service on port 22
 * @param userSecrets the Secret with the owner's Hangar secrets ({@link UserSecretManifests}),
 *     projected read-only at /var/secrets
 */
public record WorkspaceObjects(
        StatefulSet statefulSet,
        Secret sshSecret,
        PersistentVolumeClaim homeClaim,
        Service service,
        Secret userSecrets) {

    public WorkspaceObjects {
        Objects.requireNonNull(statefulSet, "statefulSet");
        Objects.requireNonNull(sshSecret, "sshSecret");
        Objects.requireNonNull(homeClaim, "homeClaim");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(userSecrets, "userSecrets");
    }

    /** @return the Secrets, claim and Service: the objects the StatefulSet owns */
    public List<HasMetadata> dependents() {
        return List.of(sshSecret, homeClaim, service, userSecrets);
    }

    /** @return every object, the StatefulSet first */
    public List<HasMetadata> all() {
        return List.of(statefulSet, sshSecret, homeClaim, service, userSecrets);
    }

    /**
     * @return copies of the dependents carrying an owner reference to {@code owner} (a live
     *     StatefulSet with a uid), so the garbage collector removes them with it
     */
    public WorkspaceObjects ownedBy(StatefulSet owner) {
        OwnerReference ref = new OwnerReferenceBuilder()
                .withApiVersion("apps/v1")
                .withKind("StatefulSet")
                .withName(owner.getMetadata().getName())
                .withUid(Objects.requireNonNull(owner.getMetadata().getUid(), "owner uid"))
                .build();
        return new WorkspaceObjects(
                statefulSet,
                new SecretBuilder(sshSecret)
                        .editMetadata()
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .build(),
                new PersistentVolumeClaimBuilder(homeClaim)
                        .editMetadata()
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .build(),
                new ServiceBuilder(service)
                        .editMetadata()
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .build(),
                new SecretBuilder(userSecrets)
                        .editMetadata()
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .build());
    }

    /**
     * Keeps an existing claim's immutable choices. A claim's access modes, volume mode and storage
     * class cannot change after creation (the API server answers 422), and a volume cannot shrink,
     * so for an existing claim the desired one takes those from {@code live} and asks for the larger
     * of the two sizes (growing needs a StorageClass with {@code allowVolumeExpansion}).
     *
     * @param live the claim as the API server returned it
     * @return a copy whose claim is safe to apply over {@code live}
     */
    public WorkspaceObjects withExistingClaim(PersistentVolumeClaim live) {
        if (live.getSpec() == null) return this;
        Quantity want = homeClaim.getSpec().getResources().getRequests().get("storage");
        Quantity have = live.getSpec().getResources() == null
                ? null
                : live.getSpec().getResources().getRequests().get("storage");
        Quantity size =
                have != null && have.getNumericalAmount().compareTo(want.getNumericalAmount()) > 0 ? have : want;
        return new WorkspaceObjects(
                statefulSet,
                sshSecret,
                new PersistentVolumeClaimBuilder(homeClaim)
                        .editSpec()
                        .withAccessModes(live.getSpec().getAccessModes())
                        .withVolumeMode(live.getSpec().getVolumeMode())
                        .withStorageClassName(live.getSpec().getStorageClassName())
                        .editResources()
                        .addToRequests("storage", size)
                        .endResources()
                        .endSpec()
                        .build(),
                service,
                userSecrets);
    }

    /** @return a copy whose StatefulSet asks for {@code replicas} pods (0 or 1) */
    public WorkspaceObjects withReplicas(int replicas) {
        return new WorkspaceObjects(
                new StatefulSetBuilder(statefulSet)
                        .editSpec()
                        .withReplicas(replicas)
                        .endSpec()
                        .build(),
                sshSecret,
                homeClaim,
                service,
                userSecrets);
    }
}
