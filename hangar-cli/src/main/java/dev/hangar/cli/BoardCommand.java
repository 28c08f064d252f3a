package dev.hangar.cli;

import dev.hangar.boards.Board;
import dev.hangar.boards.BoardInventory;
import dev.hangar.boards.BoardNetwork;
import dev.hangar.boards.BoardSeed;
import dev.hangar.boards.Cidr;
import dev.hangar.boards.Inputs;
import dev.hangar.nocloud.NoCloudFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hangar board user-data|flash|inventory}: Raspberry Pi boards (Raspberry Pi OS with
 * cloud-init, Ubuntu Server for Raspberry Pi) set up by cloud-init from their SD card's boot
 * partition, and their Ansible inventory. No server needed. See docs/boards.md.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "board",
        aliases = "boards",
        description = "Prepare Raspberry Pi boards: cloud-init files, SD-card images, Ansible inventory.",
        subcommands = {BoardCommand.UserData.class, BoardFlashCommand.class, BoardCommand.Inventory.class})
final class BoardCommand {
    /**
     * @return the board {@code index} places after the first of {@code names} (0 = first): its
     *     static address counts up from the first board's
     */
    static Board board(BoardOptions options, List<String> names, int index) {
        String user = options.user();
        List<String> keys = options.authorizedKeys();
        BoardNetwork first = options.network();
        BoardNetwork.Addressing addressing = first.addressing() instanceof BoardNetwork.StaticAddress s
                ? LocalInput.check(() -> s.plus(index))
                : first.addressing();
        return new Board(names.get(index), user, keys, new BoardNetwork(first.link(), addressing));
    }

    /** {@code hangar board user-data --hostname H --user U --key FILE ... [--out DIR]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "user-data",
            description = {
                "Write one board's cloud-init user-data, meta-data and network-config.",
                "Into a directory, as Raspberry Pi OS and Ubuntu Server for Raspberry Pi read them from the",
                "boot partition."
            })
    static final class UserData implements Callable<Integer> {
        private final CliContext ctx;

        @Option(names = "--hostname", required = true, paramLabel = "NAME", description = "The board's host name.")
        String hostname;

        @Mixin
        BoardOptions options;

        @Mixin
        OutDirOption out;

        UserData(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            String name = LocalInput.check(() -> Inputs.hostname("--hostname", hostname));
            NoCloudFiles files = BoardSeed.render(board(options, List.of(name), 0));
            for (Path p : LocalInput.check(() -> SeedDirectory.write(out.dir, files)))
                ctx.out().println("wrote " + p);
            return ExitCodes.OK;
        }
    }

    /** {@code hangar board inventory (--hostname H | --count N --hostname-pattern F) --user U ...}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "inventory",
            description = {
                "Print the boards' Ansible inventory.",
                "INI, in seed 002's shape: CLUSTER-master and CLUSTER-nodes groups,",
                "[CLUSTER:children], [CLUSTER:vars] (ansible_user, fqdn_master, network_address_master),",
                "[master:children] and [nodes:children]. Hosts are reached at their static address",
                "(--address of the first board, counting up) or their mDNS name HOST.local."
            })
    static final class Inventory implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        BoardNames names;

        @Option(names = "--user", required = true, paramLabel = "USER", description = "ansible_user: the boards' user.")
        String user;

        @Option(
                names = "--cluster",
                paramLabel = "NAME",
                defaultValue = "cluster-1",
                description = "The cluster's group name (default: ${DEFAULT-VALUE}).")
        String cluster;

        @Option(
                names = "--masters",
                paramLabel = "N",
                defaultValue = "1",
                description = "How many of the first boards are masters (default: ${DEFAULT-VALUE}).")
        int masters;

        @Option(
                names = "--address",
                paramLabel = "CIDR",
                description = "Static address of the first board, as given to flash; default: HOST.local names.")
        String address;

        Inventory(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            List<String> hostnames = names.names(1);
            if (!cluster.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
                throw new CliException(
                        ExitCodes.BAD_INPUT,
                        "--cluster '" + cluster + "': use letters, digits and" + " hyphens (it names the groups "
                                + cluster + "-master and " + cluster + "-nodes)");
            }
            String clusterName = cluster;
            String userName = LocalInput.check(() -> Inputs.userName("--user", user));
            Cidr first = address == null ? null : LocalInput.check(() -> Inputs.cidr("--address", address));
            List<BoardInventory.Host> hosts = new ArrayList<>();
            for (int i = 0; i < hostnames.size(); i++) {
                int n = i;
                hosts.add(
                        first == null
                                ? BoardInventory.Host.mdns(hostnames.get(i))
                                : BoardInventory.Host.at(hostnames.get(i), LocalInput.check(() -> first.plus(n))));
            }
            ctx.out().print(LocalInput.check(() -> BoardInventory.ini(clusterName, masters, hosts, userName)));
            return ExitCodes.OK;
        }
    }
}
