package dev.hangar.server.dashboard;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.service.DeviceCount;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * The create form's device fields (issue #19): one number input per device the chosen template
 * offers, named {@code device.<device name>}, bounded by the template's range. What the user typed
 * becomes the same {@link DeviceCount} list as the API's {@code devices} body, checked by {@link
 * DeviceCount#checked} and then by {@link dev.hangar.core.service.WorkspaceService#create} against
 * the template, so the form and the API refuse the same requests. Stateless and thread-safe.
 */
final class DeviceFields {
    private static final String PREFIX = "device.";

    private DeviceFields() {}

    /** @return the form field of device {@code name}, e.g. {@code device.nvidia.com/gpu} */
    static String field(String name) {
        return PREFIX + name;
    }

    /** @return the device inputs of template {@code t}, in its order; {@code id} is {@code device-<index>} */
    static List<Pages.DeviceRow> rows(Template t) {
        List<Pages.DeviceRow> out = new ArrayList<>();
        for (int i = 0; i < t.devices().size(); i++) {
            TemplateDevice d = t.devices().get(i);
            out.add(new Pages.DeviceRow(
                    d.name(),
                    field(d.name()),
                    "device-" + i,
                    d.count(),
                    d.allowed().min(),
                    d.allowed().max()));
        }
        return out;
    }

    /** Puts what the user typed into each device field of {@code t} (stripped; "" when left empty) into {@code values}. */
    static void read(Template t, UnaryOperator<String> formParam, Map<String, String> values) {
        for (TemplateDevice d : t.devices()) {
            String v = formParam.apply(field(d.name()));
            values.put(field(d.name()), v == null ? "" : v.strip());
        }
    }

    /**
     * @return the counts typed into the device fields of {@code t}, in the template's order; a field
     *     left empty is left out (the template's default applies), as in the API
     * @param errors receives the problem of a field that is not a whole number 0 or more, by field
     */
    static List<DeviceCount> counts(Template t, Map<String, String> values, Map<String, String> errors) {
        List<DeviceCount> out = new ArrayList<>();
        for (TemplateDevice d : t.devices()) {
            String f = field(d.name());
            String v = values.getOrDefault(f, "");
            if (v.isEmpty()) continue;
            OptionalInt n;
            try {
                n = OptionalInt.of(Integer.parseInt(v));
            } catch (NumberFormatException e) {
                errors.put(f, d.name() + " must be a whole number, got '" + v + "'");
                continue;
            }
            try {
                out.add(DeviceCount.checked("devices[" + out.size() + "]", Optional.of(d.name()), n));
            } catch (ValidationException e) {
                errors.put(f, message(e.getMessage()));
            }
        }
        return out;
    }

    /**
     * @return the form field of a problem's {@code field} when it names an entry of {@code sent}
     *     ({@code devices[i].name} or {@code devices[i].count}) or a device's quota ({@code
     *     devices.<device name>}); empty otherwise
     */
    static Optional<String> formField(String problemField, List<DeviceCount> sent) {
        if (problemField.startsWith("devices.")) return Optional.of(field(problemField.substring("devices.".length())));
        if (!problemField.startsWith("devices[")) return Optional.empty();
        int close = problemField.indexOf(']');
        if (close < 0) return Optional.empty();
        try {
            int i = Integer.parseInt(problemField.substring("devices[".length(), close));
            return i >= 0 && i < sent.size() ? Optional.of(field(sent.get(i).name())) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return the problem's message without its {@code devices[i].count: } prefix, which the form shows by position */
    static String message(String detail) {
        return detail.replaceFirst("^devices\\[\\d+]\\.(name|count):? ", "");
    }
}
