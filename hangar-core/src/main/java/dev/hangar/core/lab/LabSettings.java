package dev.hangar.core.lab;

/**
 * The server's lab settings.
 *
 * @param maxMembers most members a lab may have ({@code labs.max-members}), 1..{@value
 *     LabAddresses#MAX_MEMBERS}
 * @param subnet the network carved into one /24 per lab ({@code labs.subnet})
 */
public record LabSettings(int maxMembers, LabAddresses subnet) {
    /** {@code labs.max-members} when not configured. */
    public static final int DEFAULT_MAX_MEMBERS = 20;

    /** {@code labs.subnet} when not configured. */
    public static final String DEFAULT_SUBNET = "10.213.0.0/16";

    /** The defaults: 20 members, 10.213.0.0/16. */
    public static final LabSettings DEFAULTS = new LabSettings(DEFAULT_MAX_MEMBERS, LabAddresses.parse(DEFAULT_SUBNET));

    /**
     * @throws IllegalArgumentException when {@code maxMembers} is outside 1..{@value
     *     LabAddresses#MAX_MEMBERS}
     */
    public LabSettings {
        if (maxMembers < 1 || maxMembers > LabAddresses.MAX_MEMBERS)
            throw new IllegalArgumentException(
                    "labs.max-members must be 1.." + LabAddresses.MAX_MEMBERS + ", got " + maxMembers);
        java.util.Objects.requireNonNull(subnet, "subnet");
    }
}
