package io.alphora.sandbox.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.alphora.sandbox.Wheels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * pip packages through HTTP, offline: the service has no index and a find-links directory of wheels
 * that the test builds itself.
 */
class PackagesApiTest extends RestTestBase {
  static Path wheels;

  /** No index at all; wheels only from a directory (SANDBOX_PIP_INDEX_URL="" + SANDBOX_PIP_FIND_LINKS). */
  static JsonObject serviceConfig() throws Exception {
    wheels = Files.createTempDirectory("alphora-wheels-");
    Wheels.build(wheels, "tinypkg", "1.0");
    Wheels.build(wheels, "tinypkg", "2.0");
    Wheels.build(wheels, "otherpkg", "0.1");
    return new JsonObject().put("pip", new JsonObject().put("index_url", "").put("find_links", wheels.toString()));
  }

  @Test
  void installListUseUninstallOffline() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id + "/packages";
    assertThat(get(s).json().getJsonArray("packages")).isEmpty();
    expectError(get(s + "/tinypkg"), 404, "package_not_found");
    Res installed = post(s, new JsonObject().put("packages", new JsonArray().add("tinypkg==1.0").add("otherpkg")));
    assertThat(installed.status()).as(installed.body()).isEqualTo(200);
    assertThat(installed.json().getBoolean("success")).isTrue();
    JsonObject info = get(s + "/tinypkg").json();
    assertThat(info.getString("version")).isEqualTo("1.0");
    assertThat(info.getString("summary")).isEqualTo("tiny test package");
    assertThat(info.fieldNames()).contains("name", "version", "summary", "location", "requires");
    assertThat(get(s).json().getJsonArray("packages")).hasSize(2);
    JsonObject use = exec(id, new JsonObject().put("code", "import tinypkg; print(tinypkg.VALUE)"));
    assertThat(use.getString("stdout")).isEqualTo("1.0\n");
    JsonObject fromShell = exec(id, new JsonObject().put("language", "shell")
        .put("command", "/usr/bin/python3 -c 'import tinypkg; print(tinypkg.__file__)'"));
    assertThat(fromShell.getString("stdout")).contains("/site-packages/tinypkg/");

    Res upgrade = post(s, new JsonObject().put("packages", new JsonArray().add("tinypkg==2.0")).put("upgrade", true));
    assertThat(upgrade.status()).as(upgrade.body()).isEqualTo(200);
    assertThat(get(s + "/tinypkg").json().getString("version")).isEqualTo("2.0");

    Res un = delete(s + "/tinypkg");
    assertThat(un.status()).as(un.body()).isEqualTo(200);
    assertThat(un.json().getString("stdout")).contains("Successfully uninstalled tinypkg-2.0");
    expectError(get(s + "/tinypkg"), 404, "package_not_found");
    expectError(delete(s + "/tinypkg"), 404, "package_not_found");
    assertThat(exec(id, new JsonObject().put("code", "import tinypkg")).getString("stderr"))
        .contains("ModuleNotFoundError");
    assertThat(exec(id, new JsonObject().put("code", "import otherpkg; print('ok')")).getString("stdout"))
        .isEqualTo("ok\n");
    delete("/v1/sandboxes/" + id);
  }

  @Test
  void requirementsFileAndFailures() {
    String id = create(new JsonObject());
    String s = "/v1/sandboxes/" + id;
    call("PUT", s + "/files/requirements.txt", "# deps\ntinypkg==1.0\n");
    Res r = post(s + "/packages", new JsonObject().put("requirements_file", "requirements.txt"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(get(s + "/packages/TinyPkg").json().getString("version")).isEqualTo("1.0");
    call("PUT", s + "/files/evil.txt", "--index-url http://evil.example/\ntinypkg\n");
    expectError(post(s + "/packages", new JsonObject().put("requirements_file", "evil.txt")), 400, "invalid_request");
    expectError(post(s + "/packages", new JsonObject().put("requirements_file", "../etc/passwd")), 400,
        "path_traversal");
    for (String bad : new String[] {"x; rm -rf /", "--pre", "a b", "pkg @ http://x"}) {
      expectError(post(s + "/packages", new JsonObject().put("packages", new JsonArray().add(bad))), 400,
          "invalid_request");
    }
    expectError(post(s + "/packages", new JsonObject()), 400, "invalid_request");
    Res missing = post(s + "/packages", new JsonObject().put("packages", new JsonArray().add("does-not-exist")));
    expectError(missing, 422, "package_install_failed");
    JsonObject details = missing.json().getJsonObject("error").getJsonObject("details");
    assertThat(details.getString("stderr")).containsIgnoringCase("does-not-exist");
    assertThat(details.getInteger("return_code")).isNotZero();
    post(s + "/stop", null);
    expectError(post(s + "/packages", new JsonObject().put("packages", new JsonArray().add("tinypkg"))), 409,
        "sandbox_not_running");
    assertThat(get(s + "/packages").json().getJsonArray("packages")).as("listing works when stopped").hasSize(1);
    delete(s);
  }
}
