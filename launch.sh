#!/usr/bin/env bash
# Starts Wallaby's pieces, each as its own process.
#
#   ./launch.sh demo [velocity] [--cluster N] [--connection CONN]
#                                          a whole pipeline on 10,000 transactions, checked, then stops: alert_stateless,
#                                          or velocity alerts per account and 10 s window (velocity); on one engine, or
#                                          on N engines and a Kafka broker (--cluster N); prints each engine's web view
#                                          (--keep-running: everything stays up until Ctrl-C)
#   ./launch.sh postgres [--port N]        an embedded PostgreSQL; prints its connection string
#   ./launch.sh engine [flags]             the engine (./launch.sh engine --help), admin HTTP and web view on :7300
#   ./launch.sh status [--connection C]    the running engine's connectors, streams, counters, capture lag
#   ./launch.sh source KIND [flags]        a source connector: postgres, generator, file
#   ./launch.sh sink KIND [flags]          a sink connector: postgres, stdout, file
#   ./launch.sh bench [flags]              the benchmark: prints a table, writes bench/results/latest.md
#   ./launch.sh kafka [flags]              a single-node Kafka broker (KRaft) on 127.0.0.1:9092, storage in
#                                          .wallaby/kafka; prints its address (./launch.sh kafka --help)
#
# The jars are built on first use (and again when a source file is newer than its jar).
set -euo pipefail
cd "$(dirname "$0")"
HOME_DIR=$(pwd)

ENGINE_JAR=engine/target/wallaby-engine.jar
SOURCE_JAR=source-connector/target/wallaby-source.jar
SINK_JAR=sink-connector/target/wallaby-sink.jar
LAUNCHER_JAR=launcher/target/wallaby-launcher.jar
# Not shaded: the broker runs from its jar and the runtime dependencies beside it in lib/.
KAFKA_JAR=kafka-broker/target/wallaby-kafka-broker.jar
KAFKA_LIB=kafka-broker/target/lib

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

needs_build() {
  local jar
  for jar in "$ENGINE_JAR" "$SOURCE_JAR" "$SINK_JAR" "$LAUNCHER_JAR" "$KAFKA_JAR"; do
    [ -f "$jar" ] || return 0
  done
  [ -d "$KAFKA_LIB" ] || return 0
  # Rebuild when any source, pom or resource (the web view's page and scripts among them) is newer than the oldest jar.
  local oldest
  oldest=$(ls -t "$ENGINE_JAR" "$SOURCE_JAR" "$SINK_JAR" "$LAUNCHER_JAR" "$KAFKA_JAR" | tail -n 1)
  [ -n "$(find . -path ./.git -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.xml' -path '*/src/main/*' -o -type f -path '*/src/main/resources/*' \) -newer "$oldest" -print -quit)" ]
}

build() {
  needs_build || return 0
  # Pieces started side by side (engine, source, sink) must not build at once: one builds, the others wait.
  mkdir -p .wallaby
  exec 9>.wallaby/build.lock
  if command -v flock >/dev/null; then flock 9; fi
  if needs_build; then
    echo "Building Wallaby (first run downloads Maven and the dependencies)..." >&2
    ./mvnw -q -B package -DskipTests >&2
    # Maven leaves a jar whose module did not change as it was, older than the sources just built: without this,
    # the next start would build everything again.
    touch "$ENGINE_JAR" "$SOURCE_JAR" "$SINK_JAR" "$LAUNCHER_JAR" "$KAFKA_JAR"
  fi
  exec 9>&-
}

java_cmd() {
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# The pieces' JVMs as the launcher starts them (PieceProcess.JVM_OPTIONS says why the serial collector).
PIECE_JVM=(-Xmx256m -XX:+UseSerialGC)
# The Kafka broker's, as KafkaBrokerProcess.JVM_OPTIONS (about 250 MB resident once ready).
KAFKA_JVM=(-Xmx256m -XX:+UseSerialGC)

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  demo)     build; exec "$(java_cmd)" -jar "$LAUNCHER_JAR" demo --home "$HOME_DIR" "$@" ;;
  postgres) build; exec "$(java_cmd)" -jar "$LAUNCHER_JAR" postgres "$@" ;;
  engine)
    build
    # An engine started here always serves /health, /metrics and /status (default :7300) unless told otherwise.
    case " $* " in *" --admin-port"*) ;; *) set -- --admin-port 7300 "$@" ;; esac
    # ... and keeps its dead letters (messages the application could not decode) beside the logs.
    case " $* " in *" --dead-letter-file"*) ;; *) mkdir -p .wallaby; set -- --dead-letter-file .wallaby/dead-letters.jsonl "$@" ;; esac
    exec "$(java_cmd)" "${PIECE_JVM[@]}" -jar "$ENGINE_JAR" "$@" ;;
  status)   build; exec "$(java_cmd)" -jar "$LAUNCHER_JAR" status "$@" ;;
  source)   build; exec "$(java_cmd)" "${PIECE_JVM[@]}" -jar "$SOURCE_JAR" "$@" ;;
  sink)     build; exec "$(java_cmd)" "${PIECE_JVM[@]}" -jar "$SINK_JAR" "$@" ;;
  kafka)    build; exec "$(java_cmd)" "${KAFKA_JVM[@]}" -cp "$KAFKA_JAR:$KAFKA_LIB/*" io.wallaby.kafkabroker.KafkaBrokerMain "$@" ;;
  bench)    ./mvnw -q -B -Pbench package -DskipTests >&2; exec "$(java_cmd)" -jar bench/target/wallaby-bench.jar --home "$HOME_DIR" "$@" ;;  # ./launch.sh bench --help
  -h|--help|help) usage ;;
  "") usage; exit 2 ;;
  *) echo "launch.sh: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
esac
