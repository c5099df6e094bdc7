//! The decision tables that snapshots record: a flipped decision changes only its own rows, so
//! that a snapshot's diff shows what changed and nothing else.

use std::collections::BTreeMap;

use scpcheck_report::{
    CaseResult, Decision, ScenarioResult, StateCheck, TargetDetail, Verdict, decision_table,
};

/// A case of `ec2:CreateVolume` with the target's answer as the emulator gives it: the error
/// code of a denial, the recorded encryption of an allowed create.
fn case(encrypted: bool, size: u32, decisions: [Decision; 3], verdict: Verdict) -> CaseResult {
    let [expected, reference, target] = decisions;
    let detail = match target {
        Decision::Deny => TargetDetail {
            code: Some("UnauthorizedOperation".to_owned()),
            ..TargetDetail::default()
        },
        Decision::Allow => TargetDetail {
            state: Some(StateCheck {
                attribute: "Encrypted".to_owned(),
                expected: encrypted.to_string(),
                observed: encrypted.to_string(),
            }),
            ..TargetDetail::default()
        },
        Decision::Error => TargetDetail {
            failure: Some("connection refused".to_owned()),
            ..TargetDetail::default()
        },
    };
    CaseResult {
        params: BTreeMap::from([
            ("encrypted".to_owned(), serde_json::json!(encrypted)),
            ("size".to_owned(), serde_json::json!(size)),
        ]),
        resources: BTreeMap::new(),
        expected,
        reference,
        target,
        verdict,
        accepted_gap_reason: (verdict == Verdict::AcceptedGap).then(|| "known".to_owned()),
        target_detail: Some(detail),
        reference_denied_by: Vec::new(),
    }
}

fn volumes(cases: Vec<CaseResult>) -> ScenarioResult {
    ScenarioResult {
        id: "ebs-volumes-encrypted".to_owned(),
        operation: "ec2:CreateVolume".to_owned(),
        restriction: "EBS volumes can only be created if they are encrypted".to_owned(),
        source_file: "scenarios/ebs-volumes-encrypted.toml".into(),
        complete: true,
        unneeded_accepted_gaps: Vec::new(),
        cases,
    }
}

/// Encrypted and unencrypted volumes of three sizes, every case conforming.
fn conforming_volumes() -> Vec<CaseResult> {
    use Decision::{Allow, Deny};
    let mut cases = Vec::new();
    for size in [8, 100, 16384] {
        cases.push(case(true, size, [Allow, Allow, Allow], Verdict::Conforms));
        cases.push(case(false, size, [Deny, Deny, Deny], Verdict::Conforms));
    }
    cases
}

/// The lines of the decision table of `after` that differ from those of `before`; the tables
/// have the same rows, as the cases have the same parameters.
fn changed_lines(before: Vec<CaseResult>, after: Vec<CaseResult>) -> Vec<String> {
    let before = decision_table(&volumes(before));
    let after = decision_table(&volumes(after));
    assert_eq!(before.lines().count(), after.lines().count());
    before
        .lines()
        .zip(after.lines())
        .filter(|(before, after)| before != after)
        .map(|(_, after)| after.to_owned())
        .collect()
}

#[test]
fn a_flipped_decision_changes_only_its_own_row() {
    use Decision::{Allow, Deny, Error};
    let flips = [
        case(false, 8, [Deny, Allow, Allow], Verdict::PolicyGap),
        case(false, 8, [Deny, Allow, Allow], Verdict::AcceptedGap),
        case(false, 8, [Deny, Deny, Allow], Verdict::Divergence),
        case(false, 8, [Deny, Deny, Error], Verdict::Error),
    ];
    for flipped in flips {
        let verdict = flipped.verdict;
        let mut cases = conforming_volumes();
        cases[1] = flipped;
        let changed = changed_lines(conforming_volumes(), cases);
        assert_eq!(changed.len(), 1, "{verdict:?}: {changed:#?}");
        assert!(
            changed[0].starts_with("encrypted=false size=8 ")
                && changed[0].contains(verdict.as_str()),
            "{verdict:?}: {changed:#?}"
        );
    }
}

#[test]
fn a_flip_that_drops_the_widest_note_changes_only_its_own_row() {
    use Decision::{Allow, Deny};
    // The only denial carries the longest note, the target's error code; once the SCPs let
    // the call through, the note is the shorter recorded state.
    let mut before = conforming_volumes();
    before.retain(|case| case.expected == Allow);
    before.push(case(false, 8, [Deny, Deny, Deny], Verdict::Conforms));
    let mut after = before.clone();
    after.pop();
    after.push(case(false, 8, [Deny, Allow, Allow], Verdict::PolicyGap));

    let changed = changed_lines(before, after);
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert!(
        changed[0].starts_with("encrypted=false size=8 "),
        "{changed:#?}"
    );
}
