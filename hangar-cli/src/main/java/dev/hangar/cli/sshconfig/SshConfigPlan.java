package dev.hangar.cli.sshconfig;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code hangar config-ssh} writes or would write, in write order.
 *
 * @param files the managed files: ~/.ssh/hangar/known_hosts, ~/.ssh/hangar/config, ~/.ssh/config
 */
public record SshConfigPlan(List<FileChange> files) {
    public SshConfigPlan {
        files = List.copyOf(files);
    }

    /** @return true when every file already has the wanted content (a run would change nothing) */
    public boolean upToDate() {
        return files.stream().noneMatch(FileChange::changed);
    }

    /** @return the diffs of the changed files, concatenated; {@code ""} when up to date */
    public String diff() {
        return files.stream().filter(FileChange::changed).map(FileChange::diff).collect(Collectors.joining());
    }
}
