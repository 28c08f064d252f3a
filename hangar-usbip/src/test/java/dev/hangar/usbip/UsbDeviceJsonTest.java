package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The JSON shape `hangar usb list -o json` gets from Jackson's record support, pinned for scripts. */
class UsbDeviceJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void serialisesTheRecordComponentsOnly() throws Exception {
        String json = mapper.writeValueAsString(SpecMessages.arduino());

        assertThat(json)
                .isEqualTo("{\"path\":\"" + SpecMessages.ARDUINO_PATH + "\",\"busId\":\"1-1.2\",\"busNum\":1,"
                        + "\"devNum\":7,\"speed\":2,\"vendorId\":9025,\"productId\":67,\"bcdDevice\":1,"
                        + "\"deviceClass\":2,\"deviceSubClass\":0,\"deviceProtocol\":0,\"configurationValue\":1,"
                        + "\"numConfigurations\":1,\"numInterfaces\":2,\"interfaces\":["
                        + "{\"interfaceClass\":2,\"interfaceSubClass\":2,\"interfaceProtocol\":1},"
                        + "{\"interfaceClass\":10,\"interfaceSubClass\":0,\"interfaceProtocol\":0}]}");
        assertThat(mapper.readValue(json, UsbDevice.class)).isEqualTo(SpecMessages.arduino());
    }
}
