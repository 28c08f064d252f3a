package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.usbip.UsbipMessage.DevlistReply;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the codec over generated devices: exact round trips and no silent acceptance of cut data. */
class UsbipCodecPropertiesTest {

    @Property(tries = 200)
    void devlistReplyRoundTrips(@ForAll("replies") DevlistReply reply) {
        byte[] wire = UsbipCodec.encode(reply);

        int expectedLength = 12;
        for (UsbDevice d : reply.devices()) {
            expectedLength += 312 + 4 * d.numInterfaces();
        }
        assertThat(wire).hasSize(expectedLength);
        assertThat(UsbipCodec.decodeDevlistReply(wire)).isEqualTo(reply);
    }

    @Property(tries = 200)
    void everyTruncationIsReported(@ForAll("replies") DevlistReply reply, @ForAll @IntRange(min = 1) int cutSeed) {
        byte[] wire = UsbipCodec.encode(reply);
        int cut = cutSeed % wire.length; // 0 .. length-1: always at least one byte missing

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(Arrays.copyOf(wire, cut)))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessageStartingWith("truncated OP_REP_DEVLIST: the data ended after " + cut + " bytes");
    }

    @Provide
    Arbitrary<DevlistReply> replies() {
        return devices().list().ofMaxSize(4).map(DevlistReply::new);
    }

    private Arbitrary<UsbDevice> devices() {
        Arbitrary<String> path = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(255);
        Arbitrary<String> busId =
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(31);
        Arbitrary<Integer> u8 = Arbitraries.integers().between(0, 0xff);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<Integer> u31 = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<List<UsbInterface>> interfaces =
                Combinators.combine(u8, u8, u8).as(UsbInterface::new).list().ofMaxSize(32);
        return Combinators.combine(path, busId, u31, u31, u31, u16, u16, u16)
                .as((p, b, busNum, devNum, speed, vid, pid, bcd) ->
                        new Object[] {p, b, busNum, devNum, speed, vid, pid, bcd})
                .flatMap(head -> Combinators.combine(u8, u8, u8, u8, u8, interfaces)
                        .as((cls, sub, proto, cfg, ncfg, ifs) -> new UsbDevice(
                                (String) head[0],
                                (String) head[1],
                                (Integer) head[2],
                                (Integer) head[3],
                                (Integer) head[4],
                                (Integer) head[5],
                                (Integer) head[6],
                                (Integer) head[7],
                                cls,
                                sub,
                                proto,
                                cfg,
                                ncfg,
                                ifs.size(),
                                ifs)));
    }
}
