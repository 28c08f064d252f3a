/**
 * The {@code qemu} workspace provider: local VMs on one Linux host.
 *
 * <p>Each workspace is a directory under {@code <dataDir>/workspaces/<workspace id>/} holding a
 * qcow2 overlay on a cached base image ({@link dev.hangar.provider.qemu.ImageCache}), a cloud-init
 * NoCloud seed ISO ({@link dev.hangar.nocloud.NoCloudSeed}, shared with {@code hangar seed-iso}), and while the VM runs QEMU's
 * pidfile, a QMP socket and a serial console socket plus its log. QEMU runs detached from the JVM
 * ({@code -daemonize}), so the control plane can restart and find its VMs again from those files.
 * After a reset ({@link dev.hangar.provider.qemu.VmReset}) an {@code instance-id} file holds the
 * cloud-init instance-id of the fresh disk. A lab member has a second NIC on its lab segment
 * ({@link dev.hangar.provider.qemu.LabSegment}, docs/lab-network.md).
 *
 * <p>Pure builders ({@link dev.hangar.provider.vm.CloudInitUserData}, {@link
 * dev.hangar.provider.qemu.QemuCommandLine}, {@link dev.hangar.provider.vm.ImageCatalog}) are
 * kept apart from the code that runs processes, so they are unit-tested without a hypervisor.
 */
package dev.hangar.provider.qemu;
