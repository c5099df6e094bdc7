//! `scpcheck eval`: decides every decision vector of a JSON-lines file with the reference
//! evaluator and compares each decision with the vector's expected one.

use std::path::PathBuf;

use clap::Args;
use scpcheck_policy::vectors::{DecisionVector, VectorOutcome, evaluate_vector, parse_vectors};

use super::{eprint_diagnostic, print_stdout, read_text};
use crate::exit_codes;

/// Arguments of `scpcheck eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A file of decision vectors, one JSON object a line: `id`, `scp`, optional `identity`,
    /// optional `resource_policy` and `resource_account`, `request` (`action`, `resource`,
    /// optional `principal` and `context`), `expected`
    /// (`Allow` or `Deny`), optional `why` and `aws_doc`.
    #[arg(long, value_name = "FILE.jsonl")]
    vectors: PathBuf,
}

/// Runs `scpcheck eval`; returns the exit code: success when every vector gets its expected
/// decision, a conformance failure when one does not, invalid input when the file is not valid.
pub fn run(args: &EvalArgs) -> i32 {
    let text = match read_text(&args.vectors) {
        Ok(text) => text,
        Err(message) => {
            crate::report!("error: {message}");
            return exit_codes::INVALID_INPUT;
        }
    };
    let name = args.vectors.display().to_string();
    let vectors = match parse_vectors(&name, &text) {
        Ok(vectors) => vectors,
        Err(errors) => {
            eprint_diagnostic(&errors);
            return exit_codes::INVALID_INPUT;
        }
    };

    let outcomes: Vec<(&DecisionVector, VectorOutcome)> = vectors
        .iter()
        .map(|vector| (vector, evaluate_vector(vector)))
        .collect();
    let failed = outcomes
        .iter()
        .filter(|(_, outcome)| !outcome.matches())
        .count();
    let passed = outcomes.len() - failed;
    print_stdout(&format!(
        "{}{passed} passed, {failed} failed\n",
        table(&outcomes)
    ));
    if failed == 0 {
        exit_codes::SUCCESS
    } else {
        exit_codes::CONFORMANCE_FAILURE
    }
}

/// One line per vector; a vector whose decision differs is followed by its explanation.
fn table(outcomes: &[(&DecisionVector, VectorOutcome)]) -> String {
    let id_width = outcomes
        .iter()
        .map(|(vector, _)| vector.id.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = String::new();
    for (vector, outcome) in outcomes {
        let verdict = if outcome.matches() { "ok" } else { "DIFF" };
        let expected = outcome.expected.to_string();
        let got = outcome.decision.to_string();
        lines.push_str(&format!(
            "{id:<id_width$}  expected {expected:<5}  got {got:<5}  {verdict}\n",
            id = vector.id
        ));
        if !outcome.matches() {
            if let Some(why) = &vector.why {
                lines.push_str(&format!("    why: {why}\n"));
            }
            lines.push_str(&indented(&outcome.explanation));
        }
    }
    lines
}

fn indented(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}
