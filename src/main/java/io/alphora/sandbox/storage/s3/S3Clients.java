package io.alphora.sandbox.storage.s3;

import io.alphora.sandbox.config.StorageConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the SDK's async client (on its Netty HTTP client) and presigner from the storage config:
 * endpoint override, path-style, region, static keys or the SDK's default credential chain.
 */
final class S3Clients {
  /** Connecting to a dead endpoint fails after this (then the SDK's retries), as {@code backend_unavailable}. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** A store that stops sending or accepting data for this long fails the call. */
  static final Duration IO_TIMEOUT = Duration.ofSeconds(60);

  private S3Clients() {}

  /** The endpoint as a URL ({@code host:port} gets https, or http when {@code secure} is false); null for AWS. */
  static URI endpoint(StorageConfig c) {
    if (c.endpoint() == null) {
      return null;
    }
    String e = c.endpoint();
    return URI.create(e.contains("://") ? e : (c.secure() ? "https://" : "http://") + e);
  }

  static AwsCredentialsProvider credentials(StorageConfig c) {
    if (c.accessKey() != null && c.secretKey() != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey()));
    }
    return DefaultCredentialsProvider.builder().build(); // env, profile, container or instance role
  }

  static S3AsyncClient client(StorageConfig c) {
    var b = S3AsyncClient.builder()
        .region(Region.of(c.region()))
        .credentialsProvider(credentials(c))
        .forcePathStyle(c.pathStyle())
        // checksums only where S3 requires them: many S3-compatible servers store the default
        // aws-chunked trailer bodies verbatim
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .connectionTimeout(CONNECT_TIMEOUT)
            .readTimeout(IO_TIMEOUT)
            .writeTimeout(IO_TIMEOUT)
            .connectionAcquisitionTimeout(IO_TIMEOUT)
            .maxConcurrency(64));
    URI endpoint = endpoint(c);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  static S3Presigner presigner(StorageConfig c) {
    var b = S3Presigner.builder()
        .region(Region.of(c.region()))
        .credentialsProvider(credentials(c))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(c.pathStyle()).build());
    URI endpoint = endpoint(c);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }
}
