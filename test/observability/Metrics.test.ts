import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"
import { render, prometheusText } from "../../src/layers/PrometheusText.js"
import * as Metrics from "../../src/services/Metrics.js"
import { tempDir } from "../layers/CliProcess.js"
import { httpTestServer } from "../layers/HttpTestServer.js"
import { eventually } from "../gateway/GatewayTestKit.js"
import { actionsOfEachOutcome, channels, runAll, runLayer, series } from "./RunHarness.js"

describe("metrics", () => {
  it.live("a scrape after runs of each outcome shows runs, deliveries, dead letters and histogram buckets", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const server = yield* httpTestServer()
      // The deliveries of the notified run are counted by the channel workers, after the run.
      const delivered = Effect.map(prometheusText, (text) =>
        series(text, `agenc_deliveries_total{channel="ok-hook",status="delivered"}`) !== undefined &&
        series(text, `agenc_deliveries_total{channel="bad-hook",status="dropped"}`) !== undefined)
      const reports = yield* runAll(actionsOfEachOutcome("unit"), 3_000).pipe(
        Effect.tap(() => eventually(delivered)),
        Effect.provide(runLayer(home, channels(server)))
      )
      assert.deepStrictEqual(reports.map((r) => r.outcome), ["notified", "quiet", "failed", "timed-out"])
      assert.deepStrictEqual(reports[0]!.deliveries.map((d) => [d.channel, d.status]), [["ok-hook", "queued"], ["bad-hook", "queued"]])
      const text = yield* prometheusText

      assert.include(text, "# TYPE agenc_runs_total counter\n")
      assert.include(text, "# TYPE agenc_run_lateness_seconds histogram\n")
      assert.strictEqual(series(text, `agenc_runs_total{action="unit-notify",outcome="notified"}`), 1)
      assert.strictEqual(series(text, `agenc_runs_total{action="unit-quiet",outcome="quiet"}`), 1)
      assert.strictEqual(series(text, `agenc_runs_total{action="unit-fail",outcome="failed"}`), 1)
      assert.strictEqual(series(text, `agenc_runs_total{action="unit-slow",outcome="timed-out"}`), 1)
      assert.isUndefined(series(text, `agenc_runs_total{action="unit-quiet",outcome="notified"}`))

      assert.strictEqual(series(text, `agenc_deliveries_total{channel="ok-hook",status="delivered"}`), 1)
      assert.strictEqual(series(text, `agenc_deliveries_total{channel="bad-hook",status="dropped"}`), 1)
      assert.strictEqual(series(text, `agenc_dead_letters_total{channel="bad-hook"}`), 1)
      assert.isUndefined(series(text, `agenc_dead_letters_total{channel="ok-hook"}`))
      // Committing the message to the outbox is not an outcome of its own.
      assert.isUndefined(series(text, `agenc_deliveries_total{channel="ok-hook",status="queued"}`))
      assert.isUndefined(series(text, `agenc_deliveries_total{channel="bad-hook",status="queued"}`))

      // Each run started about 3 s after its slot: above the 2.5 s bucket, inside the 5 s one.
      for (const action of ["unit-notify", "unit-quiet", "unit-fail", "unit-slow"]) {
        assert.strictEqual(series(text, `agenc_run_lateness_seconds_bucket{action="${action}",le="2.5"}`), 0, action)
        assert.strictEqual(series(text, `agenc_run_lateness_seconds_bucket{action="${action}",le="5"}`), 1, action)
        assert.strictEqual(series(text, `agenc_run_lateness_seconds_bucket{action="${action}",le="+Inf"}`), 1, action)
        assert.strictEqual(series(text, `agenc_run_lateness_seconds_count{action="${action}"}`), 1, action)
        assert.isAbove(series(text, `agenc_run_lateness_seconds_sum{action="${action}"}`)!, 2.99, action)
      }
      // The timed-out run took its 100 ms timeout at least.
      assert.strictEqual(series(text, `agenc_run_duration_seconds_bucket{action="unit-slow",le="0.05"}`), 0)
      assert.strictEqual(series(text, `agenc_run_duration_seconds_bucket{action="unit-slow",le="+Inf"}`), 1)

      const notified = series(text, `agenc_last_success_timestamp_seconds{action="unit-notify"}`)!
      assert.approximately(notified, reports[0]!.endedAt / 1000, 0.001)
      assert.isDefined(series(text, `agenc_last_success_timestamp_seconds{action="unit-quiet"}`))
      assert.isUndefined(series(text, `agenc_last_success_timestamp_seconds{action="unit-fail"}`))
      assert.isUndefined(series(text, `agenc_last_success_timestamp_seconds{action="unit-slow"}`))

      const summary = yield* Metrics.summary
      assert.deepStrictEqual(summary.runs["unit-fail"], { failed: 1 })
      assert.deepStrictEqual(summary.deliveries["bad-hook"], { dropped: 1 })
      assert.strictEqual(summary.deadLetters["bad-hook"], 1)
      assert.strictEqual(summary.lastSuccess["unit-notify"], new Date(reports[0]!.endedAt).toISOString())
      assert.strictEqual(summary.lateness["unit-quiet"]!.count, 1)
    }).pipe(Effect.scoped))

  it.effect("slots that did not run count by outcome, without lateness, duration or last success", () =>
    Effect.gen(function*() {
      yield* Metrics.recordSlots("unit-skip", "skipped")
      yield* Metrics.recordSlots("unit-skip", "missed", 40)
      const text = yield* prometheusText
      assert.strictEqual(series(text, `agenc_runs_total{action="unit-skip",outcome="skipped"}`), 1)
      assert.strictEqual(series(text, `agenc_runs_total{action="unit-skip",outcome="missed"}`), 40)
      assert.notInclude(text, `agenc_run_lateness_seconds_count{action="unit-skip"}`)
      assert.notInclude(text, `agenc_last_success_timestamp_seconds{action="unit-skip"}`)
    }))

  it.effect("loop restarts and outbox depth, through the hooks other modules call", () =>
    Effect.gen(function*() {
      yield* Metrics.recordLoopRestart("channel:unit")
      yield* Metrics.recordLoopRestart("channel:unit")
      yield* Metrics.setOutboxDepth("unit-channel", 7)
      const text = yield* prometheusText
      assert.strictEqual(series(text, `agenc_loop_restarts_total{loop="channel:unit"}`), 2)
      assert.strictEqual(series(text, `agenc_outbox_depth{channel="unit-channel"}`), 7)
      assert.include(text, "# TYPE agenc_outbox_depth gauge\n")
    }))

  it.effect("label values are escaped and a family is declared once", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("unit_escape_total", { description: "line one\nline two" })
      yield* Metric.increment(Metric.tagged(counter, "name", "a \"quoted\"\\ name\nwith a newline"))
      yield* Metric.increment(Metric.tagged(counter, "name", "b"))
      const histogram = Metric.histogram("unit_plain_seconds", MetricBoundaries.fromIterable([1]))
      yield* Metric.update(histogram, 0.5)
      yield* Metric.update(histogram, 3)
      const text = render((yield* Metric.snapshot).filter((pair) => pair.metricKey.name.startsWith("unit_")))
      assert.strictEqual(
        text,
        [
          "# HELP unit_escape_total line one\\nline two",
          "# TYPE unit_escape_total counter",
          "unit_escape_total{name=\"a \\\"quoted\\\"\\\\ name\\nwith a newline\"} 1",
          "unit_escape_total{name=\"b\"} 1",
          "# TYPE unit_plain_seconds histogram",
          "unit_plain_seconds_bucket{le=\"1\"} 1",
          "unit_plain_seconds_bucket{le=\"+Inf\"} 2",
          "unit_plain_seconds_sum 3.5",
          "unit_plain_seconds_count 2",
          ""
        ].join("\n")
      )
    }))
})
