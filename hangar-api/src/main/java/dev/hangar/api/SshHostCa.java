package dev.hangar.api;

/**
 * {@code GET /api/v1/ssh/host-ca}: the public key of the control plane's SSH host certificate
 * authority. Every workspace's sshd presents a host certificate signed by it, so a client that
 * trusts it ({@code @cert-authority *.hangar <publicKey>} in known_hosts, sshd(8)) accepts every
 * workspace, also ones created after it last ran {@code hangar config-ssh}.
 *
 * @param publicKey the CA's public key, {@code "ssh-ed25519 <base64>"}
 */
public record SshHostCa(String publicKey) {}
