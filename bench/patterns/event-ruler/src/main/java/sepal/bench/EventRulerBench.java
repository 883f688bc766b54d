package sepal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.event.ruler.Machine;

/**
 * Measures AWS event-ruler on the pattern benchmark's inputs the way the node side measures sepal: compile every
 * rule into one Machine, check the matches on the first events (a checksum the node script compares), warm up for a
 * fixed time so the JIT has compiled the hot path, then time five repetitions and print one JSON object on stdout.
 *
 * Arguments are key=value: rules, events, input (text | tree), warmupMs, repetitionMs, repetitions, verifyEvents,
 * verifyBudgetMs (verification stops at the next checkpoint of 100 events after this long).
 */
public final class EventRulerBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One contender step: match event i, return the matched rule names. */
  private interface Step {
    List<String> match(int index) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    JsonNode rules = JSON.readTree(Files.readString(Path.of(required(options, "rules")), StandardCharsets.UTF_8));
    List<String> texts = Files.readAllLines(Path.of(required(options, "events")), StandardCharsets.UTF_8);
    texts.removeIf(String::isEmpty);
    boolean tree = "tree".equals(options.getOrDefault("input", "text"));
    long warmupMs = Long.parseLong(options.getOrDefault("warmupMs", "1500"));
    long repetitionMs = Long.parseLong(options.getOrDefault("repetitionMs", "500"));
    int repetitions = Integer.parseInt(options.getOrDefault("repetitions", "5"));
    int verifyEvents = Math.min(texts.size(), Integer.parseInt(options.getOrDefault("verifyEvents", "1000")));
    long verifyBudgetMs = Long.parseLong(options.getOrDefault("verifyBudgetMs", "4000"));

    List<String[]> patterns = new ArrayList<>();
    for (JsonNode rule : rules) patterns.add(new String[] {rule.get("id").asText(), JSON.writeValueAsString(rule.get("pattern"))});
    JsonNode[] parsed = new JsonNode[tree ? texts.size() : 0];
    for (int i = 0; i < parsed.length; i++) parsed[i] = JSON.readTree(texts.get(i));

    long heapBefore = usedHeap();
    long compileStart = System.nanoTime();
    Machine machine = new Machine();
    for (String[] rule : patterns) machine.addRule(rule[0], rule[1]);
    double compileMs = (System.nanoTime() - compileStart) / 1e6;
    long heapBytes = usedHeap() - heapBefore;

    Step step = tree ? i -> machine.rulesForJSONEvent(parsed[i]) : i -> machine.rulesForJSONEvent(texts.get(i));
    int count = texts.size();

    // Verification doubles as the first part of the warm-up.
    int matchedEvents = 0;
    int matchedRules = 0;
    int checksum = 0x811c9dc5;
    StringBuilder checkpoints = new StringBuilder("[");
    long verifyStart = System.nanoTime();
    for (int i = 0; i < verifyEvents; i++) {
      String[] ids = step.match(i).toArray(new String[0]);
      Arrays.sort(ids);
      if (ids.length > 0) matchedEvents++;
      matchedRules += ids.length;
      for (String id : ids) checksum = fnv(checksum, i + ":" + id + ";");
      if ((i + 1) % 100 == 0 || i + 1 == verifyEvents) {
        if (checkpoints.length() > 1) checkpoints.append(',');
        checkpoints.append("{\"events\":").append(i + 1)
            .append(",\"matchedEvents\":").append(matchedEvents)
            .append(",\"matchedRules\":").append(matchedRules)
            .append(",\"checksum\":").append(Integer.toUnsignedLong(checksum)).append('}');
        if (System.nanoTime() - verifyStart > verifyBudgetMs * 1_000_000L) break;
      }
    }
    checkpoints.append(']');

    long sink = 0;
    int cursor = 0;
    long warmed = 0;
    long warmupStart = System.nanoTime();
    long warmupEnd = warmupStart + warmupMs * 1_000_000L;
    while (System.nanoTime() < warmupEnd) {
      for (int k = 0; k < 16; k++) {
        sink += step.match(cursor).size();
        cursor = (cursor + 1) % count;
        warmed++;
      }
    }
    double warmRate = warmed / ((System.nanoTime() - warmupStart) / 1e9);
    long perRepetition = Math.max(1, (long) Math.ceil(warmRate * repetitionMs / 1000.0));

    // Process CPU time (all JVM threads, as node's process.cpuUsage counts all of node's), steadier than wall time
    // when other work shares the machine.
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] samples = new double[repetitions];
    double[] cpuSamples = new double[repetitions];
    for (int r = 0; r < repetitions; r++) {
      long cpuStart = os.getProcessCpuTime();
      long start = System.nanoTime();
      for (long n = 0; n < perRepetition; n++) {
        sink += step.match(cursor).size();
        cursor = (cursor + 1) % count;
      }
      samples[r] = perRepetition / ((System.nanoTime() - start) / 1e9);
      cpuSamples[r] = perRepetition / Math.max((os.getProcessCpuTime() - cpuStart) / 1e9, 1e-6);
    }

    StringBuilder out = new StringBuilder("{");
    out.append("\"eventsPerSecond\":").append(median(samples));
    out.append(",\"samples\":").append(Arrays.toString(samples));
    out.append(",\"eventsPerCpuSecond\":").append(median(cpuSamples));
    out.append(",\"cpuSamples\":").append(Arrays.toString(cpuSamples));
    out.append(",\"eventsPerRepetition\":").append(perRepetition);
    out.append(",\"compileMs\":").append(compileMs);
    out.append(",\"heapBytes\":").append(heapBytes);
    out.append(",\"verify\":").append(checkpoints);
    out.append(",\"sink\":").append(sink).append('}');
    System.out.println(out);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) throw new IllegalArgumentException("missing argument " + key + "=...");
    return value;
  }

  /** FNV-1a over UTF-16 code units, the same function the node side uses. */
  private static int fnv(int hash, String text) {
    for (int i = 0; i < text.length(); i++) {
      hash ^= text.charAt(i);
      hash *= 16777619;
    }
    return hash;
  }

  private static long usedHeap() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
