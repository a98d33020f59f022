package io.alphora.sandbox.workspace;

import io.alphora.sandbox.SandboxException.InvalidRequestException;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Python's {@code fnmatch.fnmatchcase} on a single name: {@code *} any run (dots and leading dots
 * included), {@code ?} one character, {@code [seq]}, {@code [!seq]}, ranges {@code [a-z]}; an
 * unclosed {@code [} is literal; no {@code {a,b}} and no escaping. Case-sensitive, as fnmatch is
 * on POSIX. (Java's "glob:" differs: braces, backslash escapes, {@code [!..]} only.)
 */
final class Glob {
  private Glob() {}

  /** Matches everything when {@code pattern} is null or empty. */
  static Predicate<String> compile(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      return name -> true;
    }
    try {
      Pattern p = Pattern.compile(translate(pattern), Pattern.DOTALL);
      return name -> p.matcher(name).matches();
    } catch (PatternSyntaxException e) {
      throw new InvalidRequestException("pattern '" + pattern + "' is not a valid glob: " + e.getDescription(),
          Map.of("pattern", pattern));
    }
  }

  static String translate(String pat) {
    StringBuilder re = new StringBuilder();
    int n = pat.length();
    for (int i = 0; i < n; ) {
      char c = pat.charAt(i++);
      if (c == '*') {
        re.append(".*");
      } else if (c == '?') {
        re.append('.');
      } else if (c == '[') {
        int j = i;
        if (j < n && pat.charAt(j) == '!') {
          j++;
        }
        if (j < n && pat.charAt(j) == ']') {
          j++;
        }
        while (j < n && pat.charAt(j) != ']') {
          j++;
        }
        if (j >= n) {
          re.append("\\[");
        } else {
          re.append(characterClass(pat.substring(i, j)));
          i = j + 1;
        }
      } else {
        re.append(quote(c));
      }
    }
    return re.toString();
  }

  private static String characterClass(String stuff) {
    StringBuilder cls = new StringBuilder("[");
    int start = 0;
    if (stuff.startsWith("!")) {
      cls.append('^');
      start = 1;
    }
    for (int k = start; k < stuff.length(); k++) {
      char c = stuff.charAt(k);
      // '-' between two characters is a range, as in fnmatch; anything else is literal
      boolean range = c == '-' && k > start && k < stuff.length() - 1;
      cls.append(range ? "-" : quote(c));
    }
    return cls.append(']').toString();
  }

  private static String quote(char c) {
    // only ASCII punctuation can be a regex metacharacter
    return c < 128 && !Character.isLetterOrDigit(c) && c != '_' ? "\\" + c : String.valueOf(c);
  }
}
