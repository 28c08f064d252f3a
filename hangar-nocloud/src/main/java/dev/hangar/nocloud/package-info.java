/**
 * cloud-init's NoCloud datasource on disk: the seed files ({@link dev.hangar.nocloud.NoCloudFiles}
 * {@code user-data}, {@code meta-data}, optional {@code network-config}) and the one writer of the
 * CIDATA seed ISO ({@link dev.hangar.nocloud.NoCloudSeed}) that both the qemu provider and the CLI's
 * {@code hangar seed-iso} use. Depends on nothing of Hangar's, so the CLI can ship it without any
 * server or provider code.
 */
package dev.hangar.nocloud;
