//! Case generation is reproducible, varies with the seed and stays inside the declared domains.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "helpers outside `#[test]` functions fail the test by panicking"
)]

use std::collections::BTreeSet;
use std::path::Path;

use scpcheck_scenario::catalogue::{CallEnv, authorization_checks};
use scpcheck_scenario::{
    ParamDomain, ParamValue, Params, Scenario, ScenarioOperation, generate_cases, load_dir,
};

fn bundled() -> Vec<Scenario> {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")).unwrap()
}

fn operations(scenarios: &[Scenario]) -> impl Iterator<Item = &ScenarioOperation> {
    scenarios.iter().flat_map(|scenario| &scenario.operations)
}

fn upload(scenarios: &[Scenario]) -> &ScenarioOperation {
    let scenario = scenarios
        .iter()
        .find(|s| s.id == "s3-put-object-encryption-header")
        .unwrap();
    &scenario.operations[0]
}

/// Whether `text` is one of the strings the `other` expression `regex` generates; only the
/// expressions used by the bundled scenarios are known.
fn drawn_from(regex: &str, text: &str) -> bool {
    match regex {
        "[A-Za-z0-9:]{1,12}" => {
            (1..=12).contains(&text.chars().count())
                && text.chars().all(|c| c.is_ascii_alphanumeric() || c == ':')
        }
        other => panic!("no checker for `{other}`"),
    }
}

fn in_domain(domain: &ParamDomain, value: Option<&ParamValue>) -> bool {
    match value {
        None => domain.absent(),
        Some(value) if domain.values().contains(value) => true,
        Some(ParamValue::Str(text)) => domain.other().is_some_and(|regex| drawn_from(regex, text)),
        Some(_) => false,
    }
}

#[test]
fn the_same_seed_gives_the_same_cases() {
    let scenarios = bundled();
    for operation in operations(&scenarios) {
        assert_eq!(
            generate_cases(operation, 42, 50),
            generate_cases(operation, 42, 50),
            "{}",
            operation.name()
        );
    }
}

#[test]
fn different_seeds_give_different_cases() {
    let scenarios = bundled();
    let upload = upload(&scenarios);

    let first = generate_cases(upload, 1, 50);
    let second = generate_cases(upload, 2, 50);

    assert_ne!(first, second);
}

#[test]
fn exactly_count_cases_are_generated() {
    let scenarios = bundled();
    let upload = upload(&scenarios);

    assert_eq!(generate_cases(upload, 7, 0).len(), 0);
    assert_eq!(generate_cases(upload, 7, 123).len(), 123);
}

#[test]
fn every_generated_value_is_in_its_domain() {
    let scenarios = bundled();
    for operation in operations(&scenarios) {
        for case in generate_cases(operation, 0x5eed, 300) {
            for (name, domain) in operation.params() {
                let value = case.get(name);
                assert!(
                    in_domain(domain, value),
                    "{}: {name} = {value:?}",
                    operation.name()
                );
            }
            let undeclared: Vec<_> = case
                .keys()
                .filter(|name| !operation.params().contains_key(*name))
                .collect();
            assert!(
                undeclared.is_empty(),
                "{}: {undeclared:?}",
                operation.name()
            );
        }
    }
}

#[test]
fn every_case_carries_a_transport() {
    let scenarios = bundled();
    for operation in operations(&scenarios) {
        for case in generate_cases(operation, 3, 100) {
            let transport = case.get("transport");
            assert!(
                matches!(transport, Some(ParamValue::Str(t)) if t == "http" || t == "https"),
                "{}: {transport:?}",
                operation.name()
            );
        }
    }
}

#[test]
fn every_listed_value_and_absence_is_tried() {
    let scenarios = bundled();
    let upload = upload(&scenarios);
    let cases = generate_cases(upload, 11, 400);

    let seen: BTreeSet<Option<&ParamValue>> = cases.iter().map(|case| case.get("sse")).collect();
    for listed in upload.params()["sse"].values() {
        assert!(seen.contains(&Some(listed)), "never tried {listed}");
    }
    assert!(seen.contains(&None), "never left out");
    let drawn = seen
        .iter()
        .flatten()
        .filter(|value| !upload.params()["sse"].values().contains(value));
    assert!(drawn.count() > 10, "few `other` strings: {seen:?}");
}

#[test]
fn every_generated_case_is_a_valid_call() {
    let env = CallEnv {
        region: "eu-central-1".to_owned(),
        account_id: "111122223333".to_owned(),
        principal_arn: "arn:aws:iam::111122223333:role/Deployer".to_owned(),
        secure_transport: true,
        ebs_encryption_by_default: false,
    };
    let scenarios = bundled();
    for operation in operations(&scenarios) {
        for case in generate_cases(operation, 99, 100) {
            let checks = authorization_checks(operation.name(), &case, &env);
            assert!(
                checks.is_ok_and(|checks| !checks.is_empty()),
                "{}: {case:?}",
                operation.name()
            );
        }
    }
}

#[test]
fn expectations_follow_the_rule_for_generated_cases() {
    let scenarios = bundled();
    let upload = upload(&scenarios);
    let allowed: Params = generate_cases(upload, 5, 400)
        .into_iter()
        .find(|case| upload.expected(case) == scpcheck_policy::Decision::Allow)
        .unwrap();

    assert_eq!(allowed.get("transport"), Some(&ParamValue::from("https")));
    let sse = allowed.get("sse").map(ToString::to_string);
    assert!(
        matches!(sse.as_deref(), Some("AES256" | "aws:kms")),
        "{sse:?}"
    );
}
