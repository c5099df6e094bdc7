//! `scpcheck oracle`: differential testing of the reference evaluator against an independent
//! implementation, `@cloud-copilot/iam-simulate`, run as separate processes.

use std::io::IsTerminal as _;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scpcheck_oracle::{
    CaseKind, CompareError, CompareOptions, Installation, Oracle, OracleOptions, OracleVersions,
    Report, cache_dir, compare,
};

use crate::commands::print_stdout;
use crate::exit_codes;

/// Arguments of `scpcheck oracle`.
#[derive(Debug, Args)]
pub struct OracleArgs {
    /// How many generated cases to compare (1 to 1,000,000,000).
    #[arg(
        long,
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000_000)
    )]
    pub cases: u64,

    /// Seed of the case generator; the same seed gives the same cases. Random when not given.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Which question the generated cases ask.
    #[arg(long, value_enum, default_value_t = KindArg::Scp)]
    pub kind: KindArg,
}

/// The values of `--kind`: which question the generated cases ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The SCP decision alone, for a principal whose identity policy allows everything and a
    /// resource in its own account.
    Scp,
    /// The overall decision of SCPs, identity policies and a resource-based policy, for callers
    /// and resources in two accounts.
    All,
}

impl From<KindArg> for CaseKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Scp => CaseKind::ScpLayer,
            KindArg::All => CaseKind::AllPolicies,
        }
    }
}

/// Runs `scpcheck oracle` with `seed`; returns the exit code: success when every disagreement
/// is explained by a known departure, a conformance failure otherwise, target unavailable when
/// the oracle cannot be installed or started.
pub fn run(args: &OracleArgs, seed: u64) -> i32 {
    let kind = match args.kind {
        KindArg::Scp => "scp",
        KindArg::All => "all",
    };
    print_stdout(&format!(
        "scpcheck oracle: seed {seed} (rerun with `--seed {seed}`), {cases} cases of kind \
         `{kind}`\n",
        cases = args.cases
    ));
    let mut oracle = match start() {
        Ok(oracle) => oracle,
        Err(error) => return report_failure(&CompareError::Oracle(error)),
    };
    print_stdout(&format!(
        "oracle: {versions}, node {node}, {processes} processes\n",
        versions = OracleVersions::from_lockfile(),
        node = oracle.node_version(),
        processes = oracle.processes()
    ));

    let bar = progress_bar(args.cases);
    let mut progress = |done: u64| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    };
    let options = CompareOptions {
        kind: args.kind.into(),
        ..CompareOptions::new(args.cases, seed)
    };
    let result = compare(&mut oracle, options, &mut progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => print_report(&report, &oracle),
        Err(error) => report_failure(&error),
    }
}

fn start() -> Result<Oracle, scpcheck_oracle::OracleError> {
    let installation = Installation::provision(&cache_dir())?;
    tracing::debug!(dir = %installation.dir().display(), "oracle installation");
    Oracle::start(installation.command(), OracleOptions::default())
}

fn print_report(report: &Report, oracle: &Oracle) -> i32 {
    let mut text = summary(report);
    let name = format!("@cloud-copilot/iam-simulate {}", oracle.package_version());
    for vector in report.vectors(&name) {
        text.push_str(&format!("{vector}\n"));
    }
    print_stdout(&text);
    if report.is_success() {
        exit_codes::SUCCESS
    } else {
        exit_codes::CONFORMANCE_FAILURE
    }
}

/// The counts of a report, one fact a line.
pub fn summary(report: &Report) -> String {
    let seconds = report.elapsed.as_secs_f64();
    let rate = report.cases as f64 / seconds.max(f64::EPSILON);
    let mut text = format!(
        "compared {cases} cases in {seconds:.1}s ({rate:.0} cases/s); the evaluator allowed \
         {allowed} and denied {denied}\n",
        cases = report.cases,
        allowed = report.allowed,
        denied = report.denied
    );
    text.push_str(&format!("agreements: {}\n", report.agreements));
    text.push_str(&format!(
        "known departures of the oracle: {}\n",
        report.known_total()
    ));
    for (kind, count) in &report.known {
        text.push_str(&format!("  {kind}: {count}\n"));
    }
    let families: Vec<String> = report
        .families
        .iter()
        .map(|(family, count)| format!("{} {count}", family.name()))
        .collect();
    text.push_str(&format!(
        "conditions by operator family: {}\n",
        families.join(", ")
    ));
    if !report.reasons.is_empty() {
        let reasons: Vec<String> = report
            .reasons
            .iter()
            .map(|(reason, count)| format!("{reason} {count}"))
            .collect();
        text.push_str(&format!(
            "the evaluator's decisions by reason: {}\n",
            reasons.join(", ")
        ));
    }
    if !report.oracle_errors.is_empty() {
        text.push_str(&format!(
            "cases the oracle could not evaluate: {}\n",
            report.oracle_errors.len()
        ));
        for (case, message) in report.oracle_errors.iter().take(5) {
            let request = serde_json::to_string(&case.oracle_request()).unwrap_or_default();
            text.push_str(&format!("  {message}: {request}\n"));
        }
    }
    text.push_str(&format!(
        "unexplained disagreements: {}{}\n",
        report.unexplained.len(),
        if report.unexplained.is_empty() {
            ""
        } else {
            " (each below as a decision vector)"
        }
    ));
    text
}

fn report_failure(error: &CompareError) -> i32 {
    crate::report!("error: {error}");
    if let Some(help) = miette::Diagnostic::help(error) {
        crate::report!("help: {help}");
    }
    match error {
        CompareError::Oracle(_) => exit_codes::TARGET_UNAVAILABLE,
        CompareError::Generator(_) => exit_codes::INTERNAL_ERROR,
    }
}

fn progress_bar(cases: u64) -> Option<ProgressBar> {
    let on_terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !on_terminal {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(cases), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} cases {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_decisions_by_reason_for_the_kind_all() {
        let mut report = Report {
            cases: 3,
            kind: CaseKind::AllPolicies,
            ..Report::default()
        };
        report.reasons.insert("AllowedAcrossAccounts".to_owned(), 2);
        report.reasons.insert("ExplicitDenyInScp".to_owned(), 1);
        let text = summary(&report);
        let line = "the evaluator's decisions by reason: AllowedAcrossAccounts 2, \
                    ExplicitDenyInScp 1\n";
        assert!(text.contains(line), "{text}");
        let scp_only = summary(&Report::default());
        assert!(!scp_only.contains("by reason"), "{scp_only}");
    }

    #[test]
    fn kinds_are_named_as_on_the_command_line() {
        assert_eq!(CaseKind::from(KindArg::Scp), CaseKind::ScpLayer);
        assert_eq!(CaseKind::from(KindArg::All), CaseKind::AllPolicies);
        let names: Vec<String> = KindArg::value_variants()
            .iter()
            .filter_map(|kind| kind.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        assert_eq!(names, ["scp", "all"]);
    }
}
