/**
 * Machines Hangar does not run but prepares, for the people of issue 13's seeds: Raspberry Pi boards
 * booted from SD cards with cloud-init ({@link dev.hangar.boards.BoardSeed} renders {@code user-data},
 * {@code meta-data} and {@code network-config}; {@link dev.hangar.boards.BootPartitionWriter} writes
 * them into the FAT boot partition of a raw SD-card image, MBR or GPT, without root or loop mounts;
 * {@link dev.hangar.boards.BoardInventory} gives their Ansible inventory), and unattended Ubuntu
 * installs ({@link dev.hangar.boards.AutoinstallUserData}). Renderers are pure; only the writer does
 * I/O. Invalid input is refused with {@link java.lang.IllegalArgumentException}s whose messages say
 * what to fix ({@link dev.hangar.boards.Inputs}).
 */
package dev.hangar.boards;
