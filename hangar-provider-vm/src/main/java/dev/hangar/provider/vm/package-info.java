/**
 * What the VM providers share, so that local VMs (qemu) and KubeVirt VMs boot the same OS images
 * with the same first-boot configuration: the OS {@link dev.hangar.provider.vm.ImageCatalog} and
 * the cloud-init {@link dev.hangar.provider.vm.CloudInitUserData} renderer. Pure (no I/O beyond
 * reading a catalog file); it sees only the provider SPI, and no provider sees another through it.
 */
package dev.hangar.provider.vm;
