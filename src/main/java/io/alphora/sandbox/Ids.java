package io.alphora.sandbox;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Opaque identifiers: {@code sbx_} + 24 and {@code exe_} + 20 url-safe random characters. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
  private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,63}");
  private static final Pattern EXEC_ID = Pattern.compile("exe_[A-Za-z0-9_-]{8,64}");

  private Ids() {}

  public static String sandbox() { return "sbx_" + random(24); }

  public static String exec() { return "exe_" + random(20); }

  public static String random(int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  /** A caller-chosen sandbox id must be safe as a directory name and an address suffix. */
  public static String checkSandboxId(String id) {
    if (id == null || !SANDBOX_ID.matcher(id).matches()) {
      throw new SandboxException.InvalidRequestException("sandbox_id '" + id
          + "' is invalid: use 3-64 characters from [A-Za-z0-9_-], starting with a letter or digit",
          java.util.Map.of("field", "sandbox_id"));
    }
    return id;
  }

  public static String checkExecId(String id) {
    if (id == null || !EXEC_ID.matcher(id).matches()) {
      throw new SandboxException.InvalidRequestException("exec_id '" + id
          + "' is invalid: use 'exe_' followed by 8-64 characters from [A-Za-z0-9_-]",
          java.util.Map.of("field", "exec_id"));
    }
    return id;
  }
}
