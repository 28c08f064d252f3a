/**
 * The contract between Hangar's control plane and the code that runs workspaces.
 *
 * <p>A provider receives a {@link dev.hangar.provider.spi.WorkspaceSpec} (plain records, no
 * references to the store or the domain) and answers with an {@link
 * dev.hangar.provider.spi.Observation}. Every call is idempotent: the reconciler calls {@code
 * apply}, {@code observe} and {@code delete} again and again until what it observes matches what
 * the user asked for, so a call repeated after a crash, a timeout or a restart of the server must
 * converge to the same result. This is the Kubernetes controller pattern.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader} through {@link
 * dev.hangar.provider.spi.WorkspaceProviderFactory}. This module depends on the JDK only.
 */
package dev.hangar.provider.spi;
