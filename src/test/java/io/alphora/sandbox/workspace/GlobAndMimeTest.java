package io.alphora.sandbox.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class GlobAndMimeTest {
  @Test
  void globHasFnmatchSemantics() {
    Predicate<String> py = Glob.compile("*.py");
    assertThat(py.test("a.py")).isTrue();
    assertThat(py.test(".hidden.py")).isTrue();
    assertThat(py.test("a.pyc")).isFalse();
    assertThat(py.test("A.PY")).isFalse();
    assertThat(Glob.compile("?.txt").test("a.txt")).isTrue();
    assertThat(Glob.compile("?.txt").test("ab.txt")).isFalse();
    assertThat(Glob.compile("[ab]*").test("b1")).isTrue();
    assertThat(Glob.compile("[!ab]*").test("b1")).isFalse();
    assertThat(Glob.compile("[!ab]*").test("c1")).isTrue();
    assertThat(Glob.compile("[a-c]x").test("bx")).isTrue();
    assertThat(Glob.compile("[]]").test("]")).isTrue();
    assertThat(Glob.compile("[").test("[")).isTrue();
    assertThat(Glob.compile("a[").test("a[")).isTrue();
    assertThat(Glob.compile("{a,b}").test("a")).isFalse();
    assertThat(Glob.compile("{a,b}").test("{a,b}")).isTrue();
    assertThat(Glob.compile("a+b(c)$.^").test("a+b(c)$.^")).isTrue();
    assertThat(Glob.compile("日本*").test("日本語.txt")).isTrue();
    assertThat(Glob.compile(null).test("anything")).isTrue();
    assertThat(Glob.compile("").test("anything")).isTrue();
  }

  @Test
  void mimeTypesFromTheLastExtension() {
    assertThat(MimeTypes.forName("a.txt")).isEqualTo("text/plain");
    assertThat(MimeTypes.forName("dir/a.PY")).isEqualTo("text/x-python");
    assertThat(MimeTypes.forName("a.tar.gz")).isEqualTo("application/gzip");
    assertThat(MimeTypes.forName("book.xlsx"))
        .isEqualTo("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assertThat(MimeTypes.forName("pic.svg")).isEqualTo("image/svg+xml");
    assertThat(MimeTypes.forName("Makefile")).isEqualTo(MimeTypes.DEFAULT);
    assertThat(MimeTypes.forName(".bashrc")).isEqualTo(MimeTypes.DEFAULT);
    assertThat(MimeTypes.forName("trailing.")).isEqualTo(MimeTypes.DEFAULT);
    assertThat(MimeTypes.forName(null)).isEqualTo(MimeTypes.DEFAULT);
  }

  @Test
  void namesSortByCodePointLikePython() {
    assertThat(TreeScanner.compareCodePoints("B", "a")).isNegative();
    assertThat(TreeScanner.compareCodePoints("a", "ab")).isNegative();
    // U+FFFD sorts before U+1F600 by code point, after it by UTF-16 unit
    assertThat(TreeScanner.compareCodePoints("\uFFFD", "\uD83D\uDE00")).isNegative();
  }
}
