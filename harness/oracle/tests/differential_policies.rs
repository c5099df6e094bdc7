//! The differential test over every policy type: 5,000 generated cases from a fixed seed, each
//! with SCPs, the caller's identity policies and usually a resource-based policy, decided by
//! the evaluator and by `@cloud-copilot/iam-simulate` (installed into the cache directory on
//! first use; it needs `node` 20 or newer and `npm`). It fails on any disagreement about the
//! overall decision that no known departure of the oracle explains, printing each as a decision
//! vector.

mod support;

use scpcheck_oracle::{CaseKind, CompareOptions, compare};

const SEED: u64 = 20_261_211;
const CASES: u64 = 5_000;

/// The evaluator's reasons that the generated cases must reach often enough to be compared:
/// every kind of deny, and every way of being allowed.
const REASONS: [(&str, u64); 9] = [
    ("ExplicitDenyInScp", 100),
    ("ExplicitDenyInResourcePolicy", 100),
    ("ExplicitDenyInIdentityPolicy", 100),
    ("NotAllowedByIdentityPolicies", 100),
    ("NotAllowedByResourcePolicy", 50),
    ("Allowed", 100),
    ("AllowedByResourcePolicy", 50),
    ("AllowedAcrossAccounts", 50),
    ("AllowedAsRootUser", 20),
];

#[test]
fn the_evaluator_agrees_with_the_oracle_on_every_policy_type_up_to_known_departures() {
    let mut oracle = support::start_oracle();
    let options = CompareOptions {
        kind: CaseKind::AllPolicies,
        ..CompareOptions::new(CASES, SEED)
    };

    let report = compare(&mut oracle, options, &mut |_| {}).unwrap();
    println!(
        "{} agreements, known departures {:?}, reasons {:?}, {:.1}s",
        report.agreements,
        report.known,
        report.reasons,
        report.elapsed.as_secs_f64()
    );

    for (reason, least) in REASONS {
        let count = report.reasons.get(reason).copied().unwrap_or(0);
        assert!(
            count >= least,
            "{reason}: {count} cases: {:?}",
            report.reasons
        );
    }
    support::assert_all_explained(&report, &oracle, CASES);
}
