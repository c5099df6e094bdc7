//! The bundled scenarios against the bundled SCPs: every case where the written restriction
//! and the reference evaluator disagree is an accepted gap, and every accepted gap is needed.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers outside `#[test]` functions fail the test by panicking"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use scpcheck_policy::{Decision, Organization, evaluate_scps};
use scpcheck_scenario::catalogue::{CallEnv, authorization_checks};
use scpcheck_scenario::layout::{OrganizationIds, PolicySet};
use scpcheck_scenario::{ParamValue, Params, ScenarioOperation, generate_cases, load_dir};

const CASES_PER_OPERATION: usize = 400;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn organization() -> Organization {
    let policies = match PolicySet::load(&repository().join("policies")) {
        Ok(policies) => policies,
        Err(errors) => panic!("bundled policies have problems: {errors:#?}"),
    };
    let ids = OrganizationIds {
        management_account: "999999999999".to_owned(),
        root: "r-root".to_owned(),
        organizational_units: Default::default(),
        account: "111122223333".to_owned(),
    };
    policies.organization(&ids)
}

/// The environment of a case: its transport, and EBS encryption by default turned off, as the
/// scenarios assume.
fn env(case: &Params) -> CallEnv {
    CallEnv {
        region: "eu-central-1".to_owned(),
        account_id: "111122223333".to_owned(),
        principal_arn: "arn:aws:iam::111122223333:role/Deployer".to_owned(),
        secure_transport: case.get("transport") != Some(&ParamValue::from("http")),
        ebs_encryption_by_default: false,
    }
}

/// The reference decision: a call is denied if any of its checks is denied.
fn reference(
    organization: &Organization,
    operation: &ScenarioOperation,
    case: &Params,
) -> Decision {
    let checks = authorization_checks(operation.name(), case, &env(case)).unwrap();
    let denied = checks
        .iter()
        .any(|check| evaluate_scps(organization, &check.request).decision() == Decision::Deny);
    if denied {
        Decision::Deny
    } else {
        Decision::Allow
    }
}

#[test]
fn every_policy_gap_is_accepted_and_every_accepted_gap_is_needed() {
    let organization = organization();
    let scenarios = load_dir(&repository().join("scenarios")).unwrap();

    let mut unaccepted = Vec::new();
    let mut unused = Vec::new();
    for scenario in &scenarios {
        for operation in &scenario.operations {
            let mut used = BTreeSet::new();
            for case in generate_cases(operation, 0xc0ffee, CASES_PER_OPERATION) {
                if operation.expected(&case) == reference(&organization, operation, &case) {
                    continue;
                }
                match operation.accepted_gap(&case) {
                    Some(gap) => {
                        used.insert(gap.when.source().to_owned());
                    }
                    None => unaccepted.push(format!("{}: {case:?}", scenario.id)),
                }
            }
            for gap in operation.accepted_gaps() {
                if !used.contains(gap.when.source()) {
                    unused.push(format!(
                        "{} {}: {}",
                        scenario.id,
                        operation.name(),
                        gap.when
                    ));
                }
            }
        }
    }

    assert!(
        unaccepted.is_empty(),
        "gaps without an accepted gap:\n{}",
        unaccepted.join("\n")
    );
    assert!(
        unused.is_empty(),
        "accepted gaps no case needs:\n{}",
        unused.join("\n")
    );
}
