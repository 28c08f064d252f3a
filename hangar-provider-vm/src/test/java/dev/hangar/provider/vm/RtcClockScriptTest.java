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
 * The guest side of the clock correction after a resume: the unit is written and enabled once, only
 * when asked, systemd's parser accepts it, and the script itself, run for real by bash with the RTC moved to a temporary file and
 * {@code date -s} replaced by a line of output, sets the clock only when the RTC is more than a
 * second away. That the RTC reads the host's time after QEMU loads a state is QemuProviderIT's
 * part (the guest's clock after 22 s suspended).
 */
class RtcClockScriptTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void theUnitIsWrittenOnceAndEnabledByTheFirstRuncmdOnlyWhenAsked() throws Exception {
        var spec = CloudInitUserDataTest.spec(new CloudInitConfig(
                List.of(), List.of(), "bootcmd: [[echo, early]]\nruncmd: [[echo, late]]\nwrite_files: [{path: /x}]\n"));
        Map<String, Object> doc = new ObjectMapper(new YAMLFactory())
                .readValue(CloudInitUserData.render(spec, true, true).substring("#cloud-config\n".length()), Map.class);
        // nothing at every boot through cloud-init (its bootcmd cost 0.17-0.36 s before sshd under TCG)
        assertThat((List<Object>) doc.get("bootcmd")).doesNotContain(CloudInitUserData.RTC_CLOCK_RUNCMD);
        assertThat(doc.get("bootcmd").toString()).doesNotContain("hangar-rtc-clock");
        // the secrets' command stays first, the unit's enable and the user manager's linger next, the
        // template's own after them
        List<Object> runcmd = (List<Object>) doc.get("runcmd");
        assertThat(runcmd).hasSize(4).last().isEqualTo(List.of("echo", "late"));
        assertThat(runcmd.get(1)).isEqualTo(CloudInitUserData.RTC_CLOCK_RUNCMD);
        assertThat(runcmd.get(2)).isEqualTo(List.of("loginctl", "enable-linger", spec.sshUser()));
        // a template's own write_files replaces Hangar's list; the unit's two files are kept
        List<Map<String, Object>> files = (List<Map<String, Object>>) doc.get("write_files");
        assertThat(files)
                .extracting(f -> f.get("path"))
                .contains(CloudInitUserData.RTC_CLOCK_SCRIPT_PATH, CloudInitUserData.RTC_CLOCK_UNIT_PATH, "/x");
        Map<String, Object> script = files.stream()
                .filter(f -> f.get("path").equals(CloudInitUserData.RTC_CLOCK_SCRIPT_PATH))
                .findFirst()
                .orElseThrow();
        assertThat(script.get("permissions")).isEqualTo("0755");
        assertThat((String) script.get("content"))
                .startsWith("#!/bin/bash\n")
                .contains(CloudInitUserData.RTC_CLOCK_SCRIPT);
        assertThat(CloudInitUserData.render(spec, true))
                .doesNotContain("hangar-rtc-clock")
                .doesNotContain("linger");
        assertThat(CloudInitUserData.render(spec))
                .doesNotContain("hangar-rtc-clock")
                .doesNotContain("linger");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDiskOlderThanTheUnitKeepsTheBootcmdItsFirstBootWasGiven() throws Exception {
        // cloud-init will not run write_files or runcmd again for that instance, so the seed keeps
        // starting the transient unit at every boot, first in bootcmd as before, and adds nothing else
        var spec = CloudInitUserDataTest.spec(
                new CloudInitConfig(List.of(), List.of(), "bootcmd: [[echo, early]]\nruncmd: [[echo, late]]\n"));
        String legacy = CloudInitUserData.render(spec, true, CloudInitUserData.Resume.LEGACY_BOOTCMD);
        Map<String, Object> doc =
                new ObjectMapper(new YAMLFactory()).readValue(legacy.substring("#cloud-config\n".length()), Map.class);
        List<Object> bootcmd = (List<Object>) doc.get("bootcmd");
        assertThat(bootcmd).hasSize(3);
        assertThat(bootcmd.get(0)).isEqualTo(CloudInitUserData.RTC_CLOCK_BOOTCMD);
        assertThat(bootcmd.get(1).toString()).contains("hangar-secrets");
        assertThat(bootcmd.get(2)).isEqualTo(List.of("echo", "early"));
        assertThat(legacy).doesNotContain(CloudInitUserData.RTC_CLOCK_UNIT_PATH).doesNotContain("linger");
        assertThat(CloudInitUserData.render(spec, true, CloudInitUserData.Resume.NONE))
                .isEqualTo(CloudInitUserData.render(spec, true, false));
        assertThat(CloudInitUserData.render(spec, true, CloudInitUserData.Resume.UNIT))
                .isEqualTo(CloudInitUserData.render(spec, true, true));
    }

    @Test
    void theUnitIsOneSystemdAcceptsAndNothingWaitsFor() throws Exception {
        // systemd's own parser where there is one (Debian 12's systemd-analyze verify works without
        // systemd as PID 1); the unit's ExecStart must exist for it, so it points at a copy
        Path script = tmp.resolve("rtc-clock");
        Files.writeString(script, "#!/bin/bash\nexit 0\n");
        script.toFile().setExecutable(true);
        Path unit = tmp.resolve("hangar-rtc-clock.service");
        Files.writeString(
                unit,
                CloudInitUserData.RTC_CLOCK_UNIT.replace(
                        "ExecStart=" + CloudInitUserData.RTC_CLOCK_SCRIPT_PATH, "ExecStart=" + script));
        assertThat(CloudInitUserData.RTC_CLOCK_UNIT)
                .contains(
                        "DefaultDependencies=no",
                        "WantedBy=sysinit.target",
                        "ExecStart=" + CloudInitUserData.RTC_CLOCK_SCRIPT_PATH);
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(analyze), "no systemd-analyze on this machine");
        Process p = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContain("hangar-rtc-clock.service:");
        assertThat(p.exitValue()).as(out).isZero();
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
