package io.alphora.sandbox.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's metrics (Micrometer, scraped as Prometheus text at {@code GET /metrics}): runs by
 * outcome and duration, sandboxes by status, HTTP requests, and the JVM's own figures.
 */
public final class SandboxMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> sandboxes = new ConcurrentHashMap<>();
  private final Timer runs;

  public SandboxMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    runs = Timer.builder("alphora.execution.duration").description("wall time of finished runs")
        .register(registry);
    for (String s : new String[] {"created", "starting", "running", "stopping", "stopped", "error", "lost"}) {
      AtomicLong n = new AtomicLong();
      sandboxes.put(s, n);
      Gauge.builder("alphora.sandboxes", n, AtomicLong::get).tag("status", s)
          .description("sandboxes on this node by status").register(registry);
    }
  }

  /** Replaces the per-status counts (called by the manager after each change). */
  public void sandboxCounts(Map<String, Long> byStatus) {
    sandboxes.forEach((status, n) -> n.set(byStatus.getOrDefault(status, 0L)));
  }

  public void run(String status, double seconds) {
    Counter.builder("alphora.executions").tag("status", status).description("finished runs by outcome")
        .register(registry).increment();
    runs.record(Duration.ofNanos((long) (seconds * 1e9)));
  }

  public void httpRequest(String method, int status) {
    Counter.builder("alphora.http.requests").tag("method", method).tag("status", String.valueOf(status))
        .register(registry).increment();
  }

  /** The Prometheus text exposition. */
  public String scrape() { return registry.scrape(); }
}
