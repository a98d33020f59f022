package io.alphora.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.bus.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModelTest {

  @Test
  void fileTypeFromLastExtensionAsTheSeed() {
    assertThat(FileType.fromName("a.TXT")).isEqualTo(FileType.TEXT);
    assertThat(FileType.fromName("a.tar.gz")).isEqualTo(FileType.ARCHIVE);
    assertThat(FileType.fromName("dir/x.py")).isEqualTo(FileType.PYTHON);
    assertThat(FileType.fromName("Makefile")).isEqualTo(FileType.UNKNOWN);
    assertThat(FileType.fromName(".bashrc")).isEqualTo(FileType.UNKNOWN);
    assertThat(FileType.fromName("a.jsonl")).isEqualTo(FileType.UNKNOWN);
    assertThat(FileType.fromName("a.sh")).isEqualTo(FileType.UNKNOWN);
    assertThat(FileType.fromName("x.yml")).isEqualTo(FileType.YAML);
    assertThat(FileType.fromName("x.")).isEqualTo(FileType.UNKNOWN);
  }

  @Test
  void humanSizeAsTheSeed() {
    assertThat(FileInfo.humanSize(0)).isEqualTo("0.0 B");
    assertThat(FileInfo.humanSize(1023)).isEqualTo("1023.0 B");
    assertThat(FileInfo.humanSize(1024)).isEqualTo("1.0 KB");
    assertThat(FileInfo.humanSize(1536)).isEqualTo("1.5 KB");
    assertThat(FileInfo.humanSize(1_000_000)).isEqualTo("976.6 KB");
    assertThat(FileInfo.humanSize(1L << 30)).isEqualTo("1.0 GB");
    assertThat(FileInfo.humanSize(1L << 50)).isEqualTo("1.0 PB");
  }

  @Test
  void presetsHaveTheSeedValues() {
    ResourceLimits min = ResourceLimits.minimal();
    assertThat(min.timeoutSeconds()).isEqualTo(30);
    assertThat(min.memoryMb()).isEqualTo(128);
    assertThat(min.cpuCores()).isEqualTo(0.5);
    assertThat(min.diskMb()).isEqualTo(256);
    assertThat(min.maxProcesses()).isEqualTo(5);
    ResourceLimits hp = ResourceLimits.highPerformance();
    assertThat(hp.memoryMb()).isEqualTo(4096);
    assertThat(hp.maxThreads()).isEqualTo(200);
    assertThat(hp.networkEnabled()).isTrue();
    assertThat(ResourceLimits.standard().maxOutputSize()).isEqualTo(10_485_760L);
    assertThat(SecurityPolicy.strict().allowShell()).isFalse();
    assertThat(SecurityPolicy.strict().blockedImports()).contains("socket", "os");
    assertThat(SecurityPolicy.permissive().allowSubprocess()).isTrue();
    assertThat(SecurityPolicy.standard().blockedPaths()).containsExactly("/etc", "/usr", "/bin", "/sbin", "/root");
    assertThatThrownBy(() -> ResourceLimits.preset("huge")).isInstanceOf(SandboxException.class)
        .hasMessageContaining("huge");
  }

  @Test
  void jsonIsSnakeCaseWithIsoTimes() {
    FileInfo f = FileInfo.of("a.py", "d/a.py", 1536, false, false, Instant.parse("2026-11-26T14:43:03.123456Z"),
        null, "text/x-python");
    JsonObject j = Json.toJson(f);
    assertThat(j.getString("size_human")).isEqualTo("1.5 KB");
    assertThat(j.getString("file_type")).isEqualTo("python");
    assertThat(j.getBoolean("is_directory")).isFalse();
    assertThat(j.getString("modified_time")).isEqualTo("2026-11-26T14:43:03.123Z");
    assertThat(Json.fromJson(j, FileInfo.class, "x").size()).isEqualTo(1536);

    JsonObject limits = Json.toJson(ResourceLimits.standard());
    assertThat(limits.fieldNames()).containsExactlyInAnyOrder("timeout_seconds", "memory_mb", "cpu_cores", "disk_mb",
        "max_processes", "max_threads", "max_open_files", "network_enabled", "max_output_size", "max_file_size");
  }

  @Test
  void unknownOrMistypedFieldsAreNamed() {
    assertThatThrownBy(() -> Json.fromJson(new JsonObject().put("code", "1").put("codez", "x"), ExecRequest.class,
        "execution request")).hasMessageContaining("unknown field 'codez'");
    assertThatThrownBy(() -> Json.fromJson(new JsonObject().put("code", "1").put("timeout", "abc"), ExecRequest.class,
        "execution request")).hasMessageContaining("timeout");
    assertThatThrownBy(() -> Json.fromJson(new JsonObject().put("args", "a"), ExecRequest.class,
        "execution request")).isInstanceOf(SandboxException.class).hasMessageContaining("args");
  }

  @Test
  void errorCodesMapToStatuses() {
    assertThat(ErrorCode.SANDBOX_NOT_FOUND.status()).isEqualTo(404);
    assertThat(ErrorCode.PATH_TRAVERSAL.code()).isEqualTo("path_traversal");
    assertThat(ErrorCode.SANDBOX_LIMIT_REACHED.status()).isEqualTo(429);
    assertThat(ErrorCode.PACKAGE_INSTALL_FAILED.status()).isEqualTo(422);
    assertThat(SandboxException.of(ErrorCode.FILE_NOT_FOUND, "x", java.util.Map.of()))
        .isInstanceOf(SandboxException.SandboxFileNotFoundException.class);
  }
}
