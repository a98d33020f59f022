package io.alphora.sandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.ResourceLimits;
import io.alphora.sandbox.SandboxException;
import io.alphora.sandbox.SecurityPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overlay helpers the REST layer shares with the config loader. */
class LimitsPoliciesTest {

  @Test
  void limitsOverlayOnlyGivenFields() {
    ResourceLimits base = ResourceLimits.minimal();
    assertThat(Limits.parse(null, base, "resource_limits")).isSameAs(base);
    assertThat(Limits.parse(new JsonObject().put("timeout_seconds", 7), base, "resource_limits"))
        .isEqualTo(base.withTimeoutSeconds(7));
    assertThat(Limits.parse("high-performance", base, "resource_limits")).isEqualTo(ResourceLimits.highPerformance());
    assertThat(Limits.parse(Map.of("network_enabled", true), base, "x").networkEnabled()).isTrue();
    assertThat(Limits.parse(Limits.toJson(base), ResourceLimits.standard(), "x")).isEqualTo(base);
    assertThat(Limits.parse(new JsonObject().put("max_output_size", 5_000_000_000L), base, "x").maxOutputSize())
        .isEqualTo(5_000_000_000L);
  }

  @Test
  void limitsErrorsNameTheFieldWithTheCallersPrefix() {
    assertThatThrownBy(() -> Limits.parse(new JsonObject().put("memory_mb", "abc"), ResourceLimits.standard(), "limits"))
        .isInstanceOf(SandboxException.InvalidRequestException.class)
        .hasMessage("limits.memory_mb='abc' must be an integer")
        .satisfies(e -> assertThat(((SandboxException) e).details()).containsEntry("field", "limits.memory_mb"));
    assertThatThrownBy(() -> Limits.parse(new JsonObject().put("memroy_mb", 1), ResourceLimits.standard(), "resource_limits"))
        .hasMessageStartingWith("resource_limits.memroy_mb is not a known field");
    assertThatThrownBy(() -> Limits.parse(new JsonObject().put("memory_mb", 0), ResourceLimits.standard(), "resource_limits"))
        .hasMessage("resource_limits.memory_mb=0 must be positive");
    assertThatThrownBy(() -> Limits.parse(new JsonObject().put("memory_mb", 3_000_000_000L), ResourceLimits.standard(), "r"))
        .hasMessage("r.memory_mb=3000000000 must be positive");
    assertThatThrownBy(() -> Limits.parse(new JsonObject().put("network_enabled", "true"), ResourceLimits.standard(), "r"))
        .hasMessage("r.network_enabled='true' must be a boolean (true or false)");
    assertThatThrownBy(() -> Limits.parse(List.of(), ResourceLimits.standard(), "r"))
        .hasMessageContaining("r=[] must be an object or a resource_limits preset name");
    assertThatThrownBy(() -> Limits.parse(new JsonObject().put("preset", "tiny"), ResourceLimits.standard(), "r"))
        .hasMessageStartingWith("r.preset='tiny' is not a resource_limits preset");
  }

  @Test
  void policiesOverlayAndErrors() {
    SecurityPolicy p = Policies.parse(new JsonObject().put("allow_shell", false)
        .put("blocked_imports", new JsonArray().add("socket")), SecurityPolicy.permissive(), "security_policy");
    assertThat(p.allowShell()).isFalse();
    assertThat(p.allowNetwork()).isTrue();
    assertThat(p.blockedImports()).containsExactly("socket");
    assertThat(Policies.parse("STRICT", SecurityPolicy.standard(), "p")).isEqualTo(SecurityPolicy.strict());
    assertThat(Policies.parse(Policies.toJson(SecurityPolicy.strict()), SecurityPolicy.permissive(), "p"))
        .isEqualTo(SecurityPolicy.strict());
    assertThatThrownBy(() -> Policies.parse(new JsonObject().put("allow_shell", "no"), SecurityPolicy.standard(), "policy"))
        .hasMessage("policy.allow_shell='no' must be a boolean (true or false)");
    assertThatThrownBy(() -> Policies.parse(new JsonObject().put("max_files_count", -1), SecurityPolicy.standard(), "p"))
        .hasMessage("p.max_files_count=-1 must be positive");
    assertThatThrownBy(() -> Policies.parse(new JsonObject().put("blocked_paths", new JsonArray().add(3)),
        SecurityPolicy.standard(), "p")).hasMessage("p.blocked_paths[0]=3 must be a non-empty string");
  }
}
