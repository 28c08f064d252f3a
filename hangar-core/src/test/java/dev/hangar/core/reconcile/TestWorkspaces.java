package dev.hangar.core.reconcile;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;

/**
 * The one copy of the reconcile tests' workspace fixture: a spec of the {@link ScriptedProvider}
 * with a real ed25519 host key (the pass has the host CA sign it, so a placeholder key would not
 * parse), and that CA. Generated once per test JVM; immutable values, safe to share.
 */
final class TestWorkspaces {
    /** The host CA every reconcile test's pass signs with. */
    static final HostCertificateAuthority HOST_CA = HostCertificateAuthority.generate();

    private static final SshHostKey HOST_KEY = HostKeys.generateEd25519("reconcile-test");

    private TestWorkspaces() {}

    /** @return the spec of workspace {@code name} owned by alice: 1 CPU, 512 MiB, 1 GiB, image img */
    static Workspace.Spec spec(String name, DesiredState desired) {
        return new Workspace.Spec(
                name,
                "alice",
                "tmpl",
                ScriptedProvider.TYPE,
                new WorkspaceParameters(new Resources(1, 512, 1), "img", ""),
                HOST_KEY,
                desired);
    }
}
