package dev.hangar.testing.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.server.AuditActions;
import dev.hangar.testing.TestControlPlane;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every state-changing operation has an audit action (issue #15, item 6): the table in {@link
 * AuditActions} names exactly the POST/PUT/PATCH/DELETE operations of the OpenAPI document and of
 * the running server's router, so a new write route without an action fails here.
 */
class AuditActionsTest {
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern ACTION = Pattern.compile("[a-z]+(-[a-z]+)*\\.[a-z]+(-[a-z]+)*");

    @Test
    void everyDocumentedWriteOperationHasAnAuditAction() throws Exception {
        Set<String> documented = new TreeSet<>();
        try (InputStream in = AuditActions.class.getResourceAsStream("/dev/hangar/api/openapi.yaml")) {
            JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(in).get("paths");
            paths.properties()
                    .forEach(p -> p.getValue().properties().forEach(m -> {
                        String method = m.getKey().toUpperCase(Locale.ROOT);
                        if (WRITES.contains(method)) documented.add(method + " " + p.getKey());
                    }));
        }
        assertThat(documented).hasSizeGreaterThanOrEqualTo(17);
        assertThat(new TreeSet<>(AuditActions.operations().keySet())).isEqualTo(documented);
    }

    @Test
    void everyWriteRouteTheServerRegistersHasAnAuditAction() {
        try (TestControlPlane cp = TestControlPlane.start()) {
            Set<String> registered = new TreeSet<>();
            for (String op : cp.server().routes()) {
                if (WRITES.contains(op.substring(0, op.indexOf(' ')))) registered.add(op);
            }
            assertThat(new TreeSet<>(AuditActions.operations().keySet())).isEqualTo(registered);
        }
    }

    @Test
    void actionsAreStableDottedNamesAndDistinct() {
        assertThat(AuditActions.operations().values())
                .allSatisfy(a -> assertThat(a).matches(ACTION))
                .doesNotHaveDuplicates();
    }
}
