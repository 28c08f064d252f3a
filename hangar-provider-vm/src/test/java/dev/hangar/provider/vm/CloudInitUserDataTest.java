package dev.hangar.provider.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudInitUserDataTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String PRIVATE = """
            -----BEGIN OPENSSH PRIVATE KEY-----
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
            QyNTUxOQAAACDxexampleexampleexampleexampleexampleexampleAAAA
            -----END OPENSSH PRIVATE KEY-----
            """;
    private static final SshHostKey HOST_KEY =
            new SshHostKey("ssh-ed25519", PRIVATE, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyHostKey");
    private static final String HOST_CERTIFICATE =
            "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tHostCert";

    static WorkspaceSpec spec(CloudInitConfig cloudInit) {
        return TestKeys.spec(
                "0b7c3c1e-0000-4000-8000-000000000001",
                "dev",
                HOST_KEY,
                HOST_CERTIFICATE,
                List.of("ssh-ed25519 AAAAC3Nza-user-key-1 alice@laptop", "ssh-ed25519 AAAAC3Nza-user-key-2"),
                Resources.DEFAULTS,
                "debian-12",
                cloudInit);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String userData) throws Exception {
        return YAML.readValue(userData, Map.class);
    }

    @Test
    void rendersUserHostnameAndPinnedHostKey() throws Exception {
        String text = CloudInitUserData.render(spec(CloudInitConfig.EMPTY));

        assertThat(text).startsWith("#cloud-config\n");
        Map<String, Object> doc = parse(text);
        assertThat(doc).containsEntry("hostname", "dev").containsEntry("ssh_deletekeys", true);
        assertThat(doc).containsEntry("ssh_genkeytypes", List.of());
        // no ssh_pwauth: cloud-init would restart the running sshd in its config stage; a drop-in
        // written before sshd starts turns passwords off instead
        assertThat(doc).doesNotContainKey("ssh_pwauth");
        assertThat(doc.get("write_files").toString())
                .contains(CloudInitUserData.SSHD_DROP_IN, "PasswordAuthentication no");
        assertThat(doc).doesNotContainKeys("packages", "runcmd");
        @SuppressWarnings("unchecked")
        Map<String, Object> user = ((List<Map<String, Object>>) doc.get("users")).getFirst();
        assertThat(user)
                .containsEntry("name", "alice")
                .containsEntry("sudo", "ALL=(ALL) NOPASSWD:ALL")
                .containsEntry("lock_passwd", true)
                .containsEntry(
                        "ssh_authorized_keys",
                        List.of("ssh-ed25519 AAAAC3Nza-user-key-1 alice@laptop", "ssh-ed25519 AAAAC3Nza-user-key-2"));
        @SuppressWarnings("unchecked")
        Map<String, Object> keys = (Map<String, Object>) doc.get("ssh_keys");
        // The private key must arrive byte for byte, with its line breaks, or sshd cannot load it.
        assertThat(keys).containsEntry("ed25519_private", PRIVATE);
        assertThat(keys).containsEntry("ed25519_public", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyHostKey");
        // cloud-init (cc_ssh) writes it to /etc/ssh/ssh_host_ed25519_key-cert.pub and adds HostCertificate
        assertThat(keys).containsEntry("ed25519_certificate", HOST_CERTIFICATE + "\n");
        assertThat(keys).containsOnlyKeys("ed25519_private", "ed25519_public", "ed25519_certificate");
    }

    @Test
    void addsTemplatePackagesAndCommands() throws Exception {
        Map<String, Object> doc = parse(CloudInitUserData.render(
                spec(new CloudInitConfig(List.of("git", "make"), List.of("echo hi > /tmp/x", "touch /y"), ""))));

        assertThat(doc).containsEntry("packages", List.of("git", "make"));
        assertThat(doc).containsEntry("runcmd", List.of("echo hi > /tmp/x", "touch /y"));
    }

    @Test
    void extraUserDataIsMergedOverTheRenderedDocument() throws Exception {
        String extra = """
                ssh_pwauth: true
                runcmd: [ "only this" ]
                ssh_keys:
                  ecdsa_public: ecdsa-sha2-nistp256 AAAA
                write_files:
                  - path: /etc/motd
                    content: hello
                """;
        Map<String, Object> doc =
                parse(CloudInitUserData.render(spec(new CloudInitConfig(List.of(), List.of("dropped"), extra))));

        assertThat(doc).containsEntry("ssh_pwauth", true).containsEntry("runcmd", List.of("only this"));
        @SuppressWarnings("unchecked")
        Map<String, Object> keys = (Map<String, Object>) doc.get("ssh_keys");
        // Mappings merge key by key: the pinned ed25519 key survives next to the added entry.
        assertThat(keys).containsKeys("ed25519_private", "ed25519_public", "ecdsa_public");
        assertThat(doc).containsKey("write_files").containsEntry("hostname", "dev");
        // the extra write_files list replaced Hangar's, but the sshd drop-in is kept in front
        List<Object> paths = ((List<?>) doc.get("write_files"))
                .stream().map(f -> (Object) ((Map<?, ?>) f).get("path")).toList();
        assertThat(paths).containsExactly(CloudInitUserData.SSHD_DROP_IN, "/etc/motd");
    }

    @Test
    void workspaceUserDataMergesAfterTheTemplatesAndWinsOnConflicts() throws Exception {
        String template = """
                timezone: Europe/Berlin
                write_files:
                  - path: /etc/motd
                    content: from the template
                apt:
                  preserve_sources_list: true
                """;
        String workspace = """
                timezone: UTC
                apt:
                  http_proxy: http://proxy:3128
                """;
        Map<String, Object> doc = parse(CloudInitUserData.render(
                spec(new CloudInitConfig(List.of("git"), List.of(), template).withWorkspaceUserData(workspace))));

        // both apply: the template's keys stay, the workspace's are added, and it wins on a conflict
        assertThat(doc)
                .containsEntry("timezone", "UTC")
                .containsKey("write_files")
                .containsEntry("packages", List.of("git"))
                .containsEntry("apt", Map.of("preserve_sources_list", true, "http_proxy", "http://proxy:3128"));
        assertThatThrownBy(() -> CloudInitUserData.render(
                        spec(new CloudInitConfig(List.of(), List.of(), template).withWorkspaceUserData("a: [b"))))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("the workspace's user-data is not valid YAML");
    }

    @Test
    void rejectsExtraUserDataThatIsNotAMapping() {
        assertThatThrownBy(() -> CloudInitUserData.render(spec(new CloudInitConfig(List.of(), List.of(), "- a\n- b"))))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("must be a #cloud-config YAML mapping")
                .matches(e -> ((ProviderException) e).permanent());
        assertThatThrownBy(() -> CloudInitUserData.render(spec(new CloudInitConfig(List.of(), List.of(), "a: [b"))))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void rejectsHostKeyTypesCloudInitCannotInstall() {
        WorkspaceSpec spec = TestKeys.spec(
                "id-1",
                "dev",
                new SshHostKey("ssh-dss", PRIVATE, "ssh-dss AAAA"),
                "ssh-dss-cert-v01@openssh.com AAAA",
                List.of(),
                Resources.DEFAULTS,
                "debian-12",
                CloudInitConfig.EMPTY);
        assertThatThrownBy(() -> CloudInitUserData.render(spec))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("ssh-dss");
    }

    @Test
    void metaDataNamesTheInstanceAndHost() throws Exception {
        Map<String, Object> meta = parse(CloudInitUserData.metaData(spec(CloudInitConfig.EMPTY)));

        assertThat(meta)
                .isEqualTo(Map.of("instance-id", "0b7c3c1e-0000-4000-8000-000000000001", "local-hostname", "dev"));
    }
}
