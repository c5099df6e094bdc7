//! Decides every decision vector in `tests/data/vectors/*.jsonl` and checks its expected answer,
//! and that the fast path of the SCP decision agrees with their explained evaluation.
//!
//! The file format and the organization each vector is decided in are those of
//! [`scpcheck_policy::vectors`].

use std::path::Path;

use scpcheck_policy::vectors::{DecisionVector, evaluate_vector, parse_vectors};
use scpcheck_policy::{evaluate_scps, scp_decision};

fn check_vector(vector: &DecisionVector) -> Result<(), String> {
    let id = &vector.id;
    let outcome = evaluate_vector(vector);
    let organization = vector.organization();
    let fast = scp_decision(&organization, &vector.request);
    let explained = evaluate_scps(&organization, &vector.request).decision();
    if fast != explained {
        return Err(format!(
            "{id}: the SCPs' fast path says {fast}, their explained evaluation {explained}"
        ));
    }
    if outcome.matches() {
        return Ok(());
    }
    let why = vector.why.as_deref().unwrap_or_default();
    Err(format!(
        "{id}: expected {}, got {}\nwhy: {why}\n{}",
        outcome.expected, outcome.decision, outcome.explanation
    ))
}

#[test]
fn every_vector_gets_its_expected_decision() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "jsonl")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no vector files in {}",
        directory.display()
    );

    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        let vectors = parse_vectors(&name, &text)
            .unwrap_or_else(|errors| panic!("{:?}", miette::Report::new(errors)));
        for vector in &vectors {
            checked += 1;
            if let Err(failure) = check_vector(vector) {
                failures.push(failure);
            }
        }
    }
    assert!(checked > 0, "the vector files hold no vector");
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
