package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.InMemoryStore;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import dev.hangar.provider.spi.Resources;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Create-time validation, which happens in {@link WorkspaceService#create} and nowhere else. */
class WorkspaceServiceCreateTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final User ALICE = new User("alice", false, NOW);

    private final InMemoryStore store = new InMemoryStore();
    private final List<String> changed = new CopyOnWriteArrayList<>();

    static Template template(String name) {
        return TemplateCatalog.parse(
                name,
                ("name: " + name + "\nprovider: fake\nimage: img-" + name + "\n"
                                + "defaults: {cpus: 2, memoryMiB: 1024, diskGiB: 8}\n"
                                + "limits: {cpus: {min: 1, max: 8}, memoryMiB: {min: 128, max: 16384},"
                                + " diskGiB: {min: 1, max: 100}}\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private WorkspaceService service(String defaultTemplate, String... templates) {
        return new WorkspaceService(
                store,
                TemplateCatalog.of(List.of(templates).stream()
                        .map(WorkspaceServiceCreateTest::template)
                        .toList()),
                Clock.fixed(NOW, ZoneOffset.UTC),
                changed::add,
                defaultTemplate);
    }

    @Test
    void absentValuesTakeTheDefaultsOfTheServerAndTheTemplate() {
        Workspace w = service("", "only").create(ALICE, CreateWorkspace.named("dev"));
        assertThat(w.template()).isEqualTo("only");
        assertThat(w.parameters().resources()).isEqualTo(new Resources(2, 1024, 8));
        assertThat(w.parameters().image()).isEqualTo("img-only");
        assertThat(w.parameters().extraUserData()).isEmpty();
        assertThat(changed).containsExactly(w.id());
        assertThat(store.allEvents())
                .singleElement()
                .satisfies(e -> assertThat(e.message())
                        .isEqualTo("created from template only (2 CPU, 1024 MiB, 8 GiB, image img-only)"));
    }

    @Test
    void presentValuesWin() {
        Workspace w = service("", "only")
                .create(
                        ALICE,
                        CreateWorkspace.named("dev")
                                .withCpus(4)
                                .withMemoryMiB(2048)
                                .withDiskGiB(20)
                                .withImage("other")
                                .withUserData("packages: [git]\n"));
        assertThat(w.parameters().resources()).isEqualTo(new Resources(4, 2048, 20));
        assertThat(w.parameters().image()).isEqualTo("other");
        assertThat(w.parameters().extraUserData()).isEqualTo("packages: [git]\n");
    }

    @Test
    void theDefaultTemplateIsTheOnlyOneElseDebian12ElseTheConfiguredOne() {
        assertThat(service("", "a", "debian-12").defaultTemplate())
                .map(Template::name)
                .hasValue("debian-12");
        assertThat(service("", "a", "b").defaultTemplate()).isEmpty();
        assertThat(service("b", "a", "b").defaultTemplate()).map(Template::name).hasValue("b");
        assertThat(service("b", "a", "b")
                        .create(ALICE, CreateWorkspace.named("x"))
                        .template())
                .isEqualTo("b");
        assertThatThrownBy(() -> service("nope", "a", "b")).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.field()).isEqualTo("default-template");
            assertThat(e.getMessage()).isEqualTo("default-template 'nope' is not a template; known templates: a, b");
        });
    }

    @Test
    void withoutADefaultTheTemplateIsRequired() {
        assertThatThrownBy(() -> service("", "a", "b").create(ALICE, CreateWorkspace.named("x")))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo("template");
                    assertThat(e.getMessage())
                            .isEqualTo("template is required: this server has no default template; known: a, b"
                                    + " (see 'hangar template list')");
                });
        assertThat(store.workspaces().count()).isZero();
    }

    @Test
    void anEmptyOrUnknownTemplateIsInvalidNotTheDefault() {
        WorkspaceService s = service("", "only");
        for (String t : new String[] {"", "nope"}) {
            assertThatThrownBy(() -> s.create(ALICE, CreateWorkspace.of("x", t)))
                    .as(t)
                    .isInstanceOfSatisfying(ValidationException.class, e -> {
                        assertThat(e.field()).isEqualTo("template");
                        assertThat(e.getMessage()).isEqualTo("template '" + t + "' does not exist; known: only");
                    });
        }
    }

    @Test
    void aSizeBelowOneAndASizeAboveTheRangeAreTheSameKindOfError() {
        WorkspaceService s = service("", "only");
        ValidationException zero = catchValidation(s, CreateWorkspace.named("x").withCpus(0));
        ValidationException big = catchValidation(s, CreateWorkspace.named("x").withCpus(64));
        assertThat(zero.field()).isEqualTo("cpus");
        assertThat(zero.getMessage())
                .isEqualTo("cpus must be positive, got 0; leave it out for the template's default");
        assertThat(big.field()).isEqualTo("cpus");
        assertThat(big.getMessage()).isEqualTo("cpus 64 is outside the template's allowed range 1..8");
        assertThat(catchValidation(s, CreateWorkspace.named("x").withMemoryMiB(-1))
                        .field())
                .isEqualTo("memoryMiB");
        assertThat(catchValidation(s, CreateWorkspace.named("x").withDiskGiB(101))
                        .field())
                .isEqualTo("diskGiB");
        assertThat(store.workspaces().count()).isZero();
    }

    @Test
    void nameImageAndUserDataAreCheckedByTheService() {
        WorkspaceService s = service("", "only");
        assertThat(catchValidation(s, CreateWorkspace.named("")).field()).isEqualTo("name");
        assertThat(catchValidation(s, CreateWorkspace.named("Bad_Name")).field())
                .isEqualTo("name");
        assertThat(catchValidation(s, CreateWorkspace.named("x").withImage("bad image!"))
                        .field())
                .isEqualTo("image");
        assertThat(catchValidation(s, CreateWorkspace.named("x").withUserData("- a list"))
                        .field())
                .isEqualTo("userData");
        ValidationException big = catchValidation(
                s, CreateWorkspace.named("x").withUserData("a: " + "x".repeat(WorkspaceService.MAX_USER_DATA_BYTES)));
        assertThat(big.field()).isEqualTo("userData");
        assertThat(big.getMessage()).isEqualTo("userData is larger than 16384 bytes");
    }

    @Test
    void aSecondWorkspaceOfTheSameNameIsAConflict() {
        WorkspaceService s = service("", "only");
        s.create(ALICE, CreateWorkspace.named("twice"));
        assertThatThrownBy(() -> s.create(ALICE, CreateWorkspace.named("twice")))
                .isInstanceOf(ConflictException.class);
    }

    private static ValidationException catchValidation(WorkspaceService s, CreateWorkspace req) {
        try {
            s.create(ALICE, req);
        } catch (ValidationException e) {
            return e;
        }
        throw new AssertionError("no ValidationException for " + req);
    }

    @Test
    void aDevcontainerFolderIsCheckedAndCarriedToTheSpec(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Template docker = TemplateCatalog.parse(
                "box",
                ("name: box\nprovider: docker\nimage: img\ndefaults: {cpus: 1, memoryMiB: 256, diskGiB: 1}\n"
                                + "limits: {cpus: {min: 1, max: 2}, memoryMiB: {min: 128, max: 512},"
                                + " diskGiB: {min: 1, max: 2}}\n")
                        .getBytes(StandardCharsets.UTF_8));
        WorkspaceService service = new WorkspaceService(
                store,
                TemplateCatalog.of(List.of(docker, template("vm"))),
                Clock.fixed(NOW, ZoneOffset.UTC),
                changed::add,
                "box");
        java.nio.file.Path folder = dir.resolve("proj");
        java.nio.file.Files.createDirectories(folder.resolve(".devcontainer"));
        for (String bad : List.of(
                "relative/dir", folder + "/../proj", dir.resolve("missing").toString(), dir.toString()))
            assertThatThrownBy(() ->
                            service.create(ALICE, CreateWorkspace.named("dc").withDevcontainer(bad)))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("devcontainer"));
        assertThatThrownBy(
                        () -> service.create(ALICE, CreateWorkspace.named("dc").withDevcontainer(folder.toString())))
                .hasMessageContaining("has no .devcontainer/devcontainer.json");
        java.nio.file.Files.writeString(folder.resolve(".devcontainer/devcontainer.json"), "{\"image\": \"x:1\"}");
        assertThatThrownBy(() ->
                        service.create(ALICE, CreateWorkspace.of("dc", "vm").withDevcontainer(folder.toString())))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("template of the docker provider");
        Workspace w = service.create(ALICE, CreateWorkspace.named("dc").withDevcontainer(folder.toString()));
        assertThat(w.parameters().devcontainer()).isEqualTo(folder.toString());
        assertThat(dev.hangar.core.reconcile.WorkspaceSpecs.of(
                                w, java.util.Optional.of(docker), List.of(), HostCertificateAuthority.generate())
                        .settings())
                .containsEntry(dev.hangar.core.reconcile.WorkspaceSpecs.DEVCONTAINER, folder.toString());
        assertThat(service.create(ALICE, CreateWorkspace.named("plain"))
                        .parameters()
                        .devcontainer())
                .isEmpty();
    }

    @Test
    void aDryRunValidatesLikeACreateAndRecordsNothing() {
        WorkspaceService service = service("", "only");
        Workspace w = service.dryRunCreate(ALICE, CreateWorkspace.named("dry").withCpus(4));
        assertThat(w.name()).isEqualTo("dry");
        assertThat(w.owner()).isEqualTo("alice");
        assertThat(w.parameters().resources()).isEqualTo(new Resources(4, 1024, 8));
        assertThat(w.hostKey().privateKeyOpenSsh()).contains("OPENSSH PRIVATE KEY");
        assertThat(store.workspaces().findByName("alice", "dry")).isEmpty();
        assertThat(store.allEvents()).isEmpty();
        assertThat(changed).isEmpty();

        // the same problems as create
        assertThatThrownBy(() -> service.dryRunCreate(ALICE, CreateWorkspace.named("Bad_Name")))
                .isInstanceOfSatisfying(
                        ValidationException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() ->
                        service.dryRunCreate(ALICE, CreateWorkspace.named("dry").withCpus(99)))
                .isInstanceOfSatisfying(
                        ValidationException.class, e -> assertThat(e.field()).isEqualTo("cpus"));
        service.create(ALICE, CreateWorkspace.named("taken"));
        assertThatThrownBy(() -> service.dryRunCreate(ALICE, CreateWorkspace.named("taken")))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.field()).isEqualTo("name"));
    }
}
