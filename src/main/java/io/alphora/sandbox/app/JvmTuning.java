package io.alphora.sandbox.app;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an idle service give memory back to the OS. {@code java -jar} without flags gets G1 with an
 * initial heap of 1/64 of RAM, which a burst of requests touches and then keeps resident for good.
 * These are manageable flags, set at run time and only where the operator did not set them on the
 * command line: a periodic GC when nothing else collected for a while, and heap shrinking after it.
 */
final class JvmTuning {
  private static final Logger LOG = LoggerFactory.getLogger(JvmTuning.class);

  private JvmTuning() {}

  static void apply() {
    try {
      HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (!"true".equals(hs.getVMOption("UseG1GC").getValue())) {
        return;
      }
      // order matters: MinHeapFreeRatio may not exceed MaxHeapFreeRatio at any moment
      setIfDefault(hs, "MinHeapFreeRatio", "10");
      setIfDefault(hs, "MaxHeapFreeRatio", "30");
      setIfDefault(hs, "G1PeriodicGCInterval", "5000");
    } catch (RuntimeException e) {
      LOG.debug("JVM memory tuning not applied: {}", e.toString());
    }
  }

  private static void setIfDefault(HotSpotDiagnosticMXBean hs, String name, String value) {
    VMOption o = hs.getVMOption(name);
    if (o.isWriteable() && o.getOrigin() == VMOption.Origin.DEFAULT) {
      hs.setVMOption(name, value);
    }
  }
}
