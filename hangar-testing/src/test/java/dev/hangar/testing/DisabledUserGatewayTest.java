package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.core.domain.Role;
import dev.hangar.server.SshGatewayHook;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A disabled user's SSH gateway logins fail at once, and work again when the user is enabled: the
 * gateway asks the store about the key's user on every login (issue #15, item 1). Real MINA client
 * against the server's real gateway on port 0.
 */
class DisabledUserGatewayTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static TestControlPlane cp;
    private static SshClient client;

    @BeforeAll
    static void start() {
        cp = TestControlPlane.builder()
                .gateway(new SshGatewayHook())
                .configure(c -> c.withGateway(Map.of("listen-port", "0")))
                .start();
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.stop();
        cp.close();
    }

    private static boolean login(String user, KeyPair key) throws Exception {
        try (ClientSession s = client.connect(
                        user, "127.0.0.1", cp.server().gateway().port())
                .verify(T)
                .getSession()) {
            s.addPublicKeyIdentity(key);
            try {
                s.auth().verify(T);
                return true;
            } catch (org.apache.sshd.common.SshException e) {
                return false;
            }
        }
    }

    @Test
    void aDisabledUsersKeyIsRefusedAtTheNextLoginAndAcceptedWhenEnabledAgain() throws Exception {
        TestHttp http = cp.http();
        String token = cp.createUser("gw-user", Role.MEMBER).token();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair key = g.generateKeyPair();
        String line = PublicKeyEntry.toString(key.getPublic());
        assertThat(http.post("/api/v1/users/me/keys", token, "{\"key\":\"" + line + "\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(login("gw-user", key)).isTrue();

        assertThat(http.send("PATCH", "/api/v1/users/gw-user", cp.adminToken(), "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(login("gw-user", key)).isFalse();

        assertThat(http.send("PATCH", "/api/v1/users/gw-user", cp.adminToken(), "{\"disabled\":false}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(login("gw-user", key)).isTrue();
    }
}
