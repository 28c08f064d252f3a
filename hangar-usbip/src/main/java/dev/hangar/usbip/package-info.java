/**
 * USB/IP for Hangar: forwarding a USB device from the developer's PC into a workspace.
 *
 * <p>The wire protocol is implemented from the Linux kernel's {@code
 * Documentation/usb/usbip_protocol.rst} (protocol version {@code 0x0111}, all fields big-endian):
 * {@link dev.hangar.usbip.UsbipCodec} encodes and strictly decodes {@code OP_REQ_DEVLIST}/{@code
 * OP_REP_DEVLIST} and {@code OP_REQ_IMPORT}/{@code OP_REP_IMPORT}; {@link dev.hangar.usbip.UsbipClient}
 * asks a running {@code usbipd} (Linux usbip-utils or usbipd-win) for its exportable devices.
 *
 * <p>Everything that touches a workspace is expressed as pure command builders ({@link
 * dev.hangar.usbip.UsbipCommands}, {@link dev.hangar.usbip.RemoteForward}) so that the SSH tunnel code
 * can run them without this package knowing about SSH. USB/IP has no authentication and no
 * encryption, therefore the only forward this package can describe binds to {@code 127.0.0.1} inside
 * the workspace and travels inside SSH.
 *
 * <p>Policy ({@link dev.hangar.usbip.VidPidAllowList}) and display names ({@link
 * dev.hangar.usbip.UsbIds}, from the optional {@code usb.ids} database) complete the package.
 */
package dev.hangar.usbip;
