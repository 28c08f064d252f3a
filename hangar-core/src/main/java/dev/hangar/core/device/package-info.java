/**
 * Host devices for workspaces (issue #19): {@link dev.hangar.core.device.DeviceClaims} hands out the
 * admin-allowed host PCI devices for local VM passthrough so that never more than one workspace
 * holds one, through the store-held {@link dev.hangar.core.device.DeviceClaim}s.
 */
package dev.hangar.core.device;
