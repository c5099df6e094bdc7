//! What the differential tests share: starting the oracle, and the checks every comparison's
//! report must pass.

#![expect(
    clippy::panic,
    reason = "test support stops the test with the oracle's own report when it cannot start"
)]

use scpcheck_oracle::{Installation, Oracle, OracleOptions, PACKAGE_NAME, Report, cache_dir};

/// The oracle, installed into the cache directory on first use and started.
pub fn start_oracle() -> Oracle {
    let installation = Installation::provision(&cache_dir())
        .unwrap_or_else(|error| panic!("{:?}", miette::Report::new(error)));
    Oracle::start(installation.command(), OracleOptions::default())
        .unwrap_or_else(|error| panic!("{:?}", miette::Report::new(error)))
}

/// Fails unless `report` compared `cases` cases, both decisions came often enough for the
/// comparison to mean something, the oracle evaluated every case, and every disagreement is
/// explained by a known departure (each unexplained one is printed as a decision vector).
pub fn assert_all_explained(report: &Report, oracle: &Oracle, cases: u64) {
    assert_eq!(report.cases, cases);
    assert!(report.allowed > cases / 5, "allowed: {}", report.allowed);
    assert!(report.denied > cases / 5, "denied: {}", report.denied);
    assert!(
        report.agreements > cases * 4 / 5,
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
        "{} unexplained disagreements (seed {}, known departures: {:?}):\n{}",
        vectors.len(),
        report.seed,
        report.known,
        vectors.join("\n")
    );
}
