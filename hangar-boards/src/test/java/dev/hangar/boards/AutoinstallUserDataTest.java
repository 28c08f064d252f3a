package dev.hangar.boards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.nocloud.NoCloudFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outer #cloud-config passes the real cloud-init 22.4's schema check; the {@code autoinstall}
 * section is checked against the fields Ubuntu's "Autoinstall configuration reference" documents
 * for what we write (a table: path, what the reference requires).
 */
class AutoinstallUserDataTest {
    @TempDir
    Path dir;

    /** Subiquity's documented fields for the sections we write, and their types or values. */
    private static final Map<String, Predicate<JsonNode>> SUBIQUITY_FIELDS = Map.ofEntries(
            Map.entry("/version", n -> n.isInt() && n.asInt() == 1),
            Map.entry("/identity/hostname", JsonNode::isTextual),
            Map.entry("/identity/username", JsonNode::isTextual),
            Map.entry("/identity/password", n -> n.isTextual() && n.asText().matches("\\$(6|y|5)\\$.+")),
            Map.entry("/ssh/install-server", JsonNode::isBoolean),
            Map.entry(
                    "/ssh/authorized-keys",
                    n -> n.isArray() && n.size() > 0 && n.get(0).isTextual()),
            Map.entry("/ssh/allow-pw", JsonNode::isBoolean),
            Map.entry("/storage/layout/name", n -> List.of("lvm", "direct").contains(n.asText())),
            Map.entry("/packages", n -> n.isArray() && allText(n)),
            Map.entry("/late-commands", n -> n.isArray() && allText(n)));

    private static boolean allText(JsonNode array) {
        for (JsonNode e : array) if (!e.isTextual()) return false;
        return true;
    }

    @Test
    void fullInstallMatchesSubiquityFieldsAndPassesTheSchema() throws Exception {
        String key = Files.readString(CloudInitTools.newPublicKey(dir, "install-key"))
                .strip();
        Autoinstall install = new Autoinstall(
                "maibrosvm00",
                "ansible",
                PasswordHashes.unguessable(),
                List.of(key),
                Autoinstall.StorageLayout.direct,
                List.of("qemu-guest-agent", "usbip"),
                List.of("curtin in-target -- systemctl enable qemu-guest-agent", "echo done > /target/root/done"));

        NoCloudFiles f = AutoinstallUserData.render(install);

        assertThat(f.metaData()).isEmpty();
        assertThat(f.networkConfig()).isEmpty();
        assertThat(f.userData()).startsWith("#cloud-config\nautoinstall:\n");
        CloudInitTools.assertValidCloudConfig(dir, "user-data", f.userData());
        JsonNode doc = CloudInitTools.tree(f.userData());
        assertThat(doc.properties()).extracting(Map.Entry::getKey).containsExactly("autoinstall");
        JsonNode a = doc.get("autoinstall");
        List<String> sections = new ArrayList<>();
        a.fieldNames().forEachRemaining(sections::add);
        assertThat(sections).containsExactlyElementsOf(AutoinstallUserData.SECTIONS);
        for (var field : SUBIQUITY_FIELDS.entrySet()) {
            assertThat(field.getValue().test(a.at(field.getKey())))
                    .as("%s = %s", field.getKey(), a.at(field.getKey()))
                    .isTrue();
        }
        assertThat(a.at("/identity/hostname").asText()).isEqualTo("maibrosvm00");
        assertThat(a.at("/ssh/install-server").asBoolean()).isTrue();
        assertThat(a.at("/ssh/allow-pw").asBoolean(true)).isFalse();
        assertThat(a.at("/ssh/authorized-keys/0").asText()).isEqualTo(key);
        assertThat(a.at("/storage/layout/name").asText()).isEqualTo("direct");
        assertThat(a.at("/late-commands/1").asText()).isEqualTo("echo done > /target/root/done");
    }

    @Test
    void minimalInstallLeavesOutEmptySectionsAndDefaultsToLvm() throws Exception {
        String key = Files.readString(CloudInitTools.newPublicKey(dir, "k")).strip();
        NoCloudFiles f = AutoinstallUserData.render(new Autoinstall(
                "vm", "dev", "$6$saltsalt$hash", List.of(key), Autoinstall.StorageLayout.lvm, List.of(), List.of()));
        CloudInitTools.assertValidCloudConfig(dir, "user-data", f.userData());
        JsonNode a = CloudInitTools.tree(f.userData()).get("autoinstall");
        assertThat(a.has("packages")).isFalse();
        assertThat(a.has("late-commands")).isFalse();
        assertThat(a.at("/storage/layout/name").asText()).isEqualTo("lvm");
        assertThat(a.at("/identity/password").asText()).isEqualTo("$6$saltsalt$hash");
    }

    @Test
    void generatedHashesAreSha512CryptAndNeverRepeat() throws Exception {
        String a = PasswordHashes.unguessable();
        String b = PasswordHashes.unguessable();
        assertThat(a).matches("\\$6\\$[./A-Za-z0-9]{16}\\$[./A-Za-z0-9]{86}");
        assertThat(b).isNotEqualTo(a);
    }
}
