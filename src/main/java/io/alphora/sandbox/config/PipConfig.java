package io.alphora.sandbox.config;

import static io.alphora.sandbox.config.ConfigErrors.invalid;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;

/**
 * Where pip gets packages ({@code pip:} in the config file). In the file, {@code index_url: ""}
 * (or {@code SANDBOX_PIP_INDEX_URL=""}) means <em>no index</em> ({@link #noIndex()}), while an absent
 * or null {@code index_url} means pip's own default index.
 *
 * @param indexUrl the index to use, or null for pip's default (never empty)
 * @param noIndex true when {@code index_url} was set to the empty string: pip runs with
 *     {@code --no-index}, packages come only from {@link #findLinks()} or the wheel cache
 * @param findLinks a directory (or URL) of wheels, or null ({@code find_links}, env
 *     {@code SANDBOX_PIP_FIND_LINKS})
 * @param extraIndexUrls more indexes ({@code extra_index_urls}, env {@code SANDBOX_PIP_EXTRA_INDEX_URLS})
 * @param timeoutSeconds longest pip run ({@code timeout_seconds}, env {@code SANDBOX_PIP_TIMEOUT}, default 600)
 */
public record PipConfig(
    String indexUrl, boolean noIndex, String findLinks, List<String> extraIndexUrls, int timeoutSeconds) {

  public PipConfig {
    extraIndexUrls = List.copyOf(extraIndexUrls);
    if (noIndex && indexUrl != null) {
      throw new IllegalArgumentException("noIndex excludes an indexUrl");
    }
  }

  /** The built-in defaults. */
  public static PipConfig defaults() {
    return new PipConfig(null, false, null, List.of(), 600);
  }

  static PipConfig parse(Section s) {
    PipConfig d = defaults();
    String index = s.string("index_url", null);
    boolean noIndex = index != null && index.isEmpty();
    if (index != null && !noIndex) {
      url(s.key("index_url"), index);
    }
    List<String> extra = s.strings("extra_index_urls", d.extraIndexUrls());
    for (int i = 0; i < extra.size(); i++) {
      url(s.key("extra_index_urls") + "[" + i + "]", extra.get(i));
    }
    if (noIndex && !extra.isEmpty()) {
      throw invalid(s.key("extra_index_urls"), new JsonArray(extra),
          "cannot be used when pip.index_url is '' (no index)");
    }
    PipConfig c = new PipConfig(noIndex ? null : index, noIndex, s.nonBlank("find_links", null), extra,
        s.integer("timeout_seconds", d.timeoutSeconds(), 1, Integer.MAX_VALUE));
    s.done();
    return c;
  }

  JsonObject toJson() {
    return new JsonObject().put("index_url", noIndex ? "" : ConfigErrors.maskUrl(indexUrl)).put("find_links", findLinks)
        .put("extra_index_urls", new JsonArray(extraIndexUrls.stream().map(ConfigErrors::maskUrl).toList()))
        .put("timeout_seconds", timeoutSeconds);
  }

  /** An http(s) or file URL; anything else fails naming {@code key}. */
  static void url(String key, String value) {
    try {
      URI u = new URI(value.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null || scheme.equals("file")) {
        return;
      }
    } catch (java.net.URISyntaxException e) {
      // falls through to the error below
    }
    throw invalid(key, value, "must be an http://, https:// or file:// URL");
  }

  /** Like the generated one, with passwords in URLs masked. */
  @Override
  public String toString() {
    return "PipConfig" + toJson().encode();
  }
}
