package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.usbip.UsbipMessage.DevlistReply;
import dev.hangar.usbip.UsbipMessage.DevlistRequest;
import dev.hangar.usbip.UsbipMessage.ImportAccepted;
import dev.hangar.usbip.UsbipMessage.ImportRefused;
import dev.hangar.usbip.UsbipMessage.ImportRequest;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsbipCodecTest {

    @Test
    void encodesDevlistRequestExactlyAsDocumented() {
        assertThat(UsbipCodec.encode(new DevlistRequest())).isEqualTo(SpecMessages.DEVLIST_REQUEST);
    }

    @Test
    void encodesImportRequestExactlyAsDocumented() {
        assertThat(UsbipCodec.encode(new ImportRequest(new BusId("1-3")))).isEqualTo(SpecMessages.importRequest13());
    }

    @Test
    void decodesEmptyDevlistReply() {
        assertThat(UsbipCodec.decodeDevlistReply(SpecMessages.EMPTY_DEVLIST_REPLY)
                        .devices())
                .isEmpty();
    }

    @Test
    void decodesDevlistReplyWithTwoDevicesAndTheirInterfaces() {
        List<UsbDevice> devices = UsbipCodec.decodeDevlistReply(SpecMessages.twoDeviceDevlistReply())
                .devices();

        assertThat(devices).containsExactly(SpecMessages.stlink(), SpecMessages.arduino());
        UsbDevice arduino = devices.get(1);
        assertThat(arduino.busId()).isEqualTo("1-1.2");
        assertThat(arduino.vidPid()).hasToString("2341:0043");
        assertThat(arduino.usbSpeed()).isEqualTo(UsbSpeed.FULL);
        assertThat(arduino.numInterfaces()).isEqualTo(2);
        assertThat(arduino.interfaces())
                .containsExactly(new UsbInterface(0x02, 0x02, 0x01), new UsbInterface(0x0a, 0x00, 0x00));
        assertThat(devices.get(0).effectiveClass())
                .as("class 0 defers to the interface")
                .isEqualTo(0xff);
    }

    @Test
    void encodesDevlistReplyToTheHandAssembledBytes() {
        byte[] encoded = UsbipCodec.encode(new DevlistReply(List.of(SpecMessages.stlink(), SpecMessages.arduino())));
        assertThat(encoded).isEqualTo(SpecMessages.twoDeviceDevlistReply());
        assertThat(UsbipCodec.encode(new DevlistReply(List.of()))).isEqualTo(SpecMessages.EMPTY_DEVLIST_REPLY);
    }

    @Test
    void importReplyRoundTripsInBothDirections() {
        UsbDevice noInterfaces = new UsbDevice(
                SpecMessages.STLINK_PATH, "1-3", 1, 4, 2, 0x0483, 0x3748, 0x0100, 0, 0, 0, 1, 1, 1, List.of());

        assertThat(UsbipCodec.decodeImportReply(SpecMessages.importReplyStlink()))
                .isEqualTo(new ImportAccepted(noInterfaces));
        assertThat(UsbipCodec.encode(new ImportAccepted(noInterfaces))).isEqualTo(SpecMessages.importReplyStlink());
    }

    @Test
    void importRefusalIsHeaderOnly() {
        byte[] busy = WireBytes.of("0111 0003 00000002");

        assertThat(UsbipCodec.decodeImportReply(busy)).isEqualTo(new ImportRefused(UsbipProtocol.ST_DEV_BUSY));
        assertThat(UsbipCodec.encode(new ImportRefused(2))).isEqualTo(busy);
        assertThat(UsbipProtocol.statusText(2)).isEqualTo("2 (ST_DEV_BUSY: device busy, already exported)");
    }

    @Test
    void decodesRequestsAsAServerWould() {
        assertThat(UsbipCodec.decodeRequest(SpecMessages.DEVLIST_REQUEST)).isEqualTo(new DevlistRequest());
        assertThat(UsbipCodec.decodeRequest(SpecMessages.importRequest13()))
                .isEqualTo(new ImportRequest(new BusId("1-3")));
    }

    @Test
    void streamDecoderReadsOneMessageAndLeavesTheRest() throws Exception {
        byte[] reply = SpecMessages.twoDeviceDevlistReply();
        byte[] withExtra = Arrays.copyOf(reply, reply.length + 3);
        ByteArrayInputStream in = new ByteArrayInputStream(withExtra);

        assertThat(UsbipCodec.readDevlistReply(in).devices()).hasSize(2);
        assertThat(in.available()).isEqualTo(3);
    }

    // --- malformed input ---------------------------------------------------------------------------

    @ParameterizedTest(name = "cut at {0} bytes")
    @CsvSource(
            delimiter = ';',
            value = {
                "0; version",
                "3; code",
                "7; status",
                "10; number of exported devices",
                "12; path of device #1",
                "290; busid of device #1",
                "300; busnum of device #1",
                "320; bDeviceProtocol of device #1",
                "323; bNumInterfaces of device #1",
                "325; bInterfaceSubClass of interface #1 of device #1",
                "330; path of device #2",
                "644; bInterfaceClass of interface #2 of device #2",
                "647; padding of interface #2 of device #2"
            })
    void truncatedDevlistReplyNamesTheFieldThatIsMissing(int cut, String field) {
        byte[] truncated = Arrays.copyOf(SpecMessages.twoDeviceDevlistReply(), cut);

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(truncated))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessageStartingWith("truncated OP_REP_DEVLIST: the data ended after " + cut + " bytes")
                .hasMessageContaining("while reading " + field);
    }

    @Test
    void rejectsOtherProtocolVersion() {
        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(WireBytes.of("0106 0005 00000000 00000000")))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessageStartingWith(
                        "unsupported USB/IP version 0x0106 in OP_REP_DEVLIST; this client speaks 0x0111");
    }

    @Test
    void rejectsUnexpectedCode() {
        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(SpecMessages.importReplyStlink()))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessage("expected 0x0005 (OP_REP_DEVLIST) but got code 0x0003 (OP_REP_IMPORT)");
    }

    @Test
    void rejectsDevlistReplyWithFailureStatus() {
        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(WireBytes.of("0111 0005 00000001")))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessage("usbipd answered OP_REQ_DEVLIST with status 1 (ST_NA: request failed)");
    }

    @Test
    void rejectsAbsurdDeviceCountBeforeReadingOn() {
        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(WireBytes.of("0111 0005 00000000 ffffffff")))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessageContaining("announces 4294967295 exported devices")
                .hasMessageContaining("more than 1024 is not plausible");
        // 1025 is just above the bound
        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(WireBytes.of("0111 0005 00000000 00000401")))
                .hasMessageContaining("announces 1025 exported devices");
    }

    @Test
    void rejectsDeviceCountLargerThanTheDevicesSent() {
        byte[] reply = SpecMessages.twoDeviceDevlistReply();
        reply[11] = 3; // claims three devices, carries two

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(reply))
                .hasMessageContaining("truncated OP_REP_DEVLIST")
                .hasMessageContaining("path of device #3");
    }

    @Test
    void rejectsBusIdWithoutTerminator() {
        byte[] reply = SpecMessages.twoDeviceDevlistReply();
        Arrays.fill(reply, 0x10C, 0x10C + 32, (byte) '1');

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(reply))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessage(
                        "OP_REP_DEVLIST: busid of device #1 (32 bytes at offset 268) is not terminated by a zero byte");
    }

    @Test
    void rejectsControlCharactersInStrings() {
        byte[] reply = SpecMessages.twoDeviceDevlistReply();
        reply[0x10C + 1] = 0x1b; // "1<ESC>3"

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(reply))
                .hasMessage(
                        "OP_REP_DEVLIST: busid of device #1 contains byte 0x1b at offset 269; expected printable ASCII");
    }

    @Test
    void rejectsEmptyBusId() {
        byte[] reply = SpecMessages.twoDeviceDevlistReply();
        Arrays.fill(reply, 0x10C, 0x10C + 32, (byte) 0);

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(reply))
                .hasMessage("OP_REP_DEVLIST: busid of device #1 (offset 268) is empty");
    }

    @Test
    void rejectsImplausibleBusNumber() {
        byte[] reply = SpecMessages.twoDeviceDevlistReply();
        reply[0x12C] = (byte) 0x80;

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(reply))
                .hasMessage("OP_REP_DEVLIST: busnum of device #1 at offset 300 is 2147483649, which is not plausible");
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] reply = Arrays.copyOf(SpecMessages.EMPTY_DEVLIST_REPLY, 14);

        assertThatThrownBy(() -> UsbipCodec.decodeDevlistReply(reply))
                .hasMessage("OP_REP_DEVLIST: 2 unexpected bytes after the end of the message (offset 12 of 14)");
        assertThatThrownBy(() -> UsbipCodec.decodeImportReply(WireBytes.of("0111 0003 00000001 00")))
                .hasMessageContaining("1 unexpected bytes after the end of the message");
    }

    @Test
    void rejectsMalformedRequests() {
        assertThatThrownBy(() -> UsbipCodec.decodeRequest(WireBytes.of("0111 8005 00000007")))
                .hasMessage("request 0x8005 (OP_REQ_DEVLIST): status must be 0 in a request, got 7");
        assertThatThrownBy(() -> UsbipCodec.decodeRequest(WireBytes.of("0111 0005 00000000")))
                .hasMessage(
                        "expected a request (OP_REQ_DEVLIST or OP_REQ_IMPORT) but got code 0x0005 (OP_REP_DEVLIST)");
        byte[] badBusId = new WireBytes()
                .hex("0111 8003 00000000")
                .asciiz("1-3;reboot", 32)
                .bytes();
        assertThatThrownBy(() -> UsbipCodec.decodeRequest(badBusId))
                .isInstanceOf(UsbipProtocolException.class)
                .hasMessageStartingWith("OP_REQ_IMPORT: invalid USB bus id '1-3;reboot'");
    }

    @Test
    void encoderRefusesStringsThatDoNotFitTheirField() {
        UsbDevice longPath = new UsbDevice("/" + "x".repeat(255), "1-3", 1, 2, 2, 1, 2, 3, 0, 0, 0, 1, 1, 0, List.of());
        assertThatThrownBy(() -> UsbipCodec.encode(new ImportAccepted(longPath)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path is 256 bytes; the field holds at most 255 plus the terminating zero");
    }

    @Test
    void deviceRecordValidatesItsInvariants() {
        assertThatThrownBy(() -> new UsbDevice("p", "1-3", 1, 2, 2, 0x10000, 2, 3, 0, 0, 0, 1, 1, 0, List.of()))
                .hasMessage("idVendor must be 0..65535 (two unsigned bytes), got 65536");
        assertThatThrownBy(() -> new UsbDevice(
                        "p", "1-3", 1, 2, 2, 1, 2, 3, 0, 0, 0, 1, 1, 2, List.of(new UsbInterface(1, 1, 1))))
                .hasMessage("bNumInterfaces is 2 but 1 interfaces were given; give all of them or none");
        assertThatThrownBy(() -> new DevlistReply(
                        List.of(new UsbDevice("p", "1-3", 1, 2, 2, 1, 2, 3, 0, 0, 0, 1, 1, 1, List.of()))))
                .hasMessageContaining("must list all its interfaces in OP_REP_DEVLIST");
    }
}
