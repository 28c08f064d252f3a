/**
 * User secrets (issue #15, item 7): validation and limits ({@link dev.hangar.core.secret.SecretService}),
 * encryption at rest with the server's key ({@link dev.hangar.core.secret.SecretCipher}, AES-256-GCM
 * through the JDK's {@code javax.crypto}), and the key file ({@link dev.hangar.core.secret.SecretKeyFile}).
 */
package dev.hangar.core.secret;
