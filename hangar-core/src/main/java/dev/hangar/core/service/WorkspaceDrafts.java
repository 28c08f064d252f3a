package dev.hangar.core.service;

import dev.hangar.core.autostop.Autostop;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Names;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.Resources;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The one place a create request is checked: turns a {@link CreateWorkspace} into the workspace
 * {@link WorkspaceService#create} would record (phase Pending, desired running, a fresh Ed25519 host
 * key, the template's sizes and image where the request gives none), without storing anything.
 * Reads only the template catalog, so it is thread-safe.
 */
final class WorkspaceDrafts {
    /** A validated create request: the workspace to record, its template and autostop setting. */
    record Draft(Workspace workspace, Template template, Optional<Autostop> autostop) {}

    private final TemplateCatalog templates;
    private final Optional<Template> defaultTemplate;
    private final Clock clock;

    /**
     * @param defaultTemplate the template a request without one gets; empty when the server has none
     */
    WorkspaceDrafts(TemplateCatalog templates, Optional<Template> defaultTemplate, Clock clock) {
        this.templates = Objects.requireNonNull(templates);
        this.defaultTemplate = Objects.requireNonNull(defaultTemplate);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * @throws ValidationException naming the field, as {@link WorkspaceService#create} documents
     */
    Draft draft(User actor, CreateWorkspace req) {
        Names.requireDns1123Label("name", req.name());
        Template t = template(req);
        Resources d = t.defaults();
        Resources r = new Resources(
                CreateRequestChecks.size("cpus", req.cpus(), d.cpus(), t.cpus()),
                CreateRequestChecks.size("memoryMiB", req.memoryMiB(), d.memoryMiB(), t.memoryMiB()),
                CreateRequestChecks.size("diskGiB", req.diskGiB(), d.diskGiB(), t.diskGiB()));
        String image = req.image().orElse(t.image());
        CreateRequestChecks.image(image);
        String userData = req.userData().orElse("");
        CreateRequestChecks.userData(userData);
        Optional<Autostop> autostop = req.autostop().map(a -> Autostop.parse("autostop", a));
        String devcontainer = req.devcontainer().orElse("");
        CreateRequestChecks.devcontainer(devcontainer, t);
        List<DeviceRequest> devices = CreateRequestChecks.devices(req.devices(), t);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Workspace w = new Workspace(
                UUID.randomUUID().toString(),
                req.name(),
                actor.name(),
                t.name(),
                t.provider(),
                new WorkspaceParameters(r, image, userData, devcontainer, devices),
                HostKeys.generateEd25519(req.name() + ".hangar"),
                DesiredState.RUNNING,
                Phase.Pending,
                "",
                "",
                0,
                false,
                0,
                now,
                now,
                1);
        return new Draft(w, t, autostop);
    }

    /** The text of the {@code created} event: template, sizes, image, devices and autostop. */
    static String createdText(Draft draft) {
        WorkspaceParameters p = draft.workspace().parameters();
        Resources r = p.resources();
        return "created from template " + draft.template().name() + " (" + r.cpus() + " CPU, " + r.memoryMiB()
                + " MiB, " + r.diskGiB() + " GiB, image " + p.image()
                + (p.devices().isEmpty()
                        ? ""
                        : ", devices "
                                + String.join(
                                        " ",
                                        p.devices().stream()
                                                .map(DeviceRequest::toString)
                                                .toList()))
                + ")"
                + draft.autostop().map(a -> ", autostop " + a.wire()).orElse("");
    }

    /** The named template, or the server's default when none is named. */
    private Template template(CreateWorkspace req) {
        if (req.template().isEmpty()) {
            return defaultTemplate.orElseThrow(() -> new ValidationException(
                    "template",
                    "template is required: this server has no default template; known: " + known()
                            + " (see 'hangar template list')"));
        }
        String name = req.template().get();
        return templates
                .find(name)
                .orElseThrow(() -> new ValidationException(
                        "template", "template '" + name + "' does not exist; known: " + known()));
    }

    private String known() {
        return String.join(", ", templates.all().stream().map(Template::name).toList());
    }
}
