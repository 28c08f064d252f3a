package dev.hangar.core.template;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import java.util.Map;
import java.util.Objects;

/**
 * A workspace template: which provider runs it, which image, default sizes and allowed ranges.
 * Loaded from YAML by {@link TemplateCatalog}.
 *
 * @param name DNS-1123 label, unique
 * @param description one line for {@code hangar template list}
 * @param provider provider type, e.g. {@code qemu} or {@code kubernetes}
 * @param image default image (VM catalog name or container image reference)
 * @param defaults sizes used when a request leaves them out (2 CPU, 4096 MiB, 16 GiB unless set)
 * @param cpus allowed CPU counts
 * @param memoryMiB allowed memory sizes in MiB
 * @param diskGiB allowed disk sizes in GiB
 * @param cloudInit packages and commands added to every workspace's cloud-init user-data
 * @param settings provider-specific settings handed to the provider unchanged
 * @param usbAllow USB devices that may be forwarded into its workspaces with {@code hangar usb
 *     attach}, as {@code VVVV:PPPP}, {@code VVVV:*} or {@code *:*} (lower-case hex); empty allows
 *     none unless the user's own list does (see {@link dev.hangar.core.usb.UsbPolicy})
 * @param autostop idle auto-stop of its workspaces (YAML key {@code autostop}, e.g. {@code 2h});
 *     {@link dev.hangar.core.autostop.Autostop#OFF} when absent
 * @param devices the devices its workspaces may ask for (YAML key {@code devices}), at most one
 *     entry per name; empty offers none
 */
public record Template(
        String name,
        String description,
        String provider,
        String image,
        Resources defaults,
        Range cpus,
        Range memoryMiB,
        Range diskGiB,
        CloudInitConfig cloudInit,
        Map<String, String> settings,
        java.util.List<String> usbAllow,
        dev.hangar.core.autostop.Autostop autostop,
        java.util.List<TemplateDevice> devices) {
    public Template {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(memoryMiB, "memoryMiB");
        Objects.requireNonNull(diskGiB, "diskGiB");
        Objects.requireNonNull(cloudInit, "cloudInit");
        settings = Map.copyOf(settings);
        usbAllow = java.util.List.copyOf(usbAllow);
        Objects.requireNonNull(autostop, "autostop");
        devices = java.util.List.copyOf(devices);
        if (devices.stream().map(TemplateDevice::name).distinct().count() != devices.size())
            throw new IllegalArgumentException("template " + name + " lists a device twice");
    }

    /** A template offering no devices (as before {@code devices} existed). */
    public Template(
            String name,
            String description,
            String provider,
            String image,
            Resources defaults,
            Range cpus,
            Range memoryMiB,
            Range diskGiB,
            CloudInitConfig cloudInit,
            Map<String, String> settings,
            java.util.List<String> usbAllow,
            dev.hangar.core.autostop.Autostop autostop) {
        this(
                name,
                description,
                provider,
                image,
                defaults,
                cpus,
                memoryMiB,
                diskGiB,
                cloudInit,
                settings,
                usbAllow,
                autostop,
                java.util.List.of());
    }

    /** @return the offer for device {@code deviceName}; empty when this template does not offer it */
    public java.util.Optional<TemplateDevice> device(String deviceName) {
        return devices.stream().filter(d -> d.name().equals(deviceName)).findFirst();
    }

    /** A template without auto-stop (as before {@code autostop} existed). */
    public Template(
            String name,
            String description,
            String provider,
            String image,
            Resources defaults,
            Range cpus,
            Range memoryMiB,
            Range diskGiB,
            CloudInitConfig cloudInit,
            Map<String, String> settings,
            java.util.List<String> usbAllow) {
        this(
                name,
                description,
                provider,
                image,
                defaults,
                cpus,
                memoryMiB,
                diskGiB,
                cloudInit,
                settings,
                usbAllow,
                dev.hangar.core.autostop.Autostop.OFF);
    }
}
