//! The differential test of the reference evaluator: 20,000 generated cases from a fixed seed,
//! each decided by the evaluator and by `@cloud-copilot/iam-simulate`, which this test installs
//! into the cache directory on first use (it needs `node` 20 or newer and `npm`). It fails on
//! any disagreement that no known departure of the oracle explains, printing each as a decision
//! vector.

mod support;

use scpcheck_oracle::vocabulary::Family;
use scpcheck_oracle::{CompareOptions, compare};

const SEED: u64 = 20_261_204;
const CASES: u64 = 20_000;

#[test]
fn the_evaluator_agrees_with_the_oracle_up_to_known_departures() {
    let mut oracle = support::start_oracle();

    let report = compare(&mut oracle, CompareOptions::new(CASES, SEED), &mut |_| {}).unwrap();

    for family in Family::ALL {
        let conditions = report.families.get(&family).copied().unwrap_or(0);
        assert!(conditions > 10_000, "{family:?}: {conditions} conditions");
    }
    support::assert_all_explained(&report, &oracle, CASES);
}
