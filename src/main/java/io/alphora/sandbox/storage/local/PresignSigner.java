package io.alphora.sandbox.storage.local;

import io.alphora.sandbox.ErrorCode;
import io.alphora.sandbox.SandboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks local storage's presigned URLs: HMAC-SHA256 over method, key and expiry with a
 * 256-bit key made once per node and kept (mode 0600) in {@code <root>/presign.key}, so URLs stay
 * valid across restarts. Deleting the file revokes every URL handed out.
 */
final class PresignSigner {
  private final byte[] key;

  private PresignSigner(byte[] key) { this.key = key; }

  /** Loads the key, creating it on first use. Blocking. */
  static PresignSigner load(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + System.nanoTime());
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(tmp, Base64.getEncoder().encode(fresh), StandardOpenOption.TRUNCATE_EXISTING);
      try {
        Files.createLink(file, tmp); // fails if another node created it first: then theirs wins
      } catch (FileAlreadyExistsException raced) {
        // keep the existing key
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    byte[] k = Base64.getDecoder().decode(Files.readString(file).trim());
    if (k.length < 32) {
      throw new IOException("presign key " + file + " is shorter than 256 bits: delete it to make a new one");
    }
    return new PresignSigner(k);
  }

  String sign(String method, String objectKey, long expiresEpochSecond) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sig = mac.doFinal(("v1\n" + method + "\n" + objectKey + "\n" + expiresEpochSecond)
          .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Fails with {@code unauthorized} unless the signature matches and has not expired. */
  void verify(String method, String objectKey, long expiresEpochSecond, String signature, long nowEpochSecond) {
    byte[] want = sign(method, objectKey, expiresEpochSecond).getBytes(StandardCharsets.US_ASCII);
    byte[] got = signature == null ? new byte[0] : signature.getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(want, got)) {
      throw new SandboxException(ErrorCode.UNAUTHORIZED, "the presigned URL's signature does not match "
          + "(the URL was changed, or it was signed for another method or by another node)", Map.of("key", objectKey));
    }
    if (nowEpochSecond > expiresEpochSecond) {
      throw new SandboxException(ErrorCode.UNAUTHORIZED, "the presigned URL expired at epoch second "
          + expiresEpochSecond + ": ask for a new one", Map.of("key", objectKey));
    }
  }
}
