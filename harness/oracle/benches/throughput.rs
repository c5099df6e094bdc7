//! Evaluations per second of the evaluator under test and of the oracle on the same generated
//! cases, and their ratio.
//!
//! Run with `cargo bench -p scpcheck-oracle --bench throughput`; `SCPCHECK_BENCH_CASES` sets the
//! number of cases (20,000 by default). The oracle is installed into the cache directory on
//! first use and answers through its pipelined child processes, one per CPU up to four.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a benchmark fails by panicking"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use scpcheck_oracle::case::{Case, PolicyCache};
use scpcheck_oracle::compare::rng;
use scpcheck_oracle::{Installation, Oracle, OracleOptions, cache_dir, generate};
use scpcheck_policy::scp_decision;

const SEED: u64 = 20_261_204;

fn main() {
    let count: usize = std::env::var("SCPCHECK_BENCH_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20_000);
    let cases = generated(count);
    println!("{count} generated cases, seed {SEED}");

    let with_parsing = rate(count, || {
        let mut cache = PolicyCache::new();
        for case in &cases {
            black_box(case.decide(&mut cache).unwrap());
        }
    });
    let decided = decisions_per_second(&cases);
    println!(
        "evaluator under test: {decided:.0} decisions/s, {with_parsing:.0}/s parsing each policy"
    );

    let installation = Installation::provision(&cache_dir())
        .unwrap_or_else(|error| panic!("{:?}", miette::Report::new(error)));
    let requests: Vec<_> = cases.iter().map(Case::oracle_request).collect();
    for processes in [1, OracleOptions::default().processes] {
        let options = OracleOptions {
            processes,
            ..OracleOptions::default()
        };
        let mut oracle = Oracle::start(installation.command(), options).unwrap();
        let oracle_rate = rate(count, || {
            black_box(oracle.ask_all(&requests).unwrap());
        });
        println!(
            "oracle, {processes} process(es): {oracle_rate:.0} decisions/s; the evaluator is \
             {:.0} times as fast ({:.0} times parsing each policy)",
            decided / oracle_rate,
            with_parsing / oracle_rate
        );
    }
}

fn generated(count: usize) -> Vec<Case> {
    let mut runner = TestRunner::new_with_rng(Config::default(), rng(SEED));
    let strategy = generate::case();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Decisions per second with the organizations parsed beforehand, over at least two seconds.
fn decisions_per_second(cases: &[Case]) -> f64 {
    let mut cache = PolicyCache::new();
    let prepared: Vec<_> = cases
        .iter()
        .map(|case| (case.organization(&mut cache).unwrap(), case.request()))
        .collect();
    let started = Instant::now();
    let mut decided = 0usize;
    while started.elapsed() < Duration::from_secs(2) {
        for (organization, request) in &prepared {
            black_box(scp_decision(organization, request));
        }
        decided += prepared.len();
    }
    decided as f64 / started.elapsed().as_secs_f64()
}

/// Runs `work` once over `count` cases and returns cases per second.
fn rate(count: usize, mut work: impl FnMut()) -> f64 {
    let started = Instant::now();
    work();
    count as f64 / started.elapsed().as_secs_f64()
}
