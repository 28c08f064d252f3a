// The provider's client code (fabric8 7.5.2 on the JDK HttpClient, as ServerSideApplier sends a PATCH) against
// body-gap.go: java -cp <hangar-provider-kubernetes bench classpath> BodyGapClient.java N BODY ADDR_FILE CERT_FILE
// (two rounds of N PATCHes; the server's /stats answers per client, read it after the first round to drop the warm-up).
import io.fabric8.kubernetes.client.*;
import io.fabric8.kubernetes.client.http.*;
import java.nio.file.*;

public class BodyGapClient {
    public static void main(String[] a) throws Exception {
        String addr = Files.readString(Path.of(a[2]));
        int n = Integer.parseInt(a[0]);
        String body = Files.readString(Path.of(a[1]));
        Config config = new ConfigBuilder().withMasterUrl("https://" + addr).withCaCertFile(a[3])
                .withOauthToken("t").build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            HttpClient http = client.getHttpClient();
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    HttpRequest r = http.newHttpRequestBuilder()
                            .uri("https://" + addr + "/apis/apps/v1/namespaces/x/statefulsets/s?fieldManager=a&force=false")
                            .method("PATCH", "application/apply-patch+yaml", body).build();
                    HttpResponse<String> resp = http.sendAsync(r, String.class).get();
                    if (resp.code() != 201) throw new IllegalStateException("" + resp.code());
                }
                System.out.printf("jdk client round %d: %d requests, %.3f ms per request%n", round, n, (System.nanoTime() - t0) / 1e6 / n);
            }
        }
    }
}
