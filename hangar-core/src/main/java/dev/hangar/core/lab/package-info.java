/**
 * Labs (issue #13): a named set of workspaces created together from one {@link
 * dev.hangar.core.lab.LabSpec}, each member created through {@link
 * dev.hangar.core.service.WorkspaceService#create} so quotas, templates and events apply as for any
 * workspace. {@link dev.hangar.core.lab.LabService} is the use cases, {@link
 * dev.hangar.core.lab.LabStatus} the aggregation of the members, {@link
 * dev.hangar.core.lab.LabInventory} the Ansible inventory and {@link
 * dev.hangar.core.lab.LabAddresses} the carving of {@code labs.subnet} into one /24 per lab.
 */
package dev.hangar.core.lab;
