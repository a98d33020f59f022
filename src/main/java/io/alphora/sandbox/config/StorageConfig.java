package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Object storage ({@code storage:} in the config file), the seed's {@code StorageConfig}. MinIO needs
 * {@code access_key}, {@code secret_key}, {@code bucket} and {@code endpoint}; S3 needs a bucket and
 * either both keys or neither (then the AWS SDK's default credential chain is used)
 * (a MinIO config without one is an error, where the seed silently dropped storage).
 * {@link #toString()} and the config's {@code toJson()} mask the secret key.
 *
 * @param type {@code storage_type} (env {@code SANDBOX_STORAGE_TYPE}), default local
 * @param localPath root of local storage ({@code local_path}, env {@code SANDBOX_STORAGE_PATH},
 *     default {@code <base_path>/storage})
 * @param endpoint S3/MinIO URL or {@code host:port}, null = AWS ({@code endpoint})
 * @param accessKey access key id ({@code access_key}), shown in clear like the seed
 * @param secretKey secret key ({@code secret_key}), never shown
 * @param bucket bucket name ({@code bucket}, default {@code sandboxes})
 * @param region region ({@code region}, default {@code us-east-1})
 * @param secure use https when {@code endpoint} has no scheme ({@code secure}, default true)
 * @param prefix prefix of every object key ({@code prefix}, default empty)
 * @param autoCreateBucket create the bucket on first use ({@code auto_create_bucket}, default true)
 * @param pathStyle path-style requests ({@code path_style}; default true for MinIO, false for S3)
 */
public record StorageConfig(
    Type type, String localPath, String endpoint, String accessKey, String secretKey, String bucket,
    String region, boolean secure, String prefix, boolean autoCreateBucket, boolean pathStyle) {

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /** The storage kinds. */
  public enum Type {
    LOCAL, S3, MINIO;

    /** The config-file spelling. */
    public String value() { return name().toLowerCase(Locale.ROOT); }
  }

  /** The built-in defaults for a given base path: local storage under {@code <basePath>/storage}. */
  public static StorageConfig defaults(String basePath) {
    return new StorageConfig(Type.LOCAL, defaultLocalPath(basePath), null, null, null, "sandboxes",
        "us-east-1", true, "", true, false);
  }

  static StorageConfig parse(Section s, String basePath) {
    StorageConfig d = defaults(basePath);
    Type type = type(s);
    StorageConfig c = new StorageConfig(type,
        s.nonBlank("local_path", d.localPath()),
        endpoint(s),
        s.nonBlank("access_key", null),
        s.nonBlank("secret_key", null),
        s.string("bucket", d.bucket()),
        s.nonBlank("region", d.region()),
        s.bool("secure", d.secure()),
        s.string("prefix", d.prefix()),
        s.bool("auto_create_bucket", d.autoCreateBucket()),
        s.bool("path_style", type == Type.MINIO));
    s.done();
    if (type != Type.LOCAL) {
      // S3 without either key uses the SDK's default credential chain (env, profile, instance role)
      if (type == Type.MINIO || c.accessKey() != null || c.secretKey() != null) {
        required(s, "access_key", c.accessKey(), type);
        required(s, "secret_key", c.secretKey(), type);
      }
      if (!BUCKET.matcher(c.bucket()).matches()) {
        throw invalid(s.key("bucket"), c.bucket(), "must be a bucket name: 3-63 of a-z 0-9 . -");
      }
    }
    if (type == Type.MINIO) {
      required(s, "endpoint", c.endpoint(), type);
    }
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("storage_type", type.value()).put("local_path", localPath)
        .put("endpoint", ConfigErrors.maskUrl(endpoint)).put("access_key", accessKey)
        .put("secret_key", secretKey == null ? null : "***")
        .put("bucket", bucket).put("region", region).put("secure", secure).put("prefix", prefix)
        .put("auto_create_bucket", autoCreateBucket).put("path_style", pathStyle);
  }

  /** Like the generated one, with the secret key masked. */
  @Override
  public String toString() {
    return "StorageConfig" + toJson().encode();
  }

  static String defaultLocalPath(String basePath) {
    return basePath.endsWith("/") ? basePath + "storage" : basePath + "/storage";
  }

  private static Type type(Section s) {
    String v = s.string("storage_type", null);
    if (v == null) {
      return Type.LOCAL;
    }
    try {
      return Type.valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid(s.key("storage_type"), v, "must be one of local, s3, minio");
    }
  }

  private static String endpoint(Section s) {
    String e = s.nonBlank("endpoint", null);
    if (e == null) {
      return null;
    }
    try {
      URI u = new URI(e.contains("://") ? e : "http://" + e);
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
        return e;
      }
    } catch (java.net.URISyntaxException ex) {
      // falls through to the error below
    }
    throw invalid(s.key("endpoint"), e, "must be an http(s):// URL or host:port");
  }

  private static void required(Section s, String name, String value, Type type) {
    if (value == null) {
      String env = "SANDBOX_STORAGE_" + name.toUpperCase(Locale.ROOT);
      throw ConfigErrors.missing(s.key(name), s.key("storage_type"),
          "is required when storage.storage_type is '" + type.value() + "': set " + s.key(name) + " or " + env);
    }
  }
}
