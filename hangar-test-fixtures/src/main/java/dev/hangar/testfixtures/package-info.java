/**
 * Test support shared by the modules' tests: {@link dev.hangar.testfixtures.UsbipdInNetns}, {@link
 * dev.hangar.testfixtures.OpenSshd}, {@link dev.hangar.testfixtures.GuestSsh}, {@link
 * dev.hangar.testfixtures.SeededCases} and {@link dev.hangar.testfixtures.LeftoverQemuSweep}.
 *
 * <p>Depends on the JDK, JUnit's API and Awaitility only (no Hangar module), so every module can use
 * it in test scope without a cycle. Nothing here is shipped.
 */
package dev.hangar.testfixtures;
