/**
 * Test fixtures: {@link dev.hangar.testing.TestControlPlane} (the real server in-process on an
 * ephemeral loopback port with a temporary SQLite database), the scriptable {@link
 * dev.hangar.testing.FakeProvider} (never registered through {@code META-INF/services}) and {@link
 * dev.hangar.testing.TestHttp}.
 */
package dev.hangar.testing;
