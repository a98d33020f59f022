package io.alphora.sandbox.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.config.DockerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Clients for the configured Docker daemon, and the one message that says how to get one. */
public final class DockerClients {
  /** The socket used when {@code docker.docker_host} is not set. */
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  private DockerClients() {}

  /** The daemon address in use. */
  public static String host(DockerConfig c) { return c.dockerHost() == null ? DEFAULT_HOST : c.dockerHost(); }

  /**
   * A client for the daemon. Nothing is contacted yet. TLS ({@code tls_verify}) reads the client
   * certificate files from the directory of {@code tls_client_cert} (or {@code tls_ca_cert}) under
   * Docker's usual names {@code ca.pem}, {@code cert.pem} and {@code key.pem}.
   */
  public static DockerClient create(DockerConfig c) {
    DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(host(c)).withDockerTlsVerify(c.tlsVerify());
    String certFile = c.tlsClientCert() != null ? c.tlsClientCert() : c.tlsCaCert();
    if (c.tlsVerify() && certFile != null) {
      Path dir = Path.of(certFile).toAbsolutePath().getParent();
      b.withDockerCertPath(dir.toString());
    }
    DockerClientConfig cfg = b.build();
    ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder().dockerHost(cfg.getDockerHost())
        .sslConfig(cfg.getSSLConfig()).maxConnections(256)
        .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(120)).build();
    return DockerClientImpl.getInstance(cfg, http);
  }

  /** Whether the daemon answers a ping (within the client's connect timeout). */
  public static boolean ping(DockerClient client) {
    try {
      client.pingCmd().exec();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether a Docker daemon answers at the configured address: the Java form of the seed's
   * {@code is_docker_available()}. Blocking (at most a few seconds); call it off the event loop.
   */
  public static boolean isAvailable(DockerConfig c) {
    try (DockerClient client = create(c)) {
      return ping(client);
    } catch (Exception e) {
      return false;
    }
  }

  static SandboxException unavailable(DockerConfig c, Throwable cause) {
    String why = cause == null ? "" : " (" + rootMessage(cause) + ")";
    return new SandboxException(ErrorCode.BACKEND_UNAVAILABLE, "Docker is not reachable at " + host(c) + why
        + ": start dockerd (scripts/install-deps does) or set SANDBOX_DOCKER_HOST", Map.of("docker_host", host(c)));
  }

  static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
  }
}
