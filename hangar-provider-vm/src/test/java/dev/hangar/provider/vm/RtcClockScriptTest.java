package dev.hangar.provider.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.provider.spi.CloudInitConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest side of the clock correction after a resume: the unit is first in bootcmd only when
 * asked, and the script itself, run for real by bash with the RTC moved to a temporary file and
 * {@code date -s} replaced by a line of output, sets the clock only when the RTC is more than a
 * second away. That the RTC reads the host's time after QEMU loads a state is QemuProviderIT's
 * part (the guest's clock after 22 s suspended).
 */
class RtcClockScriptTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void theUnitIsFirstInBootcmdOnlyWhenAsked() throws Exception {
        var spec = CloudInitUserDataTest.spec(new CloudInitConfig(List.of(), List.of(), "bootcmd: [[echo, early]]\n"));
        Map<String, Object> doc = new ObjectMapper(new YAMLFactory())
                .readValue(CloudInitUserData.render(spec, true, true).substring("#cloud-config\n".length()), Map.class);
        List<Object> bootcmd = (List<Object>) doc.get("bootcmd");
        assertThat(bootcmd).first().isEqualTo(CloudInitUserData.RTC_CLOCK_BOOTCMD);
        assertThat(bootcmd).hasSize(3).last().isEqualTo(List.of("echo", "early"));
        // cloud-init.service runs bootcmd before sysinit.target: waiting for a unit ordered after it hangs the boot
        assertThat(CloudInitUserData.RTC_CLOCK_BOOTCMD.get(2)).contains("--no-block", "DefaultDependencies=no");
        assertThat(CloudInitUserData.render(spec, true)).doesNotContain("hangar-rtc-clock");
        assertThat(CloudInitUserData.render(spec)).doesNotContain("hangar-rtc-clock");
    }

    @Test
    void aClockBehindTheRtcIsSetToItsSecondPlusHalf() throws Exception {
        long rtc = Instant.now().getEpochSecond() + 100;
        assertThat(run(rtc)).isEqualTo("@" + rtc + ".5");
    }

    @Test
    void aClockAheadOfTheRtcIsSetBack() throws Exception {
        long rtc = Instant.now().getEpochSecond() - 30;
        assertThat(run(rtc)).isEqualTo("@" + rtc + ".5");
    }

    @Test
    void aClockWithinASecondOfTheRtcIsLeftAlone() throws Exception {
        assertThat(run(Instant.now().getEpochSecond())).isEmpty();
    }

    @Test
    void aGuestWithoutAnRtcInSysfsEndsAtOnce() throws Exception {
        assertThat(exec(CloudInitUserData.RTC_CLOCK_SCRIPT.replace(
                        "/sys/class/rtc/rtc0/since_epoch",
                        tmp.resolve("missing").toString())))
                .isEmpty();
    }

    /** Two rounds of the loop against an RTC file holding {@code rtc}; @return what it would set */
    private String run(long rtc) throws Exception {
        Path since = Files.writeString(tmp.resolve("since_epoch"), rtc + "\n");
        String script = CloudInitUserData.RTC_CLOCK_SCRIPT
                .replace("/sys/class/rtc/rtc0/since_epoch", since.toString())
                .replace("/run/hangar-rtc-clock.", tmp.resolve("fifo.").toString())
                .replace("while :; do", "for round in 1 2; do")
                .replace("date -u -s \"@$r.5\" > /dev/null", "echo \"@$r.5\"; exit 0");
        assertThat(script).contains("for round in 1 2; do").contains("echo \"@$r.5\"");
        return exec(script);
    }

    private static String exec(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script)
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
