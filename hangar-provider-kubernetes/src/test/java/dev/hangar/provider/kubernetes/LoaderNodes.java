package dev.hangar.provider.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CRUD mock plus stand-ins for what the mock server cannot run: a kubelet that reports every
 * loader Pod Running (by adding that status to each GET of one Pod), and behind the {@code
 * pods/exec} WebSocket a stand-in for {@link ImageLoaderManifests#SCRIPT} in that Pod: its archive
 * file and its node's containerd images live in memory here. It answers each operation as the
 * script does (output on channel 1, the exit status on channel 3 as the API server's Status). No
 * shell or containerd runs: the real script is exercised by KubernetesWorkspaceIT on the real
 * cluster. Thread-safe.
 */
final class LoaderNodes extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Per node: image name to config digest, as containerd would list them complete and unpacked. */
    final Map<String, Map<String, String>> images = new ConcurrentHashMap<>();
    /** Each exec's operation and arguments, e.g. {@code present REF}; for appends offset and length. */
    final List<String> execs = new CopyOnWriteArrayList<>();
    /** Whether the loader image has perl: {@code serve} starts the receiver, else exits 13. */
    volatile boolean receiver = true;
    /** How many upcoming port-forward copies lose half their bytes and answer the short size. */
    final AtomicInteger lossyForwards = new AtomicInteger();
    /** How many port-forward copies ran, and how many bytes each carried. */
    final List<Long> forwarded = new CopyOnWriteArrayList<>();
    /** How many upcoming {@code append}s drop half their bytes (a connection that broke). */
    final AtomicInteger brokenAppends = new AtomicInteger();
    /** Config digest the next import writes for every name; null: the digest the test sets per name. */
    volatile Map<String, String> importWrites = Map.of();

    /**
     * When set, loader Pods never start and the kubelet's events for each say this (the message of a
     * FailedMount event; {@code %s} is the Pod's name).
     */
    volatile String failedMount;

    /** Pod name to its file. */
    private final Map<String, ByteArrayOutputStream> files = new ConcurrentHashMap<>();
    /** Pod name to node. */
    private final Map<String, String> nodeOf = new ConcurrentHashMap<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        if (path.contains("/exec?")) return exec(path);
        if (path.contains("/portforward?")) return portForward(path);
        if (failedMount != null && path.matches(".*/events\\?.*fieldSelector=.*")) {
            String pod = URLDecoder.decode(path, StandardCharsets.UTF_8)
                    .replaceFirst(".*involvedObject.name=([^&]+).*", "$1");
            return new MockResponse()
                    .setResponseCode(200)
                    .setBody("{\"apiVersion\":\"v1\",\"kind\":\"EventList\",\"metadata\":{},\"items\":[{\"metadata\":"
                            + "{\"name\":\"e1\"},\"reason\":\"FailedMount\",\"message\":\""
                            + failedMount.formatted(pod) + "\",\"involvedObject\":{\"name\":\"" + pod + "\"}}]}");
        }
        MockResponse response = super.dispatch(request);
        if ("POST".equals(request.getMethod()) && path.matches(".*/pods/?(\\?.*)?")) {
            try {
                // The created Pod as the answer carries it (the request's body was read by the CRUD mock).
                String body = response.getBody().readUtf8();
                response.setBody(body);
                var pod = JSON.readTree(body);
                nodeOf.put(
                        pod.path("metadata").path("name").asText(),
                        pod.path("spec").path("nodeName").asText());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (failedMount == null
                && "GET".equals(request.getMethod())
                && path.matches(".*/pods/[^/?]+(\\?.*)?")
                && response.code() == 200) {
            try {
                ObjectNode pod = (ObjectNode) JSON.readTree(response.getBody().readUtf8());
                pod.set(
                        "status",
                        JSON.readTree("{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"loader\","
                                + "\"ready\":true,\"state\":{\"running\":{}}}]}"));
                response.setBody(JSON.writeValueAsString(pod));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return response;
    }

    private MockResponse exec(String path) {
        String pod = path.replaceFirst(".*/pods/([^/]+)/exec\\?.*", "$1");
        List<String> command = new ArrayList<>();
        for (String param : path.substring(path.indexOf('?') + 1).split("&")) {
            if (param.startsWith("command="))
                command.add(URLDecoder.decode(param.substring(8), StandardCharsets.UTF_8));
        }
        // sh -c SCRIPT hangar-image-load OP ARG...
        String op = command.get(4);
        List<String> args = command.subList(5, command.size());
        String node = nodeOf.getOrDefault(pod, "");
        byte[] data = op.equals("append") ? java.util.Base64.getDecoder().decode(args.get(1)) : null;
        execs.add(
                op.equals("append")
                        ? "append " + args.get(0) + " " + data.length
                        : op + (args.isEmpty() ? "" : " " + String.join(" ", args)));
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
                // From another thread, as a command's output arrives: not inside the mock's callback.
                Thread.ofVirtual().start(() -> answer(ws, run(op, args, node, pod, data)));
            }
        });
    }

    /**
     * Stands in for the API server's port-forward ({@code v4.channel.k8s.io}: the port number first
     * on channels 0 and 1, then data on 0) to {@link ImageLoaderManifests#RECEIVER} in the Pod: the
     * header {@code OFFSET LENGTH}, LENGTH bytes written into the Pod's file, the size answered.
     */
    private MockResponse portForward(String path) {
        String pod = path.replaceFirst(".*/pods/([^/]+)/portforward\\?.*", "$1");
        ByteArrayOutputStream file = files.computeIfAbsent(pod, p -> new ByteArrayOutputStream());
        boolean lossy = lossyForwards.getAndDecrement() > 0;
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            private final ByteArrayOutputStream received = new ByteArrayOutputStream();
            private long offset = -1;
            private long length;

            @Override
            public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
                ws.send(new byte[] {
                    0, (byte) ImageLoaderManifests.RECEIVER_PORT, ImageLoaderManifests.RECEIVER_PORT >> 8
                });
                ws.send(new byte[] {
                    1, (byte) ImageLoaderManifests.RECEIVER_PORT, ImageLoaderManifests.RECEIVER_PORT >> 8
                });
            }

            @Override
            public void onMessage(WebSocket ws, byte[] message) {
                if (message.length == 0 || message[0] != 0) return;
                received.write(message, 1, message.length - 1);
                byte[] all = received.toByteArray();
                if (offset < 0) {
                    int nl = new String(all, StandardCharsets.US_ASCII).indexOf('\n');
                    if (nl < 0) return;
                    String[] header = new String(all, 0, nl, StandardCharsets.US_ASCII).split(" ");
                    offset = Long.parseLong(header[0]);
                    length = Long.parseLong(header[1]);
                    received.reset();
                    received.write(all, nl + 1, all.length - nl - 1);
                    all = received.toByteArray();
                }
                if (all.length < length) return;
                forwarded.add(length);
                synchronized (file) {
                    if (offset <= file.size()) {
                        byte[] kept = Arrays.copyOf(file.toByteArray(), (int) offset);
                        file.reset();
                        file.writeBytes(kept);
                        file.write(all, 0, lossy ? all.length / 2 : all.length);
                    }
                    ws.send(("\0" + file.size() + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                ws.close(1000, "");
            }
        });
    }

    private record Answer(int code, String output) {}

    private Answer run(String op, List<String> args, String node, String pod, byte[] data) {
        Map<String, String> present = images.computeIfAbsent(node, n -> new ConcurrentHashMap<>());
        ByteArrayOutputStream file = files.computeIfAbsent(pod, p -> new ByteArrayOutputStream());
        switch (op) {
            case "probe":
                return new Answer(0, "");
            case "serve":
                return receiver ? new Answer(0, "listening\n") : new Answer(13, "the loader image has no perl\n");
            case "size":
                synchronized (file) {
                    return new Answer(0, file.size() + "\n");
                }
            case "present": {
                StringBuilder out = new StringBuilder();
                for (String ref : args) {
                    String digest = present.get(ref);
                    if (digest != null)
                        out.append("==> ")
                                .append(ref)
                                .append('\n')
                                .append("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"")
                                .append(digest)
                                .append("\",\"size\":1},\"layers\":[]}\n");
                }
                return new Answer(0, out.toString());
            }
            case "append": {
                synchronized (file) {
                    byte[] kept = Arrays.copyOf(file.toByteArray(), Integer.parseInt(args.get(0)));
                    file.reset();
                    file.writeBytes(kept);
                    file.writeBytes(brokenAppends.getAndDecrement() > 0 ? Arrays.copyOf(data, data.length / 2) : data);
                    return new Answer(0, file.size() + "\n");
                }
            }
            case "sha256":
                try {
                    return new Answer(
                            0,
                            HexFormat.of()
                                            .formatHex(MessageDigest.getInstance("SHA-256")
                                                    .digest(file.toByteArray())) + "\n");
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            case "import":
                for (String ref : args) present.put(ref, importWrites.getOrDefault(ref, "sha256:" + "0".repeat(64)));
                files.remove(pod);
                return new Answer(0, "");
            default:
                return new Answer(2, "unknown operation " + op);
        }
    }

    /** Output on channel 1, then the exit status on channel 3 as the API server writes it, then close. */
    private static void answer(WebSocket ws, Answer a) {
        if (!a.output().isEmpty()) {
            byte[] out = a.output().getBytes(StandardCharsets.UTF_8);
            byte[] msg = new byte[out.length + 1];
            msg[0] = 1;
            System.arraycopy(out, 0, msg, 1, out.length);
            ws.send(msg);
        }
        String status = a.code() == 0
                ? "{\"metadata\":{},\"status\":\"Success\"}"
                : "{\"metadata\":{},\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                        + "[{\"reason\":\"ExitCode\",\"message\":\"" + a.code() + "\"}]}}";
        byte[] s = status.getBytes(StandardCharsets.UTF_8);
        byte[] msg = new byte[s.length + 1];
        msg[0] = 3;
        System.arraycopy(s, 0, msg, 1, s.length);
        ws.send(msg);
        ws.close(1000, "");
    }
}
