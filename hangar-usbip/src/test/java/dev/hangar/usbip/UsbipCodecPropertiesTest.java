package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.testfixtures.Generators;
import dev.hangar.testfixtures.SeededCases;
import dev.hangar.usbip.UsbipMessage.DevlistReply;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Properties of the codec over generated devices: exact round trips and no silent acceptance of cut
 * data. Seeded cases ({@link SeededCases}: the seed is in a failure's message, {@code
 * -Dhangar.test.seed=...} replays it); the extreme field values are checked as explicit edge cases.
 */
class UsbipCodecPropertiesTest {

    @TestFactory
    Stream<DynamicTest> devlistReplyRoundTrips() {
        return SeededCases.of("a devlist reply round-trips", 200, edgeReplies(), UsbipCodecPropertiesTest::reply, r -> {
            byte[] wire = UsbipCodec.encode(r);

            int expectedLength = 12;
            for (UsbDevice d : r.devices()) {
                expectedLength += 312 + 4 * d.numInterfaces();
            }
            assertThat(wire).hasSize(expectedLength);
            assertThat(UsbipCodec.decodeDevlistReply(wire)).isEqualTo(r);
        });
    }

    /** A reply with the byte count after which it is cut (always at least one byte short). */
    record Truncation(DevlistReply reply, int cut) {}

    @TestFactory
    Stream<DynamicTest> everyTruncationIsReported() {
        List<Truncation> edges = edgeReplies().stream()
                .flatMap(r -> {
                    int length = UsbipCodec.encode(r).length;
                    return Stream.of(
                            new Truncation(r, 0), new Truncation(r, length - 1), new Truncation(r, length / 2));
                })
                .toList();
        return SeededCases.of(
                "every truncation is reported",
                200,
                edges,
                random -> {
                    DevlistReply r = reply(random);
                    return new Truncation(r, random.nextInt(UsbipCodec.encode(r).length)); // 0 .. length-1
                },
                t -> {
                    byte[] wire = UsbipCodec.encode(t.reply());
                    assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(Arrays.copyOf(wire, t.cut())))
                            .isInstanceOf(UsbipProtocolException.class)
                            .hasMessageStartingWith(
                                    "truncated OP_REP_DEVLIST: the data ended after " + t.cut() + " bytes");
                });
    }

    /** Empty, the smallest and the largest field values, the longest strings and the most interfaces. */
    private static List<DevlistReply> edgeReplies() {
        UsbDevice min = new UsbDevice("", " ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
        UsbDevice max = device(
                "~".repeat(255),
                "~".repeat(31),
                Integer.MAX_VALUE,
                0xff,
                java.util.Collections.nCopies(32, new UsbInterface(0xff, 0xff, 0xff)));
        return List.of(
                new DevlistReply(List.of()),
                new DevlistReply(List.of(min)),
                new DevlistReply(List.of(max, min, max, min)));
    }

    private static DevlistReply reply(SplittableRandom r) {
        return new DevlistReply(Generators.listOf(r, 4, UsbipCodecPropertiesTest::device));
    }

    private static UsbDevice device(SplittableRandom r) {
        List<UsbInterface> ifs = Generators.listOf(
                r, 32, x -> new UsbInterface(x.nextInt(0, 0x100), x.nextInt(0, 0x100), x.nextInt(0, 0x100)));
        return new UsbDevice(
                Generators.string(r, ' ', '~', 0, 255),
                Generators.string(r, ' ', '~', 1, 31),
                r.nextInt(0, Integer.MAX_VALUE),
                r.nextInt(0, Integer.MAX_VALUE),
                r.nextInt(0, Integer.MAX_VALUE),
                r.nextInt(0, 0x10000),
                r.nextInt(0, 0x10000),
                r.nextInt(0, 0x10000),
                r.nextInt(0, 0x100),
                r.nextInt(0, 0x100),
                r.nextInt(0, 0x100),
                r.nextInt(0, 0x100),
                r.nextInt(0, 0x100),
                ifs.size(),
                ifs);
    }

    private static UsbDevice device(String path, String busId, int u31, int u8, List<UsbInterface> ifs) {
        return new UsbDevice(path, busId, u31, u31, u31, 0xffff, 0xffff, 0xffff, u8, u8, u8, u8, u8, ifs.size(), ifs);
    }
}
