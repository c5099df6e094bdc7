//! The differential test of the reference evaluator: 20,000 generated cases from a fixed seed,
//! each decided by the evaluator and by `@cloud-copilot/iam-simulate`, which this test installs
//! into the cache directory on first use (it needs `node` 20 or newer and `npm`). It fails on
//! any disagreement that no known departure of the oracle explains, printing each as a decision
//! vector.

use scpcheck_oracle::vocabulary::Family;
use scpcheck_oracle::{
    CompareOptions, Installation, Oracle, OracleOptions, PACKAGE_NAME, cache_dir, compare,
};

const SEED: u64 = 20_261_204;
const CASES: u64 = 20_000;

#[test]
fn the_evaluator_agrees_with_the_oracle_up_to_known_departures() {
    let installation = Installation::provision(&cache_dir())
        .unwrap_or_else(|error| panic!("{:?}", miette::Report::new(error)));
    let mut oracle = Oracle::start(installation.command(), OracleOptions::default())
        .unwrap_or_else(|error| panic!("{:?}", miette::Report::new(error)));

    let report = compare(&mut oracle, CompareOptions::new(CASES, SEED), &mut |_| {}).unwrap();

    assert_eq!(report.cases, CASES);
    for family in Family::ALL {
        let conditions = report.families.get(&family).copied().unwrap_or(0);
        assert!(conditions > 10_000, "{family:?}: {conditions} conditions");
    }
    assert!(report.allowed > CASES / 5, "allowed: {}", report.allowed);
    assert!(report.denied > CASES / 5, "denied: {}", report.denied);
    assert!(
        report.agreements > CASES * 4 / 5,
        "agreements: {}",
        report.agreements
    );
    let errors: Vec<String> = report
        .oracle_errors
        .iter()
        .map(|(case, message)| format!("{message}: {case:?}"))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let name = format!("{PACKAGE_NAME} {}", oracle.package_version());
    let vectors: Vec<String> = report
        .vectors(&name)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        vectors.is_empty(),
        "{} unexplained disagreements (seed {SEED}):\n{}",
        vectors.len(),
        vectors.join("\n")
    );
}
