//! The decision table of every bundled scenario, from a fixed-seed run against the emulator
//! behind the gateway, recorded as one insta snapshot per scenario under `snapshots/`.
//!
//! An SCP change that flips a decision changes a table; `cargo insta review` accepts it.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly when its set-up fails"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use scpcheck_cli::run::{self, RunConfig, TargetKind};
use scpcheck_report::{RunResults, Verdict, decision_table};
use scpcheck_target::EmulatorOptions;

const SEED: u64 = 20_261_204;
const CASES: usize = 24;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

fn run_bundled(target: TargetKind) -> RunResults {
    let root = workspace();
    let config = RunConfig {
        scenarios_dir: root.join("scenarios"),
        policies_dir: root.join("policies"),
        cases: CASES,
        seed: SEED,
        target,
        emulator: EmulatorOptions {
            emulator_url: std::env::var("SCPCHECK_EMULATOR_URL").ok(),
            cache_dir: scpcheck_target::cache_dir(),
            region: "eu-central-1".to_string(),
        },
    };
    let inputs = run::load_inputs(&config).expect("the bundled inputs load");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let interrupted = Arc::new(AtomicBool::new(false));
    runtime
        .block_on(run::run(&config, &inputs, interrupted, None))
        .expect("the run completes")
        .0
}

/// The tables of each scenario's operations, one text per scenario id.
fn tables(results: &RunResults) -> BTreeMap<String, String> {
    let mut tables: BTreeMap<String, String> = BTreeMap::new();
    for scenario in &results.scenarios {
        let text = tables.entry(scenario.id.clone()).or_default();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&decision_table(scenario));
    }
    tables
}

#[test]
fn bundled_scenarios_against_the_emulator_match_their_snapshots() {
    let results = run_bundled(TargetKind::Emulator);

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(workspace().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut mismatched = Vec::new();
    settings.bind(|| {
        for (id, table) in tables(&results) {
            let outcome = std::panic::catch_unwind(|| insta::assert_snapshot!(id.clone(), table));
            if outcome.is_err() {
                mismatched.push(id);
            }
        }
    });
    assert!(
        mismatched.is_empty(),
        "decision tables changed for: {mismatched:?}; review with `cargo insta review`"
    );

    let divergences: Vec<_> = results
        .scenarios
        .iter()
        .flat_map(|scenario| scenario.cases.iter().map(move |case| (scenario, case)))
        .filter(|(_, case)| matches!(case.verdict, Verdict::Divergence | Verdict::Error))
        .map(|(scenario, case)| format!("{} {} {:?}", scenario.id, scenario.operation, case))
        .collect();
    assert!(
        divergences.is_empty(),
        "the emulator and the reference disagree: {divergences:#?}"
    );
}

#[test]
fn every_bundled_case_gets_three_decisions_and_a_verdict() {
    let results = run_bundled(TargetKind::Reference);
    let operations: usize = results.scenarios.len();
    assert!(
        operations >= 10,
        "only {operations} scenario operations ran"
    );
    for scenario in &results.scenarios {
        assert_eq!(
            scenario.cases.len(),
            CASES,
            "{} {}",
            scenario.id,
            scenario.operation
        );
    }
}
