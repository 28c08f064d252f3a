/**
 * Test support shared by the modules' tests: {@link dev.hangar.testfixtures.UsbipdInNetns}, {@link
 * dev.hangar.testfixtures.OpenSshd}, {@link dev.hangar.testfixtures.GuestSsh}, {@link
 * dev.hangar.testfixtures.SeededCases}, {@link dev.hangar.testfixtures.LeftoverQemuSweep}, {@link
 * dev.hangar.testfixtures.ContainerEngineInNetns} and {@link dev.hangar.testfixtures.LocalRegistry}.
 *
 * <p>Depends on the JDK, JUnit's API, Awaitility and commons-compress (tar) only (no Hangar module), so every module can use
 * it in test scope without a cycle. Nothing here is shipped.
 */
package dev.hangar.testfixtures;
