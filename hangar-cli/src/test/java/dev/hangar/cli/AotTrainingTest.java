package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache's training workload stays valid as the CLI changes (every line parses) and stays
 * read-only (bin/hangar runs it in the background with the user's configuration).
 */
class AotTrainingTest {
    @TempDir
    Path home;

    @Test
    void everyLineParsesAndAnUnreachableServerIsOnlyTheErrorPath() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        List<Integer> codes = AotTraining.run(
                Map.of(
                        "HANGAR_HOME",
                        home.toString(),
                        "HANGAR_URL",
                        "http://127.0.0.1:" + closed,
                        "HANGAR_TOKEN",
                        "hgr_training"),
                home);

        assertThat(codes).hasSameSizeAs(AotTraining.WORKLOAD).doesNotContain(ExitCodes.USAGE);
        for (int i = 0; i < codes.size(); i++) {
            List<String> line = AotTraining.WORKLOAD.get(i);
            boolean help = line.contains("--help") || line.contains("-V");
            assertThat(codes.get(i)).as("exit code of %s", line).isEqualTo(help ? ExitCodes.OK : ExitCodes.UNREACHABLE);
        }
    }

    @Test
    void theWorkloadOnlyReads() {
        Set<String> readOnly = Set.of("list", "template list", "show");
        for (List<String> line : AotTraining.WORKLOAD) {
            if (line.contains("--help") || line.equals(List.of("-V"))) continue;
            String command = line.get(0).equals("template") ? "template " + line.get(1) : line.get(0);
            assertThat(readOnly).as("training line %s", line).contains(command);
        }
    }
}
