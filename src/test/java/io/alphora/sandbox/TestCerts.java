package io.alphora.sandbox;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made at test time with the JDK's {@code keytool}: a CA, a certificate it signs for
 * 127.0.0.1/localhost (as a PKCS#12 key store and as PEM files), and a self-signed certificate the CA
 * never signed (what a stranger would show).
 */
public final class TestCerts {
  public static final String PASSWORD = "changeit";

  /** PEM CA file, and the same CA as a PKCS#12 trust store. */
  public final Path caPem;
  public final Path trustStore;
  /** A certificate signed by the CA: PKCS#12 key store, and PEM certificate chain + PKCS#8 key. */
  public final Path keyStore;
  public final Path certPem;
  public final Path keyPem;
  /** A self-signed certificate (PKCS#12 and PEM) that the CA did not sign. */
  public final Path strangerKeyStore;
  public final Path strangerCertPem;
  public final Path strangerKeyPem;

  private TestCerts(Path dir) {
    caPem = dir.resolve("ca.pem");
    trustStore = dir.resolve("trust.p12");
    keyStore = dir.resolve("node.p12");
    certPem = dir.resolve("node-cert.pem");
    keyPem = dir.resolve("node-key.pem");
    strangerKeyStore = dir.resolve("stranger.p12");
    strangerCertPem = dir.resolve("stranger-cert.pem");
    strangerKeyPem = dir.resolve("stranger-key.pem");
  }

  /** Makes every file under {@code dir}. */
  public static TestCerts create(Path dir) throws Exception {
    Files.createDirectories(dir);
    TestCerts c = new TestCerts(dir);
    Path ca = dir.resolve("ca.p12");
    Path csr = dir.resolve("node.csr");
    Path signed = dir.resolve("node-signed.pem");
    String san = "SAN=ip:127.0.0.1,dns:localhost";
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=alphora-test-ca",
        "-ext", "bc:c", "-validity", "3", "-keystore", ca.toString(), "-storetype", "PKCS12");
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", c.caPem.toString());
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", c.caPem.toString(), "-keystore",
        c.trustStore.toString(), "-storetype", "PKCS12");
    keytool("-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=alphora-test-node",
        "-validity", "3", "-keystore", c.keyStore.toString(), "-storetype", "PKCS12");
    keytool("-certreq", "-alias", "node", "-keystore", c.keyStore.toString(), "-file", csr.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", csr.toString(), "-outfile",
        signed.toString(), "-ext", san, "-validity", "3");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", c.caPem.toString(), "-keystore",
        c.keyStore.toString());
    keytool("-importcert", "-noprompt", "-alias", "node", "-file", signed.toString(), "-keystore",
        c.keyStore.toString());
    keytool("-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-dname",
        "CN=alphora-test-stranger", "-ext", san, "-validity", "3", "-keystore", c.strangerKeyStore.toString(),
        "-storetype", "PKCS12");
    pem(c.keyStore, c.certPem, c.keyPem);
    pem(c.strangerKeyStore, c.strangerCertPem, c.strangerKeyPem);
    return c;
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storepass", PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }

  /** The key store's "node" entry as a PEM certificate chain and a PKCS#8 PEM key. */
  private static void pem(Path store, Path cert, Path key) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(store.toFile())) {
      ks.load(in, PASSWORD.toCharArray());
    }
    StringBuilder chain = new StringBuilder();
    for (Certificate c : ks.getCertificateChain("node")) {
      chain.append(block("CERTIFICATE", c.getEncoded()));
    }
    Files.writeString(cert, chain);
    PrivateKey k = (PrivateKey) ks.getKey("node", PASSWORD.toCharArray());
    Files.writeString(key, block("PRIVATE KEY", k.getEncoded()));
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
