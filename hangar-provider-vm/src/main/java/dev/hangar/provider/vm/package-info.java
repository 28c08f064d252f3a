/**
 * What the VM providers share, so that local VMs (qemu) and KubeVirt VMs boot the same OS images
 * with the same first-boot configuration: the OS {@link dev.hangar.provider.vm.ImageCatalog} and
 * the cloud-init {@link dev.hangar.provider.vm.CloudInitUserData} renderer, and for lab members the
 * {@link dev.hangar.provider.vm.CloudInitNetworkConfig} (lab NIC by MAC, {@link
 * dev.hangar.provider.vm.LabNic}) and the {@link dev.hangar.provider.vm.EtcHosts} file. Pure (no I/O beyond
 * reading a catalog file); it sees only the provider SPI, and no provider sees another through it.
 */
package dev.hangar.provider.vm;
